package mail_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/openreferral-uk/referrals/models/mail"
)

func validConfig() mail.SMTPConfig {
	return mail.SMTPConfig{Host: "smtp.example.org.uk", Port: 587, Username: "referrals@example.org.uk", Password: "pw",
		From: "Community Referrals <referrals@example.org.uk>", TLS: "starttls", AuthMethod: "plain"}
}

func TestValidate(t *testing.T) {
	token := func(context.Context) (string, error) { return "tok", nil }
	tests := []struct {
		name   string
		change func(c *mail.SMTPConfig)
		want   []string // substrings of the error; none means valid
	}{
		{"valid", func(*mail.SMTPConfig) {}, nil},
		{"defaults: starttls, no auth, usual port", func(c *mail.SMTPConfig) {
			c.TLS, c.AuthMethod, c.Username, c.Password, c.Port = "", "", "", "", 0
		}, nil},
		{"implicit TLS with login", func(c *mail.SMTPConfig) { c.TLS, c.AuthMethod, c.Port = "tls", "login", 465 }, nil},
		{"local sink without auth", func(c *mail.SMTPConfig) {
			c.Host, c.TLS, c.AuthMethod, c.Username, c.Password = "mailpit", "none", "", "", ""
		}, nil},
		{"local sink with auth on loopback", func(c *mail.SMTPConfig) { c.Host, c.TLS = "127.0.0.1", "none" }, nil},
		{"xoauth2 with a token source instead of a password", func(c *mail.SMTPConfig) {
			c.AuthMethod, c.Password, c.Token = "xoauth2", "", token
		}, nil},
		{"IPv6 host", func(c *mail.SMTPConfig) { c.Host = "2001:db8::25" }, nil},
		{"bare from address", func(c *mail.SMTPConfig) { c.From = "referrals@example.org.uk" }, nil},

		{"no host", func(c *mail.SMTPConfig) { c.Host = " " }, []string{"SMTP host is required"}},
		{"URL as host", func(c *mail.SMTPConfig) { c.Host = "smtp://smtp.example.org.uk" }, []string{"host name or IP address only"}},
		{"port in host", func(c *mail.SMTPConfig) { c.Host = "smtp.example.org.uk:587" }, []string{"must not include a port"}},
		{"port out of range", func(c *mail.SMTPConfig) { c.Port = 70000 }, []string{"from 1 to 65535"}},
		{"no from", func(c *mail.SMTPConfig) { c.From = "" }, []string{"from address is required"}},
		{"bad from", func(c *mail.SMTPConfig) { c.From = "referrals" }, []string{`from address "referrals" is not an email address`}},
		{"unknown TLS mode", func(c *mail.SMTPConfig) { c.TLS = "ssl" }, []string{`TLS mode "ssl" must be starttls`}},
		{"unknown auth", func(c *mail.SMTPConfig) { c.AuthMethod = "cram-md5" }, []string{`auth method "cram-md5" must be plain, login, xoauth2`}},
		{"auth without username", func(c *mail.SMTPConfig) { c.Username = "" }, []string{"username is required with the plain auth method"}},
		{"auth without password", func(c *mail.SMTPConfig) { c.Password = "" }, []string{"password is required with the plain auth method"}},
		{"xoauth2 without password or token", func(c *mail.SMTPConfig) { c.AuthMethod, c.Password = "xoauth2", "" }, []string{"password is required with the xoauth2"}},
		{"credentials without auth method", func(c *mail.SMTPConfig) { c.AuthMethod = "" }, []string{"auth method is empty"}},
		{"password in clear over the network", func(c *mail.SMTPConfig) { c.TLS = "none" }, []string{"unencrypted to smtp.example.org.uk"}},
		{"token without xoauth2", func(c *mail.SMTPConfig) { c.Token = token }, []string{"only used with the xoauth2"}},
		{"negative timeout", func(c *mail.SMTPConfig) { c.Timeout = -1 }, []string{"must not be negative"}},
		{"every problem at once", func(c *mail.SMTPConfig) { c.Host, c.From, c.TLS = "", "", "ssl" },
			[]string{"host is required", "from address is required", `TLS mode "ssl"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			tt.change(&c)
			err := c.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want an error containing %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q, want it to contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "pw") && c.Password == "pw" {
				t.Errorf("Validate() quotes the password: %q", err)
			}
			if _, nerr := mail.NewSMTP(c); nerr == nil {
				t.Error("NewSMTP accepted a configuration that Validate refuses")
			}
		})
	}
}

func TestLogSenderLogsNeitherAddressNorBody(t *testing.T) {
	var buf bytes.Buffer
	s := mail.NewLogSender(slog.New(slog.NewJSONHandler(&buf, nil)))
	m := mail.Message{To: []string{"alex.okafor@example.org.uk", "sam.jones@example.org.uk"}, Subject: "You have been invited",
		Text: "Open https://referrals.example.org.uk/invitations/SECRET-TOKEN to accept."}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	out := buf.String()
	for _, want := range []string{`"level":"INFO"`, `mail sent to 2 recipients, subject \"You have been invited\"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log %s does not contain %s", out, want)
		}
	}
	for _, secret := range []string{"alex", "okafor", "sam.jones", "example.org.uk", "SECRET-TOKEN", "invitations"} {
		if strings.Contains(out, secret) {
			t.Errorf("log %s contains %q", out, secret)
		}
	}
	if n := strings.Count(out, "\n"); n != 1 {
		t.Errorf("logged %d lines, want 1", n)
	}
}

func TestSendersRefuseInvalidMessages(t *testing.T) {
	ok := mail.Message{To: []string{"alex@example.org.uk"}, Subject: "Subject", Text: "Text"}
	tests := []struct {
		name   string
		change func(m *mail.Message)
	}{
		{"no recipients", func(m *mail.Message) { m.To = nil }},
		{"display name instead of a bare address", func(m *mail.Message) { m.To = []string{"Alex <alex@example.org.uk>"} }},
		{"not an address", func(m *mail.Message) { m.To = []string{"alex"} }},
		{"empty subject", func(m *mail.Message) { m.Subject = " " }},
		{"header injection in subject", func(m *mail.Message) { m.Subject = "Hi\r\nBcc: x@example.org.uk" }},
		{"empty text", func(m *mail.Message) { m.Text = "" }},
	}
	smtp, err := mail.NewSMTP(mail.SMTPConfig{Host: "127.0.0.1", Port: 1, From: "referrals@example.org.uk", TLS: "none"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	senders := map[string]mail.Sender{"log": mail.NewLogSender(slog.New(slog.NewTextHandler(&buf, nil))), "smtp": smtp}
	for _, tt := range tests {
		for name, s := range senders {
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				m := ok
				tt.change(&m)
				err := s.Send(context.Background(), m)
				if !errors.Is(err, mail.ErrInvalidMessage) {
					t.Fatalf("Send = %v, want ErrInvalidMessage", err)
				}
				if strings.Contains(err.Error(), "alex") {
					t.Errorf("error %q quotes the address", err)
				}
			})
		}
	}
	if buf.Len() != 0 {
		t.Errorf("LogSender logged refused messages: %s", buf.String())
	}
}

func TestDisabled(t *testing.T) {
	var s mail.Sender = mail.Disabled{}
	err := s.Send(context.Background(), mail.Message{To: []string{"alex@example.org.uk"}, Subject: "S", Text: "T"})
	if !errors.Is(err, mail.ErrMailDisabled) {
		t.Fatalf("Send = %v, want ErrMailDisabled", err)
	}
}

func TestXOAUTH2AsksTheTokenSourceBeforeConnecting(t *testing.T) {
	errNoToken := errors.New("token endpoint unreachable")
	calls := 0
	s, err := mail.NewSMTP(mail.SMTPConfig{Host: "smtp.office365.com", From: "referrals@example.org.uk", AuthMethod: "xoauth2",
		Username: "referrals@example.org.uk", Token: func(context.Context) (string, error) { calls++; return "", errNoToken }})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), mail.Message{To: []string{"alex@example.org.uk"}, Subject: "S", Text: "T"})
	if !errors.Is(err, errNoToken) || calls != 1 {
		t.Fatalf("Send = %v after %d token calls, want the token error after 1", err, calls)
	}
}
