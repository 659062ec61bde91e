package handlers_test

import (
	"bufio"
	"context"
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
var roleOrder = []string{"anonymous", "no organisation", "caseworker", "responder", "other org admin", "org admin", "platform admin"}

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

	opts := handlers.Options{DB: db, BaseURL: "http://permissions.test", Demo: true}
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
		req, _ = http.NewRequest(method, w.srv.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
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
	case "GET /api/taxonomies/:id":
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
	case "POST /admin/feeds":
		form.Set("name", "feed-"+strings.ReplaceAll(role, " ", "-"))
		form.Set("url", "https://api.example.gov.uk/api/v1/services")
		form.Set("incremental_minutes", "60")
		form.Set("full_hours", "24")
	case "POST /admin/feeds/:id/remove", "POST /admin/feeds/:id/run":
		path = strings.Replace(path, ":id", w.ids["feed"], 1)
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
