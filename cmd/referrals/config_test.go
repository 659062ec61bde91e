package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadConfigDefaults(t *testing.T) {
	c, rest, err := loadConfig("serve", nil, envOf(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(rest) != 0 {
		t.Errorf("rest = %v", rest)
	}
	if c.Addr != ":8080" || c.DatabaseURL != "data/referrals.db" || c.Env != "development" || c.Demo ||
		c.BaseURL != "http://localhost:8080" || c.ShutdownTimeout != 15*time.Second {
		t.Errorf("unexpected defaults: %+v", c)
	}
}

func TestLoadConfigFlagsOverrideEnvironment(t *testing.T) {
	env := envOf(map[string]string{"REFERRALS_ADDR": ":9000", "REFERRALS_DEMO": "true"})
	c, _, err := loadConfig("serve", []string{"--addr", "127.0.0.1:7000"}, env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:7000" {
		t.Errorf("flag did not win: addr %s", c.Addr)
	}
	if !c.Demo {
		t.Error("environment REFERRALS_DEMO=true was ignored")
	}
	if c.BaseURL != "http://localhost:7000" {
		t.Errorf("base URL %s does not follow the port", c.BaseURL)
	}
}

func TestLoadConfigRejectsBadValues(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"demo in production", map[string]string{"REFERRALS_ENV": "production", "REFERRALS_DEMO": "true", "REFERRALS_BASE_URL": "https://x.example.org.uk"},
			[]string{"REFERRALS_DEMO", "refused"}},
		{"production needs a base URL", map[string]string{"REFERRALS_ENV": "production"}, []string{"REFERRALS_BASE_URL", "required"}},
		{"production needs https", map[string]string{"REFERRALS_ENV": "production", "REFERRALS_BASE_URL": "http://x.example.org.uk"}, []string{"https"}},
		{"unknown environment", map[string]string{"REFERRALS_ENV": "staging"}, []string{"REFERRALS_ENV", "development or production"}},
		{"bad address", map[string]string{"REFERRALS_ADDR": "8080"}, []string{"REFERRALS_ADDR", "host:port"}},
		{"bad boolean", map[string]string{"REFERRALS_DEMO": "yes please"}, []string{"REFERRALS_DEMO", "true or false"}},
		{"relative base URL", map[string]string{"REFERRALS_BASE_URL": "example.org"}, []string{"REFERRALS_BASE_URL", "absolute"}},
		{"base URL with a path", map[string]string{"REFERRALS_BASE_URL": "https://example.org/app"}, []string{"path"}},
		{"bad log level", map[string]string{"REFERRALS_LOG_LEVEL": "loud"}, []string{"REFERRALS_LOG_LEVEL"}},
		{"bad duration", map[string]string{"REFERRALS_SHUTDOWN_TIMEOUT": "-3s"}, []string{"REFERRALS_SHUTDOWN_TIMEOUT"}},
		{"bad proxy", map[string]string{"REFERRALS_TRUSTED_PROXIES": "10.0.0.1, not-an-ip"}, []string{"not-an-ip"}},
		{"production needs the operator's name and contact", map[string]string{"REFERRALS_ENV": "production", "REFERRALS_BASE_URL": "https://x.example.org.uk"},
			[]string{"REFERRALS_OPERATOR_NAME", "REFERRALS_OPERATOR_CONTACT_EMAIL", "required"}},
		{"bad contact email", map[string]string{"REFERRALS_OPERATOR_CONTACT_EMAIL": "Privacy <privacy@example.org.uk>"}, []string{"REFERRALS_OPERATOR_CONTACT_EMAIL", "one email address"}},
		{"bad review date", map[string]string{"REFERRALS_ACCESSIBILITY_LAST_REVIEWED": "30/11/2026"}, []string{"REFERRALS_ACCESSIBILITY_LAST_REVIEWED", "YYYY-MM-DD"}},
		{"two problems at once", map[string]string{"REFERRALS_ADDR": "x", "REFERRALS_ENV": "y"}, []string{"REFERRALS_ADDR", "REFERRALS_ENV"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := loadConfig("serve", nil, envOf(tt.env), io.Discard)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestBooleanFlagIsASwitch(t *testing.T) {
	c, rest, err := loadConfig("serve", []string{"--demo", "--addr", ":9999"}, envOf(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Demo || c.Addr != ":9999" || len(rest) != 0 {
		t.Errorf("--demo did not act as a switch: demo %v addr %s rest %v", c.Demo, c.Addr, rest)
	}
	c, _, err = loadConfig("serve", []string{"--demo=false"}, envOf(map[string]string{"REFERRALS_DEMO": "true"}), io.Discard)
	if err != nil || c.Demo {
		t.Errorf("--demo=false did not override the environment: %v %v", c.Demo, err)
	}
}

func TestTrustedProxiesParse(t *testing.T) {
	c, _, err := loadConfig("serve", nil, envOf(map[string]string{"REFERRALS_TRUSTED_PROXIES": "10.0.0.1, 192.168.0.0/16,::1"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.TrustedProxies {
		got = append(got, p.String())
	}
	if strings.Join(got, " ") != "10.0.0.1/32 192.168.0.0/16 ::1/128" {
		t.Errorf("trusted proxies %v", got)
	}
}

// TestEverySettingIsDocumented fails when a setting is missing from
// docs/configuration.md, by environment variable or by flag.
func TestEverySettingIsDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "configuration.md"))
	if err != nil {
		t.Fatalf("read docs/configuration.md: %v", err)
	}
	for _, s := range settings {
		if !strings.Contains(string(doc), "`"+s.Env+"`") {
			t.Errorf("docs/configuration.md does not document %s", s.Env)
		}
		if !strings.Contains(string(doc), "`--"+s.Flag+"`") {
			t.Errorf("docs/configuration.md does not document the flag --%s", s.Flag)
		}
	}
}

// TestEverySettingIsInTheExampleEnvFile keeps deploy/referrals.env.example,
// the starting point for a deployment, complete.
func TestEverySettingIsInTheExampleEnvFile(t *testing.T) {
	example, err := os.ReadFile(filepath.Join("..", "..", "deploy", "referrals.env.example"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range settings {
		if !strings.Contains(string(example), "\n"+s.Env+"=") {
			t.Errorf("deploy/referrals.env.example does not set %s", s.Env)
		}
	}
}

func TestRedactDatabaseURL(t *testing.T) {
	got := redactDatabaseURL("postgres://app:s3cret@db:5432/referrals")
	if strings.Contains(got, "s3cret") {
		t.Errorf("password shown: %s", got)
	}
}
