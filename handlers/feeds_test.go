package handlers_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/importer"
)

// TestFeedsPage is the platform admin's feeds page: a feed's last run with
// its status, counts and problems; adding a feed (a mistake comes back with
// 422 and the message beside the field); asking for a run; removing it.
func TestFeedsPage(t *testing.T) {
	w, _ := newPermissionWorld(t)
	ctx := context.Background()
	started := models.Now().Add(-time.Minute)
	if err := models.StartFeedRun(ctx, w.db, w.ids["feed"], true, started); err != nil {
		t.Fatal(err)
	}
	rep := `{"outcome":"committed","full":true,"services":{"read":400,"created":382,"updated":0,"unchanged":0,"skipped":18,"marked_inactive":3},
		"problem_count":1,"problems":[{"record_type":"service","record_id":"1540","where":"page 1 item 41","field":"name","reason":"no name","action":"skipped"}]}`
	if err := models.FinishFeedRun(ctx, w.db, w.ids["feed"], models.FeedRunResult{Started: started, Full: true, Committed: true, Report: rep}); err != nil {
		t.Fatal(err)
	}
	if r := importer.ParseFeedReport(rep); r.Services.MarkedInactive != 3 {
		t.Fatalf("the report does not parse: %+v", r)
	}
	page := func(method, path string, form url.Values) (int, string) {
		t.Helper()
		c := w.clients["platform admin"]
		var req *http.Request
		if method == http.MethodPost {
			u, _ := url.Parse(w.srv.URL)
			for _, ck := range c.Jar.Cookies(u) {
				if ck.Name == "referrals_csrf" {
					form.Set("_csrf", ck.Value)
				}
			}
			req, _ = http.NewRequest(method, w.srv.URL+path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			req, _ = http.NewRequest(method, w.srv.URL+path, nil)
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	code, body := page(http.MethodGet, "/admin/feeds", nil)
	for _, want := range []string{"kirklees", "Harvested", started.Format("2 January 2006 15:04 UTC"), "400 read: 382 created", "18 skipped, 3 marked inactive", "page 1 item 41", "no name"} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("GET /admin/feeds = %d, without %q", code, want)
		}
	}

	code, body = page(http.MethodPost, "/admin/feeds", url.Values{"name": {"Bad name"}, "url": {"ftp://nowhere"}, "incremental_minutes": {"x"}, "full_hours": {"24"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "govuk-error-summary") || !strings.Contains(body, "Enter a whole number") ||
		!strings.Contains(body, "Enter an http or https URL") || !strings.Contains(body, `value="Bad name"`) {
		t.Errorf("a bad feed: %d", code)
	}
	code, _ = page(http.MethodPost, "/admin/feeds", url.Values{"name": {"calderdale"}, "url": {"https://api.calderdale.example.gov.uk/"},
		"format": {"hsds-api"}, "incremental_minutes": {"30"}, "full_hours": {"12"}})
	if code != http.StatusSeeOther {
		t.Fatalf("adding a feed: %d", code)
	}
	f, err := models.GetFeed(ctx, w.db, models.OperatorActor(), "calderdale")
	if err != nil || f.IncrementalMinutes != 30 || f.FullHours != 12 || f.Format != "hsds-api" {
		t.Fatalf("the new feed: %+v %v", f, err)
	}
	if code, _ := page(http.MethodPost, "/admin/feeds/"+f.ID+"/run", url.Values{}); code != http.StatusSeeOther {
		t.Errorf("run now: %d", code)
	}
	if _, body := page(http.MethodGet, "/admin/feeds", nil); !strings.Contains(body, "Asked to run") || !strings.Contains(body, "Feed calderdale will be harvested within a minute") {
		t.Error("the page does not say the feed was asked to run")
	}
	due, err := models.DueFeeds(ctx, w.db, models.Now())
	if err != nil || len(due) != 1 || due[0].Name != "calderdale" {
		t.Errorf("due feeds: %v %v", due, err)
	}
	if code, _ := page(http.MethodPost, "/admin/feeds/"+f.ID+"/remove", url.Values{}); code != http.StatusSeeOther {
		t.Errorf("remove: %d", code)
	}
	if _, err := models.GetFeed(ctx, w.db, models.OperatorActor(), "calderdale"); err == nil {
		t.Error("the feed is still there")
	}
}
