package importer

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
	"github.com/openreferral-uk/referrals/models/hsds"
)

// hsdsFeed is a live HSDS 3.0 / ORUK 3.0 API: paged /services (list items
// with id, name and last_modified) that honours modified_after, and
// /services/{id} for full records.
type hsdsFeed struct {
	mu            sync.Mutex
	services      []hsds.Service
	perPage       int
	modifiedAfter []string // the modified_after of each request for page 1
}

func (f *hsdsFeed) set(fn func(s []hsds.Service) []hsds.Service) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.services = fn(f.services)
}

func (f *hsdsFeed) handler(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if id, ok := strings.CutPrefix(r.URL.Path, "/services/"); ok {
		for _, s := range f.services {
			if s.ID == id {
				_ = json.NewEncoder(w).Encode(s)
				return
			}
		}
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	var since time.Time
	if v := q.Get("modified_after"); v != "" {
		var err error
		if since, err = time.Parse(time.RFC3339, v); err != nil {
			http.Error(w, `{"error":"bad modified_after"}`, http.StatusBadRequest)
			return
		}
	}
	if page == 1 {
		f.modifiedAfter = append(f.modifiedAfter, q.Get("modified_after"))
	}
	var match []map[string]any
	for _, s := range f.services {
		lm, _ := time.Parse(time.RFC3339, s.LastModified)
		if !since.IsZero() && lm.Before(since) {
			continue
		}
		match = append(match, map[string]any{"id": s.ID, "name": s.Name, "last_modified": s.LastModified})
	}
	total := max(1, (len(match)+f.perPage-1)/f.perPage)
	items := match[min(len(match), (page-1)*f.perPage):min(len(match), page*f.perPage)]
	_ = json.NewEncoder(w).Encode(map[string]any{"total_items": len(match), "total_pages": total, "page_number": page,
		"size": len(items), "first_page": page == 1, "last_page": page >= total, "empty": len(items) == 0, "contents": items})
}

func addFeed(t *testing.T, db *gorm.DB, name, url string) models.Feed {
	t.Helper()
	f, err := models.AddFeed(context.Background(), db, models.OperatorActor(), models.FeedInput{Name: name, URL: url})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func getFeed(t *testing.T, db *gorm.DB, name string) models.Feed {
	t.Helper()
	f, err := models.GetFeed(context.Background(), db, models.OperatorActor(), name)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func harvestAt(t *testing.T, db *gorm.DB, name string, at time.Time, full bool) *Report {
	t.Helper()
	rep, err := Harvest(context.Background(), db, getFeed(t, db, name), HarvestOptions{HTTP: fast(), Full: full, Now: func() time.Time { return at }})
	if err != nil {
		t.Fatalf("harvest at %s: %v", at, err)
	}
	checkForeignKeys(t, db)
	return rep
}

func statusOf(t *testing.T, db *gorm.DB, id string) string {
	t.Helper()
	var st []string
	if err := db.Raw("SELECT status FROM services WHERE id = ?", id).Scan(&st).Error; err != nil || len(st) != 1 {
		t.Fatalf("status of %s: %v %v", id, st, err)
	}
	return st[0]
}

// TestHarvestHSDSFeed harvests a live HSDS 3.0 feed on its schedule: a
// first full read; an incremental read that asks modified_after of when
// the last run began (less the overlap) and gets only what changed; a full
// read a day later that marks a vanished service inactive (still
// published, with a new last_modified), leaving a locally edited one
// alone; and the vanished service coming back.
func TestHarvestHSDSFeed(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		feed := &hsdsFeed{perPage: 10}
		tax := dbtest.FixtureTaxonomy()
		feed.set(func([]hsds.Service) []hsds.Service {
			svcs := dbtest.GenerateServices(30, 3)
			for i := range svcs {
				svcs[i].Attributes[0].TaxonomyTerm.TaxonomyDetail = &tax
			}
			return svcs
		})
		url := httptestServer(t, feed.handler)
		addFeed(t, db, "hsds-test", url)
		t0 := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

		first := harvestAt(t, db, "hsds-test", t0, false)
		if first.Services.Created != 30 || first.Format != FormatHSDSAPI {
			t.Fatalf("first run %s: %+v", first.Format, first.Services)
		}
		f := getFeed(t, db, "hsds-test")
		if f.Status != models.FeedOK || !f.LastRunFull || f.LastFullAt == nil || !f.LastFullAt.Equal(t0) || !f.LastSuccessAt.Equal(t0) {
			t.Fatalf("after the first run: %+v", f)
		}
		if feed.modifiedAfter[0] != "" {
			t.Errorf("the first run asked modified_after=%s", feed.modifiedAfter[0])
		}
		if rep := ParseFeedReport(f.LastReport); rep.Services.Created != 30 || !rep.Full || rep.Outcome != OutcomeCommitted {
			t.Errorf("the feed's report: %+v", rep)
		}

		// An hour later the feed changes one service.
		changed := dbtest.ID("service", 5)
		feed.set(func(s []hsds.Service) []hsds.Service {
			s[5].Name = "Service 5, renamed"
			s[5].LastModified = t0.Add(time.Hour).Format(time.RFC3339)
			return s
		})
		t1 := t0.Add(2 * time.Hour)
		inc := harvestAt(t, db, "hsds-test", t1, false)
		if got, want := feed.modifiedAfter[1], t0.Add(-modifiedAfterOverlap).Format(time.RFC3339); got != want {
			t.Errorf("the incremental run asked modified_after=%q, want %q", got, want)
		}
		if inc.Services != (Counts{Read: 1, Updated: 1}) {
			t.Errorf("incremental run: %+v", inc.Services)
		}
		if s := loadOne(t, db, changed); s.Name != "Service 5, renamed" {
			t.Errorf("name after the incremental run: %q", s.Name)
		}
		if f := getFeed(t, db, "hsds-test"); f.LastRunFull || !f.LastFullAt.Equal(t0) || !f.LastSuccessAt.Equal(t1) {
			t.Errorf("after the incremental run: full %v, last full %v, last success %v", f.LastRunFull, f.LastFullAt, f.LastSuccessAt)
		}

		// Service 7 vanishes from the feed; service 8 vanishes too but was
		// edited here, so it is left alone.
		vanished, edited := dbtest.ID("service", 7), dbtest.ID("service", 8)
		if err := models.TouchServices(context.Background(), db, []string{edited}, t1.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		feed.set(func(s []hsds.Service) []hsds.Service {
			var out []hsds.Service
			for _, x := range s {
				if x.ID != vanished && x.ID != edited {
					out = append(out, x)
				}
			}
			return out
		})
		t2 := t0.Add(25 * time.Hour)
		full := harvestAt(t, db, "hsds-test", t2, false)
		if feed.modifiedAfter[2] != "" {
			t.Errorf("the full run asked modified_after=%s", feed.modifiedAfter[2])
		}
		if full.Services != (Counts{Read: 28, Unchanged: 28, MarkedInactive: 1}) {
			t.Errorf("full run: %+v", full.Services)
		}
		if st := statusOf(t, db, vanished); st != hsds.StatusInactive {
			t.Errorf("the vanished service is %q", st)
		}
		if st := statusOf(t, db, edited); st != hsds.StatusActive {
			t.Errorf("the vanished service edited here is %q", st)
		}
		pub, err := models.LoadServices(context.Background(), db, []string{vanished}, models.Public)
		if err != nil || len(pub) != 1 {
			t.Fatalf("the vanished service is no longer published: %v", err)
		}
		if lm, _ := time.Parse(time.RFC3339, pub[0].LastModified); !lm.Equal(t2) {
			t.Errorf("the vanished service's last_modified is %s, want %s", pub[0].LastModified, t2)
		}

		// The next full read changes nothing more.
		again := harvestAt(t, db, "hsds-test", t2.Add(time.Hour), true)
		if again.Services != (Counts{Read: 28, Unchanged: 28}) {
			t.Errorf("second full run: %+v", again.Services)
		}

		// It comes back.
		feed.set(func(s []hsds.Service) []hsds.Service {
			return append(s, dbtest.GenerateServiceRange(7, 8, 3)[0])
		})
		back := harvestAt(t, db, "hsds-test", t2.Add(2*time.Hour), true)
		if back.Services.Updated != 1 || statusOf(t, db, vanished) != hsds.StatusActive {
			t.Errorf("after it came back: %+v, status %s", back.Services, statusOf(t, db, vanished))
		}
	})
}

// TestHarvestORUKv1Feed harvests a council's ORUK v1 feed, which ignores
// modified_after: a vanished service is marked inactive by a full read; a
// feed that fails leaves the database as it was and the feed "failed" with
// its error; and a feed that suddenly lists nothing closes nothing.
func TestHarvestORUKv1Feed(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		feed := newV1Feed(40, 10)
		srv := feed.serve(t)
		addFeed(t, db, "kirklees", srv.URL+"/api/services")
		t0 := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
		first := harvestAt(t, db, "kirklees", t0, false)
		if first.Format != FormatORUKv1API || first.Services.Created < 35 {
			t.Fatalf("first run %s %+v", first.Format, first.Services)
		}
		gone := models.NormaliseID("feed:kirklees", "1510") // councilID(10)
		feed.mu.Lock()
		feed.services = append(feed.services[:10:10], feed.services[11:]...)
		feed.built = nil
		feed.mu.Unlock()
		rep := harvestAt(t, db, "kirklees", t0.Add(25*time.Hour), false)
		if rep.Services.MarkedInactive != 1 || statusOf(t, db, gone) != hsds.StatusInactive {
			t.Errorf("full run: %+v, status %s", rep.Services, statusOf(t, db, gone))
		}

		before := dump(t, db)
		feed.setFail(func(r *http.Request) (int, string) { return http.StatusInternalServerError, "" })
		_, err := Harvest(context.Background(), db, getFeed(t, db, "kirklees"), HarvestOptions{HTTP: fast(), Full: true,
			Now: func() time.Time { return t0.Add(26 * time.Hour) }})
		if err == nil {
			t.Fatal("a failing feed harvested without error")
		}
		f := getFeed(t, db, "kirklees")
		if f.Status != models.FeedFailed || !strings.Contains(f.LastError, "HTTP 500") || !f.LastSuccessAt.Equal(t0.Add(25*time.Hour)) {
			t.Errorf("after a failed run: status %s, error %q, last success %v", f.Status, f.LastError, f.LastSuccessAt)
		}
		if after := dump(t, db); after != before {
			a, b := strings.Split(before, "\n"), strings.Split(after, "\n")
			for i := range min(len(a), len(b)) {
				if a[i] != b[i] {
					t.Errorf("a failed run changed the directory:\n%s\n%s", a[i], b[i])
					break
				}
			}
		}

		feed.setFail(nil)
		feed.mu.Lock()
		feed.services, feed.built = nil, nil
		feed.mu.Unlock()
		empty := harvestAt(t, db, "kirklees", t0.Add(27*time.Hour), true)
		if empty.Services.MarkedInactive != 0 || !hasProblem(empty, "", "", Skipped) {
			t.Errorf("an empty feed: %+v %+v", empty.Services, empty.Problems)
		}
	})
}

// TestFeedSchedule is the schedule as a table: when a feed is due, and
// whether the run reads it in full.
func TestFeedSchedule(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) *time.Time { x := now.Add(-d); return &x }
	base := models.Feed{IncrementalMinutes: 60, FullHours: 24, Status: models.FeedOK}
	for _, tc := range []struct {
		name      string
		edit      func(f *models.Feed)
		due, full bool
	}{
		{"never run", func(f *models.Feed) { f.Status = models.FeedNew }, true, true},
		{"ran 10 minutes ago", func(f *models.Feed) { f.LastRunAt, f.LastFullAt = ago(10*time.Minute), ago(time.Hour) }, false, false},
		{"ran 61 minutes ago", func(f *models.Feed) { f.LastRunAt, f.LastFullAt = ago(61*time.Minute), ago(2*time.Hour) }, true, false},
		{"full read a day ago", func(f *models.Feed) { f.LastRunAt, f.LastFullAt = ago(61*time.Minute), ago(24*time.Hour) }, true, true},
		{"failed full read retried at the incremental pace", func(f *models.Feed) {
			f.LastRunAt, f.LastFullAt, f.Status = ago(10*time.Minute), ago(30*time.Hour), models.FeedFailed
		}, false, true},
		{"asked to run now", func(f *models.Feed) {
			f.LastRunAt, f.LastFullAt, f.RunRequestedAt = ago(10*time.Minute), ago(time.Hour), ago(time.Minute)
		}, true, false},
		{"running", func(f *models.Feed) {
			f.Status, f.LastRunAt, f.RunRequestedAt = models.FeedRunning, ago(time.Hour), ago(time.Minute)
		}, false, false},
		{"running for longer than any run takes", func(f *models.Feed) {
			f.Status, f.LastRunAt, f.LastFullAt = models.FeedRunning, ago(7*time.Hour), ago(7*time.Hour)
		}, true, false},
	} {
		f := base
		tc.edit(&f)
		if due, full := f.Due(now); due != tc.due || (due && full != tc.full) {
			t.Errorf("%s: due %v full %v, want %v %v", tc.name, due, full, tc.due, tc.full)
		}
	}
}

// TestHarvestWorker is the scheduled job: it outlives River's one-minute
// default, and a run harvests the feeds that are due and only those.
func TestHarvestWorker(t *testing.T) {
	db := dbtest.SQLite(t)
	feed := &hsdsFeed{perPage: 10}
	feed.set(func([]hsds.Service) []hsds.Service {
		svcs := dbtest.GenerateServices(3, 1)
		for i := range svcs {
			svcs[i].Attributes = nil
		}
		return svcs
	})
	url := httptestServer(t, feed.handler)
	addFeed(t, db, "due", url)
	addFeed(t, db, "not-due", url)
	// not-due ran a minute ago, in full.
	nd := getFeed(t, db, "not-due")
	recent := models.Now().Add(-time.Minute)
	if err := models.StartFeedRun(context.Background(), db, nd.ID, true, recent); err != nil {
		t.Fatal(err)
	}
	if err := models.FinishFeedRun(context.Background(), db, nd.ID, models.FeedRunResult{Started: recent, Full: true, Committed: true}); err != nil {
		t.Fatal(err)
	}
	w := NewHarvestWorker(db, HarvestOptions{HTTP: fast()}, nil)
	if d := w.Timeout(nil); d <= time.Minute {
		t.Errorf("the harvest job's timeout is %s: River's default minute would cancel long harvests", d)
	}
	if opts := (HarvestDueArgs{}).InsertOpts(); opts.MaxAttempts != 1 || len(opts.UniqueOpts.ByState) == 0 {
		t.Errorf("insert options %+v", opts)
	}
	if HarvestPeriodicJob() == nil {
		t.Fatal("no periodic job")
	}
	if err := w.Work(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if f := getFeed(t, db, "due"); f.Status != models.FeedOK || ParseFeedReport(f.LastReport).Services.Created != 3 {
		t.Errorf("the due feed: %s %s", f.Status, f.LastReport)
	}
	if f := getFeed(t, db, "not-due"); f.LastRunAt == nil || !f.LastRunAt.Equal(recent) {
		t.Errorf("the feed that was not due ran at %v", f.LastRunAt)
	}
}
