package handlers_test

import (
	"bufio"
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/handlers"
	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
)

// permissionRow is one route of docs/permissions.md and its expected answer
// for each role, by column name.
type permissionRow struct {
	method, path string
	want         map[string]string
}

// The columns of docs/permissions.md, in the order the test acts: roles
// that should be refused go before the ones that change things.
var roleOrder = []string{"anonymous", "no organisation", "caseworker", "responder", "other org admin", "org admin", "platform admin", "data protection lead"}

func readPermissions(t *testing.T) []permissionRow {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "docs", "permissions.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var header []string
	var rows []permissionRow
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if cells[0] == "route" {
			header = cells
			continue
		}
		if strings.HasPrefix(cells[0], "---") || header == nil {
			continue
		}
		method, path, ok := strings.Cut(strings.Trim(cells[0], "`"), " ")
		if !ok {
			t.Fatalf("docs/permissions.md: bad route cell %q", cells[0])
		}
		r := permissionRow{method: method, path: path, want: map[string]string{}}
		for i := 1; i < len(cells) && i < len(header); i++ {
			r.want[header[i]] = cells[i]
		}
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		t.Fatal("docs/permissions.md has no table")
	}
	return rows
}

// permissionWorld is a fresh app with the demo directory and accounts, and
// the real ids the routes are called with.
type permissionWorld struct {
	srv     *httptest.Server
	db      *gorm.DB
	users   map[string]string // role column -> user id
	ids     map[string]string
	clients map[string]*http.Client
}

func newPermissionWorld(t *testing.T) (*permissionWorld, *handlers.Options) {
	t.Helper()
	ctx := context.Background()
	db := dbtest.SQLite(t)
	if _, err := models.LoadDemoDirectory(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := models.LoadDemoAccounts(ctx, db); err != nil {
		t.Fatal(err)
	}
	var orgs []models.MemberOrganisation
	db.Order("name").Find(&orgs)
	if len(orgs) < 2 {
		t.Fatalf("demo has %d member organisations", len(orgs))
	}
	orgA, orgB := orgs[0].ID, orgs[1].ID
	w := &permissionWorld{db: db, users: map[string]string{}, ids: map[string]string{"orgA": orgA}, clients: map[string]*http.Client{}}
	var ms []models.Membership
	db.Where("member_organisation_id IN ?", []string{orgA, orgB}).Find(&ms)
	for _, m := range ms {
		switch {
		case m.MemberOrganisationID == orgA && m.Caseworker:
			w.users["caseworker"], w.ids["caseworkerMembership"] = m.UserID, m.ID
		case m.MemberOrganisationID == orgA && m.Responder:
			w.users["responder"], w.ids["responderMembership"] = m.UserID, m.ID
		case m.MemberOrganisationID == orgA && m.DataProtectionLead:
			w.users["data protection lead"] = m.UserID
		case m.MemberOrganisationID == orgA && m.OrgAdmin:
			w.users["org admin"] = m.UserID
		case m.MemberOrganisationID == orgB && m.OrgAdmin:
			w.users["other org admin"] = m.UserID
		}
	}
	w.users["no organisation"] = models.NormaliseID(models.DemoSource, "user:no-organisation")
	w.users["platform admin"] = models.NormaliseID(models.DemoSource, "user:platform-admin")

	adminA, err := models.LoadActor(ctx, db, w.users["org admin"])
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := models.Invite(ctx, db, adminA, orgA, "someone.else@example.org.uk", models.Roles{Caseworker: true})
	if err != nil {
		t.Fatal(err)
	}
	w.ids["token"] = token
	newcomer, err := models.LoadActor(ctx, db, w.users["no organisation"])
	if err != nil {
		t.Fatal(err)
	}
	pending, err := models.RequestOrganisation(ctx, db, newcomer, "Pending Charity", "")
	if err != nil {
		t.Fatal(err)
	}
	w.ids["pendingOrg"] = pending.ID
	platform, err := models.LoadActor(ctx, db, w.users["platform admin"])
	if err != nil {
		t.Fatal(err)
	}
	if err := models.AddEmailDomain(ctx, db, platform, orgA, "claimed.example.org.uk"); err != nil {
		t.Fatal(err)
	}
	feed, err := models.AddFeed(ctx, db, platform, models.FeedInput{Name: "kirklees", URL: "https://api.kirklees.example.gov.uk/api/v1"})
	if err != nil {
		t.Fatal(err)
	}
	w.ids["feed"] = feed.ID
	ex, err := models.APIExamples(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	w.ids["service"], w.ids["sal"], w.ids["hsdsOrg"], w.ids["taxonomy"], w.ids["term"] =
		ex.ServiceID, ex.ServiceAtLocationID, ex.OrganizationID, ex.TaxonomyID, ex.TermID

	// A referral from organisation A's caseworker to a service of another
	// organisation.
	keys, err := models.ParseKeyring("perm:" + models.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	refs := &models.Referrals{DB: db, Keys: keys}
	var targets []struct{ ID, Org string }
	db.Table("services s").Select("s.id, mo.id AS org").
		Joins("JOIN member_organisations mo ON mo.hsds_organization_id = s.organization_id").
		Where("s.accepts_referrals = ? AND s.visibility = ?", true, models.Published).Order("s.id").Scan(&targets)
	for _, tg := range targets {
		if tg.Org != orgA && w.ids["referable"] == "" {
			w.ids["referable"] = tg.ID
		}
	}
	if w.ids["referable"] == "" {
		t.Fatal("no demo service of another organisation takes referrals")
	}
	caseworkerA, err := models.LoadActor(ctx, db, w.users["caseworker"])
	if err != nil {
		t.Fatal(err)
	}
	ref, err := refs.Create(ctx, caseworkerA, w.ids["referable"], orgA, permissionReferralForm())
	if err != nil {
		t.Fatal(err)
	}
	w.ids["reference"] = ref.Reference

	// Organisation A's listings: one to edit and confirm, one harvested
	// from a feed to claim, and a draft to delete.
	var listings []models.Service
	db.Where("organization_id = ? AND visibility = ?", *orgs[0].HSDSOrganizationID, models.Published).Order("id").Limit(2).Find(&listings)
	if len(listings) < 2 {
		t.Fatalf("organisation A keeps %d published services", len(listings))
	}
	w.ids["listing"], w.ids["feedListing"] = listings[0].ID, listings[1].ID
	db.Model(&models.Service{}).Where("id = ?", listings[1].ID).Update("source", "feed:council")
	draft, err := models.SaveListing(ctx, db, nil, adminA, orgA, "", models.ListingInput{Name: "A draft", Description: "Not ready.",
		State: string(models.StateDraft), Capacity: string(models.CapacityOpen)})
	if err != nil {
		t.Fatal(err)
	}
	w.ids["draftListing"] = draft
	// The platform admin acts after the org admin deleted the first draft.
	if w.ids["draftListing2"], err = models.SaveListing(ctx, db, nil, adminA, orgA, "", models.ListingInput{Name: "Another draft",
		Description: "Not ready.", State: string(models.StateDraft), Capacity: string(models.CapacityOpen)}); err != nil {
		t.Fatal(err)
	}

	opts := handlers.Options{DB: db, BaseURL: "http://permissions.test", Demo: true, Referrals: refs}
	e, err := handlers.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	w.srv = httptest.NewServer(e)
	t.Cleanup(w.srv.Close)
	for _, role := range roleOrder {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		w.clients[role] = c
		w.do(t, role, http.MethodGet, "/auth/demo", nil) // sets the CSRF cookie
		if role != "anonymous" {
			res := w.do(t, role, http.MethodPost, "/auth/demo", url.Values{"user": {w.users[role]}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("demo sign-in as %s: %d", role, res.StatusCode)
			}
		}
	}
	return w, &opts
}

// do sends a request as a role, with the role's CSRF token on state changes.
func (w *permissionWorld) do(t *testing.T, role, method, path string, form url.Values) *http.Response {
	t.Helper()
	c := w.clients[role]
	var req *http.Request
	if method == http.MethodPost {
		if form == nil {
			form = url.Values{}
		}
		u, _ := url.Parse(w.srv.URL)
		for _, ck := range c.Jar.Cookies(u) {
			if ck.Name == "referrals_csrf" {
				form.Set("_csrf", ck.Value)
			}
		}
		if file, ok := form[uploadField]; ok {
			// A file upload: the form goes as multipart, the file as "file".
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			for k, vs := range form {
				if k == uploadField {
					continue
				}
				for _, v := range vs {
					_ = mw.WriteField(k, v)
				}
			}
			fw, _ := mw.CreateFormFile("file", "upload")
			_, _ = fw.Write([]byte(file[0]))
			_ = mw.Close()
			req, _ = http.NewRequest(method, w.srv.URL+path, &body)
			req.Header.Set("Content-Type", mw.FormDataContentType())
		} else {
			req, _ = http.NewRequest(method, w.srv.URL+path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		req, _ = http.NewRequest(method, w.srv.URL+path, nil)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

// uploadField in a form makes do send it as a multipart file upload.
const uploadField = "\x00file"

// request turns a documented route into a concrete request with real ids
// owned by organisation A.
func (w *permissionWorld) request(role string, r permissionRow) (string, url.Values) {
	form := url.Values{}
	path := r.path
	switch r.method + " " + r.path {
	case "GET /static/*":
		path = "/static/app.css"
	case "GET /services/:id", "GET /api/services/:id":
		path = strings.Replace(path, ":id", w.ids["service"], 1)
	case "GET /api/service_at_locations/:id":
		path = strings.Replace(path, ":id", w.ids["sal"], 1)
	case "GET /api/organizations/:id":
		path = strings.Replace(path, ":id", w.ids["hsdsOrg"], 1)
	case "GET /api/taxonomies/:id", "GET /admin/taxonomies/:id/delete", "POST /admin/taxonomies/:id/delete":
		path = strings.Replace(path, ":id", w.ids["taxonomy"], 1)
	case "GET /api/taxonomy_terms/:id":
		path = strings.Replace(path, ":id", w.ids["term"], 1)
	case "OPTIONS /api/*":
		path = "/api/services"
	case "GET /invitations/:token", "POST /invitations/:token":
		path = strings.Replace(path, ":token", w.ids["token"], 1)
	case "POST /auth/demo":
		form.Set("user", w.users["no organisation"])
	case "POST /join":
		form.Set("name", "A new charity asked for by "+role)
	case "GET /manage/organisation":
		path += "?org=" + w.ids["orgA"]
	case "POST /manage/organisation":
		form.Set("org", w.ids["orgA"])
		form.Set("name", "Renamed by "+role)
		form.Set("website", "www.example.org.uk")
	case "GET /manage/team":
		path += "?org=" + w.ids["orgA"]
	case "POST /manage/team/invitations":
		form.Set("org", w.ids["orgA"])
		form.Set("email", "new.person@example.org.uk")
		form.Set("caseworker", "true")
	case "POST /manage/team/members/:id":
		path = strings.Replace(path, ":id", w.ids["caseworkerMembership"], 1)
		form.Set("org", w.ids["orgA"])
		form.Set("caseworker", "true")
		form.Set("responder", "true")
	case "POST /manage/team/members/:id/remove":
		path = strings.Replace(path, ":id", w.ids["responderMembership"], 1)
		form.Set("org", w.ids["orgA"])
	case "GET /manage/services", "GET /manage/services/new":
		path += "?org=" + w.ids["orgA"]
	case "POST /manage/services/new", "POST /manage/services/:id/edit":
		path = strings.Replace(path, ":id", w.ids["listing"], 1)
		form.Set("org", w.ids["orgA"])
		form.Set("name", "Made by "+role)
		form.Set("description", "A service.")
		form.Set("state", "open")
		form.Set("capacity", "open")
	case "GET /manage/services/:id/edit", "POST /manage/services/:id/confirm":
		path = strings.Replace(path, ":id", w.ids["listing"], 1)
	case "POST /manage/services/:id/claim":
		path = strings.Replace(path, ":id", w.ids["feedListing"], 1)
	case "POST /manage/services/:id/delete":
		draft := w.ids["draftListing"]
		if role == "platform admin" || role == "data protection lead" {
			draft = w.ids["draftListing2"] // the org admin deleted the first
		}
		path = strings.Replace(path, ":id", draft, 1)
	case "POST /admin/organisations/:id/approve", "POST /admin/organisations/:id/reject":
		path = strings.Replace(path, ":id", w.ids["pendingOrg"], 1)
	case "POST /admin/organisations/:id/domains":
		path = strings.Replace(path, ":id", w.ids["orgA"], 1)
		form.Set("domain", "team-"+strings.ReplaceAll(role, " ", "-")+".example.org.uk")
	case "POST /admin/organisations/:id/domains/remove":
		path = strings.Replace(path, ":id", w.ids["orgA"], 1)
		form.Set("domain", "claimed.example.org.uk")
	case "POST /admin/organisations/:id/link":
		path = strings.Replace(path, ":id", w.ids["orgA"], 1)
		form.Set("hsds_organization_id", "")
	case "GET /services/:id/refer":
		path = strings.Replace(path, ":id", w.ids["referable"], 1)
	case "POST /services/:id/refer":
		path = strings.Replace(path, ":id", w.ids["referable"], 1)
		form.Set("step", "start")
	case "POST /referrals/find":
		form.Set("find_given", "Pat")
		form.Set("find_family", "Example")
		form.Set("find_day", "1")
		form.Set("find_month", "2")
		form.Set("find_year", "1990")
	case "GET /referrals/:ref", "GET /referrals/:ref/print", "POST /referrals/:ref/notes":
		path = strings.Replace(path, ":ref", w.ids["reference"], 1)
		form.Set("note", "A note from "+role)
	case "POST /referrals/:ref/status":
		path = strings.Replace(path, ":ref", w.ids["reference"], 1)
		form.Set("version", "1")
		form.Set("to", "withdrawn")
		form.Set("withdrawn_reason_code", "made_in_error")
	case "POST /referrals/:ref/referrer":
		path = strings.Replace(path, ":ref", w.ids["reference"], 1)
		form.Set("version", "1")
		form.Set("referrer_user_id", w.users["caseworker"])
	case "POST /referrals/:ref/assign":
		path = strings.Replace(path, ":ref", w.ids["reference"], 1)
		form.Set("version", "1")
		form.Set("assigned_user_id", w.users["responder"])
	case "POST /admin/feeds":
		form.Set("name", "feed-"+strings.ReplaceAll(role, " ", "-"))
		form.Set("url", "https://api.example.gov.uk/api/v1/services")
		form.Set("incremental_minutes", "60")
		form.Set("full_hours", "24")
	case "POST /admin/feeds/:id/remove", "POST /admin/feeds/:id/run":
		path = strings.Replace(path, ":id", w.ids["feed"], 1)
	case "GET /manage/data-protection", "GET /manage/data-protection/access-log":
		path += "?org=" + w.ids["orgA"]
	case "POST /manage/data-protection/find", "POST /manage/data-protection/export", "POST /manage/data-protection/access-log":
		form.Set("org", w.ids["orgA"])
		form.Set("given_name", "Pat")
		form.Set("family_name", "Example")
		form.Set("birth_day", "1")
		form.Set("birth_month", "2")
		form.Set("birth_year", "1990")
	case "GET /manage/data-protection/referrals/:ref":
		path = strings.Replace(path, ":ref", w.ids["reference"], 1) + "?org=" + w.ids["orgA"]
	case "POST /manage/data-protection/referrals/:ref/correct":
		path = strings.Replace(path, ":ref", w.ids["reference"], 1)
		form.Set("org", w.ids["orgA"])
		form.Set("given_name", "Pat")
		form.Set("family_name", "Exemplar")
		form.Set("birth_day", "1")
		form.Set("birth_month", "2")
		form.Set("birth_year", "1990")
		form.Set("preferred_contact", "phone")
		form.Set("phone", "01632 960001")
		form.Set("reason", "Needs advice")
		form.Set("why", "Asked by "+role)
		form.Set("version", "1")
	case "POST /manage/data-protection/referrals/:ref/erase":
		path = strings.Replace(path, ":ref", w.ids["reference"], 1)
		form.Set("org", w.ids["orgA"])
		form.Set("erase_why", "Asked by "+role)
	case "POST /admin/taxonomies":
		form.Set("name", "Taxonomy from "+role)
		form.Set(uploadField, "id,name\n1,Advice\n")
	case "POST /admin/users/:id/suspend", "POST /admin/users/:id/restore":
		path = strings.Replace(path, ":id", w.users["caseworker"], 1)
	}
	return path, form
}

// TestEveryRouteWithEveryRole is the permission matrix: every registered
// route, as every role, with real ids another organisation owns.
func TestEveryRouteWithEveryRole(t *testing.T) {
	rows := readPermissions(t)
	documented := map[string]bool{}
	for _, r := range rows {
		documented[r.method+" "+r.path] = true
	}
	_, opts := newPermissionWorld(t)
	e, err := handlers.New(*opts)
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, rt := range e.Routes() {
		if rt.Method == echo.RouteNotFound {
			continue // a group's 404 handler, which answers every unknown path below it
		}
		key := rt.Method + " " + rt.Path
		if !documented[key] {
			missing = append(missing, key)
		}
		delete(documented, key)
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("route %s is not in docs/permissions.md: decide who may use it there", m)
	}
	for key := range documented {
		t.Errorf("docs/permissions.md lists %s, which is not registered", key)
	}

	for _, r := range rows {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			w, _ := newPermissionWorld(t)
			for _, role := range roleOrder {
				want, ok := r.want[role]
				if !ok {
					t.Fatalf("no column for %s", role)
				}
				path, form := w.request(role, r)
				if r.method == http.MethodGet || r.method == http.MethodOptions {
					form = nil
				}
				res := w.do(t, role, r.method, path, form)
				got := strconv.Itoa(res.StatusCode)
				if want == "sign in" {
					if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/auth/login") {
						t.Errorf("%s as %s: %d to %q, want a redirect to sign in", path, role, res.StatusCode, res.Header.Get("Location"))
					}
					continue
				}
				if got != want {
					t.Errorf("%s %s as %s: %s, want %s", r.method, path, role, got, want)
				}
			}
		})
	}
}

// permissionReferralForm is a complete referral of an invented adult.
func permissionReferralForm() models.ReferralForm {
	return models.ReferralForm{
		LawfulBasis: "consent", PersonAgreed: "yes", AgreementCovers: "This referral", AgreementMethod: "phone",
		AgreedDay: "1", AgreedMonth: "11", AgreedYear: "2026", HadCapacity: "yes", Under16: "no",
		GivenName: "Pat", FamilyName: "Example", BirthDay: "1", BirthMonth: "2", BirthYear: "1990",
		PreferredContact: "phone", Phone: "01632 960001", Reason: "Needs advice", Urgency: "routine",
	}
}
