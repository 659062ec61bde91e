package handlers_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
	"github.com/openreferral-uk/referrals/models/demo"
	"github.com/openreferral-uk/referrals/models/hsds"
)

// TestExportDownloads fetches the whole-directory downloads as anyone may:
// they hold exactly the services /api/services publishes (no drafts, no
// professionals-only services or children, no local settings), are built
// once per directory version, and answer If-None-Match with 304.
func TestExportDownloads(t *testing.T) {
	a := newApp(t, dbtest.SQLite(t))
	set, err := demo.LoadSettings()
	if err != nil {
		t.Fatal(err)
	}
	published := allIDs(t, a, "/api/services")

	rec := a.get(t, "/api/export/hsds.json")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" ||
		rec.Header().Get("Access-Control-Allow-Origin") != "*" || rec.Header().Get("ETag") == "" {
		t.Fatalf("hsds.json = %d %v", rec.Code, rec.Header())
	}
	var svcs []hsds.Service
	if err := json.Unmarshal(rec.Body.Bytes(), &svcs); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range svcs {
		got = append(got, s.ID)
	}
	if strings.Join(got, ",") != strings.Join(published, ",") {
		t.Errorf("hsds.json has %d services, the API publishes %d", len(got), len(published))
	}
	body := rec.Body.String()
	for _, id := range set.ProfessionalsOnlyPhones {
		if strings.Contains(body, id) {
			t.Errorf("hsds.json holds the professionals-only phone %s", id)
		}
	}
	for _, local := range []string{"accepts_referrals", "referral_email", "visibility", "professionals_only"} {
		if strings.Contains(body, `"`+local+`"`) {
			t.Errorf("hsds.json carries the local field %s", local)
		}
	}

	etag := rec.Header().Get("ETag")
	if rec := a.get(t, "/api/export/hsds.json", "If-None-Match", etag); rec.Code != 304 {
		t.Errorf("If-None-Match gave %d, want 304", rec.Code)
	}

	rec = a.get(t, "/api/export/datapackage.zip")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/zip" ||
		!strings.Contains(rec.Header().Get("Content-Disposition"), "attachment") {
		t.Fatalf("datapackage.zip = %d %v", rec.Code, rec.Header())
	}
	zr, err := zip.NewReader(bytes.NewReader(rec.Body.Bytes()), int64(rec.Body.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var services string
	for _, f := range zr.File {
		if f.Name != "services.csv" {
			continue
		}
		r, _ := f.Open()
		b, _ := io.ReadAll(r)
		services = string(b)
	}
	if n := strings.Count(strings.TrimSpace(services), "\n"); n != len(published) {
		t.Errorf("services.csv has %d rows, the API publishes %d services", n, len(published))
	}

	// A change to the directory makes a new download with a new ETag.
	proOnly := demoService(t, func(_ string, s demo.ServiceSettings) bool { return !s.Draft && !s.ProfessionalsOnly })
	if err := a.db.Exec("UPDATE services SET professionals_only = ? WHERE id = ?", true, proOnly).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := models.DirectoryVersion(context.Background(), a.db); err != nil {
		t.Fatal(err)
	}
	rec = a.get(t, "/api/export/hsds.json", "If-None-Match", etag)
	if rec.Code != 200 || rec.Header().Get("ETag") == etag {
		t.Fatalf("after a change: %d, ETag %s (was %s)", rec.Code, rec.Header().Get("ETag"), etag)
	}
	if strings.Contains(rec.Body.String(), proOnly) {
		t.Errorf("the new download still holds %s, now professionals-only", proOnly)
	}
}
