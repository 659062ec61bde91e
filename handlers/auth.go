package handlers

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/views/account"
)

// OIDC is a configured OpenID Provider: discovered once at start-up.
type OIDC struct {
	Provider *oidc.Provider
	Config   oauth2.Config
	// EndSessionURL is the provider's end_session_endpoint, if it has one.
	EndSessionURL string
	// Now is the clock ID tokens are checked against; nil is time.Now.
	// Tests move it to check that expired tokens are refused.
	Now func() time.Time
	// AllowedTenants, for a multi-tenant Microsoft Entra ID app, lists the
	// tenant ids whose users may sign in; empty means a single issuer.
	AllowedTenants []string
}

// entraTenantIssuer is the issuer Entra's multi-tenant discovery document
// names; every tenant's tokens carry their own tenant id in its place.
const entraTenantIssuer = "https://login.microsoftonline.com/{tenantid}/v2.0"

// tenantAllowed checks a multi-tenant Entra token: its issuer must be the
// v2.0 issuer of its own tenant (tid), and that tenant must be allowed.
func tenantAllowed(issuer, tid string, allowed []string) bool {
	if tid == "" || issuer != strings.Replace(entraTenantIssuer, "{tenantid}", tid, 1) {
		return false
	}
	for _, a := range allowed {
		if strings.EqualFold(a, tid) {
			return true
		}
	}
	return false
}

// NewOIDC discovers a provider and prepares the authorization code flow.
// With allowedTenants, issuer is Microsoft Entra ID's multi-tenant
// endpoint (.../organizations/v2.0), whose discovery document names the
// placeholder issuer go-oidc would otherwise reject; tokens are then
// checked against the list of tenants instead.
func NewOIDC(ctx context.Context, issuer, clientID, clientSecret, redirectURL string, scopes []string, allowedTenants ...string) (*OIDC, error) {
	if len(allowedTenants) > 0 {
		ctx = oidc.InsecureIssuerURLContext(ctx, entraTenantIssuer)
	}
	p, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return nil, fmt.Errorf("handlers: discover OpenID Provider %s: %w", issuer, err)
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	_ = p.Claims(&meta)
	return &OIDC{
		Provider: p,
		Config: oauth2.Config{ClientID: clientID, ClientSecret: clientSecret, RedirectURL: redirectURL,
			Endpoint: p.Endpoint(), Scopes: scopes},
		EndSessionURL:  meta.EndSession,
		AllowedTenants: allowedTenants,
	}, nil
}

func randomString() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// authLogin is GET /auth/login: start the authorization code flow with
// PKCE, state and nonce, all kept in the session.
func (h *Handler) authLogin(c echo.Context) error {
	next := safeNext(c.QueryParam("next"))
	if h.opts.OIDC == nil {
		if h.opts.Demo {
			return c.Redirect(http.StatusSeeOther, "/auth/demo?next="+url.QueryEscape(next))
		}
		return render(c, http.StatusServiceUnavailable, account.SignInUnavailable(account.SignInUnavailablePage{Layout: h.layout(c, "Sign in")}), nil)
	}
	ctx := c.Request().Context()
	state, nonce, verifier := randomString(), randomString(), oauth2.GenerateVerifier()
	h.sessions.Put(ctx, sessState, state)
	h.sessions.Put(ctx, sessNonce, nonce)
	h.sessions.Put(ctx, sessVerifier, verifier)
	h.sessions.Put(ctx, sessNext, next)
	u := h.opts.OIDC.Config.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	return c.Redirect(http.StatusFound, u)
}

// authCallback is GET /auth/callback: check state, exchange the code with
// the PKCE verifier, verify the ID token and its nonce, and sign in.
func (h *Handler) authCallback(c echo.Context) error {
	if h.opts.OIDC == nil {
		return echo.ErrNotFound
	}
	ctx := c.Request().Context()
	fail := func(reason string, err error) error {
		h.log.Warn("sign-in failed", slog.String("request_id", requestID(c)), slog.String("reason", reason), slog.Any("error", err))
		_ = models.Audit(ctx, h.db, models.AuditEvent{Action: "auth.sign_in_failed", IP: c.RealIP(), Detail: reason})
		return render(c, http.StatusBadRequest, account.SignInFailed(account.SignInFailedPage{Layout: h.layout(c, "Sign-in failed")}), nil)
	}
	state := h.sessions.PopString(ctx, sessState)
	nonce := h.sessions.PopString(ctx, sessNonce)
	verifier := h.sessions.PopString(ctx, sessVerifier)
	next := safeNext(h.sessions.PopString(ctx, sessNext))
	if e := c.QueryParam("error"); e != "" {
		return fail("provider error: "+e, nil)
	}
	if state == "" || c.QueryParam("state") != state {
		return fail("state mismatch", nil)
	}
	tok, err := h.opts.OIDC.Config.Exchange(ctx, c.QueryParam("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		return fail("code exchange", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return fail("no id_token", nil)
	}
	multiTenant := len(h.opts.OIDC.AllowedTenants) > 0
	idt, err := h.opts.OIDC.Provider.Verifier(&oidc.Config{ClientID: h.opts.OIDC.Config.ClientID, Now: h.opts.OIDC.Now,
		SkipIssuerCheck: multiTenant}).Verify(ctx, raw)
	if err != nil {
		return fail("id_token verification", err)
	}
	if multiTenant {
		var t struct {
			TID string `json:"tid"`
		}
		if err := idt.Claims(&t); err != nil || !tenantAllowed(idt.Issuer, t.TID, h.opts.OIDC.AllowedTenants) {
			return fail("tenant not allowed", err)
		}
	}
	if nonce == "" || idt.Nonce != nonce {
		return fail("nonce mismatch", nil)
	}
	var claims struct {
		Email         string `json:"email"`
		EmailVerified *bool  `json:"email_verified"`
		Name          string `json:"name"`
	}
	if err := idt.Claims(&claims); err != nil {
		return fail("claims", err)
	}
	// Spec-following providers may leave email out of the ID token.
	if claims.Email == "" {
		if ui, err := h.opts.OIDC.Provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
			_ = ui.Claims(&claims)
		}
	}
	id := models.Identity{Issuer: idt.Issuer, Subject: idt.Subject, Email: claims.Email, Name: claims.Name,
		EmailVerified: claims.EmailVerified != nil && *claims.EmailVerified}
	if err := h.signIn(c, id, raw); err != nil {
		if errors.Is(err, models.ErrSuspended) {
			return fail("account suspended", err)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// signIn records the sign-in and starts a fresh session: the token is
// renewed so that a session id planted before sign-in is worthless.
func (h *Handler) signIn(c echo.Context, id models.Identity, idToken string) error {
	ctx := c.Request().Context()
	u, err := models.SignIn(ctx, h.db, id)
	if err != nil {
		return err
	}
	if err := h.sessions.RenewToken(ctx); err != nil {
		return err
	}
	h.sessions.Put(ctx, sessUserID, u.ID)
	if idToken != "" {
		h.sessions.Put(ctx, sessIDToken, idToken)
	}
	return models.Audit(ctx, h.db, models.AuditEvent{ActorUserID: &u.ID, Action: "auth.signed_in", SubjectType: "user", SubjectID: u.ID, IP: c.RealIP()})
}

// authLogout is POST /auth/logout: end the local session, then the
// provider's when it has an end-session endpoint.
func (h *Handler) authLogout(c echo.Context) error {
	ctx := c.Request().Context()
	a := currentActor(c)
	idToken := h.sessions.GetString(ctx, sessIDToken)
	if err := h.sessions.Destroy(ctx); err != nil {
		return err
	}
	if err := h.sessions.RenewToken(ctx); err != nil {
		return err
	}
	if a != nil {
		if err := models.Audit(ctx, h.db, models.AuditEvent{ActorUserID: &a.User.ID, Action: "auth.signed_out", SubjectType: "user",
			SubjectID: a.User.ID, IP: c.RealIP()}); err != nil {
			return err
		}
	}
	if h.opts.OIDC != nil && h.opts.OIDC.EndSessionURL != "" && idToken != "" {
		q := url.Values{"id_token_hint": {idToken}, "post_logout_redirect_uri": {h.opts.BaseURL + "/"},
			"client_id": {h.opts.OIDC.Config.ClientID}}
		return c.Redirect(http.StatusSeeOther, h.opts.OIDC.EndSessionURL+"?"+q.Encode())
	}
	return c.Redirect(http.StatusSeeOther, "/")
}

// authDemo is GET /auth/demo: the demo accounts, one click each.
func (h *Handler) authDemo(c echo.Context) error {
	accounts, err := models.DemoAccounts(c.Request().Context(), h.db)
	if err != nil {
		return err
	}
	vm := account.DemoPage{Layout: h.layout(c, "Try the demo"), Accounts: accounts, Next: safeNext(c.QueryParam("next"))}
	return render(c, http.StatusOK, account.Demo(vm), nil)
}

// authDemoSignIn is POST /auth/demo: sign in as a demo account.
func (h *Handler) authDemoSignIn(c echo.Context) error {
	u, err := models.DemoUser(c.Request().Context(), h.db, c.FormValue("user"))
	if err != nil {
		return err
	}
	if err := h.signIn(c, models.Identity{Issuer: u.Issuer, Subject: u.Subject, Email: u.Email, Name: u.Name, EmailVerified: true}, ""); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, safeNext(c.FormValue("next")))
}

// formOrigins are the origins besides this one that forms may end up at:
// the provider's, whose end-session endpoint sign-out redirects to.
func (h *Handler) formOrigins() []string {
	if h.opts.OIDC == nil || h.opts.OIDC.EndSessionURL == "" {
		return nil
	}
	u, err := url.Parse(h.opts.OIDC.EndSessionURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil
	}
	return []string{u.Scheme + "://" + u.Host}
}
