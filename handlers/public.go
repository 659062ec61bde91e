package handlers

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/openreferral-uk/referrals/views/public"
)

// Notices are what the organisation running the platform fills in for the
// privacy notice and the accessibility statement. Empty values show a
// placeholder outside production; production refuses to start without the
// operator's name and contact email.
type Notices struct {
	// OperatorName is the organisation running this service: the data
	// controller the privacy notice names.
	OperatorName string
	// OperatorEmail is where people write about their data.
	OperatorEmail string
	// DPOContact says how to reach the data protection officer.
	DPOContact string
	// ICORegistration is the operator's ICO registration number, if any.
	ICORegistration string
	// HostingLocation says where the app and its database run.
	HostingLocation string
	// AccessibilityEmail is where people report accessibility problems;
	// empty uses OperatorEmail.
	AccessibilityEmail string
	// AccessibilityReviewed is when the operator last reviewed the
	// accessibility statement.
	AccessibilityReviewed time.Time
}

// csrfCookieMaxAge is how long the CSRF cookie lasts, in seconds. The
// cookies page states it.
const csrfCookieMaxAge = 24 * 60 * 60

// Cookie names, shared by the middleware that sets them and the cookies
// page that lists them.
const (
	sessionCookieName = "referrals_session"
	csrfCookieName    = "referrals_csrf"
)

// operator is the view of the notices the public pages show.
func (h *Handler) operator() public.Operator {
	n := h.opts.Notices
	o := public.Operator{
		Name: n.OperatorName, Email: n.OperatorEmail, DPO: n.DPOContact, ICO: n.ICORegistration,
		Hosting: n.HostingLocation, AccessibilityEmail: n.AccessibilityEmail, Reviewed: n.AccessibilityReviewed,
		ShowGaps: !h.opts.Production, BaseURL: h.opts.BaseURL,
		PostcodeLookup: h.opts.PostcodeLookupURL != "",
	}
	if o.AccessibilityEmail == "" {
		o.AccessibilityEmail = o.Email
	}
	return o
}

// cookies lists every cookie the app sets. A test drives the app and checks
// that the cookies it actually sets are exactly these.
func (h *Handler) cookies() []public.Cookie {
	return []public.Cookie{
		{Name: sessionCookieName, Purpose: "Keeps you signed in, and remembers where you were going while you sign in. Set only when you sign in or start to.",
			Expiry: "After " + public.Duration(h.opts.SessionIdleTimeout) + " without using the service, or " + public.Duration(h.opts.SessionLifetime) + " after you signed in, whichever comes first. Signing out removes it."},
		{Name: csrfCookieName, Purpose: "Proves that a form you send came from this service's own pages, so another website cannot act in your name (cross-site request forgery protection).",
			Expiry: public.Duration(csrfCookieMaxAge*time.Second) + " after your last visit"},
	}
}

// privacyNotice is GET /privacy.
func (h *Handler) privacyNotice(c echo.Context) error {
	l := h.layout(c, "Privacy notice")
	return render(c, http.StatusOK, public.Privacy(public.Page{Layout: l, Operator: h.operator()}), nil)
}

// accessibilityStatement is GET /accessibility.
func (h *Handler) accessibilityStatement(c echo.Context) error {
	l := h.layout(c, "Accessibility statement")
	return render(c, http.StatusOK, public.Accessibility(public.Page{Layout: l, Operator: h.operator()}), nil)
}

// cookiesPage is GET /cookies.
func (h *Handler) cookiesPage(c echo.Context) error {
	l := h.layout(c, "Cookies")
	return render(c, http.StatusOK, public.Cookies(public.Page{Layout: l, Operator: h.operator(), Cookies: h.cookies()}), nil)
}
