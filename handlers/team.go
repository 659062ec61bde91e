package handlers

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/mail"
	"github.com/openreferral-uk/referrals/views/components"
	"github.com/openreferral-uk/referrals/views/manage"
)

// orgFor picks the organisation a request is about: the one named (form or
// query "org"), or else the first the actor may do action for; with the
// organisations to offer a switch to. Whether the actor may act on the one
// named is for models to decide.
func orgFor(c echo.Context, action models.Action) (string, []components.OrgChoice) {
	a := currentActor(c)
	org := c.FormValue("org")
	var choices []components.OrgChoice
	for _, m := range a.Memberships {
		if models.Can(a, action, models.Resource{OrganisationID: m.OrganisationID}) {
			choices = append(choices, components.OrgChoice{ID: m.OrganisationID, Name: m.OrganisationName})
		}
	}
	if org == "" && len(choices) > 0 {
		org = choices[0].ID
	}
	for i := range choices {
		choices[i].Current = choices[i].ID == org
	}
	return org, choices
}

// teamOrg is orgFor the team pages.
func teamOrg(c echo.Context) (string, []components.OrgChoice) { return orgFor(c, models.ViewTeam) }

func rolesFromForm(c echo.Context) models.Roles {
	return models.Roles{Caseworker: c.FormValue("caseworker") == "true", Responder: c.FormValue("responder") == "true",
		OrgAdmin: c.FormValue("org_admin") == "true", DataProtectionLead: c.FormValue("data_protection_lead") == "true"}
}

// teamPage renders the team page, with a form's state when it failed.
func (h *Handler) teamPage(c echo.Context, status int, vm manage.TeamPage) error {
	a := currentActor(c)
	org, choices := teamOrg(c)
	if org == "" {
		return models.ErrForbidden
	}
	members, invs, err := models.Team(c.Request().Context(), h.db, a, org)
	if err != nil {
		return err
	}
	vm.Layout = h.layout(c, "Your team")
	vm.Layout.Nav = "team"
	vm.OrgID, vm.Orgs, vm.Members, vm.Invitations = org, choices, members, invs
	for _, ch := range choices {
		if ch.Current {
			vm.OrgName = ch.Name
		}
	}
	noStore(c)
	return render(c, status, manage.Team(vm), nil)
}

// teamShow is GET /manage/team.
func (h *Handler) teamShow(c echo.Context) error {
	return h.teamPage(c, http.StatusOK, manage.TeamPage{})
}

// teamInvite is POST /manage/team/invitations.
func (h *Handler) teamInvite(c echo.Context) error {
	org, _ := teamOrg(c)
	email, roles := c.FormValue("email"), rolesFromForm(c)
	ctx := c.Request().Context()
	inv, token, err := models.Invite(ctx, h.db, currentActor(c), org, email, roles)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return h.teamPage(c, http.StatusUnprocessableEntity, manage.TeamPage{InviteEmail: email, InviteRoles: roles, Errors: ve.Fields})
	}
	if err != nil {
		return err
	}
	link := h.opts.BaseURL + "/invitations/" + token
	_, choices := teamOrg(c)
	orgName := ""
	for _, ch := range choices {
		if ch.Current {
			orgName = ch.Name
		}
	}
	sendCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	err = h.opts.Mail.Send(sendCtx, mail.InvitationMessage(orgName, currentActor(c).User.DisplayName(), link, inv.ExpiresAt, inv.Email))
	cancel()
	if err != nil && !errors.Is(err, mail.ErrMailDisabled) {
		// The mail error names no recipient; the invitation id finds it.
		h.log.WarnContext(ctx, "invitation email not sent", "invitation_id", inv.ID, "error", err)
	}
	if err != nil {
		// Email is off or failed: the admin is shown the link, once, to send.
		return h.teamPage(c, http.StatusOK, manage.TeamPage{InviteEmail: email, NewInviteURL: link})
	}
	h.flash(c, "Invitation sent to "+inv.Email+".")
	return c.Redirect(http.StatusSeeOther, "/manage/team?org="+org)
}

// teamMemberUpdate is POST /manage/team/members/:id: set roles (which also
// approves a pending member).
func (h *Handler) teamMemberUpdate(c echo.Context) error {
	org, _ := teamOrg(c)
	err := models.SetRoles(c.Request().Context(), h.db, currentActor(c), org, c.Param("id"), rolesFromForm(c))
	return h.teamResult(c, err, "Roles saved.")
}

// teamMemberRemove is POST /manage/team/members/:id/remove.
func (h *Handler) teamMemberRemove(c echo.Context) error {
	org, _ := teamOrg(c)
	err := models.RemoveMember(c.Request().Context(), h.db, currentActor(c), org, c.Param("id"))
	return h.teamResult(c, err, "Member removed.")
}

func (h *Handler) teamResult(c echo.Context, err error, done string) error {
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return h.teamPage(c, http.StatusUnprocessableEntity, manage.TeamPage{Errors: components.Errors(ve.Fields)})
	}
	if err != nil {
		return err
	}
	h.flash(c, done)
	org, _ := teamOrg(c)
	return c.Redirect(http.StatusSeeOther, "/manage/team?org="+org)
}
