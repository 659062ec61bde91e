package handlers

import (
	"bytes"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

// isHTMX reports whether htmx asked for a fragment: an htmx request that is
// not a boosted full-page navigation.
func isHTMX(c echo.Context) bool {
	r := c.Request()
	return r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Boosted") != "true"
}

// render renders a page into a buffer and then writes it, so that a failure
// half-way gives an error page, not half a page with a 200. For htmx
// requests it renders only the fragment when there is one; a URL that can
// answer both ways says so with Vary.
func render(c echo.Context, status int, page, fragment templ.Component) error {
	comp := page
	if fragment != nil {
		c.Response().Header().Add("Vary", "HX-Request")
		if isHTMX(c) {
			comp = fragment
		}
	}
	var buf bytes.Buffer
	if err := comp.Render(c.Request().Context(), &buf); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}
