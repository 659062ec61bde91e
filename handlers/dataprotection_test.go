package handlers_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/openreferral-uk/referrals/models"
)

// In demo mode a data protection lead finds a demo person, exports every
// referral and access-log entry about them, corrects and erases them.
func TestDataProtectionLeadJourney(t *testing.T) {
	w, opts := newPermissionWorld(t)
	ctx := context.Background()
	// The demo's referrals load only into a database with none yet.
	w.db.Exec("DELETE FROM referrals")
	if err := models.LoadDemoReferrals(ctx, opts.Referrals); err != nil {
		t.Fatal(err)
	}
	person := url.Values{"org": {w.ids["orgA"]}, "given_name": {"Alex"}, "family_name": {"Example"},
		"birth_day": {"1"}, "birth_month": {"5"}, "birth_year": {"1990"}}
	post := func(role, path string, form url.Values) *http.Response {
		t.Helper()
		return w.do(t, role, http.MethodPost, path, form)
	}
	export := func() models.SubjectAccess {
		t.Helper()
		form := url.Values{}
		for k, v := range person {
			form[k] = v
		}
		form.Set("format", "json")
		// do closes the body, so send this one by hand.
		c := w.clients["data protection lead"]
		u, _ := url.Parse(w.srv.URL)
		for _, ck := range c.Jar.Cookies(u) {
			if ck.Name == "referrals_csrf" {
				form.Set("_csrf", ck.Value)
			}
		}
		res, err := c.PostForm(w.srv.URL+"/manage/data-protection/export", form)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("export: %d %s", res.StatusCode, body)
		}
		if strings.Contains(res.Header.Get("Content-Disposition"), "Alex") {
			t.Error("the download's file name names the person")
		}
		var sa models.SubjectAccess
		if err := json.Unmarshal(body, &sa); err != nil {
			t.Fatal(err)
		}
		return sa
	}

	// The caseworker looks at one of them first, so the log has a view.
	refs, err := opts.Referrals.List(ctx, mustActor(t, w, "caseworker"), models.ReferralQuery{List: models.ListSent,
		GivenName: "Alex", FamilyName: "Example", DateOfBirth: "1990-05-01"})
	if err != nil || len(refs.Items) != 2 {
		t.Fatalf("the demo person has %d referrals (%v), want 2", len(refs.Items), err)
	}
	first, second := refs.Items[0].Reference, refs.Items[1].Reference
	if res := w.do(t, "caseworker", http.MethodGet, "/referrals/"+first, nil); res.StatusCode != 200 {
		t.Fatalf("caseworker view: %d", res.StatusCode)
	}

	sa := export()
	if len(sa.Referrals) != 2 {
		t.Fatalf("the export has %d referrals, want 2", len(sa.Referrals))
	}
	for _, r := range sa.Referrals {
		var views, exports int
		for _, e := range r.AccessLog {
			switch e.Action {
			case models.AccessView:
				views++
			case models.AccessExport:
				exports++
			}
		}
		wantViews := 0
		if r.Reference == first {
			wantViews = 1
		}
		if views != wantViews || exports != 1 || r.Person.GivenName != "Alex" || r.LawfulBasis == "" || len(r.History) == 0 {
			t.Errorf("%s in the export: %d views (want %d), %d exports, person %q, basis %q, %d events",
				r.Reference, views, wantViews, exports, r.Person.GivenName, r.LawfulBasis, len(r.History))
		}
	}

	// Correct the first: the new name finds it, the old one only the second.
	correct := url.Values{"org": {w.ids["orgA"]}, "given_name": {"Alex"}, "family_name": {"Exampel"}, "birth_day": {"1"},
		"birth_month": {"5"}, "birth_year": {"1990"}, "preferred_contact": {"phone"}, "phone": {"01632 960 123"},
		"reason": {"Behind on rent"}, "why": {"The person asked"}, "version": {"1"}}
	if res := post("data protection lead", "/manage/data-protection/referrals/"+first+"/correct", correct); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("correct: %d", res.StatusCode)
	}
	if sa := export(); len(sa.Referrals) != 1 || sa.Referrals[0].Reference != second {
		t.Errorf("after correcting %s, the old name finds %d referrals", first, len(sa.Referrals))
	}
	// Erase the second: nothing left under the old name.
	if res := post("data protection lead", "/manage/data-protection/referrals/"+second+"/erase", url.Values{"org": {w.ids["orgA"]}, "erase_why": {"Article 17 request"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("erase: %d", res.StatusCode)
	}
	if sa := export(); len(sa.Referrals) != 0 {
		t.Errorf("after erasure the export still has %d referrals", len(sa.Referrals))
	}
	v, err := opts.Referrals.Open(ctx, mustActor(t, w, "caseworker"), second, models.AccessView)
	if err != nil || v.AnonymisedAt == nil || v.Person.GivenName != "" {
		t.Errorf("the caseworker sees the erased referral as %+v (%v)", v.Person, err)
	}
	// An org admin without the permission is refused.
	if res := post("org admin", "/manage/data-protection/export", person); res.StatusCode != http.StatusForbidden {
		t.Errorf("org admin export: %d", res.StatusCode)
	}
}
