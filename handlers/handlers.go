// Package handlers is the HTTP surface of the platform: Echo routes that
// translate requests into calls on models and render the answers with views.
// Handlers hold no business rules.
package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/geo"
	"github.com/openreferral-uk/referrals/models/mail"
)

// Options are the dependencies and settings of the HTTP layer.
type Options struct {
	DB *gorm.DB
	// Referrals is the referral use cases; nil turns referrals off (no
	// encryption key is configured).
	Referrals *models.Referrals
	// Jobs is the job queue, for pages that start background work at once
	// ("Run now" on a feed); nil leaves it to the schedule.
	Jobs    *models.Jobs
	Logger  *slog.Logger
	BaseURL string
	// Production turns on the safeguards of a public deployment.
	Production bool
	// Demo shows the demo banner and, later, demo sign-in.
	Demo    bool
	Version string
	// TrustedProxies are the only peers whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	// PostcodeLookupURL is a postcodes.io-compatible service to resolve
	// full postcodes; empty uses only the embedded centroids.
	PostcodeLookupURL string
	// APICacheBytes bounds the memory that cached API responses take; zero
	// turns the cache off.
	APICacheBytes int
	// APICacheMaxStale is how long a replica may serve a cached API
	// response after the directory changed; zero checks on every request.
	APICacheMaxStale time.Duration
	// OIDC is the OpenID Provider people sign in with; nil offers only the
	// demo sign-in (in demo mode) or none.
	OIDC *OIDC
	// SessionLifetime ends a session this long after sign-in, however busy.
	SessionLifetime time.Duration
	// SessionIdleTimeout ends a session after this long without a request.
	SessionIdleTimeout time.Duration
	// SignInRateLimit and APIRateLimit are requests a minute allowed from
	// one client address, counted across replicas; zero is no limit.
	SignInRateLimit, APIRateLimit int
	// ListingReviewPeriod is how long a listing stays confirmed: one not
	// confirmed for longer is flagged as possibly out of date. Zero flags
	// none.
	ListingReviewPeriod time.Duration
	// Mail sends the platform's email; nil sends nothing.
	Mail mail.Sender
	// Notices fill in the privacy notice and accessibility statement.
	Notices Notices
}

// Handler holds what every handler needs.
type Handler struct {
	db       *gorm.DB
	log      *slog.Logger
	opts     Options
	geo      geo.Resolver
	openAPI  []byte
	cache    *apiCache
	sessions *scs.SessionManager
	signInRL *models.RateLimiter
	apiRL    *models.RateLimiter
	exports  exportFiles
	terms    termCache
}

// New builds the application's HTTP handler with every route registered.
func New(opts Options) (*echo.Echo, error) {
	if opts.DB == nil {
		return nil, errors.New("handlers: a database is required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Mail == nil {
		opts.Mail = mail.Disabled{}
	}
	if opts.SessionLifetime <= 0 {
		opts.SessionLifetime = 12 * time.Hour
	}
	if opts.SessionIdleTimeout <= 0 {
		opts.SessionIdleTimeout = 2 * time.Hour
	}
	h := &Handler{db: opts.DB, log: opts.Logger, opts: opts, geo: geo.NewOffline()}
	h.sessions = newSessionManager(h)
	h.signInRL = models.NewRateLimiter(opts.DB, opts.SignInRateLimit, time.Minute)
	h.apiRL = models.NewRateLimiter(opts.DB, opts.APIRateLimit, time.Minute)
	if opts.PostcodeLookupURL != "" {
		h.geo = geo.NewRemote(opts.PostcodeLookupURL, h.geo)
	}
	if opts.APICacheBytes > 0 {
		h.cache = newAPICache(h, opts.APICacheBytes, opts.APICacheMaxStale)
	}
	var err error
	if h.openAPI, err = openAPIDocument(opts.BaseURL); err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = h.handleError
	e.IPExtractor = ipExtractor(opts.TrustedProxies)
	h.routes(e)
	return e, nil
}

// ServeHTTP lets a Handler's router be used where an http.Handler is wanted.
var _ http.Handler = (*echo.Echo)(nil)
