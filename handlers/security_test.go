package handlers_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/openreferral-uk/referrals/handlers"
	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
	"github.com/openreferral-uk/referrals/models/mail"
)

func TestCSRFRefusesForgedPosts(t *testing.T) {
	w, _ := newPermissionWorld(t)
	c := w.clients["org admin"]
	for _, form := range []url.Values{
		{"name": {"No token"}},
		{"name": {"Wrong token"}, "_csrf": {"not-the-token"}},
	} {
		req, _ := http.NewRequest(http.MethodPost, w.srv.URL+"/join", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("POST /join with %v = %d, want 403", form, res.StatusCode)
		}
	}
	var n int64
	w.db.Model(&models.MemberOrganisation{}).Where("name IN ?", []string{"No token", "Wrong token"}).Count(&n)
	if n != 0 {
		t.Error("a forged request created an organisation")
	}
}

func TestSuspensionAndRemovalTakeEffectOnTheNextRequest(t *testing.T) {
	w, _ := newPermissionWorld(t)
	if res := w.do(t, "caseworker", http.MethodGet, "/account", nil); res.StatusCode != 200 {
		t.Fatalf("caseworker's account page: %d", res.StatusCode)
	}
	if res := w.do(t, "org admin", http.MethodGet, "/manage/team?org="+w.ids["orgA"], nil); res.StatusCode != 200 {
		t.Fatalf("admin's team page: %d", res.StatusCode)
	}
	ctx := context.Background()
	admin, _ := models.LoadActor(ctx, w.db, w.users["platform admin"])
	if err := models.SetSuspended(ctx, w.db, admin, w.users["caseworker"], true); err != nil {
		t.Fatal(err)
	}
	res := w.do(t, "caseworker", http.MethodGet, "/account", nil)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/auth/login") {
		t.Errorf("a suspended user still reaches their account: %d", res.StatusCode)
	}
	// Demoting the admin to caseworker closes the team page at once.
	var adminMembership models.Membership
	w.db.Where("user_id = ? AND member_organisation_id = ?", w.users["org admin"], w.ids["orgA"]).First(&adminMembership)
	w.db.Model(&adminMembership).Updates(map[string]any{"org_admin": false, "caseworker": true})
	if res := w.do(t, "org admin", http.MethodGet, "/manage/team?org="+w.ids["orgA"], nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("a demoted admin still sees the team page: %d", res.StatusCode)
	}
}

func TestDemoSignInExistsOnlyInDemoMode(t *testing.T) {
	db := dbtest.SQLite(t)
	e, err := handlers.New(handlers.Options{DB: db, BaseURL: "http://x.test"})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		rec := httptestDo(e, m, "/auth/demo")
		if rec.Code != http.StatusNotFound && rec.Code != http.StatusForbidden && rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("%s /auth/demo without demo mode = %d", m, rec.Code)
		}
	}
	if rec := httptestDo(e, http.MethodGet, "/auth/login"); rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "not set up") {
		t.Errorf("sign-in with nothing configured = %d", rec.Code)
	}
}

// TestCrossOrganisationIDsAreNotFound has an organisation admin name their
// own organisation but another organisation's member.
func TestCrossOrganisationIDsAreNotFound(t *testing.T) {
	w, _ := newPermissionWorld(t)
	var orgB string
	w.db.Model(&models.Membership{}).Where("user_id = ?", w.users["other org admin"]).Limit(1).Pluck("member_organisation_id", &orgB)
	res := w.do(t, "other org admin", http.MethodPost, "/manage/team/members/"+w.ids["caseworkerMembership"]+"/remove", url.Values{"org": {orgB}})
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("removing another organisation's member through one's own = %d, want 404", res.StatusCode)
	}
	var n int64
	w.db.Model(&models.Membership{}).Where("id = ?", w.ids["caseworkerMembership"]).Count(&n)
	if n != 1 {
		t.Error("the other organisation's member was removed")
	}
}

func httptestDo(h http.Handler, method, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec
}

func TestRateLimitsOnSignInAndTheAPI(t *testing.T) {
	db := dbtest.SQLite(t)
	if _, err := models.LoadDemoDirectory(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	e, err := handlers.New(handlers.Options{DB: db, BaseURL: "http://x.test", SignInRateLimit: 3, APIRateLimit: 5})
	if err != nil {
		t.Fatal(err)
	}
	codes := func(path string, n int) []int {
		var out []int
		for range n {
			out = append(out, httptestDo(e, http.MethodGet, path).Code)
		}
		return out
	}
	signIn := codes("/auth/login", 5)
	if signIn[2] == http.StatusTooManyRequests || signIn[3] != http.StatusTooManyRequests {
		t.Errorf("sign-in attempts answered %v; want the 4th refused", signIn)
	}
	api := codes("/api/services", 7)
	if api[4] != http.StatusOK || api[5] != http.StatusTooManyRequests {
		t.Errorf("API requests answered %v; want the 6th refused", api)
	}
	rec := httptestDo(e, http.MethodGet, "/api/services")
	if rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), `"status":429`) || rec.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("a limited API request: %d %v %s", rec.Code, rec.Header(), rec.Body.String())
	}
	// The directory pages are not limited.
	if got := codes("/", 10); got[9] != http.StatusOK {
		t.Errorf("directory pages were limited: %v", got)
	}
}

// recordingSender keeps what the app sends; the SMTP path itself is tested
// against a real SMTP sink in models/mail.
type recordingSender struct {
	sent []mail.Message
	err  error
}

func (r *recordingSender) Send(_ context.Context, m mail.Message) error {
	if r.err != nil {
		return r.err
	}
	r.sent = append(r.sent, m)
	return nil
}

func TestInvitationIsEmailedOrShown(t *testing.T) {
	for _, tt := range []struct {
		name     string
		sender   *recordingSender
		showLink bool
	}{
		{"sent", &recordingSender{}, false},
		{"mail failed", &recordingSender{err: errors.New("relay down")}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w, opts := newPermissionWorld(t)
			opts.Mail = tt.sender
			e, err := handlers.New(*opts)
			if err != nil {
				t.Fatal(err)
			}
			w.srv.Config.Handler = e
			res := w.do(t, "org admin", http.MethodPost, "/manage/team/invitations",
				url.Values{"org": {w.ids["orgA"]}, "email": {"New.Person@example.org.uk"}, "responder": {"true"}})
			if tt.showLink {
				if res.StatusCode != http.StatusOK {
					t.Errorf("with mail failing, invite = %d, want the page with the link", res.StatusCode)
				}
				return
			}
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("invite = %d", res.StatusCode)
			}
			if len(tt.sender.sent) != 1 {
				t.Fatalf("%d emails sent", len(tt.sender.sent))
			}
			m := tt.sender.sent[0]
			if len(m.To) != 1 || m.To[0] != "new.person@example.org.uk" || !strings.Contains(m.Text, "http://permissions.test/invitations/") {
				t.Errorf("invitation email: to %v, text %q", m.To, m.Text)
			}
		})
	}
}

func TestSignedInWithoutAnOrganisationIsToldWhatToDo(t *testing.T) {
	w, _ := newPermissionWorld(t)
	for role, want := range map[string]bool{"no organisation": true, "caseworker": false, "platform admin": false} {
		req, _ := http.NewRequest(http.MethodGet, w.srv.URL+"/", nil)
		res, err := w.clients[role].Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		_, _ = io.Copy(&b, res.Body)
		res.Body.Close()
		if got := strings.Contains(b.String(), "not part of an organisation yet"); got != want {
			t.Errorf("%s sees the no-organisation notice: %v, want %v", role, got, want)
		}
	}
}
