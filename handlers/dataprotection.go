package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/views/components"
	"github.com/openreferral-uk/referrals/views/dataprotection"
)

// The data protection lead's pages. A person is named by name and date of
// birth only in POST bodies, never in a URL; every page is no-store.

// dpOrg picks the organisation a data protection page is about: the one
// named (form or query "org"), or else the first the actor looks after.
// Whether the actor may act for it is decided by models.
func dpOrg(c echo.Context) (string, string, []components.OrgChoice, error) {
	org, choices := orgFor(c, models.ProtectData)
	for _, o := range choices {
		if o.Current {
			return org, o.Name, choices, nil
		}
	}
	return "", "", nil, fmt.Errorf("data protection for %q: %w", org, models.ErrForbidden)
}

func (h *Handler) dpHome(c echo.Context, status int, p dataprotection.HomePage) error {
	if _, err := h.referralsOn(); err != nil {
		return err
	}
	org, name, choices, err := dpOrg(c)
	if err != nil {
		return err
	}
	p.Layout = h.layout(c, "Data protection")
	p.Layout.Nav = "data-protection"
	p.OrgID, p.OrgName, p.Orgs = org, name, choices
	noStore(c)
	return render(c, status, dataprotection.Home(p), nil)
}

// dataProtectionShow is GET /manage/data-protection.
func (h *Handler) dataProtectionShow(c echo.Context) error {
	return h.dpHome(c, http.StatusOK, dataprotection.HomePage{})
}

// personFromForm reads a person searched for, with messages for what is
// missing.
func personFromForm(c echo.Context) (dataprotection.Person, models.PersonQuery, components.Errors) {
	p := dataprotection.Person{
		Given: strings.TrimSpace(c.FormValue("given_name")), Family: strings.TrimSpace(c.FormValue("family_name")),
		Day: strings.TrimSpace(c.FormValue("birth_day")), Month: strings.TrimSpace(c.FormValue("birth_month")),
		Year: strings.TrimSpace(c.FormValue("birth_year")),
	}
	q, v := models.NewPersonQuery(p.Given, p.Family, p.Day, p.Month, p.Year,
		models.PersonFields{Given: "given_name", Family: "family_name", BirthDay: "birth_day"})
	return p, q, components.Errors(v.Fields)
}

// dpPersonRequest is what a search for a person (find, export) starts
// with: the referral use cases, the organisation and the person asked
// about. done is set when the form had mistakes and the page showing them
// has been rendered (err is then its result).
type dpPersonRequest struct {
	refs   *models.Referrals
	org    string
	person dataprotection.Person
	q      models.PersonQuery
}

func (h *Handler) readPersonRequest(c echo.Context) (r dpPersonRequest, done bool, err error) {
	if r.refs, err = h.referralsOn(); err != nil {
		return r, true, err
	}
	if r.org, _, _, err = dpOrg(c); err != nil {
		return r, true, err
	}
	var errs components.Errors
	r.person, r.q, errs = personFromForm(c)
	if len(errs) > 0 {
		return r, true, h.dpHome(c, http.StatusUnprocessableEntity, dataprotection.HomePage{Person: r.person, Errors: errs})
	}
	return r, false, nil
}

// dataProtectionFind is POST /manage/data-protection/find.
func (h *Handler) dataProtectionFind(c echo.Context) error {
	r, done, err := h.readPersonRequest(c)
	if done {
		return err
	}
	found, err := r.refs.FindPerson(c.Request().Context(), currentActor(c), r.org, r.q)
	if err != nil {
		return err
	}
	return h.dpHome(c, http.StatusOK, dataprotection.HomePage{Person: r.person, Searched: true, Results: found})
}

// dataProtectionExport is POST /manage/data-protection/export: the
// subject access export as a page, or as a JSON download.
func (h *Handler) dataProtectionExport(c echo.Context) error {
	r, done, err := h.readPersonRequest(c)
	if done {
		return err
	}
	exp, err := r.refs.Export(c.Request().Context(), currentActor(c), r.org, r.q)
	if err != nil {
		return err
	}
	noStore(c)
	if c.FormValue("format") == "json" {
		b, err := exp.JSON()
		if err != nil {
			return err
		}
		// The file name says what it is, not whom it is about.
		c.Response().Header().Set("Content-Disposition", `attachment; filename="subject-access-`+exp.Generated.Format("20060102-150405")+`.json"`)
		return c.Blob(http.StatusOK, "application/json", b)
	}
	l := h.layout(c, "Subject access export")
	l.Nav = "data-protection"
	return render(c, http.StatusOK, dataprotection.Export(dataprotection.ExportPage{Layout: l, Export: exp}), nil)
}

// dpReferralPage shows one referral to its data protection lead.
func (h *Handler) dpReferralPage(c echo.Context, status int, p dataprotection.ReferralPage, keepForm bool) error {
	refs, err := h.referralsOn()
	if err != nil {
		return err
	}
	org, _, _, err := dpOrg(c)
	if err != nil {
		return err
	}
	if p.R, err = refs.DPView(c.Request().Context(), currentActor(c), org, c.Param("ref")); err != nil {
		return err
	}
	p.OrgID = org
	if !keepForm {
		p.Form = p.R.Person.Form()
	}
	p.Layout = h.layout(c, "Referral "+p.R.Reference)
	p.Layout.Nav = "data-protection"
	noStore(c)
	return render(c, status, dataprotection.Referral(p), nil)
}

// dataProtectionReferral is GET /manage/data-protection/referrals/:ref.
func (h *Handler) dataProtectionReferral(c echo.Context) error {
	return h.dpReferralPage(c, http.StatusOK, dataprotection.ReferralPage{}, false)
}

// dpChange runs a correction or an erasure on one referral and answers
// alike: the page again with the messages (422), or back to the referral.
func (h *Handler) dpChange(c echo.Context, done string, do func(refs *models.Referrals, org string) error,
	failed func(ve *models.ValidationError) (dataprotection.ReferralPage, bool)) error {
	refs, err := h.referralsOn()
	if err != nil {
		return err
	}
	org, _, _, err := dpOrg(c)
	if err != nil {
		return err
	}
	err = do(refs, org)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		p, keepForm := failed(ve)
		return h.dpReferralPage(c, http.StatusUnprocessableEntity, p, keepForm)
	}
	if errors.Is(err, models.ErrConflict) {
		// Someone changed it meanwhile: show it as it is now, with what
		// was typed kept in the form.
		p, keepForm := failed(&models.ValidationError{Fields: map[string]string{
			"why": "Someone changed this referral while you had it open: check it below, then save again"}})
		return h.dpReferralPage(c, http.StatusConflict, p, keepForm)
	}
	if err != nil {
		return err
	}
	h.flash(c, done)
	return c.Redirect(http.StatusSeeOther, "/manage/data-protection/referrals/"+models.NormaliseReference(c.Param("ref"))+"?org="+org)
}

// dataProtectionCorrect is POST /manage/data-protection/referrals/:ref/correct.
func (h *Handler) dataProtectionCorrect(c echo.Context) error {
	f, why := models.ReferralFormFrom(c.FormValue), c.FormValue("why")
	version, _ := strconv.Atoi(c.FormValue("version"))
	return h.dpChange(c, "The correction is saved and recorded in the referral's history.",
		func(refs *models.Referrals, org string) error {
			return refs.Correct(c.Request().Context(), currentActor(c), org, c.Param("ref"), version, f, why)
		},
		func(ve *models.ValidationError) (dataprotection.ReferralPage, bool) {
			return dataprotection.ReferralPage{Form: f, Why: why, Errors: ve.Fields}, true
		})
}

// dataProtectionErase is POST /manage/data-protection/referrals/:ref/erase.
func (h *Handler) dataProtectionErase(c echo.Context) error {
	why := c.FormValue("erase_why")
	return h.dpChange(c, "The person's data on this referral is erased.",
		func(refs *models.Referrals, org string) error {
			return refs.Erase(c.Request().Context(), currentActor(c), org, c.Param("ref"), why)
		},
		func(ve *models.ValidationError) (dataprotection.ReferralPage, bool) {
			return dataprotection.ReferralPage{EraseWhy: why, Errors: components.Errors{"erase_why": ve.Fields["why"]}}, false
		})
}

// dataProtectionAccessLog is GET (filters in the URL) and POST (for one
// person, named in the body) /manage/data-protection/access-log.
func (h *Handler) dataProtectionAccessLog(c echo.Context) error {
	refs, err := h.referralsOn()
	if err != nil {
		return err
	}
	org, name, _, err := dpOrg(c)
	if err != nil {
		return err
	}
	p := dataprotection.AccessLogPage{OrgID: org, OrgName: name, Errors: components.Errors{}}
	q := models.AccessQuery{}
	if c.Request().Method == http.MethodPost {
		r, done, err := h.readPersonRequest(c)
		if done {
			return err
		}
		q.Person, p.ForPerson = &r.q, true
		q.PerPage = 200
	} else {
		p.Reference, p.From, p.To = c.QueryParam("reference"), c.QueryParam("from"), c.QueryParam("to")
		if p.Reference != "" {
			if q.Reference = models.NormaliseReference(p.Reference); q.Reference == "" {
				p.Errors["reference"] = "Enter a reference like R-7KQ2-9M"
			}
		}
		for field, v := range map[string]string{"from": p.From, "to": p.To} {
			if v == "" {
				continue
			}
			d, err := time.Parse(time.DateOnly, v)
			if err != nil {
				p.Errors[field] = "Enter a date like 2026-11-26"
				continue
			}
			if field == "from" {
				q.From = d
			} else {
				q.To = d.AddDate(0, 0, 1)
			}
		}
		p.Page, _ = strconv.Atoi(c.QueryParam("page"))
		p.Page = max(p.Page, 1)
		q.Page, q.PerPage = p.Page, 50
	}
	p.Layout = h.layout(c, "Access log")
	p.Layout.Nav = "data-protection"
	noStore(c)
	if len(p.Errors) > 0 {
		return render(c, http.StatusUnprocessableEntity, dataprotection.AccessLog(p), nil)
	}
	if p.Entries, err = refs.AccessLog(c.Request().Context(), currentActor(c), org, q); err != nil {
		return err
	}
	p.More = !p.ForPerson && len(p.Entries) == q.PerPage
	return render(c, http.StatusOK, dataprotection.AccessLog(p), nil)
}
