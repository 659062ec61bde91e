package handlers

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routes registers the whole URL surface and its middleware. Keep it on one
// screen: it is the map of the application.
func (h *Handler) routes(e *echo.Echo) {
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{
		RedirectCode: 301,
		Skipper:      func(c echo.Context) bool { return c.Request().URL.Path == "/api/" },
	}))
	e.Use(
		middleware.RequestIDWithConfig(middleware.RequestIDConfig{Generator: newRequestID}),
		h.recoverPanics,
		h.logRequests,
		securityHeaders(h.opts.Production),
		middleware.BodyLimit("2M"),
	)

	e.GET("/healthz", h.healthz)
	e.GET("/readyz", h.readyz)
	e.GET("/static/*", staticFiles())

	e.GET("/", h.directorySearch)
	e.GET("/services/:id", h.serviceShow)
}
