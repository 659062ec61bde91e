package handlers_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/handlers"
	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
	"github.com/openreferral-uk/referrals/models/hsds"
	"github.com/openreferral-uk/referrals/models/hsds/schematest"
)

// envelope is the ORUK paging envelope as a client reads it.
type envelope struct {
	TotalItems int               `json:"total_items"`
	TotalPages int               `json:"total_pages"`
	PageNumber int               `json:"page_number"`
	Size       int               `json:"size"`
	FirstPage  bool              `json:"first_page"`
	LastPage   bool              `json:"last_page"`
	Empty      bool              `json:"empty"`
	Contents   []json.RawMessage `json:"contents"`
}

func (a *app) api(t *testing.T, path string, header ...string) (*httptest.ResponseRecorder, []byte) {
	t.Helper()
	rec := a.get(t, path, header...)
	return rec, rec.Body.Bytes()
}

func (a *app) page(t *testing.T, path string) envelope {
	t.Helper()
	rec, body := a.api(t, path)
	if rec.Code != 200 {
		t.Fatalf("GET %s = %d: %s", path, rec.Code, body)
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return env
}

func idsOf(t *testing.T, items []json.RawMessage) []string {
	t.Helper()
	out := make([]string, len(items))
	for i, raw := range items {
		var x struct{ ID string }
		if err := json.Unmarshal(raw, &x); err != nil {
			t.Fatal(err)
		}
		out[i] = x.ID
	}
	return out
}

// generatedApp is an app over a generated directory of n services with
// every optional field, plus the demo data.
func generatedApp(t *testing.T, db *gorm.DB, n int) *app {
	t.Helper()
	a := newApp(t, db)
	ctx := context.Background()
	if err := models.SaveTaxonomy(ctx, db, "test", dbtest.FixtureTaxonomy(), nil); err != nil {
		t.Fatal(err)
	}
	svcs := dbtest.GenerateServices(n, max(1, n/100))
	for start := 0; start < len(svcs); start += 500 {
		if err := models.SaveServices(ctx, db, "test", svcs[start:min(start+500, len(svcs))]); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

var resources = []struct{ path, item string }{
	{"services", "service"}, {"service_at_locations", "service_at_location"}, {"organizations", "organization"},
	{"taxonomies", "taxonomy"}, {"taxonomy_terms", "taxonomy_term"},
}

// TestAPIValidatesAgainstSchemas walks every endpoint the way the ORUK
// validator does (root, list pages first, middle and last, and random
// records) on the demo data and on a generated directory, validating each
// response against the schema DESIGN.md names for it.
func TestAPIValidatesAgainstSchemas(t *testing.T) {
	root := schematest.Schema(t, schematest.ORUKPrefix, "api_details.json")
	hsdsService := schematest.Schema(t, schematest.HSDSPrefix, "service.json")
	run := func(t *testing.T, a *app) {
		rec, body := a.api(t, "/api/")
		if rec.Code != 200 || rec.Header().Get("Access-Control-Allow-Origin") != "*" {
			t.Fatalf("/api/ = %d, CORS %q", rec.Code, rec.Header().Get("Access-Control-Allow-Origin"))
		}
		schematest.Validate(t, root, "/api/", body)
		rng := rand.New(rand.NewPCG(1, 2))
		for _, r := range resources {
			list := schematest.Schema(t, schematest.ORUKPrefix, r.item+"_list.json")
			item := schematest.Schema(t, schematest.ORUKPrefix, r.item+".json")
			first := a.page(t, "/api/"+r.path+"?per_page=25")
			var ids []string
			for _, n := range slices.Compact([]int{1, (first.TotalPages + 1) / 2, first.TotalPages}) {
				for _, extra := range []string{"", "&full=true"} {
					path := fmt.Sprintf("/api/%s?per_page=25&page=%d%s", r.path, n, extra)
					_, body := a.api(t, path)
					schematest.Validate(t, list, path, body)
					var env envelope
					_ = json.Unmarshal(body, &env)
					ids = append(ids, idsOf(t, env.Contents)...)
				}
			}
			if len(ids) == 0 {
				t.Fatalf("/api/%s is empty", r.path)
			}
			for range 10 {
				id := ids[rng.IntN(len(ids))]
				path := "/api/" + r.path + "/" + id
				rec, body := a.api(t, path)
				if rec.Code != 200 {
					t.Errorf("%s = %d", path, rec.Code)
					continue
				}
				schematest.Validate(t, item, path, body)
				if r.item == "service" {
					schematest.Validate(t, hsdsService, path+" (as HSDS 3.0)", body)
				}
			}
			rec, body := a.api(t, "/api/"+r.path+"/00000000-0000-4000-8000-000000000000")
			if rec.Code != 404 || !json.Valid(body) {
				t.Errorf("/api/%s/<unknown> = %d %s", r.path, rec.Code, body)
			}
		}
		// Organisation with full services and SAL lists with postcode also validate.
		_, body = a.api(t, "/api/organizations?full_service=true&per_page=3")
		schematest.Validate(t, schematest.Schema(t, schematest.ORUKPrefix, "organization_list.json"), "organizations?full_service=true", body)
		_, body = a.api(t, "/api/service_at_locations?postcode=HD1+2SP&proximity=5000")
		schematest.Validate(t, schematest.Schema(t, schematest.ORUKPrefix, "service_at_location_list.json"), "service_at_locations?postcode", body)
	}
	t.Run("demo", func(t *testing.T) {
		dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) { run(t, newApp(t, db)) })
	})
	t.Run("generated", func(t *testing.T) {
		dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
			a := generatedApp(t, db, 3000)
			run(t, a)
			// Every record, not a sample: stream them all and validate each.
			for _, r := range []struct{ path, item string }{{"services", "service"}, {"service_at_locations", "service_at_location"}} {
				item := schematest.Schema(t, schematest.ORUKPrefix, r.item+".json")
				_, body := a.api(t, "/api/"+r.path+"?format=ndjson&full=true")
				sc := bufio.NewScanner(bytes.NewReader(body))
				sc.Buffer(nil, 1<<22)
				n, bad := 0, 0
				for sc.Scan() {
					n++
					if bad < 3 && !schematest.Validate(t, item, fmt.Sprintf("%s record %d", r.path, n), sc.Bytes()) {
						bad++
					}
				}
				if n < 3000 {
					t.Errorf("%s: streamed %d records, want at least 3000", r.path, n)
				}
			}
		})
	})
}

// TestAPIPagingRules checks the envelope's invariants on every page.
func TestAPIPagingRules(t *testing.T) {
	a := newApp(t, dbtest.SQLite(t))
	for _, r := range resources {
		for _, per := range []int{1, 7, 50, 500} {
			first := a.page(t, fmt.Sprintf("/api/%s?per_page=%d", r.path, per))
			seen := map[string]bool{}
			for n := 1; n <= first.TotalPages+1; n++ {
				env := a.page(t, fmt.Sprintf("/api/%s?per_page=%d&page=%d", r.path, per, n))
				where := fmt.Sprintf("%s per_page=%d page=%d", r.path, per, n)
				if env.TotalPages < 1 || env.PageNumber != n || env.Size != len(env.Contents) ||
					env.FirstPage != (n == 1) || env.LastPage != (n >= env.TotalPages) || env.Empty != (env.Size == 0) {
					t.Errorf("%s: envelope %+v breaks the paging rules", where, env)
				}
				if n < env.TotalPages && env.Size != per {
					t.Errorf("%s: %d items on a middle page", where, env.Size)
				}
				if env.TotalItems != first.TotalItems {
					t.Errorf("%s: total changed", where)
				}
				for _, id := range idsOf(t, env.Contents) {
					if seen[id] {
						t.Errorf("%s repeats %s", where, id)
					}
					seen[id] = true
				}
			}
			if len(seen) != first.TotalItems {
				t.Errorf("%s per_page=%d: paging saw %d of %d records", r.path, per, len(seen), first.TotalItems)
			}
		}
	}
	if env := a.page(t, "/api/services?per_page=100000"); env.Size != 68 && len(env.Contents) > 500 {
		t.Errorf("per_page above the cap was not clamped: %d items", env.Size)
	}
	if env := a.page(t, "/api/services?search=nothingmatchesthis"); env.TotalPages != 1 || !env.Empty || !env.FirstPage || !env.LastPage || env.Contents == nil {
		t.Errorf("empty result envelope %+v", env)
	}
	for _, bad := range []struct{ query, param string }{
		{"page=0", "page"}, {"page=abc", "page"}, {"page=-1", "page"}, {"per_page=0", "per_page"}, {"per_page=1.5", "per_page"},
		{"minimal=maybe", "minimal"}, {"modified_after=yesterday", "modified_after"}, {"taxonomy_term_id=nope", "taxonomy_term_id"},
		{"format=xml", "format"}, {"organization_id=1", "organization_id"},
	} {
		rec, body := a.api(t, "/api/services?"+bad.query)
		var e struct {
			Status     int
			Parameters map[string]string
		}
		if rec.Code != 400 || json.Unmarshal(body, &e) != nil || e.Parameters[bad.param] == "" {
			t.Errorf("?%s = %d %s; want 400 naming %s", bad.query, rec.Code, body, bad.param)
		}
	}
	for _, bad := range []string{"/api/service_at_locations?proximity=1000", "/api/service_at_locations?postcode=XX", "/api/service_at_locations?postcode=HD1+2SP&proximity=-5",
		"/api/service_at_locations?postcode=BT1+1AA", "/api/taxonomy_terms?top_only=2", "/api/organizations?full_service=yes"} {
		if rec, body := a.api(t, bad); rec.Code != 400 {
			t.Errorf("%s = %d %s, want 400", bad, rec.Code, body)
		}
	}
}

// serviceTerms maps each demo service id to its term ids and organisation.
func demoIndex(t *testing.T) (svcs []hsds.Service, public map[string]bool) {
	t.Helper()
	var err error
	svcs, err = demoServices()
	if err != nil {
		t.Fatal(err)
	}
	set, err := demoSettings()
	if err != nil {
		t.Fatal(err)
	}
	public = map[string]bool{}
	for _, s := range svcs {
		st := set.Services[s.ID]
		public[s.ID] = !st.Draft && !st.ProfessionalsOnly
	}
	return svcs, public
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k, v := range m {
		if v {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func allIDs(t *testing.T, a *app, path string) []string {
	t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	env := a.page(t, path+sep+"per_page=500")
	if env.TotalPages > 1 {
		t.Fatalf("%s has more than one page", path)
	}
	return idsOf(t, env.Contents)
}

// TestAPIFilters checks each filter alone and in the combinations consumers
// use against what the demo data says should match.
func TestAPIFilters(t *testing.T) {
	a := newApp(t, dbtest.SQLite(t))
	svcs, public := demoIndex(t)
	byTerm := map[string]map[string]bool{}
	byOrg := map[string]map[string]bool{}
	for _, s := range svcs {
		if !public[s.ID] {
			continue
		}
		for _, at := range s.Attributes {
			if byTerm[at.TaxonomyTermID] == nil {
				byTerm[at.TaxonomyTermID] = map[string]bool{}
			}
			byTerm[at.TaxonomyTermID][s.ID] = true
		}
		if byOrg[s.OrganizationID] == nil {
			byOrg[s.OrganizationID] = map[string]bool{}
		}
		byOrg[s.OrganizationID][s.ID] = true
	}
	checked := 0
	for term, want := range byTerm {
		got := allIDs(t, a, "/api/services?taxonomy_term_id="+term)
		slices.Sort(got)
		if !slices.Equal(got, sortedKeys(want)) {
			t.Errorf("taxonomy_term_id=%s gave %d services, want %d", term, len(got), len(want))
		}
		checked++
	}
	for org, want := range byOrg {
		got := allIDs(t, a, "/api/services?organization_id="+org)
		slices.Sort(got)
		if !slices.Equal(got, sortedKeys(want)) {
			t.Errorf("organization_id=%s gave %d, want %d", org, len(got), len(want))
		}
	}
	if checked < 5 {
		t.Fatalf("only %d terms checked", checked)
	}
	taxID := svcs[0].Attributes[0].TaxonomyTerm.TaxonomyID
	if got := a.page(t, "/api/services?taxonomy_id="+taxID).TotalItems; got != len(sortedKeys(public)) {
		t.Errorf("taxonomy_id gave %d, want every public service (%d)", got, len(sortedKeys(public)))
	}

	// search + taxonomy: every result has the word and the term.
	var foodTerm string
	for _, s := range svcs {
		for _, at := range s.Attributes {
			if at.TaxonomyTerm != nil && strings.EqualFold(at.TaxonomyTerm.Name, "Food") {
				foodTerm = at.TaxonomyTermID
			}
		}
	}
	if foodTerm == "" {
		t.Fatal("no Food term in the demo data")
	}
	combined := allIDs(t, a, "/api/services?search=food&taxonomy_term_id="+foodTerm)
	alone := allIDs(t, a, "/api/services?search=food")
	if len(combined) == 0 || len(combined) > len(alone) {
		t.Errorf("search+taxonomy gave %d, search alone %d", len(combined), len(alone))
	}
	for _, id := range combined {
		if !byTerm[foodTerm][id] {
			t.Errorf("search+taxonomy returned %s, which lacks the term", id)
		}
	}

	// organization + modified_after: a service touched now is the only one.
	org := svcs[0].OrganizationID
	now := time.Now().UTC()
	target := ""
	for id := range byOrg[org] {
		target = id
		break
	}
	if err := a.db.Exec("UPDATE services SET last_modified = ? WHERE id = ?", now.Add(time.Hour).Truncate(time.Millisecond), target).Error; err != nil {
		t.Fatal(err)
	}
	// Demo services carry fixed dates in 2026; a cut-off after all of them
	// and before the touched one isolates it.
	cutoff := now.Add(30 * time.Minute)
	if err := a.db.Exec("UPDATE services SET last_modified = ? WHERE last_modified > ? AND id <> ?", now.Truncate(time.Millisecond), now, target).Error; err != nil {
		t.Fatal(err)
	}
	got := allIDs(t, a, "/api/services?organization_id="+org+"&modified_after="+url.QueryEscape(cutoff.Format(time.RFC3339)))
	if len(got) != 1 || got[0] != target {
		t.Errorf("organization_id+modified_after gave %v, want [%s]", got, target)
	}

	// postcode + proximity + taxonomy: nearest first, all within range, all with the term.
	env := a.page(t, "/api/service_at_locations?postcode=HD1+2SP&proximity=5000&per_page=500&taxonomy_term_id="+foodTerm)
	wide := a.page(t, "/api/service_at_locations?postcode=HD1+2SP&per_page=500&taxonomy_term_id="+foodTerm)
	if env.TotalItems == 0 || env.TotalItems >= wide.TotalItems {
		t.Errorf("proximity kept %d of %d", env.TotalItems, wide.TotalItems)
	}
	prev := -1.0
	centre := [2]float64{53.64, -1.78}
	for _, raw := range env.Contents {
		var sal hsds.ServiceAtLocation
		_ = json.Unmarshal(raw, &sal)
		if !byTerm[foodTerm][sal.ServiceID] {
			t.Errorf("SAL %s is not for a Food service", sal.ID)
		}
		d := approxMetres(centre, *sal.Location.Latitude, *sal.Location.Longitude)
		if d > 8000 {
			t.Errorf("SAL %s is %.0f m away", sal.ID, d)
		}
		if d+600 < prev { // centroids differ slightly from this test's centre
			t.Errorf("results not nearest first: %.0f after %.0f", d, prev)
		}
		prev = d
	}
}

func approxMetres(c [2]float64, lat, lon float64) float64 {
	dy := (lat - c[0]) * 111195
	dx := (lon - c[1]) * 111195 * 0.593
	return sqrt(dx*dx + dy*dy)
}

func sqrt(x float64) float64 {
	z := x / 2
	for range 30 {
		if z == 0 {
			return 0
		}
		z -= (z*z - x) / (2 * z)
	}
	return z
}

// TestAPIPublishesNothingPrivate scans every record of every endpoint for
// drafts and professionals-only data.
func TestAPIPublishesNothingPrivate(t *testing.T) {
	a := newApp(t, dbtest.SQLite(t))
	set, err := demoSettings()
	if err != nil {
		t.Fatal(err)
	}
	// A listing edited here has referral settings, named responders and a
	// history, none of which may be published.
	referralEmail := editListingLocally(t, a.db)
	var secret []string
	for id, s := range set.Services {
		if s.Draft || s.ProfessionalsOnly {
			secret = append(secret, id)
		}
	}
	secret = append(secret, set.ProfessionalsOnlyLocations...)
	secret = append(secret, set.ProfessionalsOnlyPhones...)
	if len(secret) < 4 {
		t.Fatalf("demo data hides only %d records", len(secret))
	}
	var all bytes.Buffer
	for _, r := range resources {
		for _, q := range []string{"", "&full=true", "&full_service=true"} {
			_, body := a.api(t, "/api/"+r.path+"?per_page=500"+q)
			all.Write(body)
			_, body = a.api(t, "/api/"+r.path+"?format=ndjson"+q)
			all.Write(body)
		}
	}
	for _, id := range secret {
		if bytes.Contains(all.Bytes(), []byte(id)) {
			t.Errorf("the API publishes private record %s", id)
		}
		if rec, _ := a.api(t, "/api/services/"+id); rec.Code != 404 {
			t.Errorf("/api/services/%s = %d", id, rec.Code)
		}
	}
	for _, word := range []string{"referral_email", "accepts_referrals", "professionals_only", "visibility",
		"response_target", "capacity_status", "responders", "changed_by", "previous_value", "claimed", referralEmail} {
		if bytes.Contains(all.Bytes(), []byte(word)) {
			t.Errorf("the API publishes the local field %s", word)
		}
	}
}

// TestAPINDJSON streams every service without paging.
func TestAPINDJSON(t *testing.T) {
	a := newApp(t, dbtest.SQLite(t))
	item := schematest.Schema(t, schematest.ORUKPrefix, "service.json")
	rec, body := a.api(t, "/api/services?format=ndjson&full=true")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("ndjson = %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 1<<22)
	n := 0
	for sc.Scan() {
		n++
		if n <= 5 {
			schematest.Validate(t, item, fmt.Sprintf("ndjson line %d", n), sc.Bytes())
		}
	}
	if want := a.page(t, "/api/services").TotalItems; n != want {
		t.Errorf("ndjson streamed %d services, want %d", n, want)
	}
	rec, body = a.api(t, "/api/services?format=ndjson&minimal=true")
	if rec.Code != 200 || strings.Count(string(body), "\n") != n || strings.Contains(string(body), `"name"`) {
		t.Errorf("minimal ndjson: %d lines", strings.Count(string(body), "\n"))
	}
	for _, r := range resources[1:] {
		_, body := a.api(t, "/api/"+r.path+"?format=ndjson")
		if got, want := strings.Count(string(body), "\n"), a.page(t, "/api/"+r.path).TotalItems; got != want {
			t.Errorf("%s ndjson: %d lines, want %d", r.path, got, want)
		}
	}
}

func TestAPIMinimal(t *testing.T) {
	a := newApp(t, dbtest.SQLite(t))
	env := a.page(t, "/api/services?minimal=true")
	if env.TotalPages != 1 || env.Size != env.TotalItems {
		t.Errorf("minimal listing is paged: %+v", env)
	}
	var item map[string]any
	_ = json.Unmarshal(env.Contents[0], &item)
	if len(item) != 2 || item["id"] == nil || item["last_modified"] == nil {
		t.Errorf("minimal item %v", item)
	}
}

func TestAPICachingAndCORS(t *testing.T) {
	a := newApp(t, dbtest.SQLite(t))
	svcs, _ := demoServices()
	path := "/api/services/" + svcs[0].ID
	rec, _ := a.api(t, path)
	etag, lm := rec.Header().Get("ETag"), rec.Header().Get("Last-Modified")
	if etag == "" || lm == "" || !strings.Contains(rec.Header().Get("Cache-Control"), "max-age") {
		t.Fatalf("caching headers: ETag %q Last-Modified %q", etag, lm)
	}
	if rec, body := a.api(t, path, "If-None-Match", etag); rec.Code != 304 || len(body) != 0 {
		t.Errorf("If-None-Match = %d", rec.Code)
	}
	if rec, _ := a.api(t, path, "If-Modified-Since", lm); rec.Code != 304 {
		t.Errorf("If-Modified-Since = %d", rec.Code)
	}
	if rec, _ := a.api(t, path, "If-None-Match", `"stale"`); rec.Code != 200 {
		t.Errorf("stale ETag = %d", rec.Code)
	}
	listRec, _ := a.api(t, "/api/services")
	if rec, _ := a.api(t, "/api/services", "If-None-Match", listRec.Header().Get("ETag")); rec.Code != 304 {
		t.Errorf("list If-None-Match = %d", rec.Code)
	}
	// A change gives a new ETag.
	if err := a.db.Exec("UPDATE services SET name = 'Renamed' WHERE id = ?", svcs[0].ID).Error; err != nil {
		t.Fatal(err)
	}
	if rec, _ := a.api(t, path, "If-None-Match", etag); rec.Code != 200 {
		t.Errorf("changed service still 304")
	}
	req := httptest.NewRequest(http.MethodOptions, "/api/services", nil)
	req.Header.Set("Origin", "https://other.example")
	req.Header.Set("Access-Control-Request-Method", "GET")
	res := httptest.NewRecorder()
	a.e.ServeHTTP(res, req)
	if res.Code != 204 || res.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("preflight = %d %v", res.Code, res.Header())
	}
	for _, p := range []string{"/api/services/00000000-0000-4000-8000-000000000000", "/api/services?page=x", "/api/nope"} {
		if rec, _ := a.api(t, p); rec.Header().Get("Access-Control-Allow-Origin") != "*" || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			t.Errorf("%s error lacks CORS or JSON: %v", p, rec.Header())
		}
	}
}

func TestAPIOpenAPIAndDocs(t *testing.T) {
	a := newApp(t, dbtest.SQLite(t))
	rec, body := a.api(t, "/api/openapi.json")
	var doc struct {
		Servers []struct{ URL string }
		Paths   map[string]any
	}
	if rec.Code != 200 || json.Unmarshal(body, &doc) != nil || len(doc.Servers) != 1 || doc.Servers[0].URL != "http://example.test/api" {
		t.Fatalf("openapi.json = %d servers %+v", rec.Code, doc.Servers)
	}
	if len(doc.Paths) != 11 {
		t.Errorf("openapi.json has %d paths, want ORUK's 11", len(doc.Paths))
	}
	var root struct {
		OpenapiURL string `json:"openapi_url"`
	}
	_, body = a.api(t, "/api/")
	_ = json.Unmarshal(body, &root)
	if root.OpenapiURL != "http://example.test/api/openapi.json" {
		t.Errorf("openapi_url = %q", root.OpenapiURL)
	}
	rec, body = a.api(t, "/api/docs")
	page := string(body)
	if rec.Code != 200 || !strings.Contains(page, "Contains Royal Mail data") || !strings.Contains(page, "/api/services/") {
		t.Fatalf("docs page = %d", rec.Code)
	}
	// Every example link on the docs page answers 200 with live data.
	links := 0
	for _, part := range strings.Split(page, `href="http://example.test/api/`)[1:] {
		path := "/api/" + strings.ReplaceAll(part[:strings.IndexByte(part, '"')], "&amp;", "&")
		if strings.Contains(path, "{id}") {
			t.Errorf("docs example %s has no live id", path)
			continue
		}
		links++
		if rec, _ := a.api(t, path); rec.Code != 200 {
			t.Errorf("docs example %s = %d", path, rec.Code)
		}
	}
	if links < 10 {
		t.Errorf("docs page has %d live example links", links)
	}
}

// TestAPIConsumerKeepsACopyInSync plays an ORUK consumer that copies the
// feed and then follows modified_after while services, a shared location
// and statuses change, and checks its copy ends identical to the source.
func TestAPIConsumerKeepsACopyInSync(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		a := generatedApp(t, db, 60)
		ctx := context.Background()
		copyOf := map[string]string{}
		var cursor time.Time
		sync := func() int {
			t.Helper()
			path := "/api/services?full=true&per_page=500"
			if !cursor.IsZero() {
				path += "&modified_after=" + url.QueryEscape(cursor.Format(time.RFC3339Nano))
			}
			before := time.Now().UTC().Add(-time.Millisecond)
			n := 0
			for page := 1; ; page++ {
				env := a.page(t, fmt.Sprintf("%s&page=%d", path, page))
				for _, raw := range env.Contents {
					var s struct{ ID string }
					_ = json.Unmarshal(raw, &s)
					copyOf[s.ID] = string(raw)
					n++
				}
				if env.LastPage {
					break
				}
			}
			cursor = before
			return n
		}
		if n := sync(); n < 60 {
			t.Fatalf("first sync copied %d services", n)
		}
		time.Sleep(5 * time.Millisecond)
		svcs := dbtest.GenerateServices(60, 1)
		shared := svcs[1].ServiceAtLocations[0].LocationID // shared by services 1 and 2
		err := db.Transaction(func(tx *gorm.DB) error {
			now := models.Now()
			if err := tx.Model(&models.Service{}).Where("id = ?", svcs[10].ID).
				Updates(map[string]any{"status": hsds.StatusTemporarilyClosed, "last_modified": now}).Error; err != nil {
				return err
			}
			if err := tx.Model(&models.Service{}).Where("id = ?", svcs[20].ID).
				Updates(map[string]any{"name": "Renamed service", "last_modified": now}).Error; err != nil {
				return err
			}
			if err := tx.Model(&models.Address{}).Where("location_id = ?", shared).Update("address_1", "1 New Street").Error; err != nil {
				return err
			}
			return models.TouchServicesAtLocations(ctx, tx, []string{shared}, now)
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := sync(); n != 4 {
			t.Errorf("incremental sync fetched %d services, want the 4 that changed", n)
		}
		// The source, as a fresh full copy, must equal the consumer's copy.
		fresh := map[string]string{}
		for page := 1; ; page++ {
			env := a.page(t, fmt.Sprintf("/api/services?full=true&per_page=500&page=%d", page))
			for _, raw := range env.Contents {
				var s struct{ ID string }
				_ = json.Unmarshal(raw, &s)
				fresh[s.ID] = string(raw)
			}
			if env.LastPage {
				break
			}
		}
		if len(fresh) != len(copyOf) {
			t.Fatalf("copy has %d services, source %d", len(copyOf), len(fresh))
		}
		for id, want := range fresh {
			if copyOf[id] != want {
				t.Errorf("consumer's copy of %s differs from the source", id)
			}
		}
		if !strings.Contains(copyOf[svcs[2].ID], "1 New Street") || !strings.Contains(copyOf[svcs[10].ID], "temporarily closed") {
			t.Error("the copy missed the shared-location edit or the closure")
		}
	})
}

// FuzzAPIQuery sends arbitrary query strings to the API: whatever a client
// sends, the answer is 200, 304, 400 or 404 with a JSON body, never a 500.
func FuzzAPIQuery(f *testing.F) {
	for _, s := range []string{"page=2&per_page=3", "search=food&taxonomy_term_id=x", "postcode=HD1 2SP&proximity=100",
		"modified_after=2026-01-01", "format=ndjson", "search=%22*)(", "per_page=99999999999999999999", "proximity=NaN&postcode=LS6"} {
		f.Add("services", s)
		f.Add("service_at_locations", s)
	}
	db := dbtest.SQLite(f)
	if _, err := models.LoadDemoDirectory(context.Background(), db); err != nil {
		f.Fatal(err)
	}
	e, err := handlers.New(handlers.Options{DB: db, BaseURL: "http://example.test"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, resource, query string) {
		req := httptest.NewRequest(http.MethodGet, "/api/services", nil)
		req.URL.Path = "/api/" + resource
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("GET /api/%s?%s = %d %s", resource, query, rec.Code, rec.Body.String())
		}
	})
}

// TestAPICacheServesFromMemoryUntilTheDirectoryChanges checks that a
// repeated request runs no directory query, and that any write, even plain
// SQL from outside the app, is seen by the next request.
func TestAPICacheServesFromMemoryUntilTheDirectoryChanges(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		a := newApp(t, db)
		qc := dbtest.CountQueries(t, db)
		svcs, _ := demoServices()
		path := "/api/services/" + svcs[3].ID
		_, first := a.api(t, path)
		if qc.Count() == 0 {
			t.Fatal("the first request ran no query")
		}
		qc.Reset()
		rec, second := a.api(t, path)
		if rec.Code != 200 || !bytes.Equal(first, second) {
			t.Fatalf("cached response differs: %d", rec.Code)
		}
		if n := qc.Count(); n != 0 {
			t.Errorf("a repeated request ran %d directory queries, want 0 (served from memory)", n)
		}
		if err := db.Exec("UPDATE phones SET number = '0113 496 0999' WHERE service_id = ?", svcs[3].ID).Error; err != nil {
			t.Fatal(err)
		}
		_, third := a.api(t, path)
		if bytes.Equal(second, third) || !bytes.Contains(third, []byte("0113 496 0999")) {
			t.Error("a write to a child table did not reach the next response")
		}
	})
}

func TestAPICacheMaxStaleAndSize(t *testing.T) {
	db := dbtest.SQLite(t)
	if _, err := models.LoadDemoDirectory(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	e, err := handlers.New(handlers.Options{DB: db, BaseURL: "http://example.test", APICacheBytes: 1 << 20, APICacheMaxStale: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) string {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Body.String()
	}
	svcs, _ := demoServices()
	path := "/api/services/" + svcs[0].ID
	before := get(path)
	if err := db.Exec("UPDATE services SET name = 'Changed' WHERE id = ?", svcs[0].ID).Error; err != nil {
		t.Fatal(err)
	}
	if get(path) != before {
		t.Error("with an hour's staleness allowed, the cached response should still be served")
	}
	// A list larger than an eighth of the cache is never kept, and many
	// small ones stay within the bound: nothing breaks when it is full.
	for i := 1; i <= 40; i++ {
		if body := get(fmt.Sprintf("/api/services?per_page=%d", i)); !strings.Contains(body, `"total_items"`) {
			t.Fatalf("list %d failed", i)
		}
	}
}

// TestAPITermAndOrganisationFilters covers the filters of the smaller
// resources: taxonomy_id, parent_id and top_only on terms, and search on
// organisations, taxonomies and terms.
func TestAPITermAndOrganisationFilters(t *testing.T) {
	a := newApp(t, dbtest.SQLite(t))
	all := a.page(t, "/api/taxonomy_terms?per_page=500")
	type term struct {
		ID, Name, ParentID, TaxonomyID string
	}
	var terms []term
	for _, raw := range all.Contents {
		var x struct {
			ID         string `json:"id"`
			Name       string `json:"name"`
			ParentID   string `json:"parent_id"`
			TaxonomyID string `json:"taxonomy_id"`
		}
		_ = json.Unmarshal(raw, &x)
		terms = append(terms, term{x.ID, x.Name, x.ParentID, x.TaxonomyID})
	}
	var top, parent, child int
	var parentID string
	for _, tm := range terms {
		if tm.ParentID == "" {
			top++
		} else {
			parentID = tm.ParentID
		}
	}
	for _, tm := range terms {
		if tm.ParentID == parentID {
			child++
		}
		if tm.ID == parentID {
			parent++
		}
	}
	if parentID == "" || top == 0 || top == len(terms) {
		t.Fatalf("the demo taxonomy has no hierarchy to test (%d top of %d)", top, len(terms))
	}
	if got := a.page(t, "/api/taxonomy_terms?top_only=true&per_page=500").TotalItems; got != top {
		t.Errorf("top_only gave %d, want %d", got, top)
	}
	if got := a.page(t, "/api/taxonomy_terms?parent_id="+parentID).TotalItems; got != child {
		t.Errorf("parent_id gave %d, want %d", got, child)
	}
	if got := a.page(t, "/api/taxonomy_terms?parent_id="+parentID+"&top_only=true").TotalItems; got != 0 {
		t.Errorf("parent_id with top_only gave %d, want none: filters combine with AND", got)
	}
	if got := a.page(t, "/api/taxonomy_terms?taxonomy_id="+terms[0].TaxonomyID+"&per_page=500").TotalItems; got != len(terms) {
		t.Errorf("taxonomy_id gave %d, want %d", got, len(terms))
	}
	if got := a.page(t, "/api/taxonomy_terms?taxonomy_id=00000000-0000-4000-8000-000000000000").TotalItems; got != 0 {
		t.Errorf("an unknown taxonomy_id gave %d", got)
	}
	name := terms[0].Name
	if env := a.page(t, "/api/taxonomy_terms?search="+url.QueryEscape(strings.ToUpper(name[:4]))); env.TotalItems == 0 {
		t.Errorf("term search for %q found nothing", name[:4])
	}
	if env := a.page(t, "/api/taxonomies?search=demo"); env.TotalItems != 1 {
		t.Errorf("taxonomy search found %d, want 1", env.TotalItems)
	}
	if env := a.page(t, "/api/taxonomies?search=zzz"); env.TotalItems != 0 {
		t.Errorf("taxonomy search for nonsense found %d", env.TotalItems)
	}
	orgs := a.page(t, "/api/organizations?per_page=500")
	var first struct{ Name string }
	_ = json.Unmarshal(orgs.Contents[0], &first)
	word := strings.Fields(first.Name)[0]
	found := a.page(t, "/api/organizations?search="+url.QueryEscape(strings.ToLower(word)))
	if found.TotalItems == 0 || found.TotalItems > orgs.TotalItems {
		t.Errorf("organisation search for %q found %d", word, found.TotalItems)
	}
	if env := a.page(t, "/api/organizations?search=%25"); env.TotalItems != 0 {
		t.Errorf("a literal %% matched %d organisations: LIKE wildcards must be escaped", env.TotalItems)
	}
}

// editListingLocally edits a demo listing as its organisation admin, with
// referral settings and a named responder, and returns its referral email.
func editListingLocally(t *testing.T, db *gorm.DB) string {
	t.Helper()
	ctx := context.Background()
	if err := models.LoadDemoAccounts(ctx, db); err != nil {
		t.Fatal(err)
	}
	var mo models.MemberOrganisation
	db.Order("name").First(&mo)
	var admin, responder models.Membership
	db.Where("member_organisation_id = ? AND org_admin = ?", mo.ID, true).First(&admin)
	db.Where("member_organisation_id = ? AND responder = ?", mo.ID, true).First(&responder)
	actor, err := models.LoadActor(ctx, db, admin.UserID)
	if err != nil {
		t.Fatal(err)
	}
	var svc models.Service
	db.Where("organization_id = ? AND visibility = ? AND professionals_only = ?", *mo.HSDSOrganizationID, models.Published, false).Order("id").First(&svc)
	l, err := models.GetListing(ctx, db, actor, svc.ID)
	if err != nil {
		t.Fatal(err)
	}
	in := l.Input
	in.Description += " Edited here."
	in.AcceptsReferrals, in.ReferralEmail, in.Capacity = true, "private-referrals@local-only.example.org.uk", string(models.CapacityWaitingList)
	in.ResponseTargetDays, in.Responders = "7", []string{responder.ID}
	if _, err := models.SaveListing(ctx, db, nil, actor, mo.ID, svc.ID, in); err != nil {
		t.Fatal(err)
	}
	return in.ReferralEmail
}
