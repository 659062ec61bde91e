package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/views/components"
	"github.com/openreferral-uk/referrals/views/referrals"
)

// Pages about a referral show personal data: every one is sent no-store,
// and nothing about the person is ever put in a URL (a search by name and
// date of birth is a POST).

const sessReferralSent = "referral_sent"

// referralsOn returns the referral use cases, or ErrNotFound when the
// platform runs without an encryption key.
func (h *Handler) referralsOn() (*models.Referrals, error) {
	if h.opts.Referrals == nil {
		return nil, fmt.Errorf("referrals are turned off: %w", models.ErrNotFound)
	}
	return h.opts.Referrals, nil
}

// referringOrgs lists the organisations the actor may refer for.
func referringOrgs(a *models.Actor) []referrals.OrgChoice {
	var out []referrals.OrgChoice
	for _, m := range a.ReferringOrganisations() {
		if models.Can(a, models.ReferPerson, models.Resource{OrganisationID: m.OrganisationID}) {
			out = append(out, referrals.OrgChoice{ID: m.OrganisationID, Name: m.OrganisationName})
		}
	}
	return out
}

// journeyPage starts the view model of a page of the refer journey.
func (h *Handler) journeyPage(c echo.Context) (referrals.JourneyPage, error) {
	refs, err := h.referralsOn()
	if err != nil {
		return referrals.JourneyPage{}, err
	}
	a := currentActor(c)
	orgs := referringOrgs(a)
	if len(orgs) == 0 {
		return referrals.JourneyPage{}, fmt.Errorf("refer: %w", models.ErrForbidden)
	}
	id := strings.ToLower(c.Param("id"))
	if !models.IsUUIDShaped(id) {
		return referrals.JourneyPage{}, models.ErrNotFound
	}
	target, err := refs.Target(c.Request().Context(), id)
	if err != nil {
		return referrals.JourneyPage{}, err
	}
	if !target.Referable() {
		return referrals.JourneyPage{}, fmt.Errorf("service %s takes no referrals: %w", id, models.ErrNotFound)
	}
	p := referrals.JourneyPage{Layout: h.layout(c, "Refer someone"), Target: target, Orgs: orgs, FromOrg: orgs[0].ID}
	if from := c.FormValue("from_org"); from != "" {
		p.FromOrg = from
	}
	for _, o := range orgs {
		if o.ID == p.FromOrg {
			p.FromOrgName = o.Name
		}
	}
	if p.FromOrgName == "" {
		return referrals.JourneyPage{}, fmt.Errorf("refer for %q: %w", p.FromOrg, models.ErrForbidden)
	}
	p.Layout.Nav = "directory"
	return p, nil
}

func (h *Handler) renderJourney(c echo.Context, status int, p referrals.JourneyPage) error {
	noStore(c)
	return render(c, status, referrals.Journey(p), nil)
}

// referralStart is GET /services/:id/refer: the safeguarding notice.
func (h *Handler) referralStart(c echo.Context) error {
	p, err := h.journeyPage(c)
	if err != nil {
		return err
	}
	p.Step = "start"
	return h.renderJourney(c, http.StatusOK, p)
}

// previousStep is the page "Back" returns to.
func previousStep(step string) string {
	for i, s := range models.ReferralSteps {
		if s == step && i > 0 {
			return models.ReferralSteps[i-1]
		}
	}
	return "start"
}

func nextStep(step string) string {
	for i, s := range models.ReferralSteps {
		if s == step && i+1 < len(models.ReferralSteps) {
			return models.ReferralSteps[i+1]
		}
	}
	return models.StepCheck
}

// referralJourney is POST /services/:id/refer: every step of the journey
// posts here with the answers so far; the step says which page was
// submitted and the action what the person pressed.
func (h *Handler) referralJourney(c echo.Context) error {
	p, err := h.journeyPage(c)
	if err != nil {
		return err
	}
	refs := h.opts.Referrals
	ctx := c.Request().Context()
	p.Form = models.ReferralFormFrom(c.FormValue)
	p.Form.Trim()
	step, action := c.FormValue("step"), c.FormValue("action")
	switch {
	case step == "start":
		p.Step = models.StepBasis
	case action == "back":
		p.Step = previousStep(step)
	case strings.HasPrefix(action, "change:") && step == models.StepCheck && len(models.StepFields(strings.TrimPrefix(action, "change:"))) > 0:
		p.Step = strings.TrimPrefix(action, "change:")
		p.ReturnToCheck = true
	case step == models.StepCheck && action == "send":
		ref, err := refs.Create(ctx, currentActor(c), p.Target.ServiceID, p.FromOrg, p.Form)
		var ve *models.ValidationError
		if errors.As(err, &ve) {
			// Show the first step with a problem; its fields are there.
			p.Step, p.Errors = models.StepCheck, ve.Fields
			for _, s := range []string{models.StepBasis, models.StepPerson, models.StepReason} {
				if hasFieldOf(ve.Fields, s) {
					p.Step = s
					break
				}
			}
			return h.renderJourney(c, http.StatusUnprocessableEntity, p)
		}
		if err != nil {
			return err
		}
		h.sessions.Put(ctx, sessReferralSent, ref.Reference)
		return c.Redirect(http.StatusSeeOther, "/referrals/"+ref.Reference)
	case step == models.StepBasis || step == models.StepPerson || step == models.StepReason:
		if v := p.Form.ValidateStep(step, models.Now()); v.Err() != nil {
			p.Step, p.Errors, p.ReturnToCheck = step, v.Fields, c.FormValue("return_to") == "check"
			return h.renderJourney(c, http.StatusUnprocessableEntity, p)
		}
		p.Step = nextStep(step)
		if c.FormValue("return_to") == "check" {
			p.Step = models.StepCheck
		}
	default:
		p.Step = models.StepBasis
	}
	if p.Step == models.StepCheck {
		// Everything is checked again before the check page, so a change
		// that broke an earlier answer shows there.
		if v := p.Form.ValidateStep(models.StepCheck, models.Now()); v.Err() != nil {
			p.Errors = v.Fields
			for _, s := range []string{models.StepBasis, models.StepPerson, models.StepReason} {
				if hasFieldOf(v.Fields, s) {
					p.Step = s
					break
				}
			}
			return h.renderJourney(c, http.StatusUnprocessableEntity, p)
		}
		if p.Duplicates, err = refs.OpenDuplicates(ctx, currentActor(c), p.Target.ServiceID, p.Form); err != nil {
			return err
		}
	}
	if p.Step == "start" {
		p.Step = models.StepBasis // "Back" from the first step stays on it
	}
	return h.renderJourney(c, http.StatusOK, p)
}

func hasFieldOf(fields map[string]string, step string) bool {
	for f := range fields {
		if models.StepOf(f) == step {
			return true
		}
	}
	return false
}

// referralLists are the lists the actor has: what their organisations
// sent, what their services received.
func referralLists(a *models.Actor) []models.Choice {
	var out []models.Choice
	if a.CanRefer() {
		out = append(out, models.Choice{Value: models.ListSent, Label: "Referrals you made"})
	}
	if a.CanRespond() {
		out = append(out, models.Choice{Value: models.ListReceived, Label: "Referrals to your services"})
	}
	return out
}

func (h *Handler) listPage(c echo.Context) (referrals.ListPage, error) {
	a := currentActor(c)
	if !models.Can(a, models.ListReferrals, models.Resource{}) {
		return referrals.ListPage{}, fmt.Errorf("referrals: %w", models.ErrForbidden)
	}
	p := referrals.ListPage{Layout: h.layout(c, "Referrals"), Lists: referralLists(a), List: c.FormValue("list"), PerPage: 25}
	p.Layout.Nav = "referrals"
	known := false
	for _, l := range p.Lists {
		known = known || l.Value == p.List
	}
	if !known {
		p.List = p.Lists[0].Value
	}
	p.Group = c.QueryParam("group")
	if !validGroup(p.List, p.Group) {
		p.Group = ""
	}
	p.Mine = c.QueryParam("mine") == "1"
	p.Page, _ = strconv.Atoi(c.QueryParam("page"))
	p.Page = max(p.Page, 1)
	p.ReferralsOff = h.opts.Referrals == nil
	return p, nil
}

func validGroup(list, group string) bool {
	for _, g := range models.ReferralGroups[list] {
		if g.Value == group {
			return true
		}
	}
	return group == ""
}

// referralList is GET /referrals.
func (h *Handler) referralList(c echo.Context) error {
	p, err := h.listPage(c)
	if err != nil {
		return err
	}
	if p.ReferralsOff {
		noStore(c)
		return render(c, http.StatusOK, referrals.List(p), nil)
	}
	q := models.ReferralQuery{List: p.List, Group: p.Group, Mine: p.Mine, Page: p.Page, PerPage: p.PerPage}
	if ref := c.QueryParam("reference"); ref != "" {
		p.Reference = ref
		q.Reference = models.NormaliseReference(ref)
		if q.Reference == "" {
			p.Errors = components.Errors{"reference": "Enter a reference like R-7KQ2-9M"}
			noStore(c)
			return render(c, http.StatusUnprocessableEntity, referrals.List(p), nil)
		}
	}
	if p.Result, err = h.opts.Referrals.List(c.Request().Context(), currentActor(c), q); err != nil {
		return err
	}
	noStore(c)
	return render(c, http.StatusOK, referrals.List(p), nil)
}

// referralFind is POST /referrals/find: a person's referrals by name and
// date of birth, kept out of the URL.
func (h *Handler) referralFind(c echo.Context) error {
	refs, err := h.referralsOn()
	if err != nil {
		return err
	}
	p, err := h.listPage(c)
	if err != nil {
		return err
	}
	p.FindGiven, p.FindFamily = strings.TrimSpace(c.FormValue("find_given")), strings.TrimSpace(c.FormValue("find_family"))
	p.FindDay, p.FindMonth, p.FindYear = c.FormValue("find_day"), c.FormValue("find_month"), c.FormValue("find_year")
	person, v := models.NewPersonQuery(p.FindGiven, p.FindFamily, p.FindDay, p.FindMonth, p.FindYear,
		models.PersonFields{Given: "find_given", Family: "find_family", BirthDay: "find_day"})
	noStore(c)
	if v.Err() != nil {
		p.Errors = components.Errors(v.Fields)
		return render(c, http.StatusUnprocessableEntity, referrals.List(p), nil)
	}
	p.FoundByName = true
	p.Result, err = refs.List(c.Request().Context(), currentActor(c), models.ReferralQuery{List: p.List,
		GivenName: person.GivenName, FamilyName: person.FamilyName, DateOfBirth: person.DateOfBirth, PerPage: 100})
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, referrals.List(p), nil)
}

// showPage opens a referral for its page, which logs the look.
func (h *Handler) showPage(c echo.Context, status int, p referrals.ShowPage) error {
	refs, err := h.referralsOn()
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if p.R, err = refs.Open(ctx, currentActor(c), c.Param("ref"), models.AccessView); err != nil {
		return err
	}
	p.Layout = h.layout(c, "Referral "+p.R.Reference)
	p.Layout.Nav = "referrals"
	if sent := h.sessions.PopString(ctx, sessReferralSent); sent == p.R.Reference {
		p.Sent = true
	}
	noStore(c)
	return render(c, status, referrals.Show(p), nil)
}

// referralShow is GET /referrals/:ref.
func (h *Handler) referralShow(c echo.Context) error {
	return h.showPage(c, http.StatusOK, referrals.ShowPage{})
}

// referralPrint is GET /referrals/:ref/print: a copy to print or save as a
// PDF into the organisation's own case system; the access log says so.
func (h *Handler) referralPrint(c echo.Context) error {
	refs, err := h.referralsOn()
	if err != nil {
		return err
	}
	v, err := refs.Open(c.Request().Context(), currentActor(c), c.Param("ref"), models.AccessPrint)
	if err != nil {
		return err
	}
	p := referrals.PrintPage{Layout: h.layout(c, "Referral "+v.Reference), R: v, Now: models.Now()}
	noStore(c)
	return render(c, http.StatusOK, referrals.Print(p), nil)
}

// conflictPage re-shows a referral after someone else changed it first,
// keeping what the person typed.
func (h *Handler) conflictPage(c echo.Context, p referrals.ShowPage) error {
	p.Conflict = "It was changed while you had it open."
	if err := h.showPage(c, http.StatusConflict, p); err != nil {
		return err
	}
	return nil
}

// suggestedServiceID reads a service named by its id or by the address of
// its page, as a responder would paste it.
func suggestedServiceID(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "/services/"); i >= 0 {
		s = s[i+len("/services/"):]
	}
	s = strings.TrimRight(strings.SplitN(s, "?", 2)[0], "/")
	return strings.ToLower(s)
}

// referralMove is POST /referrals/:ref/status.
func (h *Handler) referralMove(c echo.Context) error {
	refs, err := h.referralsOn()
	if err != nil {
		return err
	}
	to := models.Status(c.FormValue("to"))
	field := func(name string) string { return c.FormValue(string(to) + "_" + name) }
	version, _ := strconv.Atoi(c.FormValue("version"))
	in := models.MoveInput{To: to, Version: version, ReasonCode: field("reason_code"), ReasonText: field("reason_text")}
	if s := field("suggested_service_id"); strings.TrimSpace(s) != "" {
		in.SuggestedServiceID = suggestedServiceID(s)
	}
	err = refs.Move(c.Request().Context(), currentActor(c), c.Param("ref"), in)
	var ve *models.ValidationError
	switch {
	case errors.As(err, &ve):
		errs := components.Errors{}
		for f, m := range ve.Fields {
			errs[string(to)+"_"+f] = m
		}
		return h.showPage(c, http.StatusUnprocessableEntity, referrals.ShowPage{Move: in, Errors: errs})
	case errors.Is(err, models.ErrConflict):
		return h.conflictPage(c, referrals.ShowPage{Move: in})
	case err != nil:
		return err
	}
	h.flash(c, "Referral "+strings.ToLower(models.StatusLabel(to))+".")
	return c.Redirect(http.StatusSeeOther, "/referrals/"+models.NormaliseReference(c.Param("ref")))
}

// referralOwner runs an assignment or a hand-over: both take the
// version the person saw and a user, and answer alike.
func (h *Handler) referralOwner(c echo.Context, field, done string,
	do func(refs *models.Referrals, ctx context.Context, a *models.Actor, ref string, version int, userID string) error) error {
	refs, err := h.referralsOn()
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	err = do(refs, c.Request().Context(), currentActor(c), c.Param("ref"), version, c.FormValue(field))
	var ve *models.ValidationError
	switch {
	case errors.As(err, &ve):
		return h.showPage(c, http.StatusUnprocessableEntity, referrals.ShowPage{Errors: ve.Fields})
	case errors.Is(err, models.ErrConflict):
		return h.conflictPage(c, referrals.ShowPage{})
	case err != nil:
		return err
	}
	h.flash(c, done)
	return c.Redirect(http.StatusSeeOther, "/referrals/"+models.NormaliseReference(c.Param("ref")))
}

// referralAssign is POST /referrals/:ref/assign.
func (h *Handler) referralAssign(c echo.Context) error {
	return h.referralOwner(c, "assigned_user_id", "Assignment saved.", (*models.Referrals).Assign)
}

// referralNote is POST /referrals/:ref/notes.
func (h *Handler) referralNote(c echo.Context) error {
	refs, err := h.referralsOn()
	if err != nil {
		return err
	}
	body := c.FormValue("note")
	err = refs.AddNote(c.Request().Context(), currentActor(c), c.Param("ref"), body)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return h.showPage(c, http.StatusUnprocessableEntity, referrals.ShowPage{Note: body, Errors: ve.Fields})
	}
	if err != nil {
		return err
	}
	h.flash(c, "Note added.")
	return c.Redirect(http.StatusSeeOther, "/referrals/"+models.NormaliseReference(c.Param("ref")))
}

// referralHandOver is POST /referrals/:ref/referrer: a caseworker hands the
// referral to a colleague.
func (h *Handler) referralHandOver(c echo.Context) error {
	return h.referralOwner(c, "referrer_user_id", "The referral is handed over.", (*models.Referrals).ReassignReferrer)
}
