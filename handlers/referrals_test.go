package handlers_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The refer journey takes whatever a browser (or anything else) posts:
// unknown steps and actions, hostile and oversized answers. It answers with
// a page, never a 500, and echoes nothing unescaped.
func TestReferralJourneyHostileInput(t *testing.T) {
	w, _ := newPermissionWorld(t)
	path := "/services/" + w.ids["referable"] + "/refer"
	c := w.clients["caseworker"]
	u, _ := url.Parse(w.srv.URL)
	post := func(form url.Values) (int, string) {
		t.Helper()
		for _, ck := range c.Jar.Cookies(u) {
			if ck.Name == "referrals_csrf" {
				form.Set("_csrf", ck.Value)
			}
		}
		res, err := c.PostForm(w.srv.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	script := `<script>alert("x")</script>`
	cases := []struct {
		name string
		form url.Values
		want int
	}{
		{"unknown step", url.Values{"step": {"evil"}, "action": {"continue"}}, 200},
		{"change to an unknown step", url.Values{"step": {"check"}, "action": {"change:evil"}}, 200},
		{"send with nothing", url.Values{"step": {"check"}, "action": {"send"}}, 422},
		{"hostile answers", url.Values{"step": {"person"}, "action": {"continue"}, "given_name": {script},
			"family_name": {strings.Repeat("x", 100_000)}, "birth_day": {"31"}, "birth_month": {"2"}, "birth_year": {"-1"},
			"phone": {script}, "email": {script}, "postcode": {script}}, 422},
		{"another organisation", url.Values{"step": {"start"}, "from_org": {w.ids["pendingOrg"]}}, 403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, body := post(tc.form)
			if code != tc.want {
				t.Errorf("status %d, want %d", code, tc.want)
			}
			if strings.Contains(body, script) {
				t.Error("the answer echoes markup unescaped")
			}
			if code == http.StatusOK && !strings.Contains(body, "<h1") {
				t.Error("a 200 without a page heading")
			}
			// A grouped question's error is announced with it (GOV.UK).
			if tc.name == "hostile answers" && (!strings.Contains(body, `id="birth-error"`) ||
				!strings.Contains(body, `aria-describedby="birth-hint birth-error"`)) {
				t.Error("the date of birth's error is not tied to its fieldset")
			}
		})
	}
}
