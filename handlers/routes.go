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
	e.Pre(headAsGet)
	e.Use(
		assignRequestID,
		h.logRequests,
		h.recoverPanics,
		securityHeaders(h.opts.TrustedProxies),
		middleware.BodyLimit("2M"),
	)

	e.GET("/healthz", h.healthz)
	e.GET("/readyz", h.readyz)
	e.GET("/static/*", staticFiles())

	e.GET("/", h.directorySearch)
	e.GET("/services/:id", h.serviceShow)

	// The published Open Referral UK API: open to all, read-only.
	api := e.Group("/api", apiCORS)
	if h.cache != nil {
		api.Use(h.cache.middleware)
	}
	api.GET("/", h.apiRoot)
	api.GET("/openapi.json", h.apiOpenAPI)
	api.GET("/docs", h.apiDocs)
	api.GET("/services", h.apiServices)
	api.GET("/services/:id", h.apiService)
	api.GET("/service_at_locations", h.apiServiceAtLocations)
	api.GET("/service_at_locations/:id", h.apiServiceAtLocation)
	api.GET("/organizations", h.apiOrganizations)
	api.GET("/organizations/:id", h.apiOrganization)
	api.GET("/taxonomies", h.apiTaxonomies)
	api.GET("/taxonomies/:id", h.apiTaxonomy)
	api.GET("/taxonomy_terms", h.apiTaxonomyTerms)
	api.GET("/taxonomy_terms/:id", h.apiTaxonomyTerm)
	api.OPTIONS("/*", func(echo.Context) error { return nil })
}
