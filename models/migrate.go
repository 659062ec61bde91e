package models

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/migrations"
)

// MigrationStatus is one migration and whether it is applied.
type MigrationStatus struct {
	Version int64
	Name    string
	Applied bool
}

func migrationProvider(db *gorm.DB) (*goose.Provider, error) {
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	var (
		fsys    fs.FS
		dialect goose.Dialect
	)
	switch DialectFor(db) {
	case Postgres:
		sub, err := fs.Sub(migrations.Postgres, "postgres")
		if err != nil {
			return nil, err
		}
		fsys, dialect = sub, goose.DialectPostgres
	default:
		sub, err := fs.Sub(migrations.SQLite, "sqlite")
		if err != nil {
			return nil, err
		}
		fsys, dialect = sub, goose.DialectSQLite3
	}
	var opts []goose.ProviderOption
	if dialect == goose.DialectPostgres {
		// Replicas that start together take turns: an advisory lock makes
		// every other one wait while one applies the migrations.
		// The lock is per schema, since that is what migrations change, and
		// is retried every second for up to five minutes.
		var where string
		if err := sqlDB.QueryRow("SELECT current_database() || '.' || current_schema()").Scan(&where); err != nil {
			return nil, fmt.Errorf("models: read current schema: %w", err)
		}
		h := fnv.New64a()
		_, _ = h.Write([]byte("referrals-migrations:" + where))
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(int64(h.Sum64()>>1)), lock.WithLockTimeout(1, 300))
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, sqlDB, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("models: load migrations: %w", err)
	}
	return p, nil
}

// ErrSchemaTooNew means the database was migrated by a newer build than
// this one, which would not understand its schema.
var ErrSchemaTooNew = errors.New("models: the database schema is newer than this build")

// MigrateUp applies every pending migration and returns how many it applied.
// It refuses a database that a newer build has migrated.
func MigrateUp(ctx context.Context, db *gorm.DB) (int, error) {
	p, err := migrationProvider(db)
	if err != nil {
		return 0, err
	}
	if err := checkNotNewer(ctx, p); err != nil {
		return 0, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("models: migrate up: %w", err)
	}
	if err := migrateJobs(ctx, db); err != nil {
		return len(res), err
	}
	return len(res), nil
}

// checkNotNewer fails when the database records a migration this build
// does not have.
func checkNotNewer(ctx context.Context, p *goose.Provider) error {
	var newest int64
	for _, src := range p.ListSources() {
		newest = max(newest, src.Version)
	}
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("models: read schema version: %w", err)
	}
	if current > newest {
		return fmt.Errorf("%w: it is at version %d and this build knows up to %d; run the newer build, or roll the database back with it",
			ErrSchemaTooNew, current, newest)
	}
	return nil
}

// MigrateDown rolls back the most recent migration. It returns false when
// nothing was applied.
func MigrateDown(ctx context.Context, db *gorm.DB) (bool, error) {
	p, err := migrationProvider(db)
	if err != nil {
		return false, err
	}
	res, err := p.Down(ctx)
	if err != nil {
		if res == nil {
			return false, nil
		}
		return false, fmt.Errorf("models: migrate down: %w", err)
	}
	return res != nil, nil
}

// MigrateDownAll rolls back every applied migration.
func MigrateDownAll(ctx context.Context, db *gorm.DB) error {
	p, err := migrationProvider(db)
	if err != nil {
		return err
	}
	if _, err := p.DownTo(ctx, 0); err != nil {
		return fmt.Errorf("models: migrate down: %w", err)
	}
	return nil
}

// MigrationStatuses lists every migration and whether it is applied.
func MigrationStatuses(ctx context.Context, db *gorm.DB) ([]MigrationStatus, error) {
	p, err := migrationProvider(db)
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("models: migration status: %w", err)
	}
	out := make([]MigrationStatus, 0, len(st))
	for _, s := range st {
		out = append(out, MigrationStatus{
			Version: s.Source.Version,
			Name:    s.Source.Path,
			Applied: s.State == goose.StateApplied,
		})
	}
	return out, nil
}
