package handlers_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/handlers"
	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
	"github.com/openreferral-uk/referrals/models/geo"
)

// benchSizes are the directory sizes BenchmarkAPI measures;
// REFERRALS_BENCH_SIZES=10000 (comma-separated) overrides them.
func benchSizes() []int {
	sizes := []int{10_000, 100_000}
	if v := os.Getenv("REFERRALS_BENCH_SIZES"); v != "" {
		sizes = nil
		for _, part := range strings.Split(v, ",") {
			if n, err := strconv.Atoi(strings.TrimSpace(part)); err == nil && n > 0 {
				sizes = append(sizes, n)
			}
		}
	}
	return sizes
}

// benchDirectory builds a directory of n generated services: a SQLite file,
// reused from an earlier run in REFERRALS_BENCH_DIR when there is one; or,
// with REFERRALS_BENCH_DATABASE_URL (a PostgreSQL URL), a schema of that
// database named for n, kept for the next run.
func benchDirectory(b *testing.B, n int) *gorm.DB {
	b.Helper()
	ctx := context.Background()
	// The name carries the fixture's version: a changed generator must not reuse an old file.
	name := fmt.Sprintf("bench-v3-%d", n)
	var path string
	var statErr error
	if pg := os.Getenv("REFERRALS_BENCH_DATABASE_URL"); pg != "" {
		path = benchPostgres(b, pg, strings.ReplaceAll(name, "-", "_"))
		statErr = nil // the count below decides
	} else {
		dir := os.Getenv("REFERRALS_BENCH_DIR")
		if dir == "" {
			dir = b.TempDir()
		}
		path = filepath.Join(dir, name+".db")
		_, statErr = os.Stat(path)
	}
	db, err := models.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = models.Close(db) })
	if _, err := models.MigrateUp(ctx, db); err != nil {
		b.Fatal(err)
	}
	if statErr == nil {
		var have int64
		db.Model(&models.Service{}).Count(&have)
		if int(have) == n {
			if err := models.Optimize(ctx, db); err != nil {
				b.Fatal(err)
			}
			return db
		}
	}
	start := time.Now()
	if err := models.SaveTaxonomy(ctx, db, "bench", dbtest.FixtureTaxonomy(), nil); err != nil {
		b.Fatal(err)
	}
	for from := 0; from < n; from += 1000 {
		if err := models.SaveServices(ctx, db, "bench", dbtest.GenerateServiceRange(from, min(from+1000, n), max(1, n/100))); err != nil {
			b.Fatal(err)
		}
	}
	if err := models.Optimize(ctx, db); err != nil {
		b.Fatal(err)
	}
	if models.DialectFor(db) == models.Postgres {
		if err := db.Exec("ANALYZE").Error; err != nil { //nolint:misspell // PostgreSQL's spelling
			b.Fatal(err)
		}
	}
	b.Logf("generated %d services in %s", n, time.Since(start).Round(time.Second))
	return db
}

// benchPostgres returns a URL for the schema named in the PostgreSQL
// database at base, creating the schema if need be. It is kept after the
// run, so that the next run need not generate it again.
func benchPostgres(b *testing.B, base, schema string) string {
	b.Helper()
	admin, err := models.Open(context.Background(), base)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = models.Close(admin) }()
	if err := admin.Exec("CREATE SCHEMA IF NOT EXISTS " + schema).Error; err != nil {
		b.Fatal(err)
	}
	u, err := url.Parse(base)
	if err != nil {
		b.Fatal(err)
	}
	if u.RawQuery != "" { // as written: see dbtest.PostgresURL
		u.RawQuery += "&"
	}
	u.RawQuery += "search_path=" + url.QueryEscape(schema)
	return u.String()
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(float64(len(sorted))*p))]
}

// BenchmarkAPI measures the published API at 10,000 and 100,000 services,
// served in-process over loopback HTTP as a client sees it: median and
// 95th-percentile latency, SQL statements per request, and the ratio of the
// median to a floor measured in the same run: the same response bytes served
// from memory by a plain net/http handler through the same kind of server.
// It runs with the API cache as deployed (64 MB, 1s staleness), and again
// without it ("nocache"), to show what a first request costs.
//
//	make bench
func BenchmarkAPI(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			db := benchDirectory(b, n)
			qc := dbtest.CountQueries(b, db)
			one := dbtest.ID("service", n/2)
			endpoints := []struct{ name, path string }{
				{"list", "/api/services?per_page=50"},
				{"search", "/api/services?search=debt+advice&per_page=50"},
				{"service", "/api/services/" + one},
				{"nearby", "/api/service_at_locations?postcode=HD1+2SP&proximity=2000&per_page=50"},
			}
			for _, cached := range []bool{true, false} {
				opts := handlers.Options{DB: db, BaseURL: "http://bench.test"}
				mode := "nocache"
				if cached {
					opts.APICacheBytes, opts.APICacheMaxStale, mode = 64<<20, time.Second, "cache"
				}
				e, err := handlers.New(opts)
				if err != nil {
					b.Fatal(err)
				}
				app := httptest.NewServer(e)
				b.Cleanup(app.Close)
				client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
				for _, ep := range endpoints {
					b.Run(ep.name+"/"+mode, func(b *testing.B) {
						fetch := func(base string) ([]byte, string, time.Duration) {
							start := time.Now()
							res, err := client.Get(base + ep.path)
							if err != nil {
								b.Fatal(err)
							}
							body, err := io.ReadAll(res.Body)
							res.Body.Close()
							if err != nil || res.StatusCode != 200 {
								b.Fatalf("%s = %d %v", ep.path, res.StatusCode, err)
							}
							return body, res.Header.Get("Content-Type"), time.Since(start)
						}
						body, ctype, _ := fetch(app.URL)
						floor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
							w.Header().Set("Content-Type", ctype)
							_, _ = w.Write(body)
						}))
						defer floor.Close()
						var appLat, memLat []time.Duration
						qc.Reset()
						for b.Loop() {
							_, _, d := fetch(app.URL)
							appLat = append(appLat, d)
						}
						queries := float64(qc.Count()) / float64(len(appLat))
						for range len(appLat) {
							_, _, d := fetch(floor.URL)
							memLat = append(memLat, d)
						}
						slices.Sort(appLat)
						slices.Sort(memLat)
						med, p95, floorMed := percentile(appLat, 0.5), percentile(appLat, 0.95), percentile(memLat, 0.5)
						b.ReportMetric(float64(med.Microseconds()), "median-µs")
						b.ReportMetric(float64(p95.Microseconds()), "p95-µs")
						b.ReportMetric(queries, "queries/req")
						b.ReportMetric(float64(floorMed.Microseconds()), "floor-median-µs")
						b.ReportMetric(float64(med)/float64(max(floorMed, 1)), "x-floor")
						b.ReportMetric(float64(len(body)), "bytes")
					})
				}
			}
		})
	}
}

// BenchmarkServicePerPage checks that a page's SQL statement count does not
// grow with per_page.
func BenchmarkServicePerPage(b *testing.B) {
	db := benchDirectory(b, 2000)
	e, err := handlers.New(handlers.Options{DB: db, BaseURL: "http://bench.test"})
	if err != nil {
		b.Fatal(err)
	}
	qc := dbtest.CountQueries(b, db)
	for _, per := range []int{1, 10, 50, 200} {
		b.Run(fmt.Sprintf("per_page=%d", per), func(b *testing.B) {
			qc.Reset()
			runs := 0
			for b.Loop() {
				rec := httptest.NewRecorder()
				e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, fmt.Sprintf("/api/services?full=true&per_page=%d", per), nil))
				runs++
			}
			b.ReportMetric(float64(qc.Count())/float64(runs), "queries/req")
		})
	}
}

// BenchmarkDirectorySearch measures the caseworker's search at 10,000 and
// 100,000 services: words and "near this postcode" together, as the search
// page runs them (the full page over loopback HTTP, as a browser gets it),
// beside the bare query (models.SearchServicesNear alone, which ranks,
// filters by distance and pages) measured in the same run.
//
//	make bench
func BenchmarkDirectorySearch(b *testing.B) {
	ctx := context.Background()
	for _, n := range benchSizes() {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			db := benchDirectory(b, n)
			e, err := handlers.New(handlers.Options{DB: db, BaseURL: "http://bench.test"})
			if err != nil {
				b.Fatal(err)
			}
			app := httptest.NewServer(e)
			b.Cleanup(app.Close)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
			place, err := geo.NewOffline().Resolve(ctx, "HD1 2SP")
			if err != nil {
				b.Fatal(err)
			}
			for _, words := range []string{"debt advice", "mental health"} {
				b.Run(strings.ReplaceAll(words, " ", "_"), func(b *testing.B) {
					path := "/?q=" + url.QueryEscape(words) + "&postcode=HD1+2SP&miles=5"
					query := models.ServiceQuery{Text: words, Page: 1, PerPage: 20, Audience: models.Public}
					var pageLat, bareLat []time.Duration
					for b.Loop() {
						start := time.Now()
						res, err := client.Get(app.URL + path)
						if err != nil {
							b.Fatal(err)
						}
						_, _ = io.Copy(io.Discard, res.Body)
						res.Body.Close()
						if res.StatusCode != http.StatusOK {
							b.Fatalf("%s = %d", path, res.StatusCode)
						}
						pageLat = append(pageLat, time.Since(start))
					}
					hits := 0
					for range len(pageLat) {
						start := time.Now()
						found, _, err := models.SearchServicesNear(ctx, db, query, place.Point, 5*1609.344)
						if err != nil {
							b.Fatal(err)
						}
						bareLat = append(bareLat, time.Since(start))
						hits = len(found)
					}
					if hits == 0 {
						b.Fatalf("%q near HD1 2SP found nothing: the benchmark would measure an empty search", words)
					}
					slices.Sort(pageLat)
					slices.Sort(bareLat)
					b.ReportMetric(float64(percentile(pageLat, 0.5).Microseconds())/1000, "page-median-ms")
					b.ReportMetric(float64(percentile(pageLat, 0.95).Microseconds())/1000, "page-p95-ms")
					b.ReportMetric(float64(percentile(bareLat, 0.5).Microseconds())/1000, "query-median-ms")
					b.ReportMetric(float64(percentile(bareLat, 0.95).Microseconds())/1000, "query-p95-ms")
				})
			}
		})
	}
}
