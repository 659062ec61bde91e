package handlers

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/views/account"
)

// accountShow is GET /account: who you are, your organisations, and what
// to do next when you have none.
func (h *Handler) accountShow(c echo.Context) error {
	a := currentActor(c)
	pending, err := models.PendingRequests(c.Request().Context(), h.db, a)
	if err != nil {
		return err
	}
	l := h.layout(c, "Your account")
	l.Nav = "account"
	vm := account.Page{Layout: l, Name: a.User.Name, Email: a.User.Email, Memberships: a.Memberships, Pending: pending}
	return render(c, http.StatusOK, account.Account(vm), nil)
}

// joinForm is GET /join: ask to add an organisation.
func (h *Handler) joinForm(c echo.Context) error {
	return render(c, http.StatusOK, account.Join(account.JoinPage{Layout: h.layout(c, "Add your organisation")}), nil)
}

// joinCreate is POST /join.
func (h *Handler) joinCreate(c echo.Context) error {
	name, note := c.FormValue("name"), c.FormValue("note")
	_, err := models.RequestOrganisation(c.Request().Context(), h.db, currentActor(c), name, note)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		vm := account.JoinPage{Layout: h.layout(c, "Error: Add your organisation"), Name: name, Note: note, Errors: ve.Fields}
		return render(c, http.StatusUnprocessableEntity, account.Join(vm), nil)
	}
	if err != nil {
		return err
	}
	h.flash(c, "Your request has been sent. A platform administrator will review it.")
	return c.Redirect(http.StatusSeeOther, "/account")
}

// invitationShow is GET /invitations/:token.
func (h *Handler) invitationShow(c echo.Context) error {
	a := currentActor(c)
	inv, orgName, err := models.InvitationByToken(c.Request().Context(), h.db, c.Param("token"))
	if err != nil {
		return err
	}
	noStore(c)
	vm := account.InvitationPage{Layout: h.layout(c, "Join "+orgName), Organisation: orgName, Email: inv.Email,
		Roles: models.Roles{Caseworker: inv.Caseworker, Responder: inv.Responder, OrgAdmin: inv.OrgAdmin}.Names(),
		Token: c.Param("token"), WrongAccount: !equalFoldEmail(inv.Email, a.User.Email), SignedInAs: a.User.Email}
	return render(c, http.StatusOK, account.Invitation(vm), nil)
}

// invitationAccept is POST /invitations/:token.
func (h *Handler) invitationAccept(c echo.Context) error {
	if _, err := models.AcceptInvitation(c.Request().Context(), h.db, currentActor(c), c.Param("token")); err != nil {
		if errors.Is(err, models.ErrWrongAccount) {
			return models.ErrForbidden
		}
		return err
	}
	h.flash(c, "You have joined the organisation.")
	return c.Redirect(http.StatusSeeOther, "/account")
}

func equalFoldEmail(a, b string) bool { return strings.EqualFold(a, b) }

// noStore marks a response as never to be cached: pages with secrets in
// their URL (invitation tokens) or, later, personal data.
func noStore(c echo.Context) {
	c.Response().Header().Set("Cache-Control", "no-store")
}
