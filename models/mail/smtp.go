package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"net/netip"
	"regexp"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// The connection security settings of SMTPConfig.TLS.
const (
	// TLSStartTLS connects in plain text and must upgrade with STARTTLS
	// before anything else is said; a server that does not offer it is an
	// error, never a fallback to plain text. Usually port 587.
	TLSStartTLS = "starttls"
	// TLSImplicit speaks TLS from the first byte. Usually port 465.
	TLSImplicit = "tls"
	// TLSNone never encrypts. Only for a mail sink or relay on the same
	// machine or private network, such as mailpit in development.
	TLSNone = "none"
)

// The authentication mechanisms of SMTPConfig.AuthMethod; empty means none.
const (
	AuthPlain   = "plain"
	AuthLogin   = "login"
	AuthXOAUTH2 = "xoauth2"
)

// DefaultTimeout bounds connecting to the server and each SMTP command when
// SMTPConfig.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// SMTPConfig is how to reach the SMTP server that relays the platform's
// email.
type SMTPConfig struct {
	Host string
	// Port is 0 for the usual port of the TLS mode: 587 for starttls, 465
	// for tls and 25 for none.
	Port     int
	Username string
	// Password is the password, or with xoauth2 an OAuth 2.0 access token
	// (which expires: prefer Token).
	Password string
	// From is the sender, a bare address or "Name <address>", such as
	// "Community Referrals <referrals@example.org.uk>". Its domain also
	// names the Message-IDs.
	From string
	// TLS is starttls (the default when empty), tls or none.
	TLS string
	// AuthMethod is plain, login, xoauth2, or empty for no authentication.
	AuthMethod string
	// Timeout is 0 for DefaultTimeout.
	Timeout time.Duration
	// TLSConfig, if set, replaces the default TLS client settings, for a
	// relay with a certificate from a private CA. Nil verifies the
	// server's certificate for Host against the system's roots.
	TLSConfig *tls.Config
	// Token, if set with xoauth2, is called before each connection for a
	// current OAuth 2.0 access token, used instead of Password. Wire it to
	// an oauth2.TokenSource (client credentials) for Microsoft 365.
	Token func(ctx context.Context) (string, error)
}

func (c SMTPConfig) tlsMode() string {
	if c.TLS == "" {
		return TLSStartTLS
	}
	return c.TLS
}

func (c SMTPConfig) port() int {
	if c.Port != 0 {
		return c.Port
	}
	switch c.tlsMode() {
	case TLSImplicit:
		return 465
	case TLSNone:
		return 25
	}
	return 587
}

// Validate returns every problem with the configuration at once, each in a
// sentence that says what to change. It never quotes the password.
func (c SMTPConfig) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	host := strings.TrimSpace(c.Host)
	switch {
	case host == "":
		add("SMTP host is required, such as smtp.example.org.uk")
	case strings.Contains(host, "://") || strings.ContainsAny(host, " /@"):
		add("SMTP host %q must be a host name or IP address only, such as smtp.example.org.uk", c.Host)
	case strings.Contains(host, ":") && !isIP(host):
		add("SMTP host %q must not include a port: set the port separately", c.Host)
	}
	if c.Port < 0 || c.Port > 65535 {
		add("SMTP port %d must be from 1 to 65535, or 0 for the usual port of the TLS mode", c.Port)
	}
	if strings.TrimSpace(c.From) == "" {
		add("SMTP from address is required, such as referrals@example.org.uk")
	} else if a, err := mail.ParseAddress(c.From); err != nil || !strings.Contains(a.Address, "@") {
		add("SMTP from address %q is not an email address, such as referrals@example.org.uk or \"Community Referrals <referrals@example.org.uk>\"", c.From)
	}
	switch c.TLS {
	case "", TLSStartTLS, TLSImplicit, TLSNone:
	default:
		add("SMTP TLS mode %q must be starttls (STARTTLS, usually port 587), tls (implicit TLS, usually port 465) or none (local mail sinks only)", c.TLS)
	}
	switch c.AuthMethod {
	case "":
		if c.Username != "" || c.Password != "" {
			add("SMTP username or password is set but the auth method is empty: choose plain, login or xoauth2, or remove them")
		}
	case AuthPlain, AuthLogin, AuthXOAUTH2:
		if c.Username == "" {
			add("SMTP username is required with the %s auth method", c.AuthMethod)
		}
		if c.Password == "" && (c.AuthMethod != AuthXOAUTH2 || c.Token == nil) {
			add("SMTP password is required with the %s auth method", c.AuthMethod)
		}
		if c.tlsMode() == TLSNone && host != "" && !isLoopback(host) {
			add("SMTP auth with TLS mode none would send the password unencrypted to %s: use starttls or tls, or a relay on localhost", c.Host)
		}
	default:
		add("SMTP auth method %q must be plain, login, xoauth2, or empty for none", c.AuthMethod)
	}
	if c.Token != nil && c.AuthMethod != AuthXOAUTH2 {
		add("an SMTP token source is only used with the xoauth2 auth method")
	}
	if c.Timeout < 0 {
		add("SMTP timeout %s must not be negative", c.Timeout)
	}
	return errors.Join(errs...)
}

func isIP(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// SMTPSender sends email through an SMTP server, one connection per
// message. It is safe for concurrent use.
type SMTPSender struct {
	cfg    SMTPConfig
	domain string
	now    func() time.Time
}

// NewSMTP returns an SMTPSender after validating cfg. It does not connect:
// a wrong password shows on the first Send.
func NewSMTP(cfg SMTPConfig) (*SMTPSender, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	cfg.Host = strings.TrimSpace(cfg.Host)
	cfg.TLS = cfg.tlsMode()
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	from, _ := mail.ParseAddress(cfg.From)
	cfg.From = from.String()
	return &SMTPSender{cfg: cfg, domain: from.Address[strings.LastIndexByte(from.Address, '@')+1:], now: time.Now}, nil
}

func (s *SMTPSender) clientOptions(ctx context.Context) ([]gomail.Option, error) {
	c := s.cfg
	opts := []gomail.Option{gomail.WithPort(c.port()), gomail.WithTimeout(c.Timeout)}
	switch c.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if c.TLSConfig != nil {
		tc := c.TLSConfig.Clone()
		if tc.ServerName == "" {
			tc.ServerName = c.Host
		}
		opts = append(opts, gomail.WithTLSConfig(tc))
	}
	if c.AuthMethod == "" {
		return opts, nil
	}
	password := c.Password
	if c.AuthMethod == AuthXOAUTH2 && c.Token != nil {
		tok, err := c.Token(ctx)
		if err != nil {
			return nil, fmt.Errorf("mail: get SMTP access token: %w", err)
		}
		password = tok
	}
	// Validate allows an unencrypted connection with credentials only to a
	// loopback host; go-mail itself would accept only three spellings of it.
	auth := map[string]gomail.SMTPAuthType{AuthPlain: gomail.SMTPAuthPlain, AuthLogin: gomail.SMTPAuthLogin, AuthXOAUTH2: gomail.SMTPAuthXOAUTH2}[c.AuthMethod]
	if c.TLS == TLSNone && c.AuthMethod == AuthPlain {
		auth = gomail.SMTPAuthPlainNoEnc
	}
	if c.TLS == TLSNone && c.AuthMethod == AuthLogin {
		auth = gomail.SMTPAuthLoginNoEnc
	}
	return append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(c.Username), gomail.WithPassword(password)), nil
}

// Send delivers m to the SMTP server with a fresh Message-ID and Date. Its
// errors never quote a recipient's address, so they are safe to log.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	if err := m.validate(); err != nil {
		return err
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(s.cfg.From); err != nil {
		return fmt.Errorf("mail: from address: %w", err)
	}
	if err := msg.To(m.To...); err != nil {
		return s.redact(m, fmt.Errorf("mail: recipients: %w", err))
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(newID() + "@" + s.domain)
	msg.SetDateWithValue(s.now())
	// RFC 3834: tells auto-responders (out of office) not to reply.
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	opts, err := s.clientOptions(ctx)
	if err != nil {
		return err
	}
	client, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("mail: SMTP client: %w", err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return s.redact(m, fmt.Errorf("mail: send via %s:%d: %w", s.cfg.Host, s.cfg.port(), err))
	}
	return nil
}

// redact replaces the recipients' addresses in err's message, which go-mail
// and SMTP servers quote, while keeping err for errors.Is and errors.As.
func (s *SMTPSender) redact(m Message, err error) error {
	text := err.Error()
	for _, to := range m.To {
		if to != "" {
			text = regexp.MustCompile(`(?i)`+regexp.QuoteMeta(to)).ReplaceAllString(text, "[recipient]")
		}
	}
	return &redactedError{text: text, err: err}
}

type redactedError struct {
	text string
	err  error
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.err }

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
