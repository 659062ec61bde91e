package models_test

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
)

// TestMigrationsUpDownUp applies every migration, rolls all of them back and
// applies them again, on both databases, checking the schema each time.
func TestMigrationsUpDownUp(t *testing.T) {
	dbtest.EmptyDialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		n, err := models.MigrateUp(ctx, db)
		if err != nil {
			t.Fatalf("up: %v", err)
		}
		if n == 0 {
			t.Fatal("up applied no migrations on an empty database")
		}
		checkSchemaMatchesModels(t, db)
		if err := models.MigrateDownAll(ctx, db); err != nil {
			t.Fatalf("down: %v", err)
		}
		for _, m := range models.AllTables() {
			if db.Migrator().HasTable(m) {
				t.Errorf("table for %T still exists after migrating down", m)
			}
		}
		rolled, err := models.MigrateDown(ctx, db)
		if err != nil {
			t.Fatalf("down with nothing applied: %v", err)
		}
		if rolled {
			t.Error("down reported rolling back with nothing applied")
		}
		again, err := models.MigrateUp(ctx, db)
		if err != nil {
			t.Fatalf("up again: %v", err)
		}
		if again != n {
			t.Errorf("up again applied %d migrations, want %d", again, n)
		}
		checkSchemaMatchesModels(t, db)
		st, err := models.MigrationStatuses(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range st {
			if !s.Applied {
				t.Errorf("migration %d (%s) not applied", s.Version, s.Name)
			}
		}
		if second, err := models.MigrateUp(ctx, db); err != nil || second != 0 {
			t.Errorf("a second up applied %d migrations (err %v), want 0", second, err)
		}
	})
}

// checkSchemaMatchesModels checks that every GORM field has a column and
// every column has a GORM field, for every directory table.
func checkSchemaMatchesModels(t *testing.T, db *gorm.DB) {
	t.Helper()
	for _, m := range models.AllTables() {
		s, err := schema.Parse(m, &sync.Map{}, db.NamingStrategy)
		if err != nil {
			t.Fatalf("parse %T: %v", m, err)
		}
		cols, err := db.Migrator().ColumnTypes(m)
		if err != nil {
			t.Fatalf("columns of %s: %v", s.Table, err)
		}
		have := map[string]bool{}
		for _, c := range cols {
			have[c.Name()] = true
		}
		want := map[string]bool{}
		for _, f := range s.Fields {
			if f.DBName == "" {
				continue
			}
			want[f.DBName] = true
			if !have[f.DBName] {
				t.Errorf("%s: model %T has field %s but the table has no such column", s.Table, m, f.DBName)
			}
		}
		var extra []string
		for c := range have {
			if !want[c] {
				extra = append(extra, c)
			}
		}
		sort.Strings(extra)
		if len(extra) > 0 {
			t.Errorf("%s: columns %s have no field in %T", s.Table, strings.Join(extra, ", "), m)
		}
	}
}

// TestMigrateRefusesANewerSchema plays an old build starting against a
// database a newer build has migrated.
func TestMigrateRefusesANewerSchema(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		if err := db.Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, TRUE)").Error; err != nil {
			t.Fatal(err)
		}
		if _, err := models.MigrateUp(context.Background(), db); !errors.Is(err, models.ErrSchemaTooNew) {
			t.Errorf("MigrateUp on a newer schema = %v, want ErrSchemaTooNew", err)
		}
	})
}
