package main

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
)

// backupReferral puts the demo world in db and refers one person, returning
// the caseworker who referred them and the reference.
func backupReferral(t *testing.T, db *gorm.DB, keys *models.Keyring) (*models.Actor, string) {
	t.Helper()
	ctx := context.Background()
	if _, err := models.LoadDemoDirectory(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := models.LoadDemoAccounts(ctx, db); err != nil {
		t.Fatal(err)
	}
	var target struct{ ID, Org string }
	if err := db.Table("services s").Select("s.id, mo.id AS org").
		Joins("JOIN member_organisations mo ON mo.hsds_organization_id = s.organization_id").
		Where("s.accepts_referrals = ? AND s.visibility = ?", true, models.Published).Order("s.id").Limit(1).Scan(&target).Error; err != nil || target.ID == "" {
		t.Fatalf("no demo service takes referrals: %v", err)
	}
	var from struct{ UserID, Org string }
	if err := db.Table("memberships").Select("user_id, member_organisation_id AS org").
		Where("caseworker = ? AND member_organisation_id <> ?", true, target.Org).Order("user_id").Limit(1).Scan(&from).Error; err != nil || from.UserID == "" {
		t.Fatalf("no caseworker in another organisation: %v", err)
	}
	caseworker, err := models.LoadActor(ctx, db, from.UserID)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := (&models.Referrals{DB: db, Keys: keys}).Create(ctx, caseworker, target.ID, from.Org, models.ReferralForm{
		LawfulBasis: "consent", PersonAgreed: "yes", AgreementCovers: "Sharing with the service",
		AgreementMethod: "in_person", AgreedDay: "2", AgreedMonth: "11", AgreedYear: "2026",
		HadCapacity: "yes", Under16: "no",
		GivenName: "Zebedee", FamilyName: "Quartermaine", BirthDay: "14", BirthMonth: "7", BirthYear: "1983",
		Phone: "07700 900982", PreferredContact: "phone", Postcode: "HD1 2QB", Address: "1 Test Street",
		Reason: "Needs help with rent arrears", Urgency: "soon",
	})
	if err != nil {
		t.Fatal(err)
	}
	return caseworker, ref.Reference
}

// checkRestored reads the referral back from a restored database with the
// key it was written with, and shows that without that key it cannot be.
func checkRestored(t *testing.T, db *gorm.DB, keys *models.Keyring, caseworker *models.Actor, reference string) {
	t.Helper()
	ctx := context.Background()
	v, err := (&models.Referrals{DB: db, Keys: keys}).Open(ctx, caseworker, reference, "view")
	if err != nil {
		t.Fatalf("open the restored referral with its key: %v", err)
	}
	if v.Person.GivenName != "Zebedee" || v.Person.FamilyName != "Quartermaine" || v.Person.Postcode != "HD1 2QB" {
		t.Errorf("the restored referral's person is %+v", v.Person)
	}
	other, err := models.ParseKeyring("other:" + models.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&models.Referrals{DB: db, Keys: other}).Open(ctx, caseworker, reference, "view"); !errors.Is(err, models.ErrNoKey) {
		t.Errorf("opened with a keyring that lacks the key: err %v, want ErrNoKey", err)
	}
	// The same key id with other key material is no better.
	impostor, err := models.ParseKeyring(keys.Current() + ":" + models.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	if v, err := (&models.Referrals{DB: db, Keys: impostor}).Open(ctx, caseworker, reference, "view"); err == nil {
		t.Errorf("opened with the wrong key under the right id: %+v", v.Person)
	}
}

// TestBackupRestoreSQLite backs up a live SQLite database with `referrals
// backup`, wipes it, restores the copy and reads a referral back: the drill
// of docs/operations.md.
func TestBackupRestoreSQLite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "referrals.db")
	db, err := models.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.MigrateUp(ctx, db); err != nil {
		t.Fatal(err)
	}
	keys, err := models.ParseKeyring("k1:" + models.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	caseworker, reference := backupReferral(t, db, keys)

	// The backup runs while the app still has the database open.
	backup := filepath.Join(dir, "backups", "referrals-backup.db")
	if err := os.MkdirAll(filepath.Dir(backup), 0o750); err != nil {
		t.Fatal(err)
	}
	env := envOf(map[string]string{"REFERRALS_DATABASE_URL": path})
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"backup", backup}, env, &out, &errOut); code != 0 {
		t.Fatalf("backup: exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "REFERRALS_ENCRYPTION_KEYS") {
		t.Errorf("backup does not remind about the keys: %q", out.String())
	}
	raw, err := os.ReadFile(backup) //nolint:gosec // the test's own file
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"Zebedee", "Quartermaine", "HD1 2QB", "1983-07-14"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("the backup holds %q in the clear", secret)
		}
	}
	// A backup never overwrites an earlier one.
	errOut.Reset()
	if code := run(ctx, []string{"backup", backup}, env, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "already exists") {
		t.Errorf("a second backup to the same file: exit %d, %q", code, errOut.String())
	}

	// Disaster: the database and its WAL are gone.
	if err := models.Close(db); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
	// Restore: copy the backup into place and start on it.
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	restored, err := models.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = models.Close(restored) })
	if n, err := models.MigrateUp(ctx, restored); err != nil || n != 0 {
		t.Fatalf("the restored database needed %d migrations: %v", n, err)
	}
	checkRestored(t, restored, keys, caseworker, reference)
}

// TestBackupRefusesPostgreSQL points PostgreSQL users to pg_dump.
func TestBackupRefusesPostgreSQL(t *testing.T) {
	var out, errOut bytes.Buffer
	env := envOf(map[string]string{"REFERRALS_DATABASE_URL": "postgres://referrals@db.invalid/referrals"})
	if code := run(context.Background(), []string{"backup", filepath.Join(t.TempDir(), "x")}, env, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "pg_dump") {
		t.Errorf("exit %d, %q", code, errOut.String())
	}
}

// TestBackupRestorePostgres does the drill on PostgreSQL with pg_dump and
// pg_restore, as docs/operations.md describes, on the test's own schema.
func TestBackupRestorePostgres(t *testing.T) {
	db := dbtest.Postgres(t)
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			dbtest.SkipOrFail(t, tool+" is not on PATH (apt-get install -y postgresql-client)")
		}
	}
	ctx := context.Background()
	keys, err := models.ParseKeyring("k1:" + models.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	caseworker, reference := backupReferral(t, db, keys)
	var schema string
	if err := db.Raw("SELECT current_schema()").Scan(&schema).Error; err != nil {
		t.Fatal(err)
	}
	base := os.Getenv("TEST_DATABASE_URL")
	dump := filepath.Join(t.TempDir(), "referrals.dump")
	if out, err := exec.CommandContext(ctx, "pg_dump", "-Fc", "-n", schema, "-f", dump, "-d", base).CombinedOutput(); err != nil { //nolint:gosec // the test's own database
		t.Fatalf("pg_dump: %v: %s", err, out)
	}
	raw, err := os.ReadFile(dump) //nolint:gosec // the test's own file
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) == 0 {
		t.Fatal("pg_dump wrote nothing")
	}

	// Disaster: the schema is gone.
	if err := db.Exec("DROP SCHEMA " + schema + " CASCADE").Error; err != nil {
		t.Fatal(err)
	}
	if out, err := exec.CommandContext(ctx, "pg_restore", "--no-owner", "-d", base, dump).CombinedOutput(); err != nil { //nolint:gosec // the test's own database
		t.Fatalf("pg_restore: %v: %s", err, out)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	restored, err := models.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = models.Close(restored) })
	checkRestored(t, restored, keys, caseworker, reference)
}
