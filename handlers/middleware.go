package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/openreferral-uk/referrals/models"
)

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// assignRequestID gives every request a fresh id, in the response header
// and for the logs. An id a client sends is ignored: it could be chosen to
// collide with another request's or to mislead whoever reads the logs.
func assignRequestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderXRequestID, newRequestID())
		return next(c)
	}
}

// headAsGet answers HEAD wherever GET is answered, as HTTP requires and as
// uptime monitors expect: the request is routed as a GET and the body is
// thrown away.
func headAsGet(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Method != http.MethodHead {
			return next(c)
		}
		r.Method = http.MethodGet
		c.Response().Writer = discardBody{c.Response().Writer}
		return next(c)
	}
}

// discardBody passes on headers and status but drops the body.
type discardBody struct{ http.ResponseWriter }

func (d discardBody) Write(p []byte) (int, error) { return len(p), nil }

// Flush lets streaming handlers flush a HEAD response too.
func (d discardBody) Flush() {
	if f, ok := d.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// requestID returns the id of the request being served.
func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

// logRequests writes one JSON line a request. It records the route pattern
// (/services/:id), never the URL: query strings can hold what someone typed
// into a search, and paths will hold referral references.
func (h *Handler) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		route := c.Path()
		if route == "" {
			route = "(no route)"
		}
		status := c.Response().Status
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		h.log.LogAttrs(c.Request().Context(), level, "request",
			slog.String("request_id", requestID(c)),
			slog.String("method", c.Request().Method),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Int64("bytes", c.Response().Size),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
			slog.String("ip", c.RealIP()),
		)
		return nil
	}
}

// recoverPanics turns a panic into a 500 handled like any other error,
// logging the stack so that the bug can be found.
func (h *Handler) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if e, ok := r.(error); ok && errors.Is(e, http.ErrAbortHandler) {
					panic(r)
				}
				h.log.Error("panic", slog.String("request_id", requestID(c)), slog.String("route", c.Path()),
					slog.Any("panic", r), slog.String("stack", string(debug.Stack())))
				err = fmt.Errorf("handlers: panic: %v", r)
			}
		}()
		return next(c)
	}
}

// contentSecurityPolicy allows scripts, styles and images from this origin
// only: no inline script, no eval, no framing. Forms may post here, and to
// the origins given: browsers apply form-action to the redirects after a
// post too, so signing out, which posts here and is redirected to the
// OpenID Provider's end-session endpoint, needs the provider's origin.
func contentSecurityPolicy(formOrigins []string) string {
	formAction := "'self'"
	for _, o := range formOrigins {
		formAction += " " + o
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action " + formAction + "; frame-ancestors 'none'"
}

// securityHeaders sets the headers every response carries. HSTS is sent only
// when the request arrived over TLS: directly, or through a trusted proxy
// that says so in X-Forwarded-Proto. Anyone else's X-Forwarded-Proto is
// ignored.
func securityHeaders(trusted []netip.Prefix, formOrigins []string) echo.MiddlewareFunc {
	csp := contentSecurityPolicy(formOrigins)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			hd := c.Response().Header()
			hd.Set("Content-Security-Policy", csp)
			hd.Set("X-Content-Type-Options", "nosniff")
			hd.Set("Referrer-Policy", "strict-origin-when-cross-origin")
			hd.Set("X-Frame-Options", "DENY")
			hd.Set("Cross-Origin-Opener-Policy", "same-origin")
			hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
			if c.IsTLS() || (fromTrustedProxy(c.Request(), trusted) && c.Request().Header.Get("X-Forwarded-Proto") == "https") {
				hd.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
			}
			return next(c)
		}
	}
}

// fromTrustedProxy reports whether the request's peer is a configured proxy.
func fromTrustedProxy(r *http.Request, trusted []netip.Prefix) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	for _, p := range trusted {
		if p.Contains(peer.Unmap()) {
			return true
		}
	}
	return false
}

// ipExtractor believes X-Forwarded-For only from the configured proxies,
// walking the header from the right and stopping at the first address that
// is not a trusted proxy. With none configured it uses the peer address.
func ipExtractor(trusted []netip.Prefix) echo.IPExtractor {
	isTrusted := func(a netip.Addr) bool {
		for _, p := range trusted {
			if p.Contains(a.Unmap()) {
				return true
			}
		}
		return false
	}
	return func(r *http.Request) string {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		peer, err := netip.ParseAddr(host)
		if err != nil || len(trusted) == 0 || !isTrusted(peer) {
			return host
		}
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		client := peer
		for i := len(hops) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break
			}
			client = a
			if !isTrusted(a) {
				break
			}
		}
		return client.Unmap().String()
	}
}

// rateLimited refuses a client address that has made more than the
// limiter's requests this minute, with 429 and Retry-After.
func rateLimited(rl *models.RateLimiter, name string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ok, err := rl.Allow(c.Request().Context(), name+":"+c.RealIP())
			if err != nil {
				// Counting failed: let the request through rather than lock
				// everyone out while the database has a hiccup.
				slog.Default().Warn("rate limit", slog.Any("error", err))
			}
			if !ok {
				now := time.Now()
				c.Response().Header().Set("Retry-After", strconv.Itoa(int(now.Truncate(time.Minute).Add(time.Minute).Sub(now).Seconds())+1))
				return echo.ErrTooManyRequests
			}
			return next(c)
		}
	}
}
