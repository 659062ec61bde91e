package importer

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
	"github.com/openreferral-uk/referrals/models/hsds"
)

var lastModifiedJSON = regexp.MustCompile(`"last_modified":"[^"]*"`)

// publishedJSON is what the public API publishes of every service, as the
// JSON export writes it, without last_modified: that says when this
// platform's copy last changed, which an import does by design.
func publishedJSON(t *testing.T, db *gorm.DB) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := models.ExportServices(context.Background(), db, &b); err != nil {
		t.Fatal(err)
	}
	return lastModifiedJSON.ReplaceAll(b.Bytes(), []byte(`"last_modified":"…"`))
}

// emptyLike returns a new, migrated database of db's dialect.
func emptyLike(t *testing.T, db *gorm.DB) *gorm.DB {
	t.Helper()
	if models.DialectFor(db) == models.Postgres {
		return dbtest.Postgres(t)
	}
	return dbtest.SQLite(t)
}

// generatedDirectory saves n generated services, with their taxonomy, and
// some that the public API does not publish: a draft and a
// professionals-only service.
func generatedDirectory(t *testing.T, db *gorm.DB, n int) {
	t.Helper()
	ctx := context.Background()
	tax := dbtest.FixtureTaxonomy()
	if err := db.Create(&models.Taxonomy{ID: tax.ID, Name: tax.Name, Description: tax.Description, Source: "local",
		LastModified: models.Now()}).Error; err != nil {
		t.Fatal(err)
	}
	for from := 0; from < n; from += 500 {
		svcs := dbtest.GenerateServiceRange(from, min(from+500, n), max(1, n/100))
		for i := range svcs {
			svcs[i].Attributes[0].TaxonomyTerm.TaxonomyDetail = &tax
		}
		if err := models.SaveServices(ctx, db, "local", svcs); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Exec("UPDATE services SET visibility = 'draft' WHERE id = ?", dbtest.ID("service", 1)).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("UPDATE services SET professionals_only = ? WHERE id = ?", true, dbtest.ID("service", 4)).Error; err != nil {
		t.Fatal(err)
	}
}

// TestDataPackageExportThenImport exports a generated directory of more
// services than one batch, as a data package and as HSDS JSON, imports each
// file into an empty database, and checks that the public API publishes
// the same services, and nothing it did not publish before.
func TestDataPackageExportThenImport(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, src *gorm.DB) {
		ctx := context.Background()
		generatedDirectory(t, src, 1100)
		want := publishedJSON(t, src)
		for _, format := range []string{"datapackage", "json"} {
			t.Run(format, func(t *testing.T) {
				file := filepath.Join(t.TempDir(), "directory."+format)
				f, err := os.Create(file)
				if err != nil {
					t.Fatal(err)
				}
				var n int
				if format == "json" {
					n, err = models.ExportServices(ctx, src, f)
				} else {
					n, err = models.ExportDataPackage(ctx, src, f, t.TempDir())
				}
				if err != nil {
					t.Fatal(err)
				}
				if err := f.Close(); err != nil {
					t.Fatal(err)
				}
				if n != 1098 {
					t.Errorf("exported %d services, want 1,098 (1,100 less a draft and a professionals-only one)", n)
				}
				dst := emptyLike(t, src)
				s, closeSrc, err := Open(ctx, file, OpenOptions{})
				if err != nil {
					t.Fatal(err)
				}
				defer func() { _ = closeSrc() }()
				rep := run(t, dst, s, Options{Source: "feed:roundtrip"})
				if rep.Services.Created != 1098 || rep.Rejected != 0 {
					t.Fatalf("import: %+v, %d rejected, problems %+v", rep.Services, rep.Rejected, rep.Problems[:min(5, len(rep.Problems))])
				}
				if len(rep.Problems) != 0 {
					t.Errorf("import reported problems: %+v", rep.Problems[:min(5, len(rep.Problems))])
				}
				got := publishedJSON(t, dst)
				if !bytes.Equal(want, got) {
					i := 0
					for i < len(want) && i < len(got) && want[i] == got[i] {
						i++
					}
					lo := max(0, i-200)
					t.Fatalf("published services differ from byte %d:\nexported: %s\nimported: %s", i,
						want[lo:min(len(want), i+200)], got[lo:min(len(got), i+200)])
				}
			})
		}
	})
}

// TestDataPackageMatchesHSDS checks the package against the official HSDS
// 3.0 datapackage.json: every file is one of its resources at its path,
// and every CSV header is that resource's columns, in its order, with its
// types.
func TestDataPackageMatchesHSDS(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(sharedDir(t), "hsds3", "3.0", "datapackage.json"))
	if err != nil {
		t.Fatal(err)
	}
	type resource struct {
		Name   string `json:"name"`
		Path   string `json:"path"`
		Schema struct {
			PrimaryKey string              `json:"primaryKey"`
			Fields     []hsds.TabularField `json:"fields"`
		} `json:"schema"`
	}
	type descriptor struct {
		Profile   string     `json:"profile"`
		Resources []resource `json:"resources"`
	}
	var official descriptor
	if err := json.Unmarshal(raw, &official); err != nil {
		t.Fatal(err)
	}
	db := dbtest.SQLite(t)
	generatedDirectory(t, db, 30)
	var b bytes.Buffer
	if _, err := models.ExportDataPackage(context.Background(), db, &b, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], _ = io.ReadAll(r)
		_ = r.Close()
	}
	var ours descriptor
	if err := json.Unmarshal(files["datapackage.json"], &ours); err != nil {
		t.Fatalf("datapackage.json: %v", err)
	}
	if ours.Profile != "tabular-data-package" {
		t.Errorf("profile %q", ours.Profile)
	}
	if len(files) != len(ours.Resources)+1 {
		t.Errorf("the zip holds %d files for %d resources", len(files), len(ours.Resources))
	}
	for _, r := range ours.Resources {
		i := slices.IndexFunc(official.Resources, func(o resource) bool { return o.Name == r.Name })
		if i < 0 {
			t.Errorf("resource %s is not an HSDS 3.0 table", r.Name)
			continue
		}
		o := official.Resources[i]
		if r.Path != o.Path || r.Schema.PrimaryKey != o.Schema.PrimaryKey {
			t.Errorf("%s: path %s key %s, HSDS says %s and %s", r.Name, r.Path, r.Schema.PrimaryKey, o.Path, o.Schema.PrimaryKey)
		}
		var wantCols, descCols []string
		for j, f := range o.Schema.Fields {
			wantCols = append(wantCols, f.Name)
			if j < len(r.Schema.Fields) && r.Schema.Fields[j].Type != f.Type {
				t.Errorf("%s.%s: type %s, HSDS says %s", r.Name, f.Name, r.Schema.Fields[j].Type, f.Type)
			}
		}
		for _, f := range r.Schema.Fields {
			descCols = append(descCols, f.Name)
		}
		data, ok := files[r.Path]
		if !ok {
			t.Errorf("%s: %s is not in the zip", r.Name, r.Path)
			continue
		}
		cr := csv.NewReader(bytes.NewReader(data))
		header, err := cr.Read()
		if err != nil {
			t.Errorf("%s: %v", r.Path, err)
			continue
		}
		if !slices.Equal(header, wantCols) || !slices.Equal(descCols, wantCols) {
			t.Errorf("%s columns:\n got  %v\n (descriptor %v)\n want %v", r.Path, header, descCols, wantCols)
		}
		rows, err := cr.ReadAll()
		if err != nil {
			t.Errorf("%s: %v", r.Path, err)
		}
		if len(rows) == 0 {
			t.Errorf("%s has no rows: the generated directory fills every table", r.Path)
		}
	}
}

// FuzzDataPackageRoundTrip writes a service whose text fields are anything
// at all through the data package writer and reads the package back with
// the importer's tabular reader: every value survives CSV quoting (commas,
// quotes, new lines, a byte order mark, invalid UTF-8) as the reader sees
// it, that is without surrounding space.
func FuzzDataPackageRoundTrip(f *testing.F) {
	for _, s := range []string{"", "plain", `a "quoted", comma`, "line\nbreak\r\n", "\ufeffBOM", "  spaced  ", "\xff\xfe", "=SUM(A1)"} {
		f.Add(s, s+"!")
	}
	f.Fuzz(func(t *testing.T, name, desc string) {
		tw, err := hsds.NewTabularWriter(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = tw.Close() }()
		in := hsds.Service{ID: "3a1b9b62-5f0e-4c5e-9a35-5a2f0d6a4a01", Name: name, Description: desc, Status: "active",
			Organization: &hsds.Organization{ID: "3a1b9b62-5f0e-4c5e-9a35-5a2f0d6a4a02", Name: desc},
			Phones:       []hsds.Phone{{ID: "3a1b9b62-5f0e-4c5e-9a35-5a2f0d6a4a03", Number: name}}}
		if err := tw.AddService(in); err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := tw.WriteZip(&b); err != nil {
			t.Fatal(err)
		}
		zipFile := filepath.Join(t.TempDir(), "p.zip")
		if err := os.WriteFile(zipFile, b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		src, closeSrc, err := Open(context.Background(), zipFile, OpenOptions{TempDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = closeSrc() }()
		var got []Item
		if err := src.Walk(context.Background(), func(it Item) error { got = append(got, it); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Service == nil {
			t.Fatalf("read back %d items", len(got))
		}
		s := got[0].Service
		// csv turns \r\n inside a quoted field into \n.
		norm := func(v string) string { return strings.TrimSpace(strings.ReplaceAll(v, "\r\n", "\n")) }
		if s.Name != norm(name) || s.Description != norm(desc) || s.Organization == nil || s.Organization.Name != norm(desc) ||
			len(s.Phones) != 1 || s.Phones[0].Number != norm(name) {
			t.Errorf("wrote name %q description %q, read %q %q (organisation %+v, phones %+v)", name, desc, s.Name, s.Description, s.Organization, s.Phones)
		}
	})
}

// BenchmarkExportDataPackage exports a generated directory of 10,000
// services (EXPORT_BENCH_SERVICES for another size) on SQLite as a data
// package, reporting services a second, the peak heap in use and the size
// of the zip.
func BenchmarkExportDataPackage(b *testing.B) {
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("EXPORT_BENCH_SERVICES")); err == nil && v > 0 {
		n = v
	}
	db := dbtest.SQLite(b)
	ctx := context.Background()
	if err := models.SaveTaxonomy(ctx, db, "local", dbtest.FixtureTaxonomy(), nil); err != nil {
		b.Fatal(err)
	}
	for from := 0; from < n; from += 1000 {
		if err := models.SaveServices(ctx, db, "local", dbtest.GenerateServiceRange(from, min(from+1000, n), max(1, n/100))); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for range b.N {
		runtime.GC()
		h := sampleHeap()
		start := time.Now()
		var size countingWriter
		got, err := models.ExportDataPackage(ctx, db, &size, b.TempDir())
		elapsed := time.Since(start)
		peak := h.done()
		if err != nil || got != n {
			b.Fatalf("exported %d of %d: %v", got, n, err)
		}
		b.ReportMetric(float64(n)/elapsed.Seconds(), "services/s")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(size)/(1<<20), "zip-MiB")
	}
}

// countingWriter counts what is written to it.
type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}
