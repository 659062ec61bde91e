package handlers_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/openreferral-uk/referrals/handlers"
	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
	"github.com/openreferral-uk/referrals/views/public"
)

// TestPublicPages checks that the privacy notice, accessibility statement
// and cookies page are open to everyone, linked from every page's footer,
// and show what the operator configured, or a plain placeholder outside
// production.
func TestPublicPages(t *testing.T) {
	db := dbtest.SQLite(t)
	unset := newApp(t, db)
	filled, err := handlers.New(handlers.Options{DB: db, BaseURL: "https://referrals.example.org.uk", Production: true,
		Notices: handlers.Notices{OperatorName: "Calder Valley Partnership", OperatorEmail: "privacy@calder.example.org.uk",
			ICORegistration: "ZA123456", HostingLocation: "Example Cloud, London", AccessibilityReviewed: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}})
	if err != nil {
		t.Fatal(err)
	}
	get := func(h http.Handler, path string) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code, rec.Body.String()
	}

	_, home := get(unset.e, "/")
	for _, link := range []string{`href="/privacy"`, `href="/accessibility"`, `href="/cookies"`} {
		if !strings.Contains(home, link) {
			t.Errorf("the footer has no %s", link)
		}
	}
	for _, path := range []string{"/privacy", "/accessibility", "/cookies"} {
		code, body := get(unset.e, path)
		if code != http.StatusOK {
			t.Errorf("GET %s: %d", path, code)
		}
		if path != "/cookies" && !strings.Contains(body, htmlEscape(public.Placeholder)) {
			t.Errorf("GET %s in development shows no placeholder for the unset settings", path)
		}
		code, body = get(filled, path)
		if code != http.StatusOK || strings.Contains(body, htmlEscape(public.Placeholder)) {
			t.Errorf("GET %s in production: %d, placeholder shown: %v", path, code, strings.Contains(body, htmlEscape(public.Placeholder)))
		}
	}
	_, privacy := get(filled, "/privacy")
	for _, want := range []string{"Calder Valley Partnership", "mailto:privacy@calder.example.org.uk", "ZA123456", "Example Cloud, London",
		"AES-256-GCM", "Information Commissioner", "public task", "vital interests"} {
		if !strings.Contains(privacy, want) {
			t.Errorf("the privacy notice does not say %q", want)
		}
	}
	if strings.Contains(privacy, "Data protection officer") {
		t.Error("the privacy notice offers an unset DPO contact in production")
	}
	_, statement := get(filled, "/accessibility")
	for _, want := range []string{"https://referrals.example.org.uk", "30 November 2026", "mailto:privacy@calder.example.org.uk",
		"Equality and Human Rights Commission", "Equality Commission for Northern Ireland", "partially compliant", "WCAG", "axe-core"} {
		if !strings.Contains(statement, want) {
			t.Errorf("the accessibility statement does not say %q", want)
		}
	}
}

// cookieRecorder notes the name of every cookie a server sets.
type cookieRecorder struct {
	mu    sync.Mutex
	names map[string]*http.Cookie
}

func (r *cookieRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := http.DefaultTransport.RoundTrip(req)
	if err == nil {
		r.mu.Lock()
		for _, c := range res.Cookies() {
			r.names[c.Name] = c
		}
		r.mu.Unlock()
	}
	return res, err
}

// TestCookiesPageListsEveryCookieSet drives the app as a person would (a
// visit, demo sign-in, a form, sign-out) and checks that the cookies it
// sets are exactly the ones the cookies page lists, so the page stays true.
func TestCookiesPageListsEveryCookieSet(t *testing.T) {
	ctx := context.Background()
	db := dbtest.SQLite(t)
	if _, err := models.LoadDemoDirectory(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := models.LoadDemoAccounts(ctx, db); err != nil {
		t.Fatal(err)
	}
	e, err := handlers.New(handlers.Options{DB: db, BaseURL: "http://cookies.test", Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	rec := &cookieRecorder{names: map[string]*http.Cookie{}}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Transport: rec}
	u, _ := url.Parse(srv.URL)
	csrf := func() string {
		for _, ck := range jar.Cookies(u) {
			if ck.Name == "referrals_csrf" {
				return ck.Value
			}
		}
		t.Fatal("no CSRF cookie to send forms with")
		return ""
	}
	do := func(method, path string, form url.Values) {
		t.Helper()
		var res *http.Response
		var err error
		if method == http.MethodPost {
			form.Set("_csrf", csrf())
			res, err = c.PostForm(srv.URL+path, form)
		} else {
			res, err = c.Get(srv.URL + path)
		}
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s %s ended at %s with %d", method, path, res.Request.URL.Path, res.StatusCode)
		}
	}
	do(http.MethodGet, "/", nil)
	do(http.MethodGet, "/auth/login", nil)
	do(http.MethodPost, "/auth/demo", url.Values{"user": {models.NormaliseID(models.DemoSource, "user:no-organisation")}})
	do(http.MethodGet, "/account", nil)
	do(http.MethodPost, "/join", url.Values{"name": {"Cookie Test Charity"}})
	do(http.MethodPost, "/auth/logout", url.Values{})

	res, err := http.Get(srv.URL + "/cookies")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var listed []string
	for _, m := range regexp.MustCompile(`data-cookie="([^"]+)"`).FindAllStringSubmatch(string(body), -1) {
		listed = append(listed, m[1])
	}
	var set []string
	for name := range rec.names {
		set = append(set, name)
	}
	slices.Sort(listed)
	slices.Sort(set)
	if len(set) < 2 || !slices.Equal(listed, set) {
		t.Errorf("the app set cookies %v; the cookies page lists %v", set, listed)
	}
	// The page's expiry for the CSRF cookie is the one the app sends.
	ck := rec.names["referrals_csrf"]
	if ck == nil || time.Until(ck.Expires).Round(time.Hour) != 24*time.Hour || !strings.Contains(string(body), "24 hours after your last visit") {
		t.Errorf("CSRF cookie %v: the page says it lasts 24 hours", ck)
	}
}

// TestBrowserPublicPages checks the privacy notice, accessibility statement
// and cookies page in headless Chromium: WCAG 2.2 AA with axe, one h1, a
// quiet console, and no sideways scrolling on a phone.
func TestBrowserPublicPages(t *testing.T) {
	axeSource, err := os.ReadFile("testdata/axe-4.14.1.min.js")
	if err != nil {
		t.Fatal(err)
	}
	s := newBrowserSite(t)
	for _, path := range []string{"/privacy", "/accessibility", "/cookies"} {
		t.Run(strings.TrimPrefix(path, "/"), func(t *testing.T) {
			tab := s.tab(t)
			cw := watchConsole(t, tab)
			s.open(t, tab, path, 200)
			checkPage(t, tab, cw, 200, string(axeSource))
			if err := chromedp.Do(tab, chromedp.EmulateViewport(375, 800)); err != nil {
				t.Fatal(err)
			}
			if sizes := eval[[2]int](t, tab, `[document.documentElement.scrollWidth, window.innerWidth]`); sizes[0] > sizes[1] {
				t.Errorf("%s scrolls sideways at 375px: %d > %d; widest: %s", path, sizes[0], sizes[1], eval[string](t, tab, widestJS))
			}
		})
	}
}
