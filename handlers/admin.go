package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/views/admin"
)

// adminOrganisations is GET /admin/organisations.
func (h *Handler) adminOrganisations(c echo.Context) error {
	ctx := c.Request().Context()
	orgs, err := models.ListOrganisations(ctx, h.db, currentActor(c))
	if err != nil {
		return err
	}
	dir, err := models.DirectoryOrganisations(ctx, h.db)
	if err != nil {
		return err
	}
	choices := make([]admin.HSDSChoice, len(dir))
	for i, d := range dir {
		choices[i] = admin.HSDSChoice{ID: d.ID, Name: d.Name}
	}
	domains, err := models.EmailDomainsByOrganisation(ctx, h.db, currentActor(c))
	if err != nil {
		return err
	}
	l := h.layout(c, "Member organisations")
	l.Nav = "admin"
	return render(c, http.StatusOK, admin.Organisations(admin.OrganisationsPage{Layout: l, Organisations: orgs, Directory: choices, Domains: domains}), nil)
}

// adminDomainAdd is POST /admin/organisations/:id/domains.
func (h *Handler) adminDomainAdd(c echo.Context) error {
	err := models.AddEmailDomain(c.Request().Context(), h.db, currentActor(c), c.Param("id"), c.FormValue("domain"))
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		h.flash(c, "Domain not added: "+firstMessage(ve))
		return c.Redirect(http.StatusSeeOther, "/admin/organisations")
	}
	if err != nil {
		return err
	}
	h.flash(c, "Domain added.")
	return c.Redirect(http.StatusSeeOther, "/admin/organisations")
}

// adminDomainRemove is POST /admin/organisations/:id/domains/remove.
func (h *Handler) adminDomainRemove(c echo.Context) error {
	if err := models.RemoveEmailDomain(c.Request().Context(), h.db, currentActor(c), c.Param("id"), c.FormValue("domain")); err != nil {
		return err
	}
	h.flash(c, "Domain removed.")
	return c.Redirect(http.StatusSeeOther, "/admin/organisations")
}

// adminOrganisationDecide is POST /admin/organisations/:id/approve|reject.
func (h *Handler) adminOrganisationDecide(approve bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := models.DecideOrganisation(c.Request().Context(), h.db, currentActor(c), c.Param("id"), approve); err != nil {
			return err
		}
		h.flash(c, map[bool]string{true: "Organisation approved.", false: "Organisation rejected."}[approve])
		return c.Redirect(http.StatusSeeOther, "/admin/organisations")
	}
}

// adminOrganisationLink is POST /admin/organisations/:id/link.
func (h *Handler) adminOrganisationLink(c echo.Context) error {
	err := models.LinkOrganisation(c.Request().Context(), h.db, currentActor(c), c.Param("id"), c.FormValue("hsds_organization_id"))
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		h.flash(c, "Not linked: "+firstMessage(ve))
		return c.Redirect(http.StatusSeeOther, "/admin/organisations")
	}
	if err != nil {
		return err
	}
	h.flash(c, "Link saved.")
	return c.Redirect(http.StatusSeeOther, "/admin/organisations")
}

func firstMessage(ve *models.ValidationError) string {
	for _, m := range ve.Fields {
		return m
	}
	return ""
}

// adminUsers is GET /admin/users.
func (h *Handler) adminUsers(c echo.Context) error {
	a := currentActor(c)
	users, err := models.ListUsers(c.Request().Context(), h.db, a)
	if err != nil {
		return err
	}
	l := h.layout(c, "Users")
	l.Nav = "admin"
	noStore(c)
	return render(c, http.StatusOK, admin.Users(admin.UsersPage{Layout: l, Users: users, SelfID: a.User.ID}), nil)
}

// adminUserSuspend is POST /admin/users/:id/suspend|restore.
func (h *Handler) adminUserSuspend(suspend bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := models.SetSuspended(c.Request().Context(), h.db, currentActor(c), c.Param("id"), suspend); err != nil {
			return err
		}
		h.flash(c, map[bool]string{true: "Account suspended.", false: "Account restored."}[suspend])
		return c.Redirect(http.StatusSeeOther, "/admin/users")
	}
}
