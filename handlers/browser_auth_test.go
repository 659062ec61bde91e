package handlers_test

import (
	"context"
	"fmt"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
)

// TestBrowserSignInThroughTheProvider signs in as a person would: a real
// headless Chromium, the app, and a real OpenID Provider with its own login
// form, all on loopback.
func TestBrowserSignInThroughTheProvider(t *testing.T) {
	chromium := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			chromium = p
			break
		}
	}
	if chromium == "" {
		dbtest.SkipOrFail(t, "no Chromium on PATH (chromium, chromium-browser or google-chrome), so the browser tests cannot run (apt-get install -y chromium)")
	}
	w := newOIDCWorld(t, nil)
	app, opURL := w.app.URL, w.op.URL

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium),
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
	ctx, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithErrorf(t.Logf))
	// Cleanups run last first: the browser closes before the servers do.
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", chromium, err)
	}
	watch := watchAppConsole(t, ctx, app)
	hops := recordDocumentRequests(t, ctx)

	// 1. A signed-out person asks for their account and is sent to sign in,
	// landing on the provider's own login form.
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(app+"/account"))
	if err != nil {
		t.Fatalf("open /account: %v", err)
	}
	if resp.Status != 200 || !strings.HasPrefix(resp.URL, opURL+"/login/username") {
		t.Fatalf("/account led to %s (%d), want the OP's login form at %s/login/username; hops %q", resp.URL, resp.Status, opURL, hops.take())
	}
	wantHops(t, hops.take(), app+"/account", app+"/auth/login?next=%2Faccount", opURL+"/auth?", opURL+"/login/username?")
	waitFor(t, ctx, "the OP's login form", `!!(document.querySelector('#username') && document.querySelector('#password') && document.querySelector('button[type=submit]'))`)

	// 2. They type their username and password and submit the form.
	host := strings.TrimPrefix(opURL, "http://")
	host = host[:strings.IndexByte(host, ':')]
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("username"), "test-user@"+host),
		chromedp.SendKeys(chromedp.ID("password"), "verysecure"),
	); err != nil {
		t.Fatalf("fill in the login form: %v", err)
	}
	resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	if err != nil {
		t.Fatalf("submit the login form: %v", err)
	}
	if resp.Status != 200 || resp.URL != app+"/account" {
		t.Fatalf("after signing in the browser is at %s (%d), want %s/account; hops %q", resp.URL, resp.Status, app, hops.take())
	}
	wantHops(t, hops.take(), opURL+"/login/username", opURL+"/auth/callback?", app+"/auth/callback?", app+"/account")
	if got := eval[string](t, ctx, `location.href`); got != app+"/account" {
		t.Fatalf("location %s, want %s/account", got, app)
	}
	waitFor(t, ctx, "app.js to mark the body", `document.body.classList.contains('js-enabled') && document.body.classList.contains('govuk-frontend-supported')`)

	// 3. The account page says who they are and what to do next.
	main := eval[string](t, ctx, `document.querySelector('main').innerText`)
	for _, want := range []string{"Your account", "test-user@zitadel.ch", "You are not part of an organisation yet"} {
		if !strings.Contains(main, want) {
			t.Errorf("the account page does not show %q; it shows:\n%s", want, main)
		}
	}
	var user models.User
	if err := w.db.Where("email = ?", "test-user@zitadel.ch").First(&user).Error; err != nil {
		t.Fatalf("the signed-in user is not in the database: %v", err)
	}
	header := eval[struct {
		Link    string `json:"link"`
		Current string `json:"current"`
		SignOut bool   `json:"signOut"`
		SignIn  bool   `json:"signIn"`
	}](t, ctx, `(() => {
		const nav = document.querySelector('header nav');
		const a = nav.querySelector('a[href="/account"]');
		return {
			link: a ? a.textContent.trim() : '',
			current: a ? (a.getAttribute('aria-current') || '') : '',
			signOut: [...nav.querySelectorAll('form[method=post][action="/auth/logout"] button[type=submit]')].some(b => b.textContent.trim() === 'Sign out'),
			signIn: [...nav.querySelectorAll('a')].some(a => a.textContent.trim() === 'Sign in'),
		};
	})()`)
	if want := user.DisplayName(); header.Link != want || (want != user.Name && want != user.Email) {
		t.Errorf("the header's account link says %q, want the user's name or email %q", header.Link, want)
	}
	if header.Current != "page" {
		t.Errorf("the header's account link has aria-current=%q on the account page, want \"page\"", header.Current)
	}
	if !header.SignOut {
		t.Error("the header has no \"Sign out\" button posting to /auth/logout")
	}
	if header.SignIn {
		t.Error("the header still offers \"Sign in\" to a signed-in user")
	}
	watch.check(t, ctx, "/account")

	// 4. They sign out. The app ends its session and, as the OP has an
	// end_session_endpoint, sends the browser there to end the OP's too.
	if w.oidc.EndSessionURL == "" {
		t.Fatal("the OP's discovery document named no end_session_endpoint; this test expects one")
	}
	resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`header form[action="/auth/logout"] button[type=submit]`)))
	signOutHops := hops.take()
	if err != nil {
		// The page's own errors (a CSP violation, say) explain why.
		t.Errorf("clicking \"Sign out\" did not get the browser anywhere (%v): it is still at %s; document requests %q",
			err, eval[string](t, ctx, `location.href`), signOutHops)
		watch.check(t, ctx, "/account on signing out")
	} else {
		signedOutAt(t, ctx, w, resp.Status, signOutHops)
		watch.check(t, ctx, "signing out")
	}

	// 5. The local session has ended: the account page sends them to sign
	// in again, in the same browser.
	resp, err = chromedp.Run(ctx, chromedp.NavigateResponse(app+"/account"))
	if err != nil {
		t.Fatalf("open /account again: %v", err)
	}
	again := hops.take()
	if len(again) < 2 || again[1] != app+"/auth/login?next=%2Faccount" {
		t.Errorf("/account after signing out went %q; want a redirect to %s/auth/login?next=%%2Faccount", again, app)
	}
	if strings.HasPrefix(resp.URL, app) {
		t.Errorf("/account after signing out ended at %s (%d), still on the app", resp.URL, resp.Status)
	}
}

// signedOutAt checks where signing out took the browser: from POST
// /auth/logout to the OP's end_session_endpoint with the ID token as hint,
// and from there back to the app's home page.
func signedOutAt(t *testing.T, ctx context.Context, w *oidcWorld, status int64, hops []string) {
	t.Helper()
	app := w.app.URL
	if len(hops) < 2 || hops[0] != app+"/auth/logout" || !strings.HasPrefix(hops[1], w.oidc.EndSessionURL+"?") {
		t.Fatalf("signing out went %q; want POST %s/auth/logout, then the OP's end_session_endpoint %s", hops, app, w.oidc.EndSessionURL)
	}
	es, _ := url.Parse(hops[1])
	q := es.Query()
	if q.Get("id_token_hint") == "" || q.Get("post_logout_redirect_uri") != app+"/" || q.Get("client_id") != w.oidc.Config.ClientID {
		t.Errorf("the end-session request is %s; want id_token_hint, post_logout_redirect_uri=%s/ and client_id=%s", es, app, w.oidc.Config.ClientID)
	}
	landed := eval[string](t, ctx, `location.href`)
	body := eval[string](t, ctx, `document.body ? document.body.innerText.slice(0, 300) : ''`)
	if landed != app+"/" || status != 200 {
		short := make([]string, len(hops))
		for i, h := range hops {
			short[i], _, _ = strings.Cut(h, "?")
		}
		why := ""
		if strings.Contains(body, "post_logout_redirect_uri invalid") {
			why = " (the OP refuses the app's post_logout_redirect_uri: the client newOIDCWorld registers, storage.WebClient, has no post-logout redirect URIs)"
		}
		landed, _, _ = strings.Cut(landed, "?")
		t.Errorf("after signing out the browser is at %s (%d) showing %q, via %q; want the app's home page %s/%s", landed, status, body, short, app, why)
		return
	}
	waitFor(t, ctx, "app.js to mark the body", `document.body.classList.contains('js-enabled') && document.body.classList.contains('govuk-frontend-supported')`)
	if !eval[bool](t, ctx, `(() => {
		const nav = document.querySelector('header nav');
		return !nav.querySelector('form[action="/auth/logout"]') && [...nav.querySelectorAll('a')].some(a => a.textContent.trim() === 'Sign in');
	})()`) {
		t.Error("the home page after signing out does not offer \"Sign in\", or still offers \"Sign out\"")
	}
}

// wantHops checks that a navigation went through the given URLs in order
// (each a prefix when it ends in ?), with no other document request.
func wantHops(t *testing.T, got []string, want ...string) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(want); i++ {
		if strings.HasSuffix(want[i], "?") {
			ok = strings.HasPrefix(got[i], want[i])
		} else {
			ok = got[i] == want[i]
		}
	}
	if !ok {
		t.Errorf("navigation went %q, want %q", got, want)
	}
}

// documentRequests records, in order, the URL of every top-level document
// request the browser makes, redirects included.
type documentRequests struct {
	mu   sync.Mutex
	urls []string
}

func recordDocumentRequests(t *testing.T, ctx context.Context) *documentRequests {
	t.Helper()
	d := &documentRequests{}
	if err := chromedp.Listen(ctx, func(ev any) {
		if ev, ok := ev.(*network.EventRequestWillBeSent); ok && ev.Type == network.ResourceTypeDocument {
			d.mu.Lock()
			d.urls = append(d.urls, ev.Request.URL+ev.Request.URLFragment)
			d.mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	return d
}

// take returns the requests since the last call.
func (d *documentRequests) take() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	u := d.urls
	d.urls = nil
	return u
}

// appConsoleWatch collects console errors, uncaught exceptions and browser
// log errors (where Chromium reports CSP violations) on the app's own pages,
// ignoring the OP's, which are not the app's to answer for.
type appConsoleWatch struct {
	mu   sync.Mutex
	doc  string // the URL of the top-level document now shown
	msgs []string
}

func watchAppConsole(t *testing.T, ctx context.Context, app string) *appConsoleWatch {
	t.Helper()
	w := &appConsoleWatch{}
	onApp := func(u string) bool { return u == app || strings.HasPrefix(u, app+"/") }
	if err := chromedp.Listen(ctx, func(ev any) {
		var msg, where string
		switch ev := ev.(type) {
		case *page.EventFrameNavigated:
			if ev.Frame.ParentID == "" {
				w.mu.Lock()
				w.doc = ev.Frame.URL
				w.mu.Unlock()
			}
			return
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			where = d.URL
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
			where = e.URL
			msg = fmt.Sprintf("browser log (%s, %s) %s: %s", e.Source, e.Level, e.URL, e.Text)
		default:
			return
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		if where == "" {
			where = w.doc
		}
		if onApp(where) || onApp(w.doc) {
			w.msgs = append(w.msgs, msg+" (on "+w.doc+")")
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	// cspWatchJS (browser_test.go) records securitypolicyviolation events
	// from the first moment of every document.
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspWatchJS}); err != nil {
		t.Fatal(err)
	}
	return w
}

// check fails the test with whatever the app's pages have reported so far,
// after a moment for late events, and with the CSP violations the page now
// shown has recorded.
func (w *appConsoleWatch) check(t *testing.T, ctx context.Context, pageName string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Sleep(200*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	for _, v := range eval[[]string](t, ctx, `window.__cspViolations || []`) {
		t.Errorf("%s: securitypolicyviolation: %s", pageName, v)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, m := range w.msgs {
		t.Errorf("%s: %s", pageName, m)
	}
	w.msgs = nil
}
