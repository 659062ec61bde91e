package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/handlers"
	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
	"github.com/openreferral-uk/referrals/models/demo"
	"github.com/openreferral-uk/referrals/models/hsds"
	"github.com/openreferral-uk/referrals/static"
)

type app struct {
	e   *echo.Echo
	db  *gorm.DB
	log *bytes.Buffer
}

func newApp(t *testing.T, db *gorm.DB) *app {
	t.Helper()
	if _, err := models.LoadDemoDirectory(context.Background(), db); err != nil {
		t.Fatalf("load demo: %v", err)
	}
	var buf bytes.Buffer
	e, err := handlers.New(handlers.Options{
		DB: db, Logger: slog.New(slog.NewJSONHandler(&buf, nil)), BaseURL: "http://example.test", Demo: true, Version: "test",
		// The cache is on, as in production, and checks the directory
		// version on every request so that tests see their own writes.
		APICacheBytes: 16 << 20,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &app{e: e, db: db, log: &buf}
}

func (a *app) get(t *testing.T, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	a.e.ServeHTTP(rec, req)
	return rec
}

// demoService returns a demo service by a predicate, with its local settings.
func demoService(t *testing.T, pick func(id string, s demo.ServiceSettings) bool) string {
	t.Helper()
	svcs, err := demo.Services()
	if err != nil {
		t.Fatal(err)
	}
	set, err := demo.LoadSettings()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range svcs {
		if pick(s.ID, set.Services[s.ID]) {
			return s.ID
		}
	}
	t.Fatal("no demo service matches")
	return ""
}

func TestDirectorySearchPage(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		a := newApp(t, db)
		rec := a.get(t, "/")
		body := rec.Body.String()
		if rec.Code != 200 {
			t.Fatalf("GET / = %d", rec.Code)
		}
		for _, want := range []string{"<title>Find a service", `id="search-results"`, "Demo</strong>", `href="/services/`, "govuk-pagination"} {
			if !strings.Contains(body, want) {
				t.Errorf("search page lacks %q", want)
			}
		}
		if !slices.Contains(rec.Header().Values("Vary"), "HX-Request") {
			t.Errorf("Vary = %q, want HX-Request among them", rec.Header().Values("Vary"))
		}

		rec = a.get(t, "/?q=food+bank")
		if !strings.Contains(rec.Body.String(), "matching ‘food bank’") || strings.Count(rec.Body.String(), `class="app-result"`) == 0 {
			t.Errorf("search for food bank shows no results")
		}
		rec = a.get(t, "/?q=xyzzy-nothing")
		if !strings.Contains(rec.Body.String(), "0 services") || !strings.Contains(rec.Body.String(), "No services match") {
			t.Errorf("empty result not explained")
		}

		// htmx gets the results fragment only.
		rec = a.get(t, "/?q=debt", "HX-Request", "true")
		frag := rec.Body.String()
		if rec.Code != 200 || strings.Contains(frag, "<html") || !strings.HasPrefix(strings.TrimSpace(frag), `<div id="search-results"`) {
			t.Errorf("htmx request did not get the bare fragment: %.200s", frag)
		}

		if rec := a.get(t, "/?page=0"); rec.Code != http.StatusBadRequest {
			t.Errorf("page=0 gave %d, want 400", rec.Code)
		}
		if rec := a.get(t, "/?page=999"); rec.Code != 200 || !strings.Contains(rec.Body.String(), "No services match") {
			t.Errorf("a page past the end gave %d", rec.Code)
		}
	})
}

func TestSearchPagesDoNotRepeatServices(t *testing.T) {
	a := newApp(t, dbtest.SQLite(t))
	seen := map[string]int{}
	for page := 1; page <= 4; page++ {
		body := a.get(t, "/?page="+string(rune('0'+page))).Body.String()
		for _, part := range strings.Split(body, `class="app-result__title"><a class="govuk-link" href="/services/`)[1:] {
			seen[part[:36]]++
		}
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("service %s appears on %d pages", id, n)
		}
	}
	svcs, _ := demo.Services()
	set, _ := demo.LoadSettings()
	visible := 0
	for _, s := range svcs {
		if !set.Services[s.ID].Draft && !set.Services[s.ID].ProfessionalsOnly {
			visible++
		}
	}
	if len(seen) != visible {
		t.Errorf("paging through shows %d services, want the %d public ones", len(seen), visible)
	}
}

func TestServicePage(t *testing.T) {
	a := newApp(t, dbtest.SQLite(t))
	svcs, err := demo.Services()
	if err != nil {
		t.Fatal(err)
	}
	s := svcs[0]
	rec := a.get(t, "/services/"+s.ID)
	if rec.Code != 200 {
		t.Fatalf("GET service = %d", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{s.Name, s.Organization.Name, "When it runs", "Contact"} {
		if !strings.Contains(body, htmlEscape(want)) {
			t.Errorf("service page lacks %q", want)
		}
	}
	if len(s.ServiceAtLocations) > 0 && s.ServiceAtLocations[0].Location != nil && len(s.ServiceAtLocations[0].Location.Addresses) > 0 {
		if pc := s.ServiceAtLocations[0].Location.Addresses[0].PostalCode; !strings.Contains(body, pc) {
			t.Errorf("service page lacks the postcode %s", pc)
		}
	}
	if rec := a.get(t, "/services/"+strings.ToUpper(s.ID)); rec.Code != 200 {
		t.Errorf("upper-case id gave %d", rec.Code)
	}
	for _, path := range []string{"/services/00000000-0000-0000-0000-000000000000", "/services/not-an-id", "/services/%27%3B--"} {
		rec := a.get(t, path)
		if rec.Code != 404 || !strings.Contains(rec.Body.String(), "Page not found") {
			t.Errorf("%s gave %d", path, rec.Code)
		}
	}
}

func TestHiddenDataStaysHidden(t *testing.T) {
	a := newApp(t, dbtest.SQLite(t))
	set, err := demo.LoadSettings()
	if err != nil {
		t.Fatal(err)
	}
	draft := demoService(t, func(_ string, s demo.ServiceSettings) bool { return s.Draft })
	if rec := a.get(t, "/services/"+draft); rec.Code != 404 {
		t.Errorf("draft service gave %d, want 404", rec.Code)
	}
	proOnly := demoService(t, func(_ string, s demo.ServiceSettings) bool { return s.ProfessionalsOnly })
	if rec := a.get(t, "/services/"+proOnly); rec.Code != 404 {
		t.Errorf("professionals-only service gave %d to the public, want 404", rec.Code)
	}
	svcs, _ := demo.Services()
	hiddenLoc := map[string]bool{}
	for _, id := range set.ProfessionalsOnlyLocations {
		hiddenLoc[id] = true
	}
	hiddenPhone := map[string]bool{}
	for _, id := range set.ProfessionalsOnlyPhones {
		hiddenPhone[id] = true
	}
	checked := 0
	for _, s := range svcs {
		if set.Services[s.ID].Draft || set.Services[s.ID].ProfessionalsOnly {
			continue
		}
		body := a.get(t, "/services/"+s.ID).Body.String()
		for _, sal := range s.ServiceAtLocations {
			if hiddenLoc[sal.LocationID] && sal.Location != nil && len(sal.Location.Addresses) > 0 {
				checked++
				if strings.Contains(body, sal.Location.Addresses[0].Address1) {
					t.Errorf("service %s shows the professionals-only address %s", s.ID, sal.Location.Addresses[0].Address1)
				}
			}
		}
		for _, p := range s.Phones {
			if hiddenPhone[p.ID] {
				checked++
				if strings.Contains(body, p.Number) {
					t.Errorf("service %s shows the professionals-only phone %s", s.ID, p.Number)
				}
			}
		}
	}
	if checked == 0 && len(set.ProfessionalsOnlyPhones) > 0 {
		t.Log("no public service carries the hidden phone; it is on a hidden service")
	}
}

func htmlEscape(s string) string {
	r := strings.NewReplacer("&", "&amp;", "'", "&#39;", "<", "&lt;", ">", "&gt;", `"`, "&#34;")
	return r.Replace(s)
}

func TestSecurityHeadersAndLogs(t *testing.T) {
	a := newApp(t, dbtest.SQLite(t))
	rec := a.get(t, "/?q=my+secret+search")
	h := rec.Header()
	for k, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "strict-origin-when-cross-origin",
		"X-Frame-Options":        "DENY",
	} {
		if h.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, h.Get(k), want)
		}
	}
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows inline or eval: %q", csp)
	}
	if h.Get("X-Request-Id") == "" {
		t.Error("no request id")
	}
	if h.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent over plain HTTP")
	}
	if strings.Contains(rec.Body.String(), "<script>") || strings.Contains(rec.Body.String(), " style=") {
		t.Error("page has inline script or style, which the CSP blocks")
	}
	logged := a.log.String()
	if !strings.Contains(logged, `"route":"/"`) || !strings.Contains(logged, h.Get("X-Request-Id")) {
		t.Errorf("request log lacks the route or request id: %s", logged)
	}
	if strings.Contains(logged, "secret") {
		t.Errorf("request log contains the search text: %s", logged)
	}
}

func TestHealthAndStatic(t *testing.T) {
	a := newApp(t, dbtest.SQLite(t))
	if rec := a.get(t, "/healthz"); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"status":"ok"`) {
		t.Errorf("/healthz = %d %s", rec.Code, rec.Body.String())
	}
	if rec := a.get(t, "/readyz"); rec.Code != 200 {
		t.Errorf("/readyz = %d", rec.Code)
	}
	rec := a.get(t, "/static/app.css?v="+static.Version("app.css"))
	if rec.Code != 200 || !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/css") {
		t.Errorf("versioned CSS: %d %q %q", rec.Code, rec.Header().Get("Cache-Control"), rec.Header().Get("Content-Type"))
	}
	if rec := a.get(t, "/static/app.css"); strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
		t.Error("unversioned CSS cached as immutable")
	}
	for _, p := range []string{"/static/nope.js", "/static/../go.mod", "/static/assets"} {
		if rec := a.get(t, p); rec.Code != 404 {
			t.Errorf("%s = %d, want 404", p, rec.Code)
		}
	}
	// The page links every asset it needs with its version.
	body := a.get(t, "/").Body.String()
	for _, name := range []string{"app.css", "app.js", "htmx-2.0.11.min.js"} {
		if !strings.Contains(body, "/static/"+name+"?v="+static.Version(name)) {
			t.Errorf("page does not link %s with its version", name)
		}
	}
}

func TestReadyzReportsDatabaseDown(t *testing.T) {
	db := dbtest.SQLite(t)
	a := newApp(t, db)
	_ = models.Close(db)
	rec := a.get(t, "/readyz")
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the database closed = %d, want 503", rec.Code)
	}
	if rec := a.get(t, "/healthz"); rec.Code != 200 {
		t.Errorf("/healthz depends on the database: %d", rec.Code)
	}
}

func TestUnknownRouteAndMethod(t *testing.T) {
	a := newApp(t, dbtest.SQLite(t))
	if rec := a.get(t, "/no-such-page"); rec.Code != 404 || !strings.Contains(rec.Body.String(), "Page not found") {
		t.Errorf("unknown page = %d", rec.Code)
	}
	req := httptest.NewRequest(http.MethodPost, "/services/"+dbtest.ID("x", 1), nil)
	rec := httptest.NewRecorder()
	a.e.ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed && rec.Code != http.StatusNotFound {
		t.Errorf("POST to a page = %d", rec.Code)
	}
	if strings.Contains(rec.Body.String(), "echo") || strings.Contains(rec.Body.String(), "error:") {
		t.Errorf("error page leaks internals: %s", rec.Body.String())
	}
}

func demoServices() ([]hsds.Service, error) { return demo.Services() }

func demoSettings() (demo.Settings, error) { return demo.LoadSettings() }

func TestHeadRequestsAndRequestIDs(t *testing.T) {
	a := newApp(t, dbtest.SQLite(t))
	for _, p := range []string{"/healthz", "/", "/api/services"} {
		req := httptest.NewRequest(http.MethodHead, p, nil)
		rec := httptest.NewRecorder()
		a.e.ServeHTTP(rec, req)
		if rec.Code != 200 || rec.Body.Len() != 0 {
			t.Errorf("HEAD %s = %d with %d body bytes", p, rec.Code, rec.Body.Len())
		}
	}
	rec := a.get(t, "/healthz", "X-Request-Id", "chosen-by-client")
	if id := rec.Header().Get("X-Request-Id"); id == "" || id == "chosen-by-client" {
		t.Errorf("request id %q: a client-chosen id was used", id)
	}
}

func TestHSTSOnlyFromTrustedProxies(t *testing.T) {
	db := dbtest.SQLite(t)
	e, err := handlers.New(handlers.Options{DB: db, BaseURL: "https://example.test", Production: true,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		peer string
		want bool
	}{{"203.0.113.7:5000", false}, {"10.1.1.1:5000", true}} {
		req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
		req.RemoteAddr = tt.peer
		req.Header.Set("X-Forwarded-Proto", "https")
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if got := rec.Header().Get("Strict-Transport-Security") != ""; got != tt.want {
			t.Errorf("peer %s claiming https: HSTS sent = %v, want %v", tt.peer, got, tt.want)
		}
	}
}

// TestDirectoryFilters checks the caseworker's filters: category (with the
// terms below it), near a postcode (nearest first, with distances), and
// accepts referrals; each in the URL, alone and together.
func TestDirectoryFilters(t *testing.T) {
	a := newApp(t, dbtest.SQLite(t))
	// count reads the total from the results heading ("12 services ...").
	count := func(path string) (int, string) {
		t.Helper()
		rec := a.get(t, path)
		if rec.Code != 200 {
			t.Fatalf("GET %s = %d", path, rec.Code)
		}
		body := rec.Body.String()
		m := regexp.MustCompile(`<h2 class="govuk-heading-m">(\d+) services?`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("GET %s: no results heading", path)
		}
		n, _ := strconv.Atoi(m[1])
		return n, body
	}
	all, _ := count("/?page=1")
	var moneyID string
	terms, err := models.TermChoices(context.Background(), a.db)
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range terms {
		if tm.Name == "Money" {
			moneyID = tm.ID
		}
	}
	if moneyID == "" {
		t.Fatal("no Money category in the demo data")
	}
	money, body := count("/?category=" + moneyID)
	if money == 0 || money >= all || !strings.Contains(body, "Debt advice") {
		t.Errorf("the Money category (with Debt advice below it) shows %d of %d services", money, all)
	}
	accepts, body := count("/?accepts=true")
	if accepts == 0 || accepts >= all || strings.Count(body, "Accepts referrals</strong>") < min(accepts, 20) {
		t.Errorf("accepts=true shows %d services, not all marked as accepting", accepts)
	}
	near, body := count("/?postcode=HD1+2SP&miles=2")
	if near == 0 || !strings.Contains(body, " miles</strong> away") {
		t.Fatalf("near HD1 2SP shows %d services, without distances", near)
	}
	far, _ := count("/?postcode=HD1+2SP&miles=20")
	if far <= near {
		t.Errorf("20 miles shows %d services, 2 miles %d: a wider radius must show more", far, near)
	}
	// Nearest first.
	var last float64 = -1
	for _, part := range strings.Split(body, "<strong>")[1:] {
		end := strings.Index(part, " miles</strong> away")
		if end < 0 {
			continue
		}
		var d float64
		if _, err := fmt.Sscanf(part[:end], "%g", &d); err != nil {
			continue
		}
		if d < last {
			t.Errorf("results are not nearest first: %.1f after %.1f", d, last)
		}
		last = d
	}
	both, _ := count("/?postcode=HD1+2SP&miles=20&accepts=true&category=" + moneyID)
	if both == 0 || both > far || both > money {
		t.Errorf("the filters together show %d; each alone %d, %d", both, far, money)
	}
	_, body = count("/?postcode=NOT+A+POSTCODE")
	if !strings.Contains(body, "Enter a UK postcode") || !strings.Contains(body, "govuk-form-group--error") {
		t.Error("a bad postcode is not explained beside the field")
	}
	_, body = count("/?postcode=BT1+1AA")
	if !strings.Contains(body, "Northern Ireland") {
		t.Error("an uncovered postcode is not explained")
	}
	// The filters survive paging.
	if _, body := count("/?accepts=true&postcode=HD1+2SP&miles=20"); strings.Contains(body, "govuk-pagination__link") &&
		!strings.Contains(body, "accepts=true") {
		t.Error("page links drop the filters")
	}
}

// TestDirectoryDayAgeAndCostFilters checks the open-on-a-day, age and free
// filters against what the demo data says, service by service.
func TestDirectoryDayAgeAndCostFilters(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) { checkDayAgeAndCostFilters(t, newApp(t, db)) })
}

func checkDayAgeAndCostFilters(t *testing.T, a *app) {
	svcs, public := demoIndex(t)
	total := func(path string) int {
		t.Helper()
		rec := a.get(t, path)
		m := regexp.MustCompile(`<h2 class="govuk-heading-m">(\d+) services?`).FindStringSubmatch(rec.Body.String())
		if rec.Code != 200 || m == nil {
			t.Fatalf("GET %s = %d", path, rec.Code)
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	// Which locations have their own schedules on Saturday.
	locOpen := map[string]bool{}
	for _, s := range svcs {
		for _, sal := range s.ServiceAtLocations {
			if sal.Location == nil {
				continue
			}
			for _, sc := range sal.Location.Schedules {
				if strings.Contains(strings.ToUpper(sc.Byday), "SA") {
					locOpen[sal.LocationID] = true
				}
			}
		}
	}
	var saturday, age10, free int
	for _, s := range svcs {
		if !public[s.ID] {
			continue
		}
		open := false
		for _, sc := range s.Schedules {
			open = open || strings.Contains(strings.ToUpper(sc.Byday), "SA")
		}
		for _, sal := range s.ServiceAtLocations {
			for _, sc := range sal.Schedules {
				open = open || strings.Contains(strings.ToUpper(sc.Byday), "SA")
			}
			open = open || locOpen[sal.LocationID]
		}
		if open {
			saturday++
		}
		if (s.MinimumAge == nil || *s.MinimumAge <= 10) && (s.MaximumAge == nil || *s.MaximumAge >= 10) {
			age10++
		}
		priced := false
		for _, c := range s.CostOptions {
			priced = priced || (c.Amount != nil && *c.Amount > 0)
		}
		if !priced && (s.FeesDescription == "" || strings.Contains(strings.ToLower(s.FeesDescription), "free")) {
			free++
		}
	}
	if saturday == 0 || age10 == 0 || free == 0 {
		t.Fatalf("the demo data cannot test these filters: %d open Saturday, %d for age 10, %d free", saturday, age10, free)
	}
	if got := total("/?open=SA"); got != saturday {
		t.Errorf("open on Saturday: %d services, want %d", got, saturday)
	}
	if got := total("/?age=10"); got != age10 {
		t.Errorf("age 10: %d services, want %d", got, age10)
	}
	if got := total("/?free=true"); got != free {
		t.Errorf("free: %d services, want %d", got, free)
	}
	if got := total("/?free=true&age=10&open=SA"); got > min(saturday, age10, free) {
		t.Errorf("the three together: %d services, more than any alone", got)
	}
	rec := a.get(t, "/?age=ten")
	if !strings.Contains(rec.Body.String(), "Enter an age in whole years") {
		t.Error("a bad age is not explained")
	}
	if got := total("/?open=XX"); got != total("/") {
		t.Error("an unknown day filtered the results")
	}
}
