package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/hsds/schematest"
)

// TestBrowserSignedInPages signs in through the real demo page in headless
// Chromium, as three roles, and checks the signed-in pages and their error
// pages for WCAG 2.2 AA (axe), one h1, a title, and a quiet console.
func TestBrowserSignedInPages(t *testing.T) {
	axeSource, err := os.ReadFile("testdata/axe-4.14.1.min.js")
	if err != nil {
		t.Fatal(err)
	}
	w, _ := newPermissionWorld(t)

	s := &browserSite{ctx: startChromium(t), base: w.srv.URL}

	signIn := func(t *testing.T, role string) (context.Context, *consoleWatch) {
		t.Helper()
		return s.signIn(t, w.users[role])
	}
	check := func(t *testing.T, tab context.Context, cw *consoleWatch, status int) {
		t.Helper()
		checkPage(t, tab, cw, status, string(axeSource))
	}

	t.Run("no organisation", func(t *testing.T) {
		tab, cw := signIn(t, "no organisation")
		t.Run("account", func(t *testing.T) {
			s.open(t, tab, "/account", 200)
			check(t, tab, cw, 200)
		})
		t.Run("join", func(t *testing.T) {
			s.open(t, tab, "/join", 200)
			check(t, tab, cw, 200)
		})
		t.Run("join with errors", func(t *testing.T) {
			s.open(t, tab, "/join", 200)
			submitForm(t, tab, `form[action="/join"] button[type=submit]`, 422)
			if eval[int](t, tab, `document.querySelectorAll('.govuk-error-summary').length`) != 1 {
				t.Error("no error summary after submitting /join empty")
			}
			check(t, tab, cw, 422)
		})
	})

	t.Run("org admin", func(t *testing.T) {
		tab, cw := signIn(t, "org admin")
		const invite = `form[action="/manage/team/invitations"] button[type=submit]`
		t.Run("team", func(t *testing.T) {
			s.open(t, tab, "/manage/team", 200)
			check(t, tab, cw, 200)
		})
		t.Run("organisation details with errors", func(t *testing.T) {
			s.open(t, tab, "/manage/organisation", 200)
			check(t, tab, cw, 200)
			eval[chromedp.Void](t, tab, `document.querySelector('#name').value = ''`)
			submitForm(t, tab, `form[action="/manage/organisation"] button[type=submit]`, 422)
			check(t, tab, cw, 422)
		})
		t.Run("invitation link", func(t *testing.T) {
			s.open(t, tab, "/manage/team", 200)
			if err := chromedp.Do(tab,
				chromedp.SendKeys(chromedp.CSS(`#email`), "new.caseworker@example.org.uk"),
				chromedp.Click(chromedp.CSS(`#invite-caseworker`)),
			); err != nil {
				t.Fatal(err)
			}
			submitForm(t, tab, invite, 200)
			if eval[int](t, tab, `document.querySelectorAll('.app-invite-link').length`) != 1 {
				t.Error("no invitation link panel after inviting with mail off")
			}
			check(t, tab, cw, 200)
		})
		t.Run("invite with errors", func(t *testing.T) {
			s.open(t, tab, "/manage/team", 200)
			submitForm(t, tab, invite, 422)
			if eval[int](t, tab, `document.querySelectorAll('.govuk-error-summary').length`) != 1 {
				t.Error("no error summary after submitting the invitation empty")
			}
			check(t, tab, cw, 422)
		})
	})

	t.Run("org admin creates a service from nothing", func(t *testing.T) {
		tab, cw := signIn(t, "org admin")
		s.open(t, tab, "/manage/services/new", 200)
		check(t, tab, cw, 200)
		if err := chromedp.Do(tab,
			chromedp.SendKeys(chromedp.ID("name"), "Saturday breakfast club"),
			chromedp.SendKeys(chromedp.ID("description"), "A free cooked breakfast and company, every Saturday morning."),
			chromedp.Click(chromedp.CSS(`input[name="state"][value="open"]`)),
			chromedp.SendKeys(chromedp.ID("fees"), "Free"),
			chromedp.SendKeys(chromedp.ID("areas"), "Kirklees"),
			chromedp.SendKeys(chromedp.ID("phones-0-number"), "0113 496 0123"),
			chromedp.Click(chromedp.CSS(`input[name="schedules-0-days"][value="SA"]`)),
			chromedp.SendKeys(chromedp.ID("schedules-0-opens"), "08:30"),
			chromedp.SendKeys(chromedp.ID("schedules-0-closes"), "11:00"),
			chromedp.SendKeys(chromedp.ID("locations-0-name"), "St Paul's hall"),
			chromedp.SendKeys(chromedp.ID("locations-0-address1"), "2 Church Street"),
			chromedp.SendKeys(chromedp.ID("locations-0-city"), "Huddersfield"),
			chromedp.SendKeys(chromedp.ID("locations-0-postcode"), "HD1 2SP"),
		); err != nil {
			t.Fatal(err)
		}
		resp, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(`button[name=save]`)))
		if err != nil {
			t.Fatal(err)
		}
		if msgs := eval[[]string](t, tab, `[...document.querySelectorAll('.govuk-error-message')].map(e => e.textContent.trim())`); resp.Status != 200 || len(msgs) > 0 {
			t.Fatalf("the new service was refused (%d): %v", resp.Status, msgs)
		}
		check(t, tab, cw, 200)
		u := eval[string](t, tab, `location.pathname`)
		id := strings.TrimSuffix(strings.TrimPrefix(u, "/manage/services/"), "/edit")
		if !models.IsUUIDShaped(id) {
			t.Fatalf("after saving, the browser is at %s", u)
		}
		// Published at once, and a valid ORUK (and HSDS) service.
		got := apiService(t, w.srv.URL, id)
		if !strings.Contains(got.body, "Saturday breakfast club") || !strings.Contains(got.body, `"byday":"SA"`) {
			t.Fatalf("the API does not have the new service: %.300s", got.body)
		}
		schematest.Validate(t, schematest.Schema(t, schematest.ORUKPrefix, "service.json"), "/api/services/"+id, []byte(got.body))
		schematest.Validate(t, schematest.Schema(t, schematest.HSDSPrefix, "service.json"), "/api/services/"+id, []byte(got.body))
	})

	t.Run("org admin edits a service", func(t *testing.T) {
		tab, cw := signIn(t, "org admin")
		id := w.ids["listing"]
		path := "/manage/services/" + id + "/edit"
		apiBefore := apiService(t, w.srv.URL, id)
		s.open(t, tab, "/manage/services", 200)
		check(t, tab, cw, 200)
		s.open(t, tab, path, 200)
		check(t, tab, cw, 200)

		// The category box narrows the checkboxes as you type; ticked ones
		// stay, and clearing it shows them all again.
		if eval[bool](t, tab, `document.querySelector('.app-category-filter').hidden`) {
			t.Fatal("the category filter is still hidden with JavaScript on")
		}
		all := eval[int](t, tab, `document.querySelectorAll('#category-list .govuk-checkboxes__item').length`)
		ticked := eval[int](t, tab, `document.querySelectorAll('#category-list input:checked').length`)
		if err := chromedp.Do(tab, chromedp.SendKeys(chromedp.ID("category-filter"), "zzzz no such category")); err != nil {
			t.Fatal(err)
		}
		visible := `[...document.querySelectorAll('#category-list .govuk-checkboxes__item')].filter(i => i.offsetParent !== null).length`
		if got := eval[int](t, tab, visible); got != ticked || all <= ticked {
			t.Errorf("filtering for nothing shows %d of %d categories, want only the %d ticked", got, all, ticked)
		}
		eval[chromedp.Void](t, tab, `const f = document.getElementById('category-filter'); f.value = ''; f.dispatchEvent(new Event('input', {bubbles: true}))`)
		if got := eval[int](t, tab, visible); got != all {
			t.Errorf("after clearing the filter %d of %d categories show", got, all)
		}

		// htmx adds a location row in place, keeping what was typed.
		n := eval[int](t, tab, `document.querySelectorAll('.app-location').length`)
		if err := chromedp.Do(tab, chromedp.SendKeys(chromedp.ID("schedules-0-notes"), "Closed on bank holidays")); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS(`button[name=add_location]`))); err != nil {
			t.Fatal(err)
		}
		waitFor(t, tab, "a new location row", fmt.Sprintf(`document.querySelectorAll('.app-location').length === %d`, n+1))
		if got := eval[string](t, tab, `document.getElementById('schedules-0-notes').value`); !strings.Contains(got, "Closed on bank holidays") {
			t.Errorf("the swap lost what was typed: %q", got)
		}
		row := func(f string) string { return fmt.Sprintf("locations-%d-%s", n, f) }
		// Opening times: Saturdays only, 10:00 to 13:00.
		eval[chromedp.Void](t, tab, `document.querySelectorAll('input[name="schedules-0-days"]').forEach(b => b.checked = false);
			document.getElementById('schedules-0-opens').value = ''; document.getElementById('schedules-0-closes').value = ''`)
		if err := chromedp.Do(tab,
			chromedp.Click(chromedp.CSS(`input[name="schedules-0-days"][value="SA"]`)),
			chromedp.SendKeys(chromedp.ID("schedules-0-opens"), "10:00"),
			chromedp.SendKeys(chromedp.ID("schedules-0-closes"), "13:00"),
			chromedp.SendKeys(chromedp.ID(row("name")), "Market hall"),
			chromedp.SendKeys(chromedp.ID(row("address1")), "5 Market Street"),
			chromedp.SendKeys(chromedp.ID(row("city")), "Leeds"),
			chromedp.SendKeys(chromedp.ID(row("postcode")), "LS6 1AA"),
			chromedp.SendKeys(chromedp.ID(row("accessibility")), "Lift to every floor"),
		); err != nil {
			t.Fatal(err)
		}
		// Another price, added in place like the location.
		prices := eval[int](t, tab, `document.querySelectorAll('input[name^="prices-"][name$="-amount"]').length`)
		if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS(`button[name=add_price]`))); err != nil {
			t.Fatal(err)
		}
		waitFor(t, tab, "a new price row", fmt.Sprintf(`document.querySelectorAll('input[name^="prices-"][name$="-amount"]').length === %d`, prices+1))
		if err := chromedp.Do(tab,
			chromedp.SendKeys(chromedp.ID(fmt.Sprintf("prices-%d-amount", prices)), "4"),
			chromedp.SendKeys(chromedp.ID(fmt.Sprintf("prices-%d-for", prices)), "per family"),
			chromedp.SendKeys(chromedp.ID(fmt.Sprintf("prices-%d-details", prices)), "Free for carers"),
		); err != nil {
			t.Fatal(err)
		}
		submitForm(t, tab, `button[name=save]`, 200)
		if msgs := eval[[]string](t, tab, `[...document.querySelectorAll('.govuk-error-message')].map(e => e.textContent.trim())`); len(msgs) > 0 {
			t.Fatalf("the save was refused: %v", msgs)
		}
		check(t, tab, cw, 200)
		after := apiService(t, w.srv.URL, id)
		if !strings.Contains(after.body, "5 Market Street") || !strings.Contains(after.body, `"byday":"SA"`) ||
			!strings.Contains(after.body, `"opens_at":"10:00"`) || !strings.Contains(after.body, `"option":"per family"`) ||
			!strings.Contains(after.body, `"amount_description":"Free for carers"`) || after.LastModified <= apiBefore.LastModified {
			t.Errorf("the API after the edit: last_modified %s -> %s; %.400s", apiBefore.LastModified, after.LastModified, after.body)
		}
		if eval[int](t, tab, `[...document.querySelectorAll('.app-history td')].filter(td => td.textContent.includes('Saturday, 10am to 1pm')).length`) == 0 {
			t.Error("the history does not show the new opening times")
		}

		// A mistake comes back with 422, messages and an accessible page.
		eval[chromedp.Void](t, tab, `document.getElementById('schedules-0-closes').value = '09:00'`)
		submitForm(t, tab, `button[name=save]`, 422)
		if eval[int](t, tab, `document.querySelectorAll('.govuk-error-summary a[href="#schedules-0-closes"]').length`) != 1 {
			t.Error("no error summary link to the closing time")
		}
		check(t, tab, cw, 422)

		other, ocw := signIn(t, "other org admin")
		s.open(t, other, path, 403)
		check(t, other, ocw, 403)
	})

	t.Run("data protection lead", func(t *testing.T) {
		tab, cw := signIn(t, "data protection lead")
		s.open(t, tab, "/manage/data-protection", 200)
		check(t, tab, cw, 200)
		for id, v := range map[string]string{"given_name": "Pat", "family_name": "Example", "birth_day": "1", "birth_month": "2", "birth_year": "1990"} {
			if err := chromedp.Do(tab, chromedp.SendKeys(chromedp.CSS("#"+id), v)); err != nil {
				t.Fatal(err)
			}
		}
		submitForm(t, tab, `form[action="/manage/data-protection/find"] button[type=submit]`, 200)
		check(t, tab, cw, 200)
		link := `a[href^="/manage/data-protection/referrals/` + w.ids["reference"] + `"]`
		if n := eval[int](t, tab, `document.querySelectorAll(`+strconv.Quote(link)+`).length`); n != 1 {
			t.Fatalf("the search does not list the referral %s", w.ids["reference"])
		}
		submitForm(t, tab, link, 200)
		check(t, tab, cw, 200)
		submitForm(t, tab, `form[action$="/erase"] button[type=submit]`, 422) // no reason given
		check(t, tab, cw, 422)
		s.open(t, tab, "/manage/data-protection/access-log", 200)
		check(t, tab, cw, 200)
		if n := eval[int](t, tab, `document.querySelectorAll('#access-log tbody tr').length`); n < 2 {
			t.Errorf("the access log has %d entries, want the two looks just made", n)
		}
	})

	t.Run("platform admin", func(t *testing.T) {
		tab, cw := signIn(t, "platform admin")
		for _, p := range []string{"/admin/organisations", "/admin/users", "/admin/feeds", "/admin/taxonomies"} {
			t.Run(p, func(t *testing.T) {
				s.open(t, tab, p, 200)
				check(t, tab, cw, 200)
			})
		}
		t.Run("delete a taxonomy", func(t *testing.T) {
			s.open(t, tab, "/admin/taxonomies", 200)
			link := `a[href="/admin/taxonomies/` + w.ids["taxonomy"] + `/delete"]`
			resp, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(link)))
			if err != nil || resp.Status != 200 {
				t.Fatalf("following the delete link: %v %v", resp, err)
			}
			check(t, tab, cw, 200)
			if n := eval[string](t, tab, `document.querySelector('#services').textContent`); n == "0" {
				t.Error("the confirmation says no services are filed under the demo taxonomy")
			}
			submitForm(t, tab, `form[action$="/delete"] button[type=submit]`, 200)
			check(t, tab, cw, 200)
			if got := eval[string](t, tab, `location.pathname`); got != "/admin/taxonomies" {
				t.Errorf("after deleting, the browser is at %s", got)
			}
			if eval[int](t, tab, `document.querySelectorAll('`+link+`').length`) != 0 {
				t.Error("the deleted taxonomy is still listed")
			}
			if msg := eval[string](t, tab, `document.body.textContent`); !strings.Contains(msg, "deleted with its") {
				t.Error("no message saying the taxonomy was deleted")
			}
		})
	})
}

// axeViolationHTML is one failed axe rule with its first node's markup.
type axeViolationHTML struct {
	axeViolation
	HTML string `json:"html"`
}

// runAxeHTML is runAxe that also reports the first failing node's markup.
func runAxeHTML(t *testing.T, ctx context.Context, source string) []axeViolationHTML {
	t.Helper()
	if eval[bool](t, ctx, `typeof axe === 'undefined'`) {
		eval[chromedp.Void](t, ctx, source)
	}
	tags, _ := json.Marshal(axeTags)
	res := eval[struct {
		Passes     int                `json:"passes"`
		Violations []axeViolationHTML `json:"violations"`
	}](t, ctx, `axe.run(document, {runOnly: {type: 'tag', values: `+string(tags)+`}})
		.then(r => ({
			passes: r.passes.length,
			violations: r.violations.map(v => ({
				id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
				nodes: v.nodes.length, target: JSON.stringify(v.nodes[0] ? v.nodes[0].target : []),
				html: v.nodes[0] ? v.nodes[0].html : '',
			})),
		}))`, chromedp.EvalAwaitPromise)
	if res.Passes == 0 {
		t.Fatal("axe passed no rule at all: it did not check the page")
	}
	return res.Violations
}

// apiResult is a service as the published API gives it.
type apiResult struct {
	LastModified string `json:"last_modified"`
	body         string
}

// apiService fetches a service from the published API, as a consumer would.
func apiService(t *testing.T, base, id string) apiResult {
	t.Helper()
	res, err := http.Get(base + "/api/services/" + id)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("/api/services/%s: %d", id, res.StatusCode)
	}
	var r apiResult
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatal(err)
	}
	r.body = string(body)
	return r
}

// signIn opens a tab with its own cookies and signs in as a demo user by
// pressing that person's button on the demo page.
func (s *browserSite) signIn(t *testing.T, userID string) (context.Context, *consoleWatch) {
	t.Helper()
	if userID == "" {
		t.Fatal("no demo user to sign in as")
	}
	tab := s.tab(t, chromedp.WithNewBrowserContext())
	cw := watchConsole(t, tab)
	s.open(t, tab, "/auth/demo", 200)
	button := `form[action="/auth/demo"]:has(input[name="user"][value=` + strconv.Quote(userID) + `]) button[type=submit]`
	if n := eval[int](t, tab, `document.querySelectorAll(`+strconv.Quote(button)+`).length`); n != 1 {
		t.Fatalf("the demo page has %d sign-in buttons for %s, want 1", n, userID)
	}
	resp, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(button)))
	if err != nil {
		t.Fatalf("sign in as %s: %v", userID, err)
	}
	if resp.Status != 200 {
		t.Fatalf("sign in as %s led to %s (%d)", userID, resp.URL, resp.Status)
	}
	return tab, cw
}

// checkPage examines the page the tab shows now: one h1, a title, no axe
// violations, no console errors. status is the page's own status, whose
// network log entry (Chromium logs any 4xx document as "Failed to load
// resource") is expected rather than a defect.
func checkPage(t *testing.T, tab context.Context, cw *consoleWatch, status int, axeSource string) {
	t.Helper()
	waitFor(t, tab, "app.js to mark the body", `document.body.classList.contains('js-enabled') && document.body.classList.contains('govuk-frontend-supported')`)
	if n := eval[int](t, tab, `document.querySelectorAll('h1').length`); n != 1 {
		t.Errorf("%d h1 elements, want 1: %v", n, eval[[]string](t, tab, `[...document.querySelectorAll('h1')].map(h => h.textContent.trim())`))
	}
	if title := eval[string](t, tab, `document.title.trim()`); title == "" {
		t.Error("the document title is empty")
	}
	for _, v := range runAxeHTML(t, tab, axeSource) {
		t.Errorf("axe %s (%s): %s; %d node(s), first %s: %s (%s)", v.ID, v.Impact, v.Help, v.Nodes, v.Target, v.HTML, v.HelpURL)
	}
	own := fmt.Sprintf("Failed to load resource: the server responded with a status of %d ", status)
	for _, m := range cw.errors(t, tab) {
		if !strings.HasPrefix(m, "browser log (network, error) ") || !strings.Contains(m, own) {
			t.Error(m)
		}
	}
	// Start the next page in this tab with a clean slate.
	cw.mu.Lock()
	cw.msgs = nil
	cw.mu.Unlock()
}

// submitForm presses a form's button and wants the resulting status.
func submitForm(t *testing.T, tab context.Context, button string, want int64) {
	t.Helper()
	resp, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(button)))
	if err != nil {
		t.Fatalf("submit %s: %v", button, err)
	}
	if resp.Status != want {
		t.Fatalf("submit %s led to %s (%d), want %d", button, resp.URL, resp.Status, want)
	}
}
