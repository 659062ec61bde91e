package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/openreferral-uk/referrals/models"
)

// runBackup is `referrals backup OUT`: a consistent copy of the SQLite
// database, taken while the app runs, that never overwrites a file. The
// encryption keys are not in it (docs/operations.md says where they go).
func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, extra, err := loadConfig("backup", args, getenv, stderr)
	if err != nil {
		return err
	}
	if len(extra) != 1 {
		return errors.New("usage: referrals backup OUT (a new file; SQLite only, use pg_dump for PostgreSQL)")
	}
	if models.DialectOf(cfg.DatabaseURL) != models.SQLite {
		return errors.New("the database is PostgreSQL: back it up with pg_dump -Fc (docs/operations.md)")
	}
	db, err := models.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer func() { _ = models.Close(db) }()
	if err := models.BackupSQLite(ctx, db, extra[0]); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "backed up %s to %s\nPeople's details in it are encrypted: keep a copy of REFERRALS_ENCRYPTION_KEYS, apart from the backup, or it cannot be read.\n",
		models.SQLitePath(cfg.DatabaseURL), extra[0])
	return err
}
