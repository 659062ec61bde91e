package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openreferral-uk/referrals/models"
)

// TestFeedsCommand registers a feed, harvests it, lists it and removes it
// through the command line, and checks the exit codes of mistakes.
func TestFeedsCommand(t *testing.T) {
	srv := pantryFeed(t)
	env := envOf(map[string]string{"REFERRALS_DATABASE_URL": filepath.Join(t.TempDir(), "feeds.db")})
	cmd := func(args ...string) (int, string, string) {
		t.Helper()
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"feeds"}, args...), env, &out, &errOut)
		return code, out.String(), errOut.String()
	}
	if code, _, errOut := cmd("add", "--name", "pantry", "--url", srv.URL); code != 0 {
		t.Fatalf("add: %d %s", code, errOut)
	}
	if code, _, errOut := cmd("add", "--name", "pantry", "--url", srv.URL); code != exitUsage || !strings.Contains(errOut, "exists already") {
		t.Errorf("adding a feed twice: %d %s", code, errOut)
	}
	if code, _, errOut := cmd("add", "--name", "Bad Name!", "--url", "ftp://x"); code != exitUsage || !strings.Contains(errOut, "--url") {
		t.Errorf("a bad feed: %d %s", code, errOut)
	}
	if code, out, errOut := cmd("run", "pantry"); code != 0 || !strings.Contains(out, "created") {
		t.Fatalf("run: %d\n%s\n%s", code, out, errOut)
	}
	if code, out, _ := cmd("list"); code != 0 || !strings.Contains(out, "pantry") || !strings.Contains(out, "ok") || !strings.Contains(out, "1/1/0/0/0/0") {
		t.Errorf("list: %d\n%s", code, out)
	}
	if code, out, errOut := cmd("run", "--due"); code != 0 || strings.Contains(out, "harvested pantry") {
		t.Errorf("run --due straight after a run harvested again: %d %s %s", code, out, errOut)
	}
	if code, _, _ := cmd("run"); code != exitUsage {
		t.Errorf("run with neither NAME nor --due: %d", code)
	}
	if code, _, _ := cmd("frobnicate"); code != exitUsage {
		t.Errorf("an unknown subcommand: %d", code)
	}
	if code, _, errOut := cmd("remove", "pantry"); code != 0 {
		t.Errorf("remove: %d %s", code, errOut)
	}
	if code, _, _ := cmd("remove", "pantry"); code != exitFailed {
		t.Errorf("removing a feed that is gone: %d", code)
	}
}

// pantryFeed is a live HSDS 3.0 API with one service.
func pantryFeed(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasPrefix(r.URL.Path, "/services/") {
			_, _ = w.Write([]byte(`{"id":"3a1b9b62-5f0e-4c5e-9a35-5a2f0d6a4a01","name":"Food bank","status":"active",
				"organization":{"id":"3a1b9b62-5f0e-4c5e-9a35-5a2f0d6a4a02","name":"Holmfirth Pantry"}}`))
			return
		}
		_, _ = w.Write([]byte(`{"total_items":1,"total_pages":1,"page_number":1,"size":1,"first_page":true,"last_page":true,
			"empty":false,"contents":[{"id":"3a1b9b62-5f0e-4c5e-9a35-5a2f0d6a4a01","name":"Food bank"}]}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestServeHarvestsDueFeeds starts the real program with a registered feed
// that has never run: River's periodic job harvests it without anyone
// asking.
func TestServeHarvestsDueFeeds(t *testing.T) {
	srv := pantryFeed(t)
	dbPath := filepath.Join(t.TempDir(), "serve.db")
	env := envOf(map[string]string{"REFERRALS_ADDR": "127.0.0.1:0", "REFERRALS_DEMO": "true", "REFERRALS_DATABASE_URL": dbPath})
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"feeds", "add", "--name", "pantry", "--url", srv.URL}, env, &out, &errOut); code != 0 {
		t.Fatalf("feeds add: %d %s", code, errOut.String())
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var serveOut syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"serve"}, env, &serveOut, io.Discard) }()
	db, err := models.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = models.Close(db) }()
	deadline := time.Now().Add(90 * time.Second)
	for {
		f, err := models.GetFeed(context.Background(), db, models.OperatorActor(), "pantry")
		if err == nil && f.Status == models.FeedOK {
			break
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d: %s", code, serveOut.String())
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the feed was not harvested: %+v %v\n%s", f, err, serveOut.String())
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not shut down")
	}
}
