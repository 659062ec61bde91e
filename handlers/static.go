package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/openreferral-uk/referrals/static"
)

// staticFiles serves the embedded assets. Pages link them with a content
// hash (?v=...), so a versioned URL can be cached for a year; an unversioned
// one is revalidated.
func staticFiles() echo.HandlerFunc {
	fileServer := http.StripPrefix("/static/", http.FileServer(http.FS(static.FS)))
	return func(c echo.Context) error {
		name := c.Param("*")
		if name == "" || static.Version(name) == "" {
			return echo.ErrNotFound
		}
		if c.QueryParam("v") == static.Version(name) {
			c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			c.Response().Header().Set("Cache-Control", "public, max-age=300")
		}
		fileServer.ServeHTTP(c.Response(), c.Request())
		return nil
	}
}
