package importer

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// walk reads every item of a source.
func walk(t *testing.T, src Source) ([]Item, error) {
	t.Helper()
	var items []Item
	err := src.Walk(context.Background(), func(it Item) error {
		items = append(items, it)
		return nil
	})
	return items, err
}

// TestAPIRetriesPolitely: a feed that answers 503 and 429 now and then is
// retried with backoff, Retry-After is honoured, a listed record the feed
// cannot return is skipped and reported, and a feed that keeps failing
// fails the run.
func TestAPIRetriesPolitely(t *testing.T) {
	feed := newV1Feed(30, 10)
	var calls sync.Map // path+query -> *atomic.Int64
	feed.setFail(func(r *http.Request) (int, string) {
		n, _ := calls.LoadOrStore(r.URL.String(), new(atomic.Int64))
		c := n.(*atomic.Int64).Add(1)
		switch {
		case strings.HasSuffix(r.URL.Path, "/services") && r.URL.Query().Get("page") == "2" && c == 1:
			return http.StatusServiceUnavailable, ""
		case strings.HasSuffix(r.URL.Path, "/"+councilID(5).(string)) && c == 1:
			return http.StatusTooManyRequests, "1"
		case strings.HasSuffix(r.URL.Path, "/"+councilID(7).(string)):
			return http.StatusNotFound, ""
		}
		return 0, ""
	})
	srv := feed.serve(t)
	opts := fast()
	opts.MaxBackoff = 2 * time.Second
	src, err := OpenAPI(context.Background(), srv.URL+"/api", FormatAuto, opts)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	items, err := walk(t, src)
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < time.Second {
		t.Errorf("Retry-After: 1 was not honoured (walk took %v)", time.Since(start))
	}
	if len(items) != 30 {
		t.Fatalf("%d items, want 30", len(items))
	}
	if it := items[7]; it.Service != nil || len(it.Problems) != 1 || it.Problems[0].Action != Skipped || !strings.Contains(it.Problems[0].Reason, "404") {
		t.Errorf("a record the feed cannot return: %+v", it)
	}
	if items[5].Service == nil || items[15].Service == nil {
		t.Error("retried records missing")
	}

	// A feed that keeps failing fails the walk, with nothing to write.
	feed.setFail(func(r *http.Request) (int, string) {
		if strings.HasSuffix(r.URL.Path, "/services") && r.URL.Query().Get("page") == "3" {
			return http.StatusBadGateway, ""
		}
		return 0, ""
	})
	opts.Retries = 2
	src, _ = OpenAPI(context.Background(), srv.URL+"/api", FormatAuto, opts)
	if _, err := walk(t, src); !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "502") {
		t.Errorf("persistent 502: %v", err)
	}
}

// TestAPIConcurrencyAndRate: no more requests are in flight than allowed,
// and no more are made a second than the rate.
func TestAPIConcurrencyAndRate(t *testing.T) {
	feed := newV1Feed(40, 20)
	var inFlight, most atomic.Int64
	feed.setFail(func(r *http.Request) (int, string) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		return 0, ""
	})
	srv := feed.serve(t)
	opts := fast()
	opts.Concurrency = 3
	opts.PerPage = 20
	src, err := OpenAPI(context.Background(), srv.URL+"/api", FormatAuto, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := walk(t, src); err != nil {
		t.Fatal(err)
	}
	if most.Load() > 3 {
		t.Errorf("%d requests at once, want at most 3", most.Load())
	}

	opts.Rate = 40
	src, _ = OpenAPI(context.Background(), srv.URL+"/api", FormatAuto, opts)
	start := time.Now()
	if _, err := walk(t, src); err != nil {
		t.Fatal(err)
	}
	// 2 list pages and 40 records at 40 a second (the first is free).
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("42 requests at 40 a second took %v", d)
	}
}

func TestRetryAfter(t *testing.T) {
	for in, want := range map[string]time.Duration{"": 0, "3": 3 * time.Second, "-1": 0, "soon": 0} {
		if got := retryAfter(in); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", in, got, want)
		}
	}
	if d := retryAfter(time.Now().Add(2 * time.Minute).UTC().Format(http.TimeFormat)); d < time.Minute || d > 2*time.Minute {
		t.Errorf("an HTTP date two minutes ahead: %v", d)
	}
}

// TestAPIZeroBasedPages reads a feed whose pages count from 0, as Spring
// Data's do, although ORUK says 1: nothing is missed.
func TestAPIZeroBasedPages(t *testing.T) {
	feed := newV1Feed(25, 10)
	feed.zeroBased = true
	srv := feed.serve(t)
	src, err := OpenAPI(context.Background(), srv.URL+"/api/services", FormatAuto, fast())
	if err != nil {
		t.Fatal(err)
	}
	items, err := walk(t, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 25 || items[0].Service == nil || items[0].Service.ID != "1500" {
		t.Errorf("%d items; first %+v", len(items), items[0].Service)
	}
}
