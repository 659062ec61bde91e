package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
)

func TestRunVersionAndUnknownCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"version"}, envOf(nil), &out, &errOut); code != 0 || strings.TrimSpace(out.String()) == "" {
		t.Errorf("version: code %d, output %q", code, out.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"frobnicate"}, envOf(nil), &out, &errOut); code != 2 {
		t.Errorf("unknown command exited %d, want 2", code)
	}
	if !strings.Contains(errOut.String(), "unknown command") {
		t.Errorf("stderr %q", errOut.String())
	}
}

func TestRunRefusesDemoInProduction(t *testing.T) {
	var out, errOut bytes.Buffer
	env := envOf(map[string]string{"REFERRALS_ENV": "production", "REFERRALS_DEMO": "true",
		"REFERRALS_BASE_URL": "https://referrals.example.org.uk", "REFERRALS_DATABASE_URL": filepath.Join(t.TempDir(), "x.db")})
	if code := run(context.Background(), []string{"serve"}, env, &out, &errOut); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if !strings.Contains(errOut.String(), "demo mode is refused") {
		t.Errorf("stderr does not explain: %q", errOut.String())
	}
}

// TestMigrateCommand runs `migrate up`, `status` and `down` against an empty
// SQLite file and, with TEST_DATABASE_URL, an empty PostgreSQL database.
func TestMigrateCommand(t *testing.T) {
	urls := map[string]string{"sqlite": filepath.Join(t.TempDir(), "m.db")}
	if os.Getenv("TEST_DATABASE_URL") != "" || dbtest.InCI() {
		urls["postgres"] = emptyPostgresDatabase(t)
	}
	for name, u := range urls {
		t.Run(name, func(t *testing.T) {
			env := envOf(map[string]string{"REFERRALS_DATABASE_URL": u})
			var out, errOut bytes.Buffer
			if code := run(context.Background(), []string{"migrate", "up"}, env, &out, &errOut); code != 0 {
				t.Fatalf("migrate up exited %d: %s", code, errOut.String())
			}
			if !strings.HasPrefix(out.String(), "applied ") || strings.HasPrefix(out.String(), "applied 0 ") {
				t.Errorf("migrate up said %q", out.String())
			}
			out.Reset()
			if code := run(context.Background(), []string{"migrate", "status"}, env, &out, &errOut); code != 0 {
				t.Fatalf("migrate status exited %d", code)
			}
			if !strings.Contains(out.String(), "applied") || strings.Contains(out.String(), "pending") {
				t.Errorf("migrate status said %q", out.String())
			}
			out.Reset()
			if code := run(context.Background(), []string{"migrate", "down"}, env, &out, &errOut); code != 0 {
				t.Fatalf("migrate down exited %d: %s", code, errOut.String())
			}
			out.Reset()
			_ = run(context.Background(), []string{"migrate", "status"}, env, &out, &errOut)
			if !strings.Contains(out.String(), "pending") {
				t.Errorf("after down, status said %q", out.String())
			}
		})
	}
}

// emptyPostgresDatabase creates a new empty database for a test and drops it
// afterwards, so the migrate command sees a truly empty PostgreSQL.
func emptyPostgresDatabase(t *testing.T) string {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		dbtest.SkipOrFail(t, "TEST_DATABASE_URL is not set")
	}
	admin, err := models.Open(context.Background(), base)
	if err != nil {
		dbtest.SkipOrFail(t, "cannot reach PostgreSQL: "+err.Error())
	}
	name := fmt.Sprintf("referrals_cmd_%d", time.Now().UnixNano())
	if err := admin.Exec("CREATE DATABASE " + name).Error; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").Error
		_ = models.Close(admin)
	})
	i := strings.LastIndex(base, "/")
	rest := ""
	if q := strings.IndexByte(base[i:], '?'); q >= 0 {
		rest = base[i+q:]
	}
	return base[:i+1] + name + rest
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeDemoAndShutDown starts the real program in demo mode on a free
// port, reads a page and the health checks, then stops it as SIGTERM would.
func TestServeDemoAndShutDown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env := envOf(map[string]string{
		"REFERRALS_ADDR": "127.0.0.1:0", "REFERRALS_DEMO": "true",
		"REFERRALS_DATABASE_URL": filepath.Join(t.TempDir(), "serve.db"),
	})
	var out syncBuffer
	var errOut bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"serve"}, env, &out, &errOut) }()

	addr := ""
	deadline := time.Now().Add(60 * time.Second)
	for addr == "" && time.Now().Before(deadline) {
		sc := bufio.NewScanner(strings.NewReader(out.String()))
		for sc.Scan() {
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "listening" {
				addr = line.Addr
			}
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d early: %s %s", code, out.String(), errOut.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	if addr == "" {
		t.Fatalf("server did not start: %s", out.String())
	}
	get := func(path string) (int, string) {
		res, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := get("/readyz"); code != 200 || !strings.Contains(body, `"database":"ok"`) {
		t.Errorf("/readyz: %d %s", code, body)
	}
	if code, body := get("/?q=food"); code != 200 || !strings.Contains(body, "Food") {
		t.Errorf("demo search for food: %d", code)
	}
	if !strings.Contains(out.String(), `"demo_directory_loaded":true`) {
		t.Errorf("log does not say the demo directory loaded")
	}
	if strings.Contains(out.String(), "q=food") {
		t.Error("the request log contains a query string")
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d after shutdown: %s", code, errOut.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not shut down")
	}
	if !strings.Contains(out.String(), `"msg":"stopped"`) {
		t.Errorf("no graceful stop logged")
	}
}

// The data protection commands: a new key, retention counts, rotation.
func TestKeysAndRetentionCommands(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "dp.db")
	env := envOf(map[string]string{"REFERRALS_DATABASE_URL": dbPath})
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"keys", "new"}, env, &out, &errOut); code != 0 {
		t.Fatalf("keys new: %d %s", code, errOut.String())
	}
	key := strings.TrimSpace(out.String())
	if _, err := models.ParseKeyring(key); err != nil {
		t.Fatalf("keys new printed %q, which is not a key: %v", key, err)
	}
	out.Reset()
	if code := run(context.Background(), []string{"retention", "--dry-run"}, env, &out, &errOut); code != 0 || !strings.Contains(out.String(), "would anonymise 0 referral(s)") {
		t.Errorf("retention --dry-run: %d %q %s", code, out.String(), errOut.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"keys", "rotate"}, env, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "REFERRALS_ENCRYPTION_KEYS") {
		t.Errorf("keys rotate without keys: %d %s", code, errOut.String())
	}
	errOut.Reset()
	withKey := envOf(map[string]string{"REFERRALS_DATABASE_URL": dbPath, "REFERRALS_ENCRYPTION_KEYS": key})
	if code := run(context.Background(), []string{"keys", "rotate"}, withKey, &out, &errOut); code != 0 || !strings.Contains(out.String(), "0 referrals") {
		t.Errorf("keys rotate: %d %q %s", code, out.String(), errOut.String())
	}
}
