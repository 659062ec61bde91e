package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
	"github.com/openreferral-uk/referrals/models/hsds"
)

// walk reads every item of a source.
func walk(t *testing.T, src Source) ([]Item, error) {
	t.Helper()
	var items []Item
	err := src.Walk(context.Background(), func(it Item) error {
		items = append(items, it)
		return nil
	})
	return items, err
}

// TestAPIRetriesPolitely: a feed that answers 503 and 429 now and then is
// retried with backoff, Retry-After is honoured, a listed record the feed
// cannot return is skipped and reported, and a feed that keeps failing
// fails the run.
func TestAPIRetriesPolitely(t *testing.T) {
	feed := newV1Feed(30, 10)
	var calls sync.Map // path+query -> *atomic.Int64
	feed.setFail(func(r *http.Request) (int, string) {
		n, _ := calls.LoadOrStore(r.URL.String(), new(atomic.Int64))
		c := n.(*atomic.Int64).Add(1)
		switch {
		case strings.HasSuffix(r.URL.Path, "/services") && r.URL.Query().Get("page") == "2" && c == 1:
			return http.StatusServiceUnavailable, ""
		case strings.HasSuffix(r.URL.Path, "/"+councilID(5).(string)) && c == 1:
			return http.StatusTooManyRequests, "1"
		case strings.HasSuffix(r.URL.Path, "/"+councilID(7).(string)):
			return http.StatusNotFound, ""
		}
		return 0, ""
	})
	srv := feed.serve(t)
	opts := fast()
	opts.MaxBackoff = 2 * time.Second
	src, err := OpenAPI(context.Background(), srv.URL+"/api", FormatAuto, opts)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	items, err := walk(t, src)
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < time.Second {
		t.Errorf("Retry-After: 1 was not honoured (walk took %v)", time.Since(start))
	}
	if len(items) != 30 {
		t.Fatalf("%d items, want 30", len(items))
	}
	if it := items[7]; it.Service != nil || len(it.Problems) != 1 || it.Problems[0].Action != Skipped || !strings.Contains(it.Problems[0].Reason, "404") {
		t.Errorf("a record the feed cannot return: %+v", it)
	}
	if items[5].Service == nil || items[15].Service == nil {
		t.Error("retried records missing")
	}

	// A feed that keeps failing fails the walk, with nothing to write.
	feed.setFail(func(r *http.Request) (int, string) {
		if strings.HasSuffix(r.URL.Path, "/services") && r.URL.Query().Get("page") == "3" {
			return http.StatusBadGateway, ""
		}
		return 0, ""
	})
	opts.Retries = 2
	src, _ = OpenAPI(context.Background(), srv.URL+"/api", FormatAuto, opts)
	if _, err := walk(t, src); !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "502") {
		t.Errorf("persistent 502: %v", err)
	}
}

// TestAPIConcurrencyAndRate: no more requests are in flight than allowed,
// and no more are made a second than the rate.
func TestAPIConcurrencyAndRate(t *testing.T) {
	feed := newV1Feed(40, 20)
	var inFlight, most atomic.Int64
	feed.setFail(func(r *http.Request) (int, string) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		return 0, ""
	})
	srv := feed.serve(t)
	opts := fast()
	opts.Concurrency = 3
	opts.PerPage = 20
	src, err := OpenAPI(context.Background(), srv.URL+"/api", FormatAuto, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := walk(t, src); err != nil {
		t.Fatal(err)
	}
	if most.Load() > 3 {
		t.Errorf("%d requests at once, want at most 3", most.Load())
	}

	opts.Rate = 40
	src, _ = OpenAPI(context.Background(), srv.URL+"/api", FormatAuto, opts)
	start := time.Now()
	if _, err := walk(t, src); err != nil {
		t.Fatal(err)
	}
	// 2 list pages and 40 records at 40 a second (the first is free).
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("42 requests at 40 a second took %v", d)
	}
}

func TestRetryAfter(t *testing.T) {
	for in, want := range map[string]time.Duration{"": 0, "3": 3 * time.Second, "-1": 0, "soon": 0} {
		if got := retryAfter(in); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", in, got, want)
		}
	}
	if d := retryAfter(time.Now().Add(2 * time.Minute).UTC().Format(http.TimeFormat)); d < time.Minute || d > 2*time.Minute {
		t.Errorf("an HTTP date two minutes ahead: %v", d)
	}
}

// TestAPIZeroBasedPages reads a feed whose pages count from 0, as Spring
// Data's do, although ORUK says 1: nothing is missed.
func TestAPIZeroBasedPages(t *testing.T) {
	feed := newV1Feed(25, 10)
	feed.zeroBased = true
	srv := feed.serve(t)
	src, err := OpenAPI(context.Background(), srv.URL+"/api/services", FormatAuto, fast())
	if err != nil {
		t.Fatal(err)
	}
	items, err := walk(t, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 25 || items[0].Service == nil || items[0].Service.ID != "1500" {
		t.Errorf("%d items; first %+v", len(items), items[0].Service)
	}
}

// TestAPISlowAndMalformed: a feed with a record that is too slow the first
// time (retried after the client's timeout), records whose bodies are not
// JSON services (each skipped and reported by id, the rest imported), and
// then a list page that is cut off half way (the run fails and writes
// nothing).
func TestAPISlowAndMalformed(t *testing.T) {
	feed := newV1Feed(30, 10)
	inner := feed.serve(t).Config.Handler
	slow, html, truncated := "/api/services/"+councilID(3).(string), "/api/services/"+councilID(4).(string), "/api/services/"+councilID(6).(string)
	var slowCalls atomic.Int64
	var brokenPage atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == slow && slowCalls.Add(1) == 1:
			select { // longer than the client waits
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
				return
			}
		case r.URL.Path == html:
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html><body>Service temporarily unavailable</body></html>"))
			return
		case r.URL.Path == truncated:
			_, _ = w.Write([]byte(`{"id": "x", "name": "Half a rec`))
			return
		case brokenPage.Load() && r.URL.Path == "/api/services" && r.URL.Query().Get("page") == "2":
			_, _ = w.Write([]byte(`{"totalElements": 30, "totalPages": 3, "content": [{"id": 1`))
			return
		}
		inner.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	opts := fast()
	opts.Client = &http.Client{Timeout: 300 * time.Millisecond}
	db := dbtest.SQLite(t)
	open := func() Source {
		src, err := OpenAPI(context.Background(), srv.URL+"/api", FormatAuto, opts)
		if err != nil {
			t.Fatal(err)
		}
		return src
	}

	rep := run(t, db, open(), Options{})
	if slowCalls.Load() != 2 {
		t.Errorf("the slow record was asked for %d times, want 2 (once timed out, once answered)", slowCalls.Load())
	}
	if s := loadOne(t, db, councilID(3).(string)); s.Name == "" {
		t.Errorf("the slow record was imported without its name: %+v", s)
	}
	for _, id := range []string{councilID(4).(string), councilID(6).(string)} {
		if !slices.ContainsFunc(rep.Problems, func(p Problem) bool {
			return p.RecordID == id && p.Action == Skipped && strings.Contains(p.Reason, "not a JSON object")
		}) {
			t.Errorf("no skipped problem for the malformed record %s: %+v", id, rep.Problems)
		}
	}
	if rep.Services.Read != 30 || rep.Services.Created+rep.Services.Skipped != 30 || rep.Services.Skipped < 2 {
		t.Errorf("services: %+v", rep.Services)
	}
	before := dump(t, db)

	brokenPage.Store(true)
	feed.setEdit(func(_ int, s map[string]any) { s["name"] = fmt.Sprint(s["name"], " (renamed)") })
	rep, err := Run(context.Background(), db, open(), Options{Source: "feed:test"})
	if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "page 2") || rep.Outcome != OutcomeFailed {
		t.Fatalf("a cut-off page: %v (outcome %s)", err, rep.Outcome)
	}
	if dump(t, db) != before {
		t.Fatal("a run that met a cut-off page changed the database")
	}
}

// FuzzAPIPage serves arbitrary bytes as every response of a live API (its
// pages of /services and its records): opening and walking it never
// panics or loops, and any error is an input error.
func FuzzAPIPage(f *testing.F) {
	for _, s := range []string{
		`{"contents":[{"id":"a"}],"total_pages":1}`, `{"content":[{"id":1}],"totalPages":2,"last":false}`,
		`{"content":[],"first":false}`, `{"contents":[{"id":"a"},{"id":""},{}],"total_pages":"x","last_page":true}`,
		`{"contents":null}`, `{"content":[{"id":{"x":1}}]}`, `[]`, `<html>`, ``, `{"contents":[{"id":"a"}],"total_pages":1e308}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		client := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(data))}, nil
		})}
		ctx := context.Background()
		// A walk that never ends would stall the fuzzer silently; a panic
		// ends the worker, and the fuzzer saves the input that hung it.
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-done:
			case <-time.After(3 * time.Second):
				panic(fmt.Sprintf("hang on %q", data))
			}
		}()
		src, err := OpenAPI(ctx, "http://feed.test/api", FormatAuto, HTTPOptions{Client: client, Rate: -1, Retries: -1})
		if err != nil {
			if !errors.Is(err, ErrInput) {
				t.Fatalf("open: an error that is not an input error: %v", err)
			}
			return
		}
		n := 0
		err = src.Walk(ctx, func(it Item) error {
			n++
			checkItem(t, it)
			return nil
		})
		if err != nil && !errors.Is(err, ErrInput) {
			t.Fatalf("walk: an error that is not an input error: %v", err)
		}
		if n > 10_000 {
			t.Fatalf("%d items from one repeated page", n)
		}
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestAPIFetchesTaxonomiesAndParents: an ORUK 3.0 feed whose services' terms
// give only a taxonomy_id and a parent_id, as many do, has the taxonomies
// read from /taxonomies/{id} and the ancestors from /taxonomy_terms/{id},
// each once however many services name them, so every term keeps its
// taxonomy and its parent. A taxonomy the feed cannot return is reported.
func TestAPIFetchesTaxonomiesAndParents(t *testing.T) {
	feed := &hsdsFeed{perPage: 5}
	tax := dbtest.FixtureTaxonomy()
	root := hsds.TaxonomyTerm{ID: "root", Name: "Money", Description: "Money matters", TaxonomyID: tax.ID}
	mid := hsds.TaxonomyTerm{ID: "mid", Name: "Debt", Description: "Debt", TaxonomyID: tax.ID, ParentID: "root"}
	feed.set(func([]hsds.Service) []hsds.Service {
		svcs := dbtest.GenerateServices(12, 2)
		for i := range svcs {
			term := svcs[i].Attributes[0].TaxonomyTerm
			term.TaxonomyDetail = nil
			term.ParentID = "mid"
			if i == 11 {
				svcs[i].Attributes[0].TaxonomyTermID, term.ID, term.TaxonomyID = "orphan", "orphan", "lost"
			}
		}
		return svcs
	})
	var lookups sync.Map // path -> *atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := lookups.LoadOrStore(r.URL.Path, new(atomic.Int64))
		n.(*atomic.Int64).Add(1)
		var v any
		switch r.URL.Path {
		case "/taxonomies/" + tax.ID:
			v = tax
		case "/taxonomy_terms/mid":
			v = mid
		case "/taxonomy_terms/root":
			v = root
		default:
			if strings.HasPrefix(r.URL.Path, "/taxonomies/") || strings.HasPrefix(r.URL.Path, "/taxonomy_terms/") {
				http.NotFound(w, r)
				return
			}
			feed.handler(w, r)
			return
		}
		_ = json.NewEncoder(w).Encode(v)
	}))
	t.Cleanup(srv.Close)
	db := dbtest.SQLite(t)
	src, err := OpenAPI(context.Background(), srv.URL, FormatAuto, fast())
	if err != nil {
		t.Fatal(err)
	}
	rep := run(t, db, src, Options{})
	for _, path := range []string{"/taxonomies/" + tax.ID, "/taxonomy_terms/mid", "/taxonomy_terms/root", "/taxonomies/lost"} {
		if n, ok := lookups.Load(path); !ok || n.(*atomic.Int64).Load() != 1 {
			t.Errorf("%s was asked for %v times, want once", path, n)
		}
	}
	if rep.Taxonomies.Created != 1 || rep.TaxonomyTerms.Created != 6 { // three fixture terms, the orphan, mid and root
		t.Errorf("taxonomies %+v, terms %+v: %+v", rep.Taxonomies, rep.TaxonomyTerms, rep.Problems)
	}
	if len(rep.Problems) != 1 || !hasProblem(rep, "", "taxonomy_id", Dropped) {
		t.Errorf("want only the lost taxonomy reported: %+v", rep.Problems)
	}
	s := loadOne(t, db, dbtest.ID("service", 0))
	term := s.Attributes[0].TaxonomyTerm
	if term.TaxonomyID != tax.ID || term.ParentID != models.NormaliseID("feed:test", "mid") {
		t.Errorf("term of service 0: taxonomy %q parent %q", term.TaxonomyID, term.ParentID)
	}
	var parent models.TaxonomyTerm
	if err := db.First(&parent, "id = ?", term.ParentID).Error; err != nil || parent.Name != "Debt" || parent.ParentID == nil || *parent.ParentID != models.NormaliseID("feed:test", "root") {
		t.Errorf("the parent term: %+v %v", parent, err)
	}
}

// TestRecordURLEscapesOnce: ids with spaces, slashes and non-ASCII letters
// are asked for as the feed listed them, escaped once, under a base URL
// that may have a path and a query (an API key, say).
func TestRecordURLEscapesOnce(t *testing.T) {
	for base, want := range map[string]string{
		"https://feed.example/api":            "https://feed.example/api/services/a%20b%2Fc%C3%A9",
		"https://feed.example/api/":           "https://feed.example/api/services/a%20b%2Fc%C3%A9",
		"https://feed.example/my%20api?key=k": "https://feed.example/my%20api/services/a%20b%2Fc%C3%A9?key=k",
	} {
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		s := &apiSource{base: u}
		if got := s.recordURL("/services/", "a b/cé"); got != want {
			t.Errorf("under %s: %s, want %s", base, got, want)
		}
	}
	// And a live feed finds such a record.
	var asked string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.EscapedPath(), "/services/") {
			asked = r.URL.EscapedPath()
			_, _ = w.Write([]byte(`{"id":"a b/c","name":"Odd id"}`))
			return
		}
		_, _ = w.Write([]byte(`{"total_pages":1,"contents":[{"id":"a b/c"}]}`))
	}))
	t.Cleanup(srv.Close)
	src, err := OpenAPI(context.Background(), srv.URL, FormatAuto, fast())
	if err != nil {
		t.Fatal(err)
	}
	items, err := walk(t, src)
	if err != nil || len(items) != 1 || items[0].Service == nil || items[0].Service.Name != "Odd id" || asked != "/services/a%20b%2Fc" {
		t.Errorf("walk: %v, %d items, asked for %s", err, len(items), asked)
	}
}

// TestAPILookupsAreBounded: a hostile feed whose every term has yet another
// parent, and whose /taxonomies fails, cannot make a run fetch without end:
// a run makes at most maxLookups lookups, stops asking an endpoint that
// keeps failing, and still imports the services.
func TestAPILookupsAreBounded(t *testing.T) {
	var terms, taxonomies atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case strings.HasPrefix(p, "/taxonomies/"):
			taxonomies.Add(1)
			http.Error(w, "no", http.StatusInternalServerError)
		case strings.HasPrefix(p, "/taxonomy_terms/"):
			terms.Add(1)
			id := strings.TrimPrefix(p, "/taxonomy_terms/")
			_ = json.NewEncoder(w).Encode(hsds.TaxonomyTerm{ID: id, Name: "T " + id, ParentID: id + "x", TaxonomyID: "tax" + id})
		case strings.HasPrefix(p, "/services/"):
			id := strings.TrimPrefix(p, "/services/")
			s := hsds.Service{ID: id, Name: "Service " + id}
			for k := range 100 {
				tid := fmt.Sprintf("%s-%d", id, k)
				s.Attributes = append(s.Attributes, hsds.Attribute{ID: "a" + tid, TaxonomyTermID: tid,
					TaxonomyTerm: &hsds.TaxonomyTerm{ID: tid, Name: "Term " + tid, ParentID: "p" + tid, TaxonomyID: "tax" + tid}})
			}
			_ = json.NewEncoder(w).Encode(s)
		default:
			_, _ = w.Write([]byte(`{"total_pages":1,"contents":[{"id":"s1"},{"id":"s2"},{"id":"s3"}]}`))
		}
	}))
	t.Cleanup(srv.Close)
	src, err := OpenAPI(context.Background(), srv.URL, FormatAuto, fast())
	if err != nil {
		t.Fatal(err)
	}
	items, err := walk(t, src)
	if err != nil || len(items) != 3 {
		t.Fatalf("walk: %v, %d items", err, len(items))
	}
	if n := terms.Load(); n > maxLookups {
		t.Errorf("%d term lookups, want at most %d", n, maxLookups)
	}
	if n := taxonomies.Load(); n > 2*(maxLookupFailures+4) {
		t.Errorf("%d requests to a /taxonomies that always fails, want it given up after %d failures", n, maxLookupFailures)
	}
	t.Logf("%d term lookups, %d taxonomy requests", terms.Load(), taxonomies.Load())
	// Each limit that stopped lookups is in the report, once.
	var notes []string
	for _, it := range items {
		for _, p := range it.Problems {
			notes = append(notes, p.Reason)
		}
	}
	for _, want := range []string{"most lookups", "/taxonomies failed 5 times in a row"} {
		if n := len(slices.DeleteFunc(slices.Clone(notes), func(r string) bool { return !strings.Contains(r, want) })); n != 1 {
			t.Errorf("%d problems saying %q, want 1: %q", n, want, notes)
		}
	}
	if terms.Load() < maxLookups/2 {
		t.Errorf("only %d term lookups: the test no longer reaches the budget", terms.Load())
	}
}
