package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/openreferral-uk/referrals/handlers"
	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/mail"
)

// Config is the whole configuration of a running instance, loaded once from
// REFERRALS_* environment variables and matching flags, and validated before
// anything starts.
type Config struct {
	Addr            string
	DatabaseURL     string
	BaseURL         string
	Env             string
	Demo            bool
	LogLevel        slog.Level
	ShutdownTimeout time.Duration
	TrustedProxies  []netip.Prefix
	// PostcodeLookupURL is a postcodes.io-compatible service; empty keeps
	// postcode lookups offline.
	PostcodeLookupURL string
	APICacheMB        int
	APICacheMaxStale  time.Duration
	// ListingReviewDays is how long a listing stays confirmed before it is
	// flagged as possibly out of date; 0 flags none.
	ListingReviewDays int

	OIDCIssuer         string
	OIDCClientID       string
	OIDCClientSecret   string
	OIDCScopes         []string
	OIDCTenants        []string
	SessionIdleTimeout time.Duration
	SessionLifetime    time.Duration
	SignInRateLimit    int
	APIRateLimit       int
	// SMTP is the outgoing mail relay; an empty Host turns email off.
	SMTP mail.SMTPConfig
	// Notify sends email through GOV.UK Notify instead of SMTP when its
	// API key is set.
	Notify mail.NotifyConfig
	// EncryptionKeys seal referrals' personal data; nil until set or, in
	// demo mode, generated (see keyring).
	EncryptionKeys *models.Keyring
	// BankHolidays names the nation whose bank holidays response targets
	// skip.
	BankHolidays string
	// Retention is how long personal data stays on closed referrals.
	Retention models.Retention
	// Notices fill in the privacy notice and accessibility statement.
	Notices handlers.Notices
}

// Production reports whether the instance runs with production safeguards.
func (c Config) Production() bool { return c.Env == "production" }

// setting describes one configuration value: its environment variable, its
// flag, its default and how to apply it. docs/configuration.md documents
// every entry; a test keeps the two in step.
type setting struct {
	Env     string
	Flag    string
	Default string
	Usage   string
	Secret  bool
	// Bool makes the flag a switch: --demo means --demo=true.
	Bool  bool
	apply func(c *Config, v string) error
}

// flagValue is a setting's flag: a string, or a switch for Bool settings.
type flagValue struct {
	v      string
	isBool bool
}

func (f *flagValue) String() string     { return f.v }
func (f *flagValue) Set(v string) error { f.v = v; return nil }
func (f *flagValue) IsBoolFlag() bool   { return f.isBool }

// settings lists every configuration value the program reads.
var settings = []setting{
	{Env: "REFERRALS_ADDR", Flag: "addr", Default: ":8080",
		Usage: "address to listen on, host:port",
		apply: func(c *Config, v string) error {
			if _, _, err := net.SplitHostPort(v); err != nil {
				return fmt.Errorf("must be host:port, such as :8080 or 127.0.0.1:8080")
			}
			c.Addr = v
			return nil
		}},
	{Env: "REFERRALS_DATABASE_URL", Flag: "database-url", Default: "data/referrals.db",
		Usage: "a SQLite file path, or a postgres:// URL for PostgreSQL", Secret: true,
		apply: func(c *Config, v string) error {
			if strings.TrimSpace(v) == "" {
				return errors.New("must not be empty")
			}
			if strings.HasPrefix(v, "postgres") {
				if _, err := url.Parse(v); err != nil {
					return errors.New("is not a valid postgres:// URL")
				}
			}
			c.DatabaseURL = v
			return nil
		}},
	{Env: "REFERRALS_BASE_URL", Flag: "base-url", Default: "",
		Usage: "the public URL people reach the app at, such as https://referrals.example.org.uk; defaults to http://localhost:PORT in development and is required in production",
		apply: func(c *Config, v string) error {
			if v == "" {
				return nil
			}
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return errors.New("must be an absolute http:// or https:// URL")
			}
			if u.Path != "" && u.Path != "/" {
				return errors.New("must not have a path: the app serves from the root")
			}
			c.BaseURL = strings.TrimSuffix(v, "/")
			return nil
		}},
	{Env: "REFERRALS_ENV", Flag: "env", Default: "development",
		Usage: "development or production; production refuses demo mode and requires a base URL",
		apply: func(c *Config, v string) error {
			if v != "development" && v != "production" {
				return errors.New("must be development or production")
			}
			c.Env = v
			return nil
		}},
	{Env: "REFERRALS_DEMO", Flag: "demo", Default: "false", Bool: true,
		Usage: "load the demo directory on first start and enable demo features (never in production)",
		apply: func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return errors.New("must be true or false")
			}
			c.Demo = b
			return nil
		}},
	{Env: "REFERRALS_LOG_LEVEL", Flag: "log-level", Default: "info",
		Usage: "debug, info, warn or error",
		apply: func(c *Config, v string) error {
			return c.LogLevel.UnmarshalText([]byte(v))
		}},
	{Env: "REFERRALS_SHUTDOWN_TIMEOUT", Flag: "shutdown-timeout", Default: "15s",
		Usage: "how long to let requests in flight finish on SIGTERM, as a Go duration",
		apply: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return errors.New("must be a positive duration such as 15s")
			}
			c.ShutdownTimeout = d
			return nil
		}},
	{Env: "REFERRALS_TRUSTED_PROXIES", Flag: "trusted-proxies", Default: "",
		Usage: "comma-separated IPs or CIDR ranges of reverse proxies whose X-Forwarded-For is believed; empty trusts none",
		apply: func(c *Config, v string) error {
			c.TrustedProxies = nil
			for _, part := range strings.Split(v, ",") {
				part = strings.TrimSpace(part)
				if part == "" {
					continue
				}
				if !strings.Contains(part, "/") {
					a, err := netip.ParseAddr(part)
					if err != nil {
						return fmt.Errorf("%q is not an IP address or CIDR range", part)
					}
					part = netip.PrefixFrom(a, a.BitLen()).String()
				}
				p, err := netip.ParsePrefix(part)
				if err != nil {
					return fmt.Errorf("%q is not an IP address or CIDR range", part)
				}
				c.TrustedProxies = append(c.TrustedProxies, p.Masked())
			}
			return nil
		}},
	{Env: "REFERRALS_POSTCODE_LOOKUP_URL", Flag: "postcode-lookup-url", Default: "",
		Usage: "a postcodes.io-compatible service to locate full postcodes (such as https://api.postcodes.io); empty uses only the built-in postcode centroids",
		apply: func(c *Config, v string) error {
			if v == "" {
				c.PostcodeLookupURL = ""
				return nil
			}
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return errors.New("must be an absolute http:// or https:// URL")
			}
			c.PostcodeLookupURL = strings.TrimSuffix(v, "/")
			return nil
		}},
	{Env: "REFERRALS_API_CACHE_MB", Flag: "api-cache-mb", Default: "64",
		Usage: "memory in MB for cached API responses on each replica; 0 turns the cache off",
		apply: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 65536 {
				return errors.New("must be a whole number of megabytes from 0 to 65536")
			}
			c.APICacheMB = n
			return nil
		}},
	{Env: "REFERRALS_API_CACHE_MAX_STALE", Flag: "api-cache-max-stale", Default: "1s",
		Usage: "how long a replica may serve a cached API response after the directory changed; 0s checks the database on every request",
		apply: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 || d > time.Hour {
				return errors.New("must be a duration from 0s to 1h, such as 1s")
			}
			c.APICacheMaxStale = d
			return nil
		}},
	{Env: "REFERRALS_LISTING_REVIEW_DAYS", Flag: "listing-review-days", Default: "180",
		Usage: "days a listing stays confirmed: one its organisation has not confirmed for longer is flagged as possibly out of date; 0 flags none",
		apply: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 3650 {
				return errors.New("must be a whole number of days from 0 to 3650")
			}
			c.ListingReviewDays = n
			return nil
		}},
	{Env: "REFERRALS_OIDC_ISSUER", Flag: "oidc-issuer", Default: "",
		Usage: "the OpenID Provider's issuer URL, such as https://login.microsoftonline.com/TENANT-ID/v2.0; empty turns OIDC sign-in off",
		apply: func(c *Config, v string) error {
			if v != "" {
				u, err := url.Parse(v)
				if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
					return errors.New("must be the provider's https:// issuer URL")
				}
			}
			c.OIDCIssuer = strings.TrimSuffix(v, "/")
			return nil
		}},
	{Env: "REFERRALS_OIDC_CLIENT_ID", Flag: "oidc-client-id", Default: "",
		Usage: "the client (application) id registered with the provider",
		apply: func(c *Config, v string) error { c.OIDCClientID = v; return nil }},
	{Env: "REFERRALS_OIDC_CLIENT_SECRET", Flag: "oidc-client-secret", Default: "", Secret: true,
		Usage: "the client secret registered with the provider",
		apply: func(c *Config, v string) error { c.OIDCClientSecret = v; return nil }},
	{Env: "REFERRALS_OIDC_SCOPES", Flag: "oidc-scopes", Default: "openid email profile",
		Usage: "space-separated scopes to ask for; openid is always included",
		apply: func(c *Config, v string) error {
			c.OIDCScopes = []string{"openid"}
			for _, s := range strings.Fields(v) {
				if s != "openid" {
					c.OIDCScopes = append(c.OIDCScopes, s)
				}
			}
			return nil
		}},
	{Env: "REFERRALS_OIDC_ALLOWED_TENANTS", Flag: "oidc-allowed-tenants", Default: "",
		Usage: "for a multi-tenant Microsoft Entra ID app: comma-separated tenant ids whose users may sign in",
		apply: func(c *Config, v string) error {
			c.OIDCTenants = nil
			for _, t := range strings.Split(v, ",") {
				if t = strings.TrimSpace(t); t != "" {
					c.OIDCTenants = append(c.OIDCTenants, t)
				}
			}
			return nil
		}},
	{Env: "REFERRALS_SESSION_IDLE_TIMEOUT", Flag: "session-idle-timeout", Default: "2h",
		Usage: "sign people out after this long without a request",
		apply: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < time.Minute {
				return errors.New("must be a duration of at least 1m, such as 2h")
			}
			c.SessionIdleTimeout = d
			return nil
		}},
	{Env: "REFERRALS_SESSION_LIFETIME", Flag: "session-lifetime", Default: "12h",
		Usage: "sign people out this long after they signed in, however active",
		apply: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < time.Minute {
				return errors.New("must be a duration of at least 1m, such as 12h")
			}
			c.SessionLifetime = d
			return nil
		}},
	{Env: "REFERRALS_RATE_LIMIT_SIGNIN", Flag: "rate-limit-signin", Default: "20",
		Usage: "sign-in attempts a minute allowed from one client address, across all replicas; 0 is no limit",
		apply: func(c *Config, v string) error { return nonNegative(v, &c.SignInRateLimit) }},
	{Env: "REFERRALS_RATE_LIMIT_API", Flag: "rate-limit-api", Default: "600",
		Usage: "public API requests a minute allowed from one client address, across all replicas; 0 is no limit",
		apply: func(c *Config, v string) error { return nonNegative(v, &c.APIRateLimit) }},
	{Env: "REFERRALS_SMTP_HOST", Flag: "smtp-host", Default: "",
		Usage: "SMTP relay host for outgoing email; empty turns email off",
		apply: func(c *Config, v string) error { c.SMTP.Host = strings.TrimSpace(v); return nil }},
	{Env: "REFERRALS_SMTP_PORT", Flag: "smtp-port", Default: "",
		Usage: "SMTP port; empty for 587 (starttls), 465 (tls) or 25 (none)",
		apply: func(c *Config, v string) error {
			if v == "" {
				c.SMTP.Port = 0
				return nil
			}
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 65535 {
				return errors.New("must be a port number from 1 to 65535")
			}
			c.SMTP.Port = n
			return nil
		}},
	{Env: "REFERRALS_SMTP_TLS", Flag: "smtp-tls", Default: "starttls",
		Usage: "starttls, tls (implicit) or none (local mail sinks only)",
		apply: func(c *Config, v string) error { c.SMTP.TLS = strings.TrimSpace(v); return nil }},
	{Env: "REFERRALS_SMTP_AUTH", Flag: "smtp-auth", Default: "",
		Usage: "plain, login, xoauth2, or empty for none",
		apply: func(c *Config, v string) error { c.SMTP.AuthMethod = strings.TrimSpace(v); return nil }},
	{Env: "REFERRALS_SMTP_USERNAME", Flag: "smtp-username", Default: "",
		Usage: "the SMTP login",
		apply: func(c *Config, v string) error { c.SMTP.Username = v; return nil }},
	{Env: "REFERRALS_SMTP_PASSWORD", Flag: "smtp-password", Default: "", Secret: true,
		Usage: "the SMTP password, app password, API key or access token",
		apply: func(c *Config, v string) error { c.SMTP.Password = v; return nil }},
	{Env: "REFERRALS_SMTP_FROM", Flag: "smtp-from", Default: "",
		Usage: "the from address, such as Community Referrals <referrals@example.org.uk>",
		apply: func(c *Config, v string) error { c.SMTP.From = strings.TrimSpace(v); return nil }},
	{Env: "REFERRALS_NOTIFY_API_KEY", Flag: "notify-api-key", Default: "", Secret: true,
		Usage: "a GOV.UK Notify API key: email goes through Notify instead of SMTP",
		apply: func(c *Config, v string) error { c.Notify.APIKey = strings.TrimSpace(v); return nil }},
	{Env: "REFERRALS_NOTIFY_TEMPLATE_ID", Flag: "notify-template-id", Default: "",
		Usage: "the GOV.UK Notify email template whose subject is ((subject)) and body ((body))",
		apply: func(c *Config, v string) error { c.Notify.TemplateID = strings.TrimSpace(v); return nil }},
	{Env: "REFERRALS_ENCRYPTION_KEYS", Flag: "encryption-keys", Default: "", Secret: true,
		Usage: "keys that encrypt referrals' personal data, as id:base64 pairs separated by commas, the current key first (make one with: referrals keys new)",
		apply: func(c *Config, v string) error {
			c.EncryptionKeys = nil
			if strings.TrimSpace(v) == "" {
				return nil
			}
			k, err := models.ParseKeyring(v)
			if err != nil {
				return errors.New(strings.TrimPrefix(err.Error(), "models: "))
			}
			c.EncryptionKeys = k
			return nil
		}},
	{Env: "REFERRALS_RETENTION", Flag: "retention", Default: models.DefaultRetention().String(),
		Usage: "days personal data stays on a referral after each final status, as status=days pairs (docs/data-protection.md)",
		apply: func(c *Config, v string) error {
			r, err := models.ParseRetention(v)
			if err != nil {
				return errors.New(strings.TrimPrefix(err.Error(), "models: "))
			}
			c.Retention = r
			return nil
		}},
	{Env: "REFERRALS_BANK_HOLIDAYS", Flag: "bank-holidays", Default: models.EnglandAndWales,
		Usage: "whose bank holidays response targets skip: england-and-wales, scotland or northern-ireland",
		apply: func(c *Config, v string) error {
			if _, err := models.NewWorkdays(v); err != nil {
				return errors.New("must be england-and-wales, scotland or northern-ireland")
			}
			c.BankHolidays = v
			return nil
		}},
	{Env: "REFERRALS_OPERATOR_NAME", Flag: "operator-name", Default: "",
		Usage: "the organisation running this service, named as data controller in the privacy notice; required in production",
		apply: func(c *Config, v string) error { c.Notices.OperatorName = strings.TrimSpace(v); return nil }},
	{Env: "REFERRALS_OPERATOR_CONTACT_EMAIL", Flag: "operator-contact-email", Default: "",
		Usage: "the email address people use to contact that organisation about their data; required in production",
		apply: func(c *Config, v string) error { return emailSetting(v, &c.Notices.OperatorEmail) }},
	{Env: "REFERRALS_DPO_CONTACT", Flag: "dpo-contact", Default: "",
		Usage: "how to reach the operator's data protection officer, such as a name and email address",
		apply: func(c *Config, v string) error { c.Notices.DPOContact = strings.TrimSpace(v); return nil }},
	{Env: "REFERRALS_ICO_REGISTRATION", Flag: "ico-registration", Default: "",
		Usage: "the operator's registration number with the Information Commissioner's Office, such as ZA123456 (optional)",
		apply: func(c *Config, v string) error { c.Notices.ICORegistration = strings.TrimSpace(v); return nil }},
	{Env: "REFERRALS_HOSTING_LOCATION", Flag: "hosting-location", Default: "",
		Usage: "where the database and app are hosted, such as \"Microsoft Azure, UK South (London)\", for the privacy notice",
		apply: func(c *Config, v string) error { c.Notices.HostingLocation = strings.TrimSpace(v); return nil }},
	{Env: "REFERRALS_ACCESSIBILITY_CONTACT_EMAIL", Flag: "accessibility-contact-email", Default: "",
		Usage: "where people report accessibility problems or ask for another format; defaults to the operator's contact email",
		apply: func(c *Config, v string) error { return emailSetting(v, &c.Notices.AccessibilityEmail) }},
	{Env: "REFERRALS_ACCESSIBILITY_LAST_REVIEWED", Flag: "accessibility-last-reviewed", Default: "",
		Usage: "the date the operator last reviewed the accessibility statement, as YYYY-MM-DD",
		apply: func(c *Config, v string) error {
			c.Notices.AccessibilityReviewed = time.Time{}
			if v = strings.TrimSpace(v); v == "" {
				return nil
			}
			d, err := time.Parse(time.DateOnly, v)
			if err != nil {
				return errors.New("must be a date as YYYY-MM-DD, such as 2026-11-30")
			}
			c.Notices.AccessibilityReviewed = d
			return nil
		}},
}

// emailSetting accepts an empty value or one bare email address.
func emailSetting(v string, into *string) error {
	v = strings.TrimSpace(v)
	if v != "" && !mail.ValidAddress(v) {
		return errors.New("must be one email address, such as privacy@example.org.uk")
	}
	*into = v
	return nil
}

func nonNegative(v string, into *int) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return errors.New("must be a whole number, 0 or more")
	}
	*into = n
	return nil
}

// loadConfig reads the configuration from the environment and then from
// flags in args, which win. It returns every problem at once, naming the
// variable, so that a misconfigured deployment is fixed in one go.
func loadConfig(name string, args []string, getenv func(string) string, stderr io.Writer) (Config, []string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	values := make(map[string]*flagValue, len(settings))
	for _, s := range settings {
		v := &flagValue{v: s.Default, isBool: s.Bool}
		if e := getenv(s.Env); e != "" {
			v.v = e
		}
		values[s.Env] = v
		fs.Var(v, s.Flag, s.Usage+" (env "+s.Env+")")
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, nil, err
	}
	var c Config
	var problems []string
	for _, s := range settings {
		if err := s.apply(&c, values[s.Env].v); err != nil {
			problems = append(problems, fmt.Sprintf("%s (--%s): %v", s.Env, s.Flag, err))
		}
	}
	if len(problems) == 0 {
		problems = append(problems, c.crossCheck()...)
	}
	if len(problems) > 0 {
		return Config{}, nil, fmt.Errorf("configuration is not valid:\n  %s", strings.Join(problems, "\n  "))
	}
	return c, fs.Args(), nil
}

// crossCheck applies the rules that involve more than one setting.
func (c *Config) crossCheck() []string {
	var problems []string
	if c.Production() && c.Demo {
		problems = append(problems, "REFERRALS_DEMO: demo mode is refused when REFERRALS_ENV=production: it loads invented data and, later, sign-in without a password")
	}
	if c.BaseURL == "" {
		if c.Production() {
			problems = append(problems, "REFERRALS_BASE_URL: required when REFERRALS_ENV=production (links in emails and the API use it)")
		} else {
			_, port, _ := net.SplitHostPort(c.Addr)
			c.BaseURL = "http://localhost:" + port
		}
	}
	if len(c.OIDCTenants) > 0 && !strings.HasPrefix(c.OIDCIssuer, "https://login.microsoftonline.com/organizations/") &&
		!strings.HasPrefix(c.OIDCIssuer, "https://login.microsoftonline.com/common/") {
		problems = append(problems, "REFERRALS_OIDC_ALLOWED_TENANTS: needs REFERRALS_OIDC_ISSUER=https://login.microsoftonline.com/organizations/v2.0 (a multi-tenant Entra ID app)")
	}
	if c.SMTP.Host != "" {
		if err := c.SMTP.Validate(); err != nil {
			for _, p := range strings.Split(err.Error(), "\n") {
				problems = append(problems, "REFERRALS_SMTP_*: "+p)
			}
		}
	}
	if c.Notify.APIKey != "" || c.Notify.TemplateID != "" {
		if c.SMTP.Host != "" {
			problems = append(problems, "REFERRALS_NOTIFY_API_KEY: email goes through GOV.UK Notify or SMTP, not both: leave REFERRALS_SMTP_HOST empty")
		}
		if _, err := mail.NewNotify(c.Notify); err != nil {
			problems = append(problems, "REFERRALS_NOTIFY_*: "+strings.TrimPrefix(err.Error(), "mail: "))
		}
	}
	if c.OIDCIssuer != "" && c.OIDCClientID == "" {
		problems = append(problems, "REFERRALS_OIDC_CLIENT_ID: required when REFERRALS_OIDC_ISSUER is set")
	}
	if c.SessionIdleTimeout > c.SessionLifetime {
		problems = append(problems, "REFERRALS_SESSION_IDLE_TIMEOUT: must not be longer than REFERRALS_SESSION_LIFETIME")
	}
	if c.Production() && c.EncryptionKeys == nil {
		problems = append(problems, "REFERRALS_ENCRYPTION_KEYS: required when REFERRALS_ENV=production (referrals' personal data is encrypted with it); make one with: referrals keys new")
	}
	if c.Production() && c.Notices.OperatorName == "" {
		problems = append(problems, "REFERRALS_OPERATOR_NAME: required when REFERRALS_ENV=production (the privacy notice names the organisation responsible for people's data)")
	}
	if c.Production() && c.Notices.OperatorEmail == "" {
		problems = append(problems, "REFERRALS_OPERATOR_CONTACT_EMAIL: required when REFERRALS_ENV=production (the privacy notice tells people how to reach the organisation responsible for their data)")
	}
	if c.Production() && strings.HasPrefix(c.BaseURL, "http://") {
		problems = append(problems, "REFERRALS_BASE_URL: must be https:// when REFERRALS_ENV=production")
	}
	return problems
}

// logAttrs describes the effective configuration for the start-up log line,
// with secrets reduced to what is safe to show.
func (c Config) logAttrs() []any {
	proxies := make([]string, len(c.TrustedProxies))
	for i, p := range c.TrustedProxies {
		proxies[i] = p.String()
	}
	return []any{
		slog.String("addr", c.Addr),
		slog.String("database", redactDatabaseURL(c.DatabaseURL)),
		slog.String("base_url", c.BaseURL),
		slog.String("env", c.Env),
		slog.Bool("demo", c.Demo),
		slog.String("log_level", c.LogLevel.String()),
		slog.Duration("shutdown_timeout", c.ShutdownTimeout),
		slog.Any("trusted_proxies", proxies),
		slog.String("postcode_lookup_url", c.PostcodeLookupURL),
		slog.Int("api_cache_mb", c.APICacheMB),
		slog.Duration("api_cache_max_stale", c.APICacheMaxStale),
		slog.Int("listing_review_days", c.ListingReviewDays),
		slog.String("oidc_issuer", c.OIDCIssuer),
		slog.String("oidc_client_id", c.OIDCClientID),
		slog.Bool("oidc_client_secret_set", c.OIDCClientSecret != ""),
		slog.Duration("session_idle_timeout", c.SessionIdleTimeout),
		slog.Duration("session_lifetime", c.SessionLifetime),
		slog.Int("rate_limit_signin", c.SignInRateLimit),
		slog.Int("rate_limit_api", c.APIRateLimit),
		slog.String("smtp_host", c.SMTP.Host),
		slog.Int("smtp_port", c.SMTP.Port),
		slog.String("smtp_tls", c.SMTP.TLS),
		slog.String("smtp_auth", c.SMTP.AuthMethod),
		slog.String("smtp_from", c.SMTP.From),
		slog.Bool("smtp_password_set", c.SMTP.Password != ""),
		slog.Bool("notify_api_key_set", c.Notify.APIKey != ""),
		slog.String("notify_template_id", c.Notify.TemplateID),
		slog.Any("encryption_key_ids", c.keyIDs()),
		slog.String("bank_holidays", c.BankHolidays),
		slog.String("retention", c.Retention.String()),
		slog.String("operator_name", c.Notices.OperatorName),
		slog.String("operator_contact_email", c.Notices.OperatorEmail),
		slog.String("dpo_contact", c.Notices.DPOContact),
		slog.String("ico_registration", c.Notices.ICORegistration),
		slog.String("hosting_location", c.Notices.HostingLocation),
		slog.String("accessibility_contact_email", c.Notices.AccessibilityEmail),
	}
}

// keyIDs names the configured encryption keys (never the keys).
func (c Config) keyIDs() []string {
	if c.EncryptionKeys == nil {
		return []string{}
	}
	return c.EncryptionKeys.IDs()
}

// redactDatabaseURL hides the password of a PostgreSQL URL.
func redactDatabaseURL(v string) string {
	if !strings.HasPrefix(v, "postgres") {
		return v
	}
	u, err := url.Parse(v)
	if err != nil {
		return "postgres://(unparseable)"
	}
	return u.Redacted()
}
