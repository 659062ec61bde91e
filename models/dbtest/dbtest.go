// Package dbtest gives tests real, migrated databases: a fresh SQLite file
// per test, and a fresh PostgreSQL schema per test when TEST_DATABASE_URL is
// set. Without it PostgreSQL tests skip with a message; with CI=true they fail
// instead, so CI can never be green with them skipped.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models"
)

// InCI reports whether the tests run in CI, where nothing may be skipped for
// want of a service.
func InCI() bool { return os.Getenv("CI") == "true" }

// SkipOrFail skips the test with a reason, or fails it in CI.
func SkipOrFail(t testing.TB, reason string) {
	t.Helper()
	if InCI() {
		t.Fatalf("CI=true but %s", reason)
	}
	t.Skip(reason)
}

// SQLiteEmpty opens a new, empty SQLite database file that is removed after
// the test, without applying migrations.
func SQLiteEmpty(t testing.TB) *gorm.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	db, err := models.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open SQLite: %v", err)
	}
	t.Cleanup(func() { _ = models.Close(db) })
	return db
}

// PostgresEmpty opens a new, empty PostgreSQL schema that is dropped after
// the test, without applying migrations.
func PostgresEmpty(t testing.TB) *gorm.DB {
	t.Helper()
	db, err := models.Open(context.Background(), PostgresURL(t))
	if err != nil {
		t.Fatalf("open PostgreSQL schema: %v", err)
	}
	t.Cleanup(func() { _ = models.Close(db) })
	return db
}

// PostgresURL creates a new, empty PostgreSQL schema that is dropped after
// the test, and returns a database URL whose connections use it: for a test
// that hands the database to another process.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		SkipOrFail(t, "TEST_DATABASE_URL is not set, so PostgreSQL tests cannot run (e.g. TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	ctx := context.Background()
	admin, err := models.Open(ctx, base)
	if err != nil {
		SkipOrFail(t, "cannot reach PostgreSQL at TEST_DATABASE_URL: "+err.Error())
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		_ = models.Close(admin)
		t.Fatalf("create schema: %v", err)
	}
	// Registered first, so it runs after the cleanups of whatever opens the URL.
	t.Cleanup(func() {
		_ = admin.Exec("DROP SCHEMA " + schema + " CASCADE").Error
		_ = models.Close(admin)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse TEST_DATABASE_URL: %v", err)
	}
	// Appended to the query as written: re-encoding it would turn the
	// spaces of an options= setting into '+', which PostgreSQL reads
	// literally.
	if u.RawQuery != "" {
		u.RawQuery += "&"
	}
	u.RawQuery += "search_path=" + url.QueryEscape(schema)
	return u.String()
}

// Migrated applies every migration to db, failing the test on error.
func Migrated(t testing.TB, db *gorm.DB) *gorm.DB {
	t.Helper()
	if _, err := models.MigrateUp(context.Background(), db); err != nil {
		t.Fatalf("migrate up: %v", err)
	}
	return db
}

// SQLite returns a migrated SQLite database for one test.
func SQLite(t testing.TB) *gorm.DB { t.Helper(); return Migrated(t, SQLiteEmpty(t)) }

// Postgres returns a migrated PostgreSQL schema for one test.
func Postgres(t testing.TB) *gorm.DB { t.Helper(); return Migrated(t, PostgresEmpty(t)) }

// Dialects runs fn as a subtest on a fresh migrated database of each dialect.
func Dialects(t *testing.T, fn func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// EmptyDialects runs fn as a subtest on a fresh unmigrated database of each
// dialect.
func EmptyDialects(t *testing.T, fn func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLiteEmpty(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, PostgresEmpty(t)) })
}
