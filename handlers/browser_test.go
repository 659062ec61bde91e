package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/openreferral-uk/referrals/models/dbtest"
	"github.com/openreferral-uk/referrals/models/demo"
)

// The browser tests drive a real headless Chromium against the real app on
// a loopback server. They skip where no Chromium is installed, and fail for
// want of one in CI.

const (
	// browserTimeout bounds a whole test, browser start-up included, so that
	// a hung browser fails the test instead of hanging the suite.
	browserTimeout = 60 * time.Second
	// waitTimeout bounds each wait for something to appear in a page.
	waitTimeout = 10 * time.Second
)

// axeTags are the WCAG 2.2 A and AA rules, as the public sector must meet.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// browserSite is the app on a loopback server with a browser to visit it.
type browserSite struct {
	ctx  context.Context // the browser's context; tabs are its children
	base string          // the server's URL, without a trailing slash
}

// newBrowserSite serves the demo directory and starts Chromium.
func newBrowserSite(t *testing.T) *browserSite {
	t.Helper()
	bctx := startChromium(t)
	a := newApp(t, dbtest.SQLite(t))
	srv := httptest.NewServer(a.e)
	t.Cleanup(srv.Close)
	return &browserSite{ctx: bctx, base: srv.URL}
}

// startChromium starts a headless Chromium for the test and returns its
// context; tabs are its children. It skips (or fails in CI) without one.
// Start the server first: cleanups run last first, so the browser closes
// before the server does.
func startChromium(t *testing.T) context.Context {
	t.Helper()
	var path string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		dbtest.SkipOrFail(t, "no Chromium on PATH (chromium, chromium-browser or google-chrome), so the browser tests cannot run (apt-get install -y chromium)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	t.Cleanup(cancel)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(1280, 1024),
	)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return bctx
}

// tab opens a new tab in the browser, closed at the end of the test.
func (s *browserSite) tab(t *testing.T, opts ...chromedp.ContextOption) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(s.ctx, opts...)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return ctx
}

// open navigates the tab to path and fails unless the page has status want.
func (s *browserSite) open(t *testing.T, ctx context.Context, path string, want int64) {
	t.Helper()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(s.base+path))
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	if resp == nil || resp.Status != want {
		t.Fatalf("open %s: response %v, want status %d", path, resp, want)
	}
}

// eval runs a JavaScript expression in the tab and decodes its value.
func eval[T any](t *testing.T, ctx context.Context, expr string, opts ...chromedp.EvaluateOption) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		t.Fatalf("evaluate %.80q: %v", expr, err)
	}
	return v
}

// waitFor polls a JavaScript predicate until it is true, failing with what
// was awaited after waitTimeout.
func waitFor(t *testing.T, ctx context.Context, what, predicate string) {
	t.Helper()
	var err error
	// A navigation that finishes while the poll starts destroys the page's
	// JavaScript context under it; poll the new page instead of failing.
	for range 3 {
		err = chromedp.Do(ctx, chromedp.Poll[chromedp.Void](predicate, chromedp.WithPollingTimeout(waitTimeout)))
		if err == nil || !navigationRace(err) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// navigationRace reports whether err is Chromium saying the page's
// JavaScript context went away because the page navigated.
func navigationRace(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Cannot find context with specified id") ||
		strings.Contains(msg, "Execution context was destroyed") ||
		strings.Contains(msg, "Inspected target navigated or closed")
}

var resultLinkRE = regexp.MustCompile(`class="app-result__title"><a class="govuk-link" href="(/services/[^"]+)"`)

// serverResults fetches a search page over HTTP, as a browser without
// JavaScript would, and returns its result links in order.
func (s *browserSite) serverResults(t *testing.T, path string) []string {
	t.Helper()
	resp, err := http.Get(s.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var links []string
	for _, m := range resultLinkRE.FindAllStringSubmatch(string(body), -1) {
		links = append(links, m[1])
	}
	if len(links) == 0 {
		t.Fatalf("GET %s shows no results", path)
	}
	return links
}

// resultLinksJS lists the result links the page shows now.
const resultLinksJS = `[...document.querySelectorAll('#search-results .app-result__title a')].map(a => a.getAttribute('href'))`

// publicService is a demo service anyone may see.
func publicService(t *testing.T) string {
	t.Helper()
	return demoService(t, func(_ string, s demo.ServiceSettings) bool { return !s.Draft && !s.ProfessionalsOnly })
}

func TestBrowserDirectory(t *testing.T) {
	s := newBrowserSite(t)
	servicePath := "/services/" + publicService(t)

	t.Run("search as you type", func(t *testing.T) {
		ctx := s.tab(t)
		s.open(t, ctx, "/", 200)
		waitFor(t, ctx, "htmx and app.js", `window.htmx !== undefined && document.body.classList.contains('js-enabled')`)
		// A full reload would lose this.
		eval[chromedp.Void](t, ctx, `window.__marker = 1`)

		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("q"), "food")); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, "the results for ‘food’", `document.querySelector('#search-results h2')?.textContent.includes('matching ‘food’')`)
		// The form's filters travel in the URL too, so a search can be shared.
		waitFor(t, ctx, "the URL to carry q=food", `new URLSearchParams(location.search).get('q') === 'food'`)
		if eval[*int](t, ctx, `window.__marker`) == nil {
			t.Fatal("the page reloaded: htmx did not swap the results in place")
		}
		got := eval[[]string](t, ctx, resultLinksJS)
		if want := s.serverResults(t, "/?q=food"); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("swapped-in results %v, want the full page's %v", got, want)
		}

		title := eval[string](t, ctx, `document.querySelector('#search-results .app-result__title a').textContent.trim()`)
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("#search-results .app-result__title a")))
		if err != nil {
			t.Fatalf("follow the first result: %v", err)
		}
		if resp.Status != 200 || !strings.Contains(resp.URL, "/services/") {
			t.Fatalf("the first result led to %s (%d)", resp.URL, resp.Status)
		}
		if h1 := eval[string](t, ctx, `document.querySelector('h1').textContent.trim()`); h1 != title {
			t.Errorf("service page h1 = %q, want the result's title %q", h1, title)
		}
	})

	t.Run("without JavaScript", func(t *testing.T) {
		ctx := s.tab(t, chromedp.WithNewBrowserContext())
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatal(err)
		}
		s.open(t, ctx, "/", 200)
		if eval[bool](t, ctx, `document.body.classList.contains('js-enabled')`) {
			t.Fatal("page scripts ran although JavaScript is disabled")
		}
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("q"), "food")); err != nil {
			t.Fatal(err)
		}
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[role=search] button[type=submit]`)))
		if err != nil {
			t.Fatalf("submit the search: %v", err)
		}
		if u, err := url.Parse(resp.URL); resp.Status != 200 || err != nil || u.Path != "/" || u.Query().Get("q") != "food" {
			t.Fatalf("the search went to %s (%d), want / with q=food", resp.URL, resp.Status)
		}
		if h := eval[string](t, ctx, `document.querySelector('#search-results h2').textContent`); !strings.Contains(h, "matching ‘food’") {
			t.Errorf("results heading %q does not mention ‘food’", h)
		}
		if h1 := eval[string](t, ctx, `document.querySelector('h1')?.textContent ?? ''`); h1 != "Find a service" {
			t.Errorf("h1 %q: not the full search page", h1)
		}
		got := eval[[]string](t, ctx, resultLinksJS)
		if want := s.serverResults(t, "/?q=food"); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("results %v, want %v", got, want)
		}
	})

	t.Run("no console errors or CSP violations", func(t *testing.T) {
		for _, pg := range []struct{ name, path string }{
			{"search", "/"}, {"results", "/?q=advice"}, {"service", servicePath}, {"api docs", "/api/docs"},
		} {
			t.Run(pg.name, func(t *testing.T) {
				path := pg.path
				ctx := s.tab(t)
				w := watchConsole(t, ctx)
				s.open(t, ctx, path, 200)
				waitFor(t, ctx, "app.js to mark the body", `document.body.classList.contains('js-enabled') && document.body.classList.contains('govuk-frontend-supported')`)
				w.check(t, ctx)
			})
		}
	})

	t.Run("the CSP blocks injected scripts but not the test's own", func(t *testing.T) {
		// The accessibility checks below inject axe with Runtime.evaluate:
		// this shows that the page's CSP is enforced and that the watcher
		// sees its violations, so a clean page above means something.
		ctx := s.tab(t)
		w := watchConsole(t, ctx)
		s.open(t, ctx, "/", 200)
		eval[chromedp.Void](t, ctx, `{ const s = document.createElement('script'); s.textContent = 'window.__inline = 1'; document.head.append(s) }`)
		if eval[*int](t, ctx, `window.__inline`) != nil {
			t.Fatal("an injected inline script ran: the Content-Security-Policy is not enforced")
		}
		waitFor(t, ctx, "the securitypolicyviolation event", `(window.__cspViolations || []).length > 0`)
		w.errors(t, ctx)
		w.mu.Lock()
		defer w.mu.Unlock()
		if !strings.Contains(strings.Join(w.msgs, "\n"), "Content Security Policy") {
			t.Errorf("the browser log did not report the CSP violation; it had %q", w.msgs)
		}
	})

	t.Run("accessibility", func(t *testing.T) {
		axeSource, err := os.ReadFile("testdata/axe-4.14.1.min.js")
		if err != nil {
			t.Fatal(err)
		}
		for _, page := range []struct {
			name, path string
			status     int64
		}{
			{"search", "/", 200},
			{"results", "/?q=advice", 200},
			{"service", servicePath, 200},
			{"api docs", "/api/docs", 200},
			{"not found", "/no-such-page", 404},
		} {
			t.Run(page.name, func(t *testing.T) {
				ctx := s.tab(t)
				s.open(t, ctx, page.path, page.status)
				for _, v := range runAxe(t, ctx, string(axeSource)) {
					t.Errorf("axe %s (%s): %s; %d node(s), first %s — %s", v.ID, v.Impact, v.Help, v.Nodes, v.Target, v.HelpURL)
				}
			})
		}
	})

	t.Run("skip link is the first tab stop", func(t *testing.T) {
		ctx := s.tab(t)
		if _, err := chromedp.Call(ctx, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true}); err != nil {
			t.Fatal(err)
		}
		s.open(t, ctx, "/", 200)
		waitFor(t, ctx, "app.js", `document.body.classList.contains('govuk-frontend-supported')`)
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
			t.Fatal(err)
		}
		if got := eval[string](t, ctx, `document.activeElement.textContent.trim()`); got != "Skip to main content" {
			t.Fatalf("the first Tab focused %q, want the skip link", got)
		}
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, "focus on #main-content", `document.activeElement && document.activeElement.id === 'main-content'`)
	})

	t.Run("no horizontal scroll at 375px", func(t *testing.T) {
		ctx := s.tab(t)
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(375, 800)); err != nil {
			t.Fatal(err)
		}
		for _, page := range []struct {
			path   string
			status int64
		}{{"/", 200}, {"/?q=advice", 200}, {servicePath, 200}, {"/api/docs", 200}, {"/no-such-page", 404}} {
			path := page.path
			s.open(t, ctx, path, page.status)
			sizes := eval[[2]int](t, ctx, `[document.documentElement.scrollWidth, window.innerWidth]`)
			if sizes[0] > sizes[1] {
				t.Errorf("%s scrolls sideways at 375px: scrollWidth %d > innerWidth %d; widest: %s", path, sizes[0], sizes[1],
					eval[string](t, ctx, widestJS))
			}
		}
	})
}

// widestJS names the innermost elements whose box or content reaches past
// the right of the viewport.
const widestJS = `(() => {
	const over = e => { const r = e.getBoundingClientRect(); return Math.max(r.right, r.left + e.scrollWidth) > window.innerWidth + 0.5 };
	return [...document.querySelectorAll('body *')]
		.filter(e => over(e) && ![...e.children].some(over))
		.slice(0, 5)
		.map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
			(typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\s+/).join('.') : '') +
			' ' + JSON.stringify(e.textContent.trim().slice(0, 60)))
		.join(', ');
})()`

// consoleWatch collects a tab's console errors, uncaught exceptions and
// browser log errors (where Chromium reports CSP violations).
type consoleWatch struct {
	mu   sync.Mutex
	msgs []string
}

// cspWatchJS records securitypolicyviolation events from the first moment of
// every document, as a second witness beside the browser log.
const cspWatchJS = `window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e =>
	window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber));`

func watchConsole(t *testing.T, ctx context.Context) *consoleWatch {
	t.Helper()
	w := &consoleWatch{}
	err := chromedp.Listen(ctx, func(ev any) {
		var msg string
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg = fmt.Sprintf("uncaught exception at %s:%d: %s", d.URL, d.LineNumber+1, d.Text)
			if d.Exception != nil && d.Exception.Description != "" {
				msg += " " + d.Exception.Description
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type != runtime.ConsoleAPICalledTypeError {
				return
			}
			var parts []string
			for _, a := range ev.Args {
				if a.Description != "" {
					parts = append(parts, a.Description)
				} else {
					parts = append(parts, string(a.Value))
				}
			}
			msg = "console.error: " + strings.Join(parts, " ")
		case *cdplog.EventEntryAdded:
			e := ev.Entry
			if e.Level != cdplog.EntryLevelError && !strings.Contains(e.Text, "Content Security Policy") {
				return
			}
			msg = fmt.Sprintf("browser log (%s, %s) %s: %s", e.Source, e.Level, e.URL, e.Text)
		default:
			return
		}
		w.mu.Lock()
		w.msgs = append(w.msgs, msg)
		w.mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	// chromedp enables the Log domain for every target; enabling it again is
	// harmless and keeps this test independent of that choice.
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspWatchJS}); err != nil {
		t.Fatal(err)
	}
	return w
}

// errors returns everything the tab has reported so far, after a moment for
// late events (a module that fails after load) to arrive.
func (w *consoleWatch) errors(t *testing.T, ctx context.Context) []string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Sleep(200*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, v := range eval[[]string](t, ctx, `window.__cspViolations || []`) {
		out = append(out, "securitypolicyviolation: "+v)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return append(out, w.msgs...)
}

func (w *consoleWatch) check(t *testing.T, ctx context.Context) {
	t.Helper()
	for _, m := range w.errors(t, ctx) {
		t.Error(m)
	}
}

// axeViolation is one failed axe rule.
type axeViolation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   int    `json:"nodes"`
	Target  string `json:"target"`
}

// runAxe injects axe-core into the page and runs the WCAG 2.2 AA rules.
// Runtime.evaluate is not subject to the page's Content-Security-Policy,
// which would block an injected <script> element.
func runAxe(t *testing.T, ctx context.Context, source string) []axeViolation {
	t.Helper()
	if eval[bool](t, ctx, `typeof axe === 'undefined'`) {
		eval[chromedp.Void](t, ctx, source)
	}
	tags, _ := json.Marshal(axeTags)
	res := eval[struct {
		Passes     int            `json:"passes"`
		Violations []axeViolation `json:"violations"`
	}](t, ctx, `axe.run(document, {runOnly: {type: 'tag', values: `+string(tags)+`}})
		.then(r => ({
			passes: r.passes.length,
			violations: r.violations.map(v => ({
				id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
				nodes: v.nodes.length, target: JSON.stringify(v.nodes[0] ? v.nodes[0].target : []),
			})),
		}))`, chromedp.EvalAwaitPromise)
	if res.Passes == 0 {
		t.Fatal("axe passed no rule at all: it did not check the page")
	}
	return res.Violations
}
