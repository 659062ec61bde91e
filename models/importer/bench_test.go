package importer

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models/dbtest"
)

// packageTables are the files a generated data package holds, with their
// columns.
var packageTables = []struct {
	name, file string
	cols       []string
}{
	{"organization", "organizations.csv", []string{"id", "name", "description", "email", "website", "year_incorporated", "legal_status", "uri"}},
	{"organization_identifier", "organization_identifiers.csv", []string{"id", "organization_id", "identifier_scheme", "identifier_type", "identifier"}},
	{"service", "services.csv", []string{"id", "organization_id", "name", "alternate_name", "description", "url", "email", "status", "interpretation_services", "application_process", "fees_description", "accreditations", "eligibility_description", "minimum_age", "maximum_age", "assured_date", "assurer_email", "alert", "last_modified"}},
	{"location", "locations.csv", []string{"id", "location_type", "name", "description", "transportation", "latitude", "longitude", "external_identifier", "external_identifier_type"}},
	{"address", "addresses.csv", []string{"id", "location_id", "address_1", "city", "state_province", "postal_code", "country", "address_type"}},
	{"accessibility", "accessibility.csv", []string{"id", "location_id", "description", "details"}},
	{"service_at_location", "service_at_location.csv", []string{"id", "service_id", "location_id", "description"}},
	{"phone", "phones.csv", []string{"id", "location_id", "service_id", "contact_id", "service_at_location_id", "number", "extension", "type", "description"}},
	{"contact", "contacts.csv", []string{"id", "service_id", "service_at_location_id", "name", "title", "department", "email"}},
	{"schedule", "schedules.csv", []string{"id", "service_id", "location_id", "service_at_location_id", "valid_from", "valid_to", "dtstart", "wkst", "freq", "interval", "byday", "description", "opens_at", "closes_at", "attending_type", "notes"}},
	{"language", "languages.csv", []string{"id", "service_id", "location_id", "phone_id", "name", "code", "note"}},
	{"service_area", "service_areas.csv", []string{"id", "service_id", "name", "description", "uri"}},
	{"cost_option", "cost_options.csv", []string{"id", "service_id", "valid_from", "valid_to", "option", "currency", "amount", "amount_description"}},
	{"funding", "funding.csv", []string{"id", "service_id", "source"}},
	{"required_document", "required_documents.csv", []string{"id", "service_id", "document"}},
	{"attribute", "attributes.csv", []string{"id", "link_id", "taxonomy_term_id", "link_type", "link_entity"}},
	{"taxonomy_term", "taxonomy_terms.csv", []string{"id", "name", "description", "taxonomy_id"}},
	{"taxonomy", "taxonomies.csv", []string{"id", "name", "description"}},
}

// writeDataPackage writes n services, like dbtest.GenerateServices makes
// them (an organisation per hundred services, every third service sharing
// a location, about twenty child rows a service), as an HSDS tabular data
// package in dir. It streams, so any n fits in memory.
func writeDataPackage(t testing.TB, dir string, n int) {
	t.Helper()
	type out struct {
		f *os.File
		b *bufio.Writer
		w *csv.Writer
	}
	files := map[string]*out{}
	var resources []map[string]any
	for _, tb := range packageTables {
		f, err := os.Create(filepath.Join(dir, tb.file))
		if err != nil {
			t.Fatal(err)
		}
		b := bufio.NewWriterSize(f, 1<<16)
		w := csv.NewWriter(b)
		_ = w.Write(tb.cols)
		files[tb.name] = &out{f, b, w}
		fields := make([]map[string]string, len(tb.cols))
		for i, c := range tb.cols {
			fields[i] = map[string]string{"name": c}
		}
		resources = append(resources, map[string]any{"name": tb.name, "path": tb.file, "schema": map[string]any{"fields": fields}})
	}
	pkg, _ := json.MarshalIndent(map[string]any{"name": "generated", "profile": "tabular-data-package", "resources": resources}, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, "datapackage.json"), pkg, 0o600); err != nil {
		t.Fatal(err)
	}
	row := func(table string, v ...string) { _ = files[table].w.Write(v) }
	id := dbtest.ID
	tax := id("taxonomy", 0)
	row("taxonomy", tax, "Fixture categories", "Categories for tests.")
	for k, name := range []string{"Debt advice", "Food", "Housing"} {
		row("taxonomy_term", id("term", k), name, "A test term.", tax)
	}
	orgs := max(1, n/100)
	for o := range orgs {
		row("organization", id("org", o), fmt.Sprintf("Holmfirth Trust %d", o), fmt.Sprintf("Charity number %d.", o),
			fmt.Sprintf("info@org%d.example.org.uk", o), fmt.Sprintf("https://org%d.example.org.uk", o), strconv.Itoa(1990+o%30),
			"Registered charity", fmt.Sprintf("https://org%d.example.org.uk/", o))
		row("organization_identifier", id("orgid", o), id("org", o), "GB-CHC", "Charity number", fmt.Sprintf("%07d", 1000000+o))
	}
	base := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	for i := range n {
		o := i % orgs
		s, sal := id("service", i), id("sal", i)
		row("service", s, id("org", o), fmt.Sprintf("Service %d advice", i), fmt.Sprintf("S%d", i),
			fmt.Sprintf("Help number %d with money, debt and benefits.", i), fmt.Sprintf("https://org%d.example.org.uk/services/%d", o, i),
			fmt.Sprintf("service%d@org%d.example.org.uk", i, o), "active", "Interpreters on request.", "Call or get a referral.",
			"Free", "Advice Quality Standard", "Adults in Kirklees.", "18", "99", "2026-01-15", "assurer@example.org.uk",
			"Closed on bank holidays.", base.Add(time.Duration(i)*time.Minute).Format(time.RFC3339))
		locN := i
		if i%3 == 2 {
			locN = i - 1
		} else {
			l := id("location", locN)
			row("location", l, "physical", fmt.Sprintf("Community Centre %d", locN), "A community centre.", "Bus 301 stops outside.",
				strconv.FormatFloat(53.6+float64(locN%100)*0.001, 'f', 3, 64), strconv.FormatFloat(-1.8+float64(locN%70)*0.001, 'f', 3, 64),
				fmt.Sprintf("%012d", 100000000000+locN), "UPRN")
			row("address", id("address", locN), l, fmt.Sprintf("%d High Street", locN%200+1), "Huddersfield", "West Yorkshire", "HD1 2SP", "GB", "physical")
			row("accessibility", id("access", locN), l, "Step-free access", "Ramp at the side door.")
			row("phone", id("locphone", locN), l, "", "", "", "01632 960123", "", "voice", "")
			row("schedule", id("locschedule", locN), "", l, "", "", "", "", "", "WEEKLY", "", "MO,TU,WE,TH,FR", "", "09:00", "17:00", "", "")
			row("language", id("loclang", locN), "", l, "", "English", "en", "")
		}
		row("service_at_location", sal, s, id("location", locN), "Drop-in")
		row("schedule", id("salschedule", i), "", "", sal, "", "", "", "", "WEEKLY", "", "SA", "Saturday drop-in", "10:00", "12:00", "", "")
		row("phone", id("salphone", i), "", "", "", sal, "01632 960456", "", "", "")
		row("contact", id("salcontact", i), "", sal, "Site lead", "", "", "site@example.org.uk")
		row("phone", id("phone", i), "", s, "", "", "0113 496 0000", "12", "voice", "Advice line")
		row("language", id("phonelang", i), "", "", id("phone", i), "Urdu", "ur", "")
		row("schedule", id("schedule", i), s, "", "", "2026-01-01", "2026-12-31", "2026-01-05", "MO", "WEEKLY", "1", "MO,WE",
			"Mondays and Wednesdays", "09:30", "16:30", "in person", "Closed bank holidays")
		row("contact", id("contact", i), s, "", "Alex Example", "Adviser", "Advice", "alex@example.org.uk")
		row("phone", id("contactphone", i), "", "", id("contact", i), "", "0114 496 0000", "", "", "")
		row("language", id("lang", i), s, "", "", "English", "en", "All sessions")
		row("service_area", id("area", i), s, "Kirklees", "The whole borough", "http://statistics.data.gov.uk/id/statistical-geography/E08000034")
		row("cost_option", id("cost", i), s, "2026-01-01", "2026-12-31", "Per session", "GBP", "2.5", "Concessions free")
		row("funding", id("funding", i), s, "National Lottery Community Fund")
		row("required_document", id("doc", i), s, "Proof of address")
		row("attribute", id("attr", i), s, id("term", i%3), "service", "service")
	}
	for _, o := range files {
		o.w.Flush()
		if err := o.w.Error(); err != nil {
			t.Fatal(err)
		}
		if err := o.b.Flush(); err != nil {
			t.Fatal(err)
		}
		if err := o.f.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// heapSampler records the peak of HeapInuse while it runs.
type heapSampler struct {
	peak atomic.Uint64
	stop chan struct{}
	wg   sync.WaitGroup
}

func sampleHeap() *heapSampler {
	h := &heapSampler{stop: make(chan struct{})}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > h.peak.Load() {
				h.peak.Store(m.HeapInuse)
			}
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	}()
	return h
}

func (h *heapSampler) done() uint64 {
	close(h.stop)
	h.wg.Wait()
	return h.peak.Load()
}

// importBenchSizes are the sizes the import benchmarks run at: 10,000
// services, or the comma-separated list in IMPORT_BENCH_SERVICES
// (make bench-import asks for 10000,100000).
func importBenchSizes() []int {
	v := os.Getenv("IMPORT_BENCH_SERVICES")
	if v == "" {
		return []int{10_000}
	}
	var sizes []int
	for part := range strings.SplitSeq(v, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(part)); err == nil && n > 0 {
			sizes = append(sizes, n)
		}
	}
	return sizes
}

// BenchmarkImportDataPackage imports a generated HSDS data package of
// 10,000 services (see importBenchSizes) into a fresh SQLite database per
// iteration. Beside the import it reports a floor measured in the same
// run: reading and decoding the same package with nothing prepared or
// written, the least any importer of it must do.
//
//	make bench-import
func BenchmarkImportDataPackage(b *testing.B) {
	for _, n := range importBenchSizes() {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			writeDataPackage(b, dir, n)
			open := func() Source {
				src, err := OpenTabular(dir)
				if err != nil {
					b.Fatal(err)
				}
				return src
			}
			benchImport(b, n, open, nil)
		})
	}
}

// BenchmarkImportAPI imports the same generated services from a live HSDS
// 3.0 API served in-process over loopback HTTP (a page of 100 ids at a
// time, then /services/{id} for each), with the importer's default four
// requests in flight and no rate limit, so that it measures the importer
// rather than its politeness: at the default five requests a second a
// real harvest of n services takes n/5 seconds whatever the importer does,
// which it reports as polite-h. The floor is walking the feed, fetching and
// decoding every record, with nothing prepared or written.
//
//	make bench-import
func BenchmarkImportAPI(b *testing.B) {
	for _, n := range importBenchSizes() {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			feed := httptest.NewServer(newGeneratedFeed(n))
			b.Cleanup(feed.Close)
			open := func() Source {
				src, err := OpenAPI(context.Background(), feed.URL, FormatAuto, HTTPOptions{Rate: -1})
				if err != nil {
					b.Fatal(err)
				}
				return src
			}
			benchImport(b, n, open, func() {
				b.ReportMetric(float64(n)/5/3600, "polite-h")
			})
		})
	}
}

// benchImport times b.N imports of the n services open reads, each into a
// fresh SQLite database (or, with IMPORT_BENCH_POSTGRES=1, a fresh schema of
// TEST_DATABASE_URL's PostgreSQL), after timing the floor: one walk of the
// source that only decodes.
func benchImport(b *testing.B, n int, open func() Source, extra func()) {
	b.Helper()
	start := time.Now()
	read := 0
	if err := open().Walk(context.Background(), func(it Item) error {
		if it.Service != nil {
			read++
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	floor := time.Since(start)
	if read != n {
		b.Fatalf("the floor read %d services, want %d", read, n)
	}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		db := dbtest.SQLite(b)
		if os.Getenv("IMPORT_BENCH_POSTGRES") != "" {
			db = dbtest.Postgres(b) // a fresh schema of TEST_DATABASE_URL
		}
		if os.Getenv("IMPORT_BENCH_PARTIAL") != "" {
			partialIndexes(b, db)
		}
		src := open()
		runtime.GC()
		resetPeakRSS()
		h := sampleHeap()
		b.StartTimer()
		start := time.Now()
		rep, err := Run(context.Background(), db, src, Options{Source: "feed:bench", TempDir: b.TempDir()})
		elapsed := time.Since(start)
		peak := h.done()
		if err != nil {
			b.Fatal(err)
		}
		if rep.Services.Created != n || len(rep.Problems) != 0 {
			b.Fatalf("created %d services, want %d; problems: %v", rep.Services.Created, n, rep.Problems)
		}
		b.ReportMetric(elapsed.Seconds(), "s")
		b.ReportMetric(float64(n)/elapsed.Seconds(), "services/s")
		b.ReportMetric(floor.Seconds(), "floor-s")
		b.ReportMetric(elapsed.Seconds()/floor.Seconds(), "x-floor")
		b.ReportMetric(rep.WriteSeconds, "write-lock-s")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(peakRSS())/(1<<20), "peak-rss-MiB")
		if extra != nil {
			extra()
		}
	}
}

// generatedFeed is a live HSDS 3.0 API of n services made by
// dbtest.GenerateServiceRange, one at a time as they are asked for, so the
// feed holds no more than an index of ids however large n is.
type generatedFeed struct {
	n, orgs int
	index   map[string]int
}

func newGeneratedFeed(n int) *generatedFeed {
	f := &generatedFeed{n: n, orgs: max(1, n/100), index: make(map[string]int, n)}
	for i := range n {
		f.index[dbtest.ID("service", i)] = i
	}
	return f
}

func (f *generatedFeed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if id, ok := strings.CutPrefix(r.URL.Path, "/services/"); ok {
		i, ok := f.index[id]
		if !ok {
			http.NotFound(w, r)
			return
		}
		s := dbtest.GenerateServiceRange(i, i+1, f.orgs)[0]
		// Each term carries its taxonomy, as this platform's API publishes it.
		tax := dbtest.FixtureTaxonomy()
		for _, a := range s.Attributes {
			if a.TaxonomyTerm != nil {
				a.TaxonomyTerm.TaxonomyDetail = &tax
			}
		}
		_ = json.NewEncoder(w).Encode(s)
		return
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	perPage, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	page, perPage = max(page, 1), max(perPage, 1)
	total := (f.n + perPage - 1) / perPage
	var items []map[string]any
	for i := (page - 1) * perPage; i < min(f.n, page*perPage); i++ {
		items = append(items, map[string]any{"id": dbtest.ID("service", i), "name": fmt.Sprintf("Service %d advice", i)})
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"total_items": f.n, "total_pages": total, "page_number": page,
		"size": len(items), "first_page": page == 1, "last_page": page >= total, "empty": len(items) == 0, "contents": items})
}

// resetPeakRSS starts the process's peak resident set (VmHWM) again, so that
// each measurement reports its own peak (Linux only; elsewhere a no-op).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS reads the process's peak resident set (VmHWM) on Linux, which
// includes SQLite's page cache; 0 elsewhere.
func peakRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// partialIndexes is an experiment for a schema change (IMPORT_BENCH_PARTIAL=1):
// the indexes on nullable foreign keys as partial indexes, which rows whose
// key is NULL do not enter. It made the write about a quarter faster.
func partialIndexes(b testing.TB, db *gorm.DB) {
	for _, ix := range [][3]string{
		{"contacts_service", "contacts", "service_id"}, {"contacts_service_at_location", "contacts", "service_at_location_id"},
		{"contacts_location", "contacts", "location_id"}, {"contacts_organization", "contacts", "organization_id"},
		{"phones_service", "phones", "service_id"}, {"phones_location", "phones", "location_id"}, {"phones_contact", "phones", "contact_id"},
		{"phones_service_at_location", "phones", "service_at_location_id"}, {"phones_organization", "phones", "organization_id"},
		{"schedules_service", "schedules", "service_id"}, {"schedules_location", "schedules", "location_id"},
		{"schedules_service_at_location", "schedules", "service_at_location_id"},
		{"languages_service", "languages", "service_id"}, {"languages_location", "languages", "location_id"}, {"languages_phone", "languages", "phone_id"},
		{"fundings_service", "fundings", "service_id"}, {"fundings_organization", "fundings", "organization_id"},
	} {
		if err := db.Exec("DROP INDEX " + ix[0]).Error; err != nil {
			b.Fatal(err)
		}
		if err := db.Exec("CREATE INDEX " + ix[0] + " ON " + ix[1] + " (" + ix[2] + ") WHERE " + ix[2] + " IS NOT NULL").Error; err != nil {
			b.Fatal(err)
		}
	}
}

// TestWritePackage writes the benchmark's data package to the folder named
// by IMPORT_WRITE_PACKAGE (IMPORT_BENCH_SERVICES services, 10,000 by
// default), for timing the import command on it; docs/import.md shows how.
func TestWritePackage(t *testing.T) {
	dir := os.Getenv("IMPORT_WRITE_PACKAGE")
	if dir == "" {
		t.Skip("IMPORT_WRITE_PACKAGE is not set")
	}
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("IMPORT_BENCH_SERVICES")); err == nil && v > 0 {
		n = v
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	writeDataPackage(t, dir, n)
}
