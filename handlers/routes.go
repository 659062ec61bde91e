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
		securityHeaders(h.opts.TrustedProxies, h.formOrigins()),
		middleware.BodyLimit("2M"),
	)

	e.GET("/healthz", h.healthz)
	e.GET("/readyz", h.readyz)
	e.GET("/static/*", staticFiles())

	// Pages carry sessions, CSRF protection and the signed-in user. The
	// middleware is given per route, not to a group: an Echo group with
	// middleware also catches every unknown path beneath it, which would
	// send a 404 to sign in.
	page := []echo.MiddlewareFunc{echo.WrapMiddleware(h.sessions.LoadAndSave), csrfProtection(h.sessionCookieSecure()), h.loadActor}
	member := append(page[:len(page):len(page)], requireSignIn)

	e.GET("/", h.directorySearch, page...)
	e.GET("/services/:id", h.serviceShow, page...)
	e.GET("/privacy", h.privacyNotice, page...)
	e.GET("/accessibility", h.accessibilityStatement, page...)
	e.GET("/cookies", h.cookiesPage, page...)

	signIn := append(page[:len(page):len(page)], rateLimited(h.signInRL, "sign-in"))
	e.GET("/auth/login", h.authLogin, signIn...)
	e.GET("/auth/callback", h.authCallback, signIn...)
	e.POST("/auth/logout", h.authLogout, page...)
	if h.opts.Demo {
		e.GET("/auth/demo", h.authDemo, page...)
		e.POST("/auth/demo", h.authDemoSignIn, signIn...)
	}

	e.GET("/account", h.accountShow, member...)
	e.GET("/join", h.joinForm, member...)
	e.POST("/join", h.joinCreate, member...)
	e.GET("/invitations/:token", h.invitationShow, member...)
	e.POST("/invitations/:token", h.invitationAccept, member...)

	e.GET("/services/:id/refer", h.referralStart, member...)
	e.POST("/services/:id/refer", h.referralJourney, member...)
	e.GET("/referrals", h.referralList, member...)
	e.POST("/referrals/find", h.referralFind, member...)
	e.GET("/referrals/:ref", h.referralShow, member...)
	e.GET("/referrals/:ref/print", h.referralPrint, member...)
	e.POST("/referrals/:ref/status", h.referralMove, member...)
	e.POST("/referrals/:ref/assign", h.referralAssign, member...)
	e.POST("/referrals/:ref/referrer", h.referralHandOver, member...)
	e.POST("/referrals/:ref/notes", h.referralNote, member...)

	e.GET("/manage/data-protection", h.dataProtectionShow, member...)
	e.POST("/manage/data-protection/find", h.dataProtectionFind, member...)
	e.POST("/manage/data-protection/export", h.dataProtectionExport, member...)
	e.GET("/manage/data-protection/referrals/:ref", h.dataProtectionReferral, member...)
	e.POST("/manage/data-protection/referrals/:ref/correct", h.dataProtectionCorrect, member...)
	e.POST("/manage/data-protection/referrals/:ref/erase", h.dataProtectionErase, member...)
	e.GET("/manage/data-protection/access-log", h.dataProtectionAccessLog, member...)
	e.POST("/manage/data-protection/access-log", h.dataProtectionAccessLog, member...)

	e.GET("/manage/organisation", h.organisationEdit, member...)
	e.POST("/manage/organisation", h.organisationSave, member...)
	e.GET("/manage/team", h.teamShow, member...)
	e.POST("/manage/team/invitations", h.teamInvite, member...)
	e.POST("/manage/team/members/:id", h.teamMemberUpdate, member...)
	e.POST("/manage/team/members/:id/remove", h.teamMemberRemove, member...)

	e.GET("/manage/services", h.listingsShow, member...)
	e.GET("/manage/services/new", h.listingNew, member...)
	e.POST("/manage/services/new", h.listingCreate, member...)
	e.GET("/manage/services/:id/edit", h.listingEdit, member...)
	e.POST("/manage/services/:id/edit", h.listingUpdate, member...)
	e.POST("/manage/services/:id/confirm", h.listingConfirm, member...)
	e.POST("/manage/services/:id/claim", h.listingClaim, member...)
	e.POST("/manage/services/:id/delete", h.listingDelete, member...)

	e.GET("/admin/organisations", h.adminOrganisations, member...)
	e.POST("/admin/organisations/:id/approve", h.adminOrganisationDecide(true), member...)
	e.POST("/admin/organisations/:id/reject", h.adminOrganisationDecide(false), member...)
	e.POST("/admin/organisations/:id/link", h.adminOrganisationLink, member...)
	e.POST("/admin/organisations/:id/domains", h.adminDomainAdd, member...)
	e.POST("/admin/organisations/:id/domains/remove", h.adminDomainRemove, member...)
	e.GET("/admin/taxonomies", h.adminTaxonomies, member...)
	e.POST("/admin/taxonomies", h.adminTaxonomyImport, member...)
	e.GET("/admin/taxonomies/:id/delete", h.adminTaxonomyDeletion, member...)
	e.POST("/admin/taxonomies/:id/delete", h.adminTaxonomyDelete, member...)
	e.GET("/admin/users", h.adminUsers, member...)
	e.POST("/admin/users/:id/suspend", h.adminUserSuspend(true), member...)
	e.POST("/admin/users/:id/restore", h.adminUserSuspend(false), member...)
	e.GET("/admin/feeds", h.adminFeeds, member...)
	e.POST("/admin/feeds", h.adminFeedCreate, member...)
	e.POST("/admin/feeds/:id/remove", h.adminFeedRemove, member...)
	e.POST("/admin/feeds/:id/run", h.adminFeedRun, member...)

	// The whole published directory as one file, open to all: beside the
	// API group, not in it, because its response cache holds bodies in
	// memory; these are built once per directory version on disk.
	e.GET("/api/export/hsds.json", h.exportJSON, apiCORS, rateLimited(h.apiRL, "api"))
	e.GET("/api/export/datapackage.zip", h.exportDataPackage, apiCORS, rateLimited(h.apiRL, "api"))

	// The published Open Referral UK API: open to all, read-only.
	api := e.Group("/api", apiCORS, rateLimited(h.apiRL, "api"))
	if h.cache != nil {
		api.Use(h.cache.middleware)
	}
	api.GET("/", h.apiRoot)
	api.GET("/openapi.json", h.apiOpenAPI)
	api.GET("/docs", h.apiDocs, page...) // a page, with the signed-in header
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
