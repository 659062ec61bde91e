package mail_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openreferral-uk/referrals/models/mail"
	"github.com/openreferral-uk/referrals/models/mail/mailtest"
)

const from = "Community Referrals <referrals@example.org.uk>"

// mailpit adds this file's helpers to a running mailpit.
type mailpit struct{ *mailtest.Mailpit }

type address = mailtest.Address

func startMailpit(t *testing.T, args ...string) *mailpit {
	t.Helper()
	return &mailpit{mailtest.Start(t, args...)}
}

func (mp *mailpit) find(t *testing.T, subject string) *mailtest.Message {
	t.Helper()
	return mp.Find(t, subject)
}

func (mp *mailpit) headers(t *testing.T, id string) map[string][]string {
	t.Helper()
	return mp.Headers(t, id)
}

func (mp *mailpit) sender(t *testing.T, c mail.SMTPConfig) *mail.SMTPSender {
	t.Helper()
	c.Host, c.Port, c.From, c.Timeout = "127.0.0.1", mp.SMTPPort, from, 10*time.Second
	s, err := mail.NewSMTP(c)
	if err != nil {
		t.Fatalf("NewSMTP: %v", err)
	}
	return s
}

// checkDelivered asserts that mailpit holds the invitation exactly as sent.
func checkDelivered(t *testing.T, mp *mailpit, m mail.Message, link, username string) {
	t.Helper()
	got := mp.find(t, m.Subject)
	if got == nil {
		t.Fatalf("mailpit has no message with subject %q", m.Subject)
	}
	if len(got.To) != 1 || got.To[0].Address != m.To[0] {
		t.Errorf("To = %v, want %s", got.To, m.To[0])
	}
	if got.From != (address{Name: "Community Referrals", Address: "referrals@example.org.uk"}) {
		t.Errorf("From = %+v, want %s", got.From, from)
	}
	if !strings.Contains(got.Text, link) {
		t.Errorf("Text does not contain the link %s:\n%s", link, got.Text)
	}
	if !strings.Contains(got.Text, "The link works once.") {
		t.Errorf("Text is not the invitation:\n%s", got.Text)
	}
	if !strings.HasSuffix(got.MessageID, "@example.org.uk") || len(got.MessageID) < 40 {
		t.Errorf("MessageID = %q, want a random id @example.org.uk", got.MessageID)
	}
	if d := time.Since(got.Date); d < -time.Minute || d > time.Minute {
		t.Errorf("Date = %s, want about now", got.Date)
	}
	if got.Username != username {
		t.Errorf("authenticated as %q, want %q", got.Username, username)
	}
	h := mp.headers(t, got.ID)
	if len(h["Date"]) != 1 || len(h["Message-Id"]) != 1 {
		t.Errorf("headers Date %q and Message-Id %q, want one each", h["Date"], h["Message-Id"])
	}
	if a := h["Auto-Submitted"]; len(a) != 1 || a[0] != "auto-generated" {
		t.Errorf("Auto-Submitted = %q, want auto-generated", a)
	}
}

func invitation(org string) (mail.Message, string) {
	link := "https://referrals.example.org.uk/invitations/" + strings.ReplaceAll(strings.ToLower(org), " ", "-")
	return mail.InvitationMessage(org, "Priya Shah", link, time.Now().Add(7*24*time.Hour), "alex.okafor@example.org.uk"), link
}

func TestSMTPWithoutTLS(t *testing.T) {
	mp := startMailpit(t, "--smtp-auth-accept-any", "--smtp-auth-allow-insecure",
		"--smtp-allowed-recipients", `@example\.org\.uk$`)
	ctx := context.Background()
	tests := []struct {
		name, auth, username string
	}{
		{"no auth", "", ""},
		{"plain auth", "plain", "referrals-plain"},
		{"login auth", "login", "referrals-login"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mail.SMTPConfig{TLS: "none", AuthMethod: tt.auth, Username: tt.username}
			if tt.auth != "" {
				c.Password = "any password"
			}
			m, link := invitation("Leeds Food Bank " + tt.name)
			if err := mp.sender(t, c).Send(ctx, m); err != nil {
				t.Fatalf("Send: %v", err)
			}
			checkDelivered(t, mp, m, link, tt.username)
		})
	}

	t.Run("starttls is required, never skipped", func(t *testing.T) {
		m, _ := invitation("Bradford Advice Centre")
		err := mp.sender(t, mail.SMTPConfig{TLS: "starttls"}).Send(ctx, m)
		if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
			t.Fatalf("Send = %v, want a STARTTLS error from a server without it", err)
		}
		if mp.find(t, m.Subject) != nil {
			t.Error("mailpit received the message in plain text")
		}
	})

	t.Run("a refused recipient's address is not in the error", func(t *testing.T) {
		m, _ := invitation("Wakefield Carers")
		m.To = []string{"Jo.Bloggs@elsewhere.example"}
		err := mp.sender(t, mail.SMTPConfig{TLS: "none"}).Send(ctx, m)
		if err == nil {
			t.Fatal("Send succeeded to a recipient mailpit refuses")
		}
		if strings.Contains(strings.ToLower(err.Error()), "jo.bloggs") {
			t.Errorf("error quotes the recipient: %v", err)
		}
		if !strings.Contains(err.Error(), "[recipient]") {
			t.Errorf("error %q does not say which recipient was refused", err)
		}
	})
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns
// their paths and a pool that trusts the certificate.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mailpit test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestSMTPWithTLS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	// mailpit splits its credentials file on any white space.
	authFile := filepath.Join(t.TempDir(), "smtp-auth")
	if err := os.WriteFile(authFile, []byte("referrals:correct-horse-battery\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	trust := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}

	t.Run("starttls", func(t *testing.T) {
		mp := startMailpit(t, "--smtp-tls-cert", certFile, "--smtp-tls-key", keyFile, "--smtp-require-starttls",
			"--smtp-auth-file", authFile)
		c := mail.SMTPConfig{TLS: "starttls", AuthMethod: "plain", Username: "referrals", Password: "correct-horse-battery", TLSConfig: trust}

		m, link := invitation("Kirklees Housing Advice")
		if err := mp.sender(t, c).Send(ctx, m); err != nil {
			t.Fatalf("Send: %v", err)
		}
		checkDelivered(t, mp, m, link, "referrals")

		wrong := c
		wrong.Password = "wrong"
		m, _ = invitation("Calderdale Mind")
		if err := mp.sender(t, wrong).Send(ctx, m); err == nil || !strings.Contains(err.Error(), "535") {
			t.Errorf("Send = %v, want 535 for a wrong password", err)
		}

		untrusted := c
		untrusted.TLSConfig = nil
		m, _ = invitation("Halifax Food Bank")
		if err := mp.sender(t, untrusted).Send(ctx, m); err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Errorf("Send = %v, want a certificate error from a server that is not trusted", err)
		}
		if mp.find(t, m.Subject) != nil {
			t.Error("mailpit received a message over an unverified connection")
		}
	})

	t.Run("implicit tls", func(t *testing.T) {
		mp := startMailpit(t, "--smtp-tls-cert", certFile, "--smtp-tls-key", keyFile, "--smtp-require-tls",
			"--smtp-auth-file", authFile)
		c := mail.SMTPConfig{TLS: "tls", AuthMethod: "login", Username: "referrals", Password: "correct-horse-battery", TLSConfig: trust}
		m, link := invitation("Leeds Refugee Forum")
		if err := mp.sender(t, c).Send(ctx, m); err != nil {
			t.Fatalf("Send: %v", err)
		}
		checkDelivered(t, mp, m, link, "referrals")
	})
}
