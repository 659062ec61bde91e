// Package views holds the templ templates of every page. Each page takes one
// view-model struct defined beside it; templates never query the database.
package views

import "github.com/openreferral-uk/referrals/static"

// Layout is what the shared page frame needs to know about a request.
type Layout struct {
	// Title is the page's own title; the site name is appended.
	Title string
	// Demo shows the banner saying the data is invented.
	Demo bool
	// Nav marks the current section in the header.
	Nav string
	// UserName is the signed-in user's name; empty for the public.
	UserName string
	// CSRF is the token every form and htmx request must carry.
	CSRF string
	// ShowTeam and ShowAdmin add the organisation admin and platform admin
	// sections to the header.
	ShowTeam, ShowAdmin bool
	// ShowReferrals adds the referrals section, for caseworkers and
	// responders.
	ShowReferrals bool
	// SignInURL is where the header's sign-in link goes.
	SignInURL string
	// Flash is a one-time message from the previous action.
	Flash string
	// NoOrganisation is set for a signed-in user who belongs to no
	// organisation yet: every page points them to what to do next.
	NoOrganisation bool
}

// HTMXHeaders is the hx-headers value that makes htmx send the CSRF token.
func (l Layout) HTMXHeaders() string {
	return `{"X-CSRF-Token": "` + l.CSRF + `"}`
}

// StaticURL returns the cache-busting URL of an embedded static file.
func StaticURL(name string) string {
	v := static.Version(name)
	if v == "" {
		return "/static/" + name
	}
	return "/static/" + name + "?v=" + v
}

// SiteName is the product's name as pages show it.
const SiteName = "Community Referrals"

// htmxConfig configures htmx 2 for the Content-Security-Policy (no eval, no
// injected styles) and so that 422 responses, which carry a form's errors,
// are swapped in.
const htmxConfig = `{"includeIndicatorStyles":false,"allowEval":false,"responseHandling":[{"code":"204","swap":false},{"code":"[23]..","swap":true},{"code":"422","swap":true},{"code":"[45]..","swap":false,"error":true}]}`

func fullTitle(t string) string {
	if t == "" {
		return SiteName
	}
	return t + " – " + SiteName
}
