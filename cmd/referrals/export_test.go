package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/openreferral-uk/referrals/handlers"
	"github.com/openreferral-uk/referrals/models"
)

// TestExportThenImportReproducesTheAPI exports the demo directory, imports
// the file into an empty database (or harvests the demo directory's API
// straight into one), and checks that the published API says
// the same thing about every service, location and organisation. Only
// last_modified differs, by design: it says when this platform's copy last
// changed (docs/import.md), so that consumers following modified_after see
// what an import changed.
var lastModified = regexp.MustCompile(`"last_modified":"[^"]*"`)

func TestExportThenImportReproducesTheAPI(t *testing.T) {
	for _, tc := range []struct{ format, file string }{{"json", "export.json"}, {"datapackage", "export.zip"}, {"api", ""}} {
		t.Run(tc.format, func(t *testing.T) { exportThenImport(t, tc.format, tc.file) })
	}
}

func exportThenImport(t *testing.T, format, name string) {
	ctx := context.Background()
	dir := t.TempDir()
	src, dst, file := filepath.Join(dir, "src.db"), filepath.Join(dir, "dst.db"), filepath.Join(dir, name)
	db, err := models.Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.MigrateUp(ctx, db); err != nil {
		t.Fatal(err)
	}
	if _, err := models.LoadDemoDirectory(ctx, db); err != nil {
		t.Fatal(err)
	}
	_ = models.Close(db)

	var out, errOut bytes.Buffer
	input := file
	if format == "api" {
		// Harvest the source's published API, as another instance of
		// this platform (or any ORUK consumer) would.
		db, err := models.Open(ctx, src)
		if err != nil {
			t.Fatal(err)
		}
		e, err := handlers.New(handlers.Options{DB: db, BaseURL: "http://x.test"})
		if err != nil {
			t.Fatal(err)
		}
		peer := httptest.NewServer(e)
		defer func() { peer.Close(); _ = models.Close(db) }()
		input = peer.URL + "/api"
	} else if code := run(ctx, []string{"export", "--format", format, file}, envOf(map[string]string{"REFERRALS_DATABASE_URL": src}), &out, &errOut); code != 0 {
		t.Fatalf("export exited %d: %s", code, errOut.String())
	}
	if code := run(ctx, []string{"import", "--source", "file:roundtrip", "--rate", "0", input}, envOf(map[string]string{"REFERRALS_DATABASE_URL": dst}), &out, &errOut); code != 0 {
		t.Fatalf("import exited %d: %s", code, errOut.String())
	}
	if bytes.Contains(out.Bytes(), []byte("problem")) {
		t.Errorf("the import reported problems:\n%s", out.String())
	}
	api := func(path string) map[string][]byte {
		t.Helper()
		got := map[string][]byte{}
		for _, p := range []string{src, dst} {
			db, err := models.Open(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			e, err := handlers.New(handlers.Options{DB: db, BaseURL: "http://x.test"})
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			if rec.Code != 200 {
				t.Fatalf("%s on %s = %d", path, p, rec.Code)
			}
			got[p] = lastModified.ReplaceAll(rec.Body.Bytes(), []byte(`"last_modified":"…"`))
			_ = models.Close(db)
		}
		return got
	}
	for _, path := range []string{
		"/api/services?full=true&per_page=500",
		"/api/service_at_locations?full=true&per_page=500",
		"/api/organizations?full_service=true&per_page=500",
	} {
		got := api(path)
		if !bytes.Equal(got[src], got[dst]) {
			a, b := got[src], got[dst]
			i := 0
			for i < len(a) && i < len(b) && a[i] == b[i] {
				i++
			}
			lo := max(0, i-150)
			t.Errorf("%s differs after export and import, from byte %d:\nsource:   %s\nimported: %s", path, i,
				a[lo:min(len(a), i+150)], b[lo:min(len(b), i+150)])
		}
	}
}
