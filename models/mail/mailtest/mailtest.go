// Package mailtest runs mailpit, a real SMTP server that keeps what it
// receives and serves it back through a REST API, for tests that must
// prove an email was delivered (and what it did not contain).
package mailtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openreferral-uk/referrals/models/dbtest"
)

// toolsModfile finds tools/go.mod above the test's working directory.
func toolsModfile() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, "tools", "go.mod")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("tools/go.mod not found above the working directory")
		}
		dir = parent
	}
}

// binary is MAILPIT_BIN if set (a mailpit installed another way), or the
// tool that tools/go.mod pins.
var binary = sync.OnceValues(func() (string, error) {
	if p := os.Getenv("MAILPIT_BIN"); p != "" {
		return p, nil
	}
	modfile, err := toolsModfile()
	if err != nil {
		return "", err
	}
	// go tool -n builds the tool into the build cache if needed (about 40 s
	// the first time) and prints the binary's path without running it.
	cmd := exec.Command("go", "tool", "-modfile="+modfile, "-n", "mailpit")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go tool -modfile=tools/go.mod -n mailpit: %w: %s", err, stderr.String())
	}
	return strings.TrimSpace(string(out)), nil
})

// Mailpit is a running mailpit.
type Mailpit struct {
	SMTPPort int
	// API is the base URL of its REST API.
	API string
}

// FreePort returns a loopback port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().(*net.TCPAddr).Port
}

// Start runs mailpit on free loopback ports until the test ends. It skips
// the test when mailpit cannot run, or fails it when CI=true.
func Start(t testing.TB, args ...string) *Mailpit {
	t.Helper()
	bin, err := binary()
	if err != nil {
		dbtest.SkipOrFail(t, "mailpit cannot be built, so the SMTP tests cannot run: "+err.Error())
	}
	dir := t.TempDir()
	mp := &Mailpit{SMTPPort: FreePort(t)}
	httpAddr := "127.0.0.1:" + strconv.Itoa(FreePort(t))
	mp.API = "http://" + httpAddr
	logFile, err := os.Create(filepath.Join(dir, "mailpit.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{
		"--smtp", "127.0.0.1:" + strconv.Itoa(mp.SMTPPort), "--listen", httpAddr,
		"--database", filepath.Join(dir, "mailpit.db"), "--disable-version-check", "--smtp-disable-rdns",
	}, args...)...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		dbtest.SkipOrFail(t, "mailpit cannot start, so the SMTP tests cannot run: "+err.Error())
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		_ = logFile.Close()
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		if mp.ready() {
			return mp
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(logFile.Name())
			dbtest.SkipOrFail(t, "mailpit exited at start: "+string(log))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logFile.Name())
			dbtest.SkipOrFail(t, "mailpit did not answer within 20s: "+string(log))
		}
	}
}

func (mp *Mailpit) ready() bool {
	res, err := http.Get(mp.API + "/api/v1/messages")
	if err != nil {
		return false
	}
	_ = res.Body.Close()
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(mp.SMTPPort), time.Second)
	if err != nil {
		return false
	}
	_ = c.Close()
	return res.StatusCode == http.StatusOK
}

// Address is a sender or recipient.
type Address struct{ Name, Address string }

// Message is a message as mailpit's API returns it.
type Message struct {
	ID, MessageID, Subject, Text, HTML, Username string
	From                                         Address
	To                                           []Address
	Date                                         time.Time
}

// GetJSON reads a mailpit API response.
func GetJSON(t testing.TB, u string, v any) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", u, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

// Messages returns every message mailpit holds, in full, newest first.
func (mp *Mailpit) Messages(t testing.TB) []Message {
	t.Helper()
	var list struct {
		Messages []struct{ ID string } `json:"messages"`
	}
	GetJSON(t, mp.API+"/api/v1/messages?limit=500", &list)
	out := make([]Message, 0, len(list.Messages))
	for _, s := range list.Messages {
		var m Message
		GetJSON(t, mp.API+"/api/v1/message/"+url.PathEscape(s.ID), &m)
		out = append(out, m)
	}
	return out
}

// Find returns the one message with a subject, or nil; more than one
// fails the test.
func (mp *Mailpit) Find(t testing.TB, subject string) *Message {
	t.Helper()
	var found *Message
	for _, m := range mp.Messages(t) {
		if m.Subject != subject {
			continue
		}
		if found != nil {
			t.Fatalf("more than one message with subject %q", subject)
		}
		found = &m
	}
	return found
}

// WaitFor polls until a message with the subject arrives, for mail sent by
// background jobs, and returns one such message.
func (mp *Mailpit) WaitFor(t testing.TB, subject string, timeout time.Duration) *Message {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		for _, m := range mp.Messages(t) {
			if m.Subject == subject {
				return &m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no email with subject %q within %s", subject, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Headers returns a message's headers.
func (mp *Mailpit) Headers(t testing.TB, id string) map[string][]string {
	t.Helper()
	var h map[string][]string
	GetJSON(t, mp.API+"/api/v1/message/"+url.PathEscape(id)+"/headers", &h)
	return h
}
