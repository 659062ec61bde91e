package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/openreferral-uk/referrals/models"
)

// Session keys. Only ids and sign-in state live in the session, never
// personal data about service users.
const (
	sessUserID   = "user_id"
	sessState    = "oidc_state"
	sessNonce    = "oidc_nonce"
	sessVerifier = "oidc_verifier"
	sessNext     = "oidc_next"
	sessIDToken  = "oidc_id_token" //nolint:gosec // a session key's name, not a credential
	sessFlash    = "flash"
)

func newSessionManager(h *Handler) *scs.SessionManager {
	sm := scs.New()
	sm.Store = models.NewSessionStore(h.db)
	sm.Lifetime = h.opts.SessionLifetime
	sm.IdleTimeout = h.opts.SessionIdleTimeout
	sm.Cookie.Name = sessionCookieName
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = h.sessionCookieSecure()
	sm.Cookie.Path = "/"
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		h.log.Error("session store", "error", err)
		http.Error(w, "Sorry, there is a problem. Try again later.", http.StatusInternalServerError)
	}
	return sm
}

// csrfProtection refuses state-changing requests that do not carry the
// token from the page that sent them (a hidden _csrf field, or the
// X-CSRF-Token header htmx sends).
func csrfProtection(secure bool) echo.MiddlewareFunc {
	return middleware.CSRFWithConfig(middleware.CSRFConfig{ //nolint:gosec // names where the token is, holds none
		TokenLookup:    "form:_csrf,header:X-CSRF-Token",
		CookieName:     csrfCookieName,
		CookieMaxAge:   csrfCookieMaxAge,
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   secure,
		CookieSameSite: http.SameSiteStrictMode,
		ContextKey:     csrfKey,
		ErrorHandler: func(err error, c echo.Context) error {
			return echo.NewHTTPError(http.StatusForbidden, "invalid CSRF token").SetInternal(err)
		},
	})
}

const csrfKey = "csrf"

// csrfToken returns the token forms must carry.
func csrfToken(c echo.Context) string {
	t, _ := c.Get(csrfKey).(string)
	return t
}

type actorCtxKey struct{}

// currentActor returns who is making the request; nil is the public.
func currentActor(c echo.Context) *models.Actor {
	a, _ := c.Request().Context().Value(actorCtxKey{}).(*models.Actor)
	return a
}

// loadActor reads the signed-in user from the session on every request,
// so that a suspension or a removed membership takes effect at once.
func (h *Handler) loadActor(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		id := h.sessions.GetString(ctx, sessUserID)
		if id == "" {
			return next(c)
		}
		a, err := models.LoadActor(ctx, h.db, id)
		switch {
		case errors.Is(err, models.ErrNotFound), errors.Is(err, models.ErrSuspended):
			// The account is gone or suspended: the session ends here.
			if err := h.sessions.Destroy(ctx); err != nil {
				return err
			}
			return next(c)
		case err != nil:
			return err
		}
		c.SetRequest(c.Request().WithContext(context.WithValue(ctx, actorCtxKey{}, a)))
		// Pages for a signed-in member can show professionals-only details
		// and, later, people's: no cache may keep them.
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}

// requireSignIn sends the public to sign in, and back here afterwards.
func requireSignIn(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if currentActor(c) != nil {
			return next(c)
		}
		if c.Request().Method != http.MethodGet {
			return models.ErrForbidden
		}
		return c.Redirect(http.StatusSeeOther, "/auth/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
	}
}

// safeNext keeps a post-sign-in redirect on this site: a local path, never
// another host (//evil.example) or a scheme.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

// flash leaves a one-time message for the next page.
func (h *Handler) flash(c echo.Context, msg string) {
	h.sessions.Put(c.Request().Context(), sessFlash, msg)
}

// sessionCookieSecure says whether cookies are sent over HTTPS only: always
// outside development, and whenever the site's address is https.
func (h *Handler) sessionCookieSecure() bool {
	return h.opts.Production || strings.HasPrefix(h.opts.BaseURL, "https://")
}
