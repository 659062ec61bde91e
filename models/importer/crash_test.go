package importer

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
)

// crashDSNEnv, when set, makes TestImportKilledHalfWay the child process:
// it imports into the database named and stops half way through the write.
const crashDSNEnv = "IMPORT_CRASH_CHILD_DSN"

const crashMarker = "IMPORT-CRASH-HALF-WAY"

// crashServices is what the child imports: more than the parent's first
// import, and every name changed, so a half-written run would show.
func crashServices() *sliceSource {
	s := dbtest.GenerateServices(600, 6)
	for i := range s {
		s[i].Name += " (changed)"
	}
	return &sliceSource{items: s}
}

// TestImportKilledHalfWay kills an import process (SIGKILL, no chance to
// roll back or clean up) while its write transaction is half done, on
// SQLite and on PostgreSQL, and checks that the database is exactly as it
// was, intact, and takes the same import again. On SQLite the child's page
// cache is made tiny, so the half-done write has already spilled
// uncommitted pages into the WAL when it dies: recovery must ignore them.
func TestImportKilledHalfWay(t *testing.T) {
	if dsn := os.Getenv(crashDSNEnv); dsn != "" {
		crashChild(t, dsn)
		return
	}
	if testing.Short() {
		t.Skip("starts child processes")
	}
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			dsn := filepath.Join(t.TempDir(), "crash.db")
			if dialect == "postgres" {
				dsn = dbtest.PostgresURL(t)
			}
			db, err := models.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			dbtest.Migrated(t, db)
			run(t, db, &sliceSource{items: dbtest.GenerateServices(50, 2)}, Options{})
			before := dump(t, db)
			if err := models.Close(db); err != nil {
				t.Fatal(err)
			}

			killHalfWay(t, dsn)

			db, err = models.Open(ctx, dsn)
			if err != nil {
				t.Fatalf("reopen after the kill: %v", err)
			}
			t.Cleanup(func() { _ = models.Close(db) })
			if dialect == "sqlite" {
				var check string
				if err := db.Raw("PRAGMA integrity_check").Scan(&check).Error; err != nil || check != "ok" {
					t.Fatalf("integrity check after the kill: %q %v", check, err)
				}
			}
			if after := dump(t, db); after != before {
				t.Fatal("an import killed half way changed the database")
			}
			// Nothing is left locked or half-made: the same import runs.
			rep := run(t, db, crashServices(), Options{})
			if rep.Services.Created != 550 || rep.Services.Updated != 50 {
				t.Fatalf("the import after the kill created %d and updated %d, want 550 and 50", rep.Services.Created, rep.Services.Updated)
			}
		})
	}
}

// killHalfWay runs the child import against dsn and SIGKILLs it once it
// says its write transaction is half done.
func killHalfWay(t *testing.T, dsn string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestImportKilledHalfWay$", "-test.count=1") //nolint:gosec // this test binary
	cmd.Env = append(os.Environ(), crashDSNEnv+"="+dsn)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	halfWay := make(chan bool, 1)
	var said strings.Builder
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			said.WriteString(sc.Text() + "\n")
			if sc.Text() == crashMarker {
				halfWay <- true
				return
			}
		}
		halfWay <- false
	}()
	select {
	case ok := <-halfWay:
		if !ok {
			_ = cmd.Wait()
			t.Fatalf("the child import ended without reaching half way:\n%s", said.String())
		}
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatal("the child import did not reach half way in two minutes")
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("the child was not killed: %v", err)
	}
}

// crashChild is the child process: it imports crashServices into dsn and,
// after the third of six batches is written inside the transaction, says so
// and waits to be killed.
func crashChild(t *testing.T, dsn string) {
	ctx := context.Background()
	db, err := models.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if models.DialectFor(db) == models.SQLite {
		// A 64 KiB page cache spills the transaction's pages to the WAL
		// long before it commits.
		sqliteCacheKiB = 64
	}
	_, err = Run(ctx, db, crashServices(), Options{Source: "feed:test", BatchSize: 100,
		afterBatch: func(i int) error {
			if i == 2 {
				if models.DialectFor(db) == models.SQLite {
					assertWALHoldsUncommittedPages(t, dsn)
				}
				fmt.Println(crashMarker)
				time.Sleep(5 * time.Minute) // the parent kills us long before this
				os.Exit(3)
			}
			return nil
		}})
	t.Fatalf("the import finished (%v) instead of waiting to be killed", err)
}

// assertWALHoldsUncommittedPages checks the point of the SQLite case: the
// half-done transaction has already written pages to the WAL file.
func assertWALHoldsUncommittedPages(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatalf("no WAL half way through the import: %v", err)
	}
	if fi.Size() < 1<<20 {
		t.Fatalf("the WAL holds %d bytes half way through the import: the page cache did not spill", fi.Size())
	}
}
