package handlers_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openreferral-uk/referrals/handlers"
	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/hsds/schematest"
)

// send is do that also returns the body.
func (w *permissionWorld) send(t *testing.T, role, method, path string, form url.Values, header ...string) (*http.Response, string) {
	t.Helper()
	c := w.clients[role]
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
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// listingFormValues is a valid service form with one of each row.
func listingFormValues(org string) url.Values {
	return url.Values{
		"org": {org}, "name": {"Lunch club"}, "description": {"Hot meals on weekdays."}, "state": {"open"},
		"capacity": {"open"}, "response_target_days": {"5"}, "prices-0-id": {""}, "prices-0-amount": {"2.50"}, "prices-0-for": {"per meal"}, "prices-0-details": {""}, "areas": {"Leeds, Bradford"},
		"phones-0-id": {""}, "phones-0-number": {"0113 496 0123"}, "phones-0-description": {"Bookings"},
		"schedules-0-id": {""}, "schedules-0-days": {"MO", "WE"}, "schedules-0-opens": {"12:00"}, "schedules-0-closes": {"14:00"}, "schedules-0-notes": {""},
		"locations-0-id": {""}, "locations-0-name": {"Church hall"}, "locations-0-address1": {"3 Chapel Lane"}, "locations-0-address2": {""},
		"locations-0-city": {"Leeds"}, "locations-0-postcode": {"LS6 1AA"}, "locations-0-latitude": {""}, "locations-0-longitude": {""},
		"locations-0-accessibility": {"Ramp at the side door"},
	}
}

func TestListingPages(t *testing.T) {
	w, _ := newPermissionWorld(t)
	org := w.ids["orgA"]

	res, body := w.send(t, "org admin", http.MethodGet, "/manage/services?org="+org, nil)
	if res.StatusCode != 200 || !strings.Contains(body, "/manage/services/"+w.ids["listing"]+"/edit") {
		t.Fatalf("list: %d", res.StatusCode)
	}

	// Without JavaScript, "add another location" shows the form again with
	// a blank row and what was typed; with htmx, only the form.
	form := listingFormValues(org)
	form.Set("add_location", "1")
	res, body = w.send(t, "org admin", http.MethodPost, "/manage/services/new", form)
	if res.StatusCode != 200 || !strings.Contains(body, `id="locations-1-address1"`) || !strings.Contains(body, `value="3 Chapel Lane"`) ||
		!strings.Contains(body, "<h1") {
		t.Fatalf("add a location without JS: %d", res.StatusCode)
	}
	res, body = w.send(t, "org admin", http.MethodPost, "/manage/services/new", form, "HX-Request", "true")
	if res.StatusCode != 200 || strings.Contains(body, "<h1") || !strings.HasPrefix(strings.TrimSpace(body), `<form id="listing-form"`) ||
		!strings.Contains(body, `id="locations-1-address1"`) {
		t.Fatalf("add a location with htmx: %d %.200s", res.StatusCode, body)
	}

	// Mistakes come back with 422, a message beside the field, and what
	// was typed, escaped.
	bad := listingFormValues(org)
	bad.Set("name", `<script>alert("x")</script>`)
	bad.Set("phones-0-number", "12345")
	bad.Set("locations-0-postcode", "NOT A POSTCODE")
	bad.Set("bank_holidays", "wales-only")
	res, body = w.send(t, "org admin", http.MethodPost, "/manage/services/new", bad)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid: %d", res.StatusCode)
	}
	for _, want := range []string{`id="name-error"`, `id="phones-0-number-error"`, `id="locations-0-postcode-error"`,
		`value="12345"`, `value="NOT A POSTCODE"`, `&lt;script&gt;`, `href="#phones-0-number"`,
		`id="bank_holidays-error"`, `aria-describedby="bank_holidays-hint bank_holidays-error"`, `href="#bank_holidays"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the 422 page lacks %s", want)
		}
	}
	// A blank row before a wrong one: the message is beside the number it
	// is about, not beside the blank row.
	gap := listingFormValues(org)
	gap.Set("phones-0-number", "")
	gap.Set("phones-0-description", "")
	gap.Set("phones-1-id", "")
	gap.Set("phones-1-number", "12345")
	gap.Set("phones-1-description", "Bookings")
	gap.Set("prices-0-amount", "")
	gap.Set("prices-0-for", "")
	gap.Set("prices-1-id", "")
	gap.Set("prices-1-amount", "lots")
	gap.Set("prices-1-for", "per day")
	gap.Set("prices-1-details", "")
	res, gapBody := w.send(t, "org admin", http.MethodPost, "/manage/services/new", gap)
	for _, want := range []*regexp.Regexp{regexp.MustCompile(`<input[^>]*name="phones-0-number"[^>]*value="12345"`),
		regexp.MustCompile(`<input[^>]*name="prices-0-amount"[^>]*value="lots"`)} {
		if res.StatusCode != http.StatusUnprocessableEntity || !want.MatchString(gapBody) ||
			!strings.Contains(gapBody, `id="phones-0-number-error"`) || !strings.Contains(gapBody, `id="prices-0-amount-error"`) {
			t.Errorf("a blank row before a wrong one: %d, %s not found beside its message", res.StatusCode, want)
		}
	}
	if strings.Contains(body, `<script>alert`) {
		t.Error("typed markup reached the page unescaped")
	}

	// A valid form creates the service, and the API shows it at once.
	res, _ = w.send(t, "org admin", http.MethodPost, "/manage/services/new", listingFormValues(org))
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/manage/services/") {
		t.Fatalf("create: %d %q", res.StatusCode, loc)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(loc, "/manage/services/"), "/edit")
	res, body = w.send(t, "anonymous", http.MethodGet, "/api/services/"+id, nil)
	if res.StatusCode != 200 || !strings.Contains(body, "Church hall") || !strings.Contains(body, `"byday":"MO,WE"`) ||
		!strings.Contains(body, `"amount":2.5`) || !strings.Contains(body, `"name":"Bradford"`) {
		t.Fatalf("API after create: %d %.300s", res.StatusCode, body)
	}
	// A service made from nothing in the form is a valid ORUK and HSDS
	// service.
	schematest.Validate(t, schematest.Schema(t, schematest.ORUKPrefix, "service.json"), "/api/services/"+id, []byte(body))
	schematest.Validate(t, schematest.Schema(t, schematest.HSDSPrefix, "service.json"), "/api/services/"+id, []byte(body))
	var before struct {
		LastModified string `json:"last_modified"`
	}
	_ = json.Unmarshal([]byte(body), &before)

	// Editing the opening times shows in the API with a new last_modified,
	// and in the history on the edit page.
	res, body = w.send(t, "org admin", http.MethodGet, loc, nil)
	if res.StatusCode != 200 || !strings.Contains(body, "Monday and Wednesday, midday to 2pm") {
		t.Fatalf("edit page: %d", res.StatusCode)
	}
	time.Sleep(5 * time.Millisecond)
	l, err := models.GetListing(t.Context(), w.db, mustActor(t, w, "org admin"), id)
	if err != nil {
		t.Fatal(err)
	}
	edit := listingFormValues(org)
	edit.Set("phones-0-id", l.Input.Phones[0].ID)
	edit.Set("schedules-0-id", l.Input.Schedules[0].ID)
	edit.Set("locations-0-id", l.Input.Locations[0].ID)
	edit["schedules-0-days"] = []string{"FR"}
	res, _ = w.send(t, "org admin", http.MethodPost, loc, edit)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", res.StatusCode)
	}
	_, body = w.send(t, "anonymous", http.MethodGet, "/api/services/"+id, nil)
	var after struct {
		LastModified string `json:"last_modified"`
	}
	_ = json.Unmarshal([]byte(body), &after)
	if !strings.Contains(body, `"byday":"FR"`) || after.LastModified <= before.LastModified {
		t.Errorf("API after edit: %s -> %s, %.300s", before.LastModified, after.LastModified, body)
	}
	for _, word := range []string{"response_target", "capacity", "responders", "listing_changes", "changed_by"} {
		if strings.Contains(body, word) {
			t.Errorf("the API publishes the local field %s", word)
		}
	}
	_, body = w.send(t, "org admin", http.MethodGet, loc, nil)
	if !strings.Contains(body, "Opening times") || !strings.Contains(body, "Friday, midday to 2pm") || !strings.Contains(body, `class="govuk-table app-history"`) {
		t.Error("the history does not show the change of opening times")
	}

	// A save from a page loaded before that change is refused with 409,
	// keeping what was typed.
	stale := listingFormValues(org)
	stale.Set("version", "2000-01-01T00:00:00.000Z")
	stale.Set("name", "Typed before the other change")
	res, body = w.send(t, "org admin", http.MethodPost, loc, stale)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, `value="Typed before the other change"`) ||
		!strings.Contains(body, `href="#history"`) {
		t.Errorf("a stale save: %d", res.StatusCode)
	}

	// Another organisation's admin cannot see or change it.
	if res, _ = w.send(t, "other org admin", http.MethodGet, loc, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("other org admin GET edit: %d", res.StatusCode)
	}
	if res, _ = w.send(t, "other org admin", http.MethodPost, loc, listingFormValues(org)); res.StatusCode != http.StatusForbidden {
		t.Errorf("other org admin POST edit: %d", res.StatusCode)
	}
}

func mustActor(t *testing.T, w *permissionWorld, role string) *models.Actor {
	t.Helper()
	a, err := models.LoadActor(t.Context(), w.db, w.users[role])
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestPossiblyOutOfDate flags a listing not confirmed within the review
// period on its public page, and not once confirmed.
func TestPossiblyOutOfDate(t *testing.T) {
	w, opts := newPermissionWorld(t)
	opts.ListingReviewPeriod = 30 * 24 * time.Hour
	e, err := handlers.New(*opts)
	if err != nil {
		t.Fatal(err)
	}
	id := w.ids["listing"]
	w.db.Model(&models.Service{}).Where("id = ?", id).Update("assured_date", "2020-01-01")
	page := func() string {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/services/"+id, nil))
		return rec.Body.String()
	}
	if !strings.Contains(page(), "app-possibly-out-of-date") {
		t.Error("an old listing is not flagged")
	}
	if err := models.ConfirmListing(t.Context(), w.db, mustActor(t, w, "org admin"), id); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(page(), "app-possibly-out-of-date") {
		t.Error("a confirmed listing is flagged")
	}
}
