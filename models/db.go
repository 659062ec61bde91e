// Package models is the domain of the referral platform and its persistence:
// the HSDS directory, and the rules every handler, job and command goes
// through. It imports no HTTP or template packages.
package models

import (
	"context"
	"errors"
	"fmt"

	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the two databases the platform runs on.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// minSQLiteVersion is the oldest SQLite with jsonb(), which River's SQLite
// schema needs; glebarez/sqlite on its own would resolve to 3.41.
const minSQLiteVersion = "3.45.0"

// sqlitePragmas are added to every SQLite DSN: WAL lets readers carry on while
// one writer writes, foreign keys are off by default in SQLite, the busy
// timeout turns lock contention into waiting rather than errors, and
// _txlock=immediate takes the write lock at BEGIN so that two transactions
// never deadlock upgrading from read to write. A 64 MB page cache and memory
// mapping of the first 256 MB keep reads of a large directory off the
// read() system call, which dominated profiles at 10,000 services.
const sqlitePragmas = "_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)" +
	"&_pragma=cache_size(-65536)&_pragma=mmap_size(268435456)&_pragma=temp_store(MEMORY)&_txlock=immediate"

// ErrUnsupportedDatabase is returned when the database cannot run the platform.
var ErrUnsupportedDatabase = errors.New("models: unsupported database")

// DialectOf reports which dialect a database URL selects: postgres:// and
// postgresql:// select PostgreSQL; anything else is a SQLite file, written as
// a path or as sqlite:path.
func DialectOf(databaseURL string) Dialect {
	if strings.HasPrefix(databaseURL, "postgres://") || strings.HasPrefix(databaseURL, "postgresql://") {
		return Postgres
	}
	return SQLite
}

// DialectFor reports the dialect of an open database.
func DialectFor(db *gorm.DB) Dialect {
	if db.Name() == "postgres" {
		return Postgres
	}
	return SQLite
}

// SQLitePath returns the file a SQLite database URL names.
func SQLitePath(databaseURL string) string {
	p := strings.TrimPrefix(databaseURL, "sqlite://")
	p = strings.TrimPrefix(p, "sqlite:")
	p = strings.TrimPrefix(p, "file:")
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	return p
}

// Now is the platform's clock reading: UTC, truncated to milliseconds, so that
// a time written and read back compares equal on both databases and sorts
// correctly as text in SQLite.
func Now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// Open connects to the database a URL names and checks it can run the
// platform. It creates the folder of a SQLite file if needed. It does not
// apply migrations.
func Open(ctx context.Context, databaseURL string) (*gorm.DB, error) {
	cfg := &gorm.Config{
		TranslateError: true,
		Logger:         logger.Discard,
		NowFunc:        Now,
		// Statements are prepared per connection and cached, which saves a
		// parse for the loader's fixed set of queries.
		PrepareStmt: false,
	}
	var dialector gorm.Dialector
	switch DialectOf(databaseURL) {
	case Postgres:
		dialector = postgres.New(postgres.Config{DSN: databaseURL,
			OptionOpenDB: []stdlib.OptionOpenDB{stdlib.OptionAfterConnect(customPlans)}})
	default:
		path := SQLitePath(databaseURL)
		if path == "" {
			return nil, fmt.Errorf("%w: empty SQLite path", ErrUnsupportedDatabase)
		}
		if path != ":memory:" {
			if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
				return nil, fmt.Errorf("models: create database folder: %w", err)
			}
		}
		dialector = sqlite.Open("file:" + path + "?" + sqlitePragmas)
	}
	db, err := gorm.Open(dialector, cfg)
	if err != nil {
		return nil, fmt.Errorf("models: open database: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("models: open database: %w", err)
	}
	if DialectFor(db) == SQLite {
		// One writer at a time is SQLite's rule; a small pool lets readers
		// run alongside in WAL mode.
		sqlDB.SetMaxOpenConns(4)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	} else {
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(10)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("models: connect to database: %w", err)
	}
	if DialectFor(db) == SQLite {
		if err := checkSQLiteVersion(ctx, db); err != nil {
			_ = sqlDB.Close()
			return nil, err
		}
	}
	return db, nil
}

// customPlans asks PostgreSQL, on each new connection, to plan every
// statement for its own values (plan_cache_mode = force_custom_plan),
// unless the URL, PGOPTIONS or the role or database's settings chose a
// mode already. pgx prepares and caches statements, and after five runs
// PostgreSQL may switch a prepared statement to a generic plan made without
// the values: for a search by words near a place, whose best plan depends
// on how many services the words match, that plan was five times slower at
// 100,000 services (262 ms against 54 ms, docs/performance.md). Planning
// each time costs well under a millisecond for the platform's queries. It is
// a session setting rather than a startup parameter, which connection
// poolers such as PgBouncer may refuse.
func customPlans(ctx context.Context, conn *pgx.Conn) error {
	_, err := conn.Exec(ctx, `SELECT set_config('plan_cache_mode', 'force_custom_plan', false)
		FROM pg_settings WHERE name = 'plan_cache_mode' AND source = 'default'`)
	if err != nil {
		return fmt.Errorf("models: set plan_cache_mode: %w", err)
	}
	return nil
}

func checkSQLiteVersion(ctx context.Context, db *gorm.DB) error {
	var v string
	if err := db.WithContext(ctx).Raw("SELECT sqlite_version()").Scan(&v).Error; err != nil {
		return fmt.Errorf("models: read SQLite version: %w", err)
	}
	if compareVersions(v, minSQLiteVersion) < 0 {
		return fmt.Errorf("%w: SQLite %s is linked, %s or newer is required (require modernc.org/sqlite v1.62.0 or newer in go.mod)",
			ErrUnsupportedDatabase, v, minSQLiteVersion)
	}
	return nil
}

// compareVersions compares dotted numeric versions.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			_, _ = fmt.Sscanf(as[i], "%d", &x)
		}
		if i < len(bs) {
			_, _ = fmt.Sscanf(bs[i], "%d", &y)
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// Ping reports whether the database answers.
func Ping(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Close closes the database's connection pool.
func Close(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Optimize refreshes the query planner's statistics where they are stale.
// SQLite keeps none until asked: without them it plans "near this
// postcode" from the services table instead of the coordinates index, a
// thousand times slower at 100,000 services. Call it at start-up and after
// bulk writes. PostgreSQL's autovacuum keeps its own statistics.
func Optimize(ctx context.Context, db *gorm.DB) error {
	if DialectFor(db) != SQLite {
		return nil
	}
	// 0x10002: analyse every table that needs it, however large, with the
	// analysis limit SQLite recommends for a call at start-up.
	if err := db.WithContext(ctx).Exec("PRAGMA optimize=0x10002").Error; err != nil {
		return fmt.Errorf("models: optimize: %w", err)
	}
	return nil
}
