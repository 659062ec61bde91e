package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/op"
	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/handlers"
	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
)

// oidcWorld is the app and a real OpenID Provider (zitadel's example OP,
// with its real login form and PKCE), both on loopback HTTP.
type oidcWorld struct {
	app    *httptest.Server
	op     *httptest.Server
	oidc   *handlers.OIDC
	db     *gorm.DB
	client *http.Client
}

var registerOnce sync.Mutex

func newOIDCWorld(t *testing.T, now func() time.Time) *oidcWorld {
	t.Helper()
	db := dbtest.SQLite(t)
	// Both servers need each other's address before they start.
	opLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	appLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + opLn.Addr().String()
	appURL := "http://" + appLn.Addr().String()
	registerOnce.Lock()
	storage.RegisterClients(storage.WebClient("referrals-"+appLn.Addr().String(), "test-secret", appURL+"/auth/callback"))
	registerOnce.Unlock()
	st := &logoutStorage{Storage: storage.NewStorage(storage.NewUserStore(issuer)), postLogout: []string{appURL + "/"}}
	opSrv := httptest.NewUnstartedServer(exampleop.SetupServer(issuer, st, slog.New(slog.DiscardHandler), false, op.WithAllowInsecure()))
	opSrv.Listener = opLn
	opSrv.Start()
	t.Cleanup(opSrv.Close)

	o, err := handlers.NewOIDC(context.Background(), issuer, "referrals-"+appLn.Addr().String(), "test-secret",
		appURL+"/auth/callback", []string{"openid", "email", "profile"})
	if err != nil {
		t.Fatalf("discover the test OP: %v", err)
	}
	o.Now = now
	e, err := handlers.New(handlers.Options{DB: db, BaseURL: appURL, OIDC: o})
	if err != nil {
		t.Fatal(err)
	}
	appSrv := httptest.NewUnstartedServer(e)
	appSrv.Listener = appLn
	appSrv.Start()
	t.Cleanup(appSrv.Close)
	jar, _ := cookiejar.New(nil)
	return &oidcWorld{app: appSrv, op: opSrv, oidc: o, db: db, client: &http.Client{Jar: jar}}
}

// logoutStorage registers the app's address as a post-logout redirect,
// which the example OP's clients cannot be given otherwise, as a real
// provider's client registration would.
type logoutStorage struct {
	*storage.Storage
	postLogout []string
}

func (s *logoutStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	if err != nil {
		return nil, err
	}
	return logoutClient{Client: c, uris: s.postLogout}, nil
}

type logoutClient struct {
	op.Client
	uris []string
}

func (c logoutClient) PostLogoutRedirectURIs() []string { return c.uris }

var hiddenID = regexp.MustCompile(`name="id" value="([^"]+)"`)

// loginAtOP follows the app's sign-in to the OP's login form and submits
// it, returning the final response after redirects (unless stopAtApp, when
// it returns the OP's redirect back to the app without following it).
func (w *oidcWorld) loginAtOP(t *testing.T, startURL string, stopAtApp bool) *http.Response {
	t.Helper()
	res, err := w.client.Get(startURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := hiddenID.FindSubmatch(body)
	if res.StatusCode != 200 || m == nil {
		t.Fatalf("expected the OP's login form, got %d at %s", res.StatusCode, res.Request.URL)
	}
	host := strings.TrimPrefix(w.op.URL, "http://")
	host = host[:strings.IndexByte(host, ':')]
	form := url.Values{"id": {string(m[1])}, "username": {"test-user@" + host}, "password": {"verysecure"}}
	client := w.client
	if stopAtApp {
		client = &http.Client{Jar: w.client.Jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
			if strings.HasPrefix(req.URL.String(), w.app.URL) {
				return http.ErrUseLastResponse
			}
			return nil
		}}
	}
	res, err = client.PostForm(w.op.URL+"/login/username", form)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestOIDCSignInWithARealProvider(t *testing.T) {
	w := newOIDCWorld(t, nil)
	sessionCookie := func() string {
		u, _ := url.Parse(w.app.URL)
		for _, c := range w.client.Jar.Cookies(u) {
			if c.Name == "referrals_session" {
				return c.Value
			}
		}
		return ""
	}
	// A session exists before sign-in (it holds state, nonce and verifier).
	res := w.loginAtOP(t, w.app.URL+"/auth/login?next=/account", false)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Request.URL.Path != "/account" || !strings.Contains(string(body), "test-user@zitadel.ch") {
		t.Fatalf("after sign-in: %d at %s", res.StatusCode, res.Request.URL)
	}
	if !strings.Contains(string(body), "You are not part of an organisation yet") {
		t.Error("a new user with no organisation is not told what to do next")
	}
	signedIn := sessionCookie()

	// Signing in again gives a new session token (no fixation).
	res = w.loginAtOP(t, w.app.URL+"/auth/login", false)
	res.Body.Close()
	if again := sessionCookie(); again == "" || again == signedIn {
		t.Error("the session token was not renewed on sign-in")
	}

	// The account is keyed on (issuer, subject): one user after two sign-ins.
	var users []models.User
	gdb := w.db
	gdb.Find(&users)
	if len(users) != 1 || users[0].Issuer != strings.TrimSuffix(w.op.URL, "/") || users[0].Subject != "id1" || !users[0].EmailVerified {
		t.Errorf("users after two sign-ins: %+v", users)
	}
	var events []models.AuditEvent
	gdb.Where("action = ?", "auth.signed_in").Find(&events)
	if len(events) != 2 {
		t.Errorf("%d sign-in audit events, want 2", len(events))
	}
}

func TestOIDCRefusesBadAnswers(t *testing.T) {
	t.Run("wrong state", func(t *testing.T) {
		w := newOIDCWorld(t, nil)
		res := w.loginAtOP(t, w.app.URL+"/auth/login", true)
		loc, _ := url.Parse(res.Header.Get("Location"))
		res.Body.Close()
		q := loc.Query()
		q.Set("state", "forged")
		loc.RawQuery = q.Encode()
		assertSignInFails(t, w, loc.String())
	})
	t.Run("wrong nonce", func(t *testing.T) {
		w := newOIDCWorld(t, nil)
		// Start sign-in, then send the OP an authorization request whose
		// nonce is not the one the app keeps.
		noRedirect := &http.Client{Jar: w.client.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := noRedirect.Get(w.app.URL + "/auth/login")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		authz, _ := url.Parse(res.Header.Get("Location"))
		q := authz.Query()
		q.Set("nonce", "not-the-apps-nonce")
		authz.RawQuery = q.Encode()
		res = w.loginAtOP(t, authz.String(), true)
		res.Body.Close()
		assertSignInFails(t, w, res.Header.Get("Location"))
	})
	t.Run("expired ID token", func(t *testing.T) {
		w := newOIDCWorld(t, func() time.Time { return time.Now().Add(3 * time.Hour) })
		res := w.loginAtOP(t, w.app.URL+"/auth/login", true)
		res.Body.Close()
		assertSignInFails(t, w, res.Header.Get("Location"))
	})
	t.Run("code replayed", func(t *testing.T) {
		w := newOIDCWorld(t, nil)
		res := w.loginAtOP(t, w.app.URL+"/auth/login", true)
		res.Body.Close()
		callback := res.Header.Get("Location")
		ok, err := w.client.Get(callback)
		if err != nil {
			t.Fatal(err)
		}
		ok.Body.Close()
		if ok.StatusCode != 200 {
			t.Fatalf("first use of the code: %d", ok.StatusCode)
		}
		// The replay is refused; the sign-in it copied stands.
		assertSignInFails(t, w, callback, true)
	})
	t.Run("unknown issuer", func(t *testing.T) {
		if _, err := handlers.NewOIDC(context.Background(), "http://127.0.0.1:1/no-provider", "x", "y", "http://a/cb", nil); err == nil {
			t.Error("an issuer with no provider behind it was accepted")
		}
		w := newOIDCWorld(t, nil)
		// Discovery must name the same issuer it was asked for.
		if _, err := handlers.NewOIDC(context.Background(), w.op.URL+"/", "x", "y", "http://a/cb", nil); err == nil {
			t.Error("an issuer whose discovery document names another issuer was accepted")
		}
	})
}

// assertSignInFails checks that a callback is refused, audited and, unless
// the user had signed in before, leaves them signed out.
func assertSignInFails(t *testing.T, w *oidcWorld, callbackURL string, signedInBefore ...bool) {
	t.Helper()
	res, err := w.client.Get(callbackURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "Sign-in did not work") {
		t.Errorf("callback %s = %d; want the sign-in failure page", callbackURL, res.StatusCode)
	}
	acct, err := w.client.Get(w.app.URL + "/account")
	if err != nil {
		t.Fatal(err)
	}
	acct.Body.Close()
	if acct.Request.URL.Path == "/account" && len(signedInBefore) == 0 {
		t.Error("a failed sign-in left the user signed in")
	}
	var n int64
	w.db.Model(&models.AuditEvent{}).Where("action = ?", "auth.sign_in_failed").Count(&n)
	if n == 0 {
		t.Error("a failed sign-in was not audited")
	}
}
