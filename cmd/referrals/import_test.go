package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
)

// importFeed is a small HSDS 3.0 JSON feed: two good services and one with
// no name.
const importFeed = `[
 {"id": "8a7b6c5d-0000-4000-8000-000000000001", "name": "Food bank", "status": "active",
  "description": "<p>Food parcels.</p><script>x()</script>",
  "organization": {"id": "8a7b6c5d-0000-4000-8000-0000000000aa", "name": "Huddersfield Food Bank"}},
 {"id": "8a7b6c5d-0000-4000-8000-000000000002", "name": "Debt advice", "email": "not an email",
  "organization_id": "8a7b6c5d-0000-4000-8000-0000000000aa"},
 {"id": "8a7b6c5d-0000-4000-8000-000000000003", "name": ""}
]`

func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	feed := filepath.Join(dir, "feed.json")
	if err := os.WriteFile(feed, []byte(importFeed), 0o600); err != nil {
		t.Fatal(err)
	}
	urls := map[string]string{"sqlite": filepath.Join(dir, "import.db")}
	if os.Getenv("TEST_DATABASE_URL") != "" || dbtest.InCI() {
		urls["postgres"] = emptyPostgresDatabase(t)
	}
	for name, dbURL := range urls {
		t.Run(name, func(t *testing.T) {
			env := envOf(map[string]string{"REFERRALS_DATABASE_URL": dbURL})
			imp := func(args ...string) (int, string, string) {
				var out, errOut bytes.Buffer
				code := run(context.Background(), append([]string{"import"}, args...), env, &out, &errOut)
				return code, out.String(), errOut.String()
			}

			// A dry run needs a migrated database and writes nothing.
			if code, _, errOut := imp("--dry-run", feed); code != exitFailed || !strings.Contains(errOut, "migrate up") {
				t.Errorf("dry run on a new database: %d %s", code, errOut)
			}
			// --strict: a record without a name means nothing is written.
			code, out, errOut := imp("--strict", "--source", "feed:test", feed)
			if code != exitRejected || !strings.Contains(errOut, "nothing was written") || !strings.Contains(out, "Rejected") {
				t.Errorf("strict: exit %d\n%s\n%s", code, out, errOut)
			}
			if n := countServices(t, dbURL); n != 0 {
				t.Errorf("strict run wrote %d services", n)
			}

			report := filepath.Join(dir, name+"-report.json")
			code, out, errOut = imp("--source", "feed:test", "--report", report, feed)
			if code != exitImported {
				t.Fatalf("import: exit %d\n%s\n%s", code, out, errOut)
			}
			for _, want := range []string{"Imported", "services", "no name", "not an email address", "unsafe or unsupported HTML removed"} {
				if !strings.Contains(out, want) {
					t.Errorf("summary lacks %q:\n%s", want, out)
				}
			}
			var rep struct {
				Source   string         `json:"source"`
				Outcome  string         `json:"outcome"`
				Rejected int            `json:"rejected"`
				Services map[string]int `json:"services"`
				Problems []struct {
					RecordType, RecordID, Field, Reason, Action string
				} `json:"problems"`
			}
			b, err := os.ReadFile(report)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &rep); err != nil {
				t.Fatal(err)
			}
			if rep.Outcome != "committed" || rep.Services["created"] != 2 || rep.Services["skipped"] != 1 || rep.Rejected != 1 || len(rep.Problems) < 3 {
				t.Errorf("report: %s", b)
			}
			if n := countServices(t, dbURL); n != 2 {
				t.Errorf("%d services stored, want 2", n)
			}

			// The same data again changes nothing; a dry run now works.
			code, out, _ = imp("--source", "feed:test", feed)
			if code != exitImported || !regexpLine(out, "services", "3 0 0 2 1") {
				t.Errorf("second run: exit %d\n%s", code, out)
			}
			if code, out, _ := imp("--dry-run", "--source", "feed:test", feed); code != exitImported || !strings.Contains(out, "Dry run") {
				t.Errorf("dry run: %d %s", code, out)
			}
		})
	}
}

// regexpLine reports whether out has a line starting with label whose
// numbers are want.
func regexpLine(out, label, want string) bool {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) > 1 && f[0] == label && strings.Join(f[1:], " ") == want {
			return true
		}
	}
	return false
}

func countServices(t *testing.T, dbURL string) int64 {
	t.Helper()
	db, err := models.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = models.Close(db) }()
	var n int64
	db.Model(&models.Service{}).Count(&n)
	return n
}

func TestImportCommandUsage(t *testing.T) {
	env := envOf(map[string]string{"REFERRALS_DATABASE_URL": filepath.Join(t.TempDir(), "u.db")})
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"import"}, exitUsage, "exactly one SOURCE"},
		{[]string{"import", "a.json", "b.json"}, exitUsage, "exactly one SOURCE"},
		{[]string{"import", "--format", "csv", "a.json"}, exitUsage, "--format"},
		{[]string{"import", "--source", "local", "a.json"}, exitUsage, "made on this platform"},
		{[]string{"import", "--rate", "-1", "a.json"}, exitUsage, "--rate"},
		{[]string{"import", "--no-such-flag", "a.json"}, exitUsage, "flag provided but not defined"},
		{[]string{"import", "-h"}, exitImported, "usage: referrals import"},
		{[]string{"import", filepath.Join(t.TempDir(), "missing.json")}, exitFailed, "no such file"},
	} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), c.args, env, &out, &errOut); code != c.code || !strings.Contains(errOut.String(), c.want) {
			t.Errorf("%v: exit %d, want %d; stderr %q", c.args, code, c.code, errOut.String())
		}
	}
}

func TestDefaultSourceName(t *testing.T) {
	for in, want := range map[string]string{
		"https://Directory.Example.gov.uk/api/v1/services": "feed:directory.example.gov.uk/api/v1",
		"https://example.org/":                             "feed:example.org",
		"/data/kirklees-2026.json":                         "file:kirklees-2026",
		"exports/package.zip":                              "file:package",
		"exports/package/":                                 "file:package",
	} {
		if got := defaultSourceName(in); got != want {
			t.Errorf("defaultSourceName(%q) = %q, want %q", in, got, want)
		}
	}
	if got := redactInput("https://user:secret@x.org/api?key=abc"); strings.Contains(got, "secret") || strings.Contains(got, "abc") {
		t.Errorf("credentials shown: %s", got)
	}
}
