package models

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// ErrBackupExists means a backup's target file is already there: a backup
// never overwrites an earlier one.
var ErrBackupExists = errors.New("models: backup file already exists")

// BackupSQLite writes a consistent copy of a SQLite database to path with
// VACUUM INTO, which reads one snapshot while the app goes on working, and
// then checks the copy's integrity. PostgreSQL is backed up with pg_dump
// instead (docs/operations.md). The copy holds personal data sealed with
// the encryption keys, which are not in it: keep them apart.
func BackupSQLite(ctx context.Context, db *gorm.DB, path string) error {
	if DialectFor(db) != SQLite {
		return fmt.Errorf("%w: back PostgreSQL up with pg_dump (docs/operations.md)", ErrUnsupportedDatabase)
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%w: %s", ErrBackupExists, path)
	}
	if err := db.WithContext(ctx).Exec("VACUUM INTO ?", path).Error; err != nil {
		return fmt.Errorf("models: backup to %s: %w", path, err)
	}
	copyDB, err := gorm.Open(sqlite.Open("file:"+path+"?mode=ro"), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return fmt.Errorf("models: check backup %s: %w", path, err)
	}
	defer func() { _ = Close(copyDB) }()
	var result string
	if err := copyDB.WithContext(ctx).Raw("PRAGMA integrity_check").Scan(&result).Error; err != nil {
		return fmt.Errorf("models: check backup %s: %w", path, err)
	}
	if result != "ok" {
		return fmt.Errorf("models: backup %s failed its integrity check: %s", path, result)
	}
	return nil
}
