package handlers

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/views/components"
	"github.com/openreferral-uk/referrals/views/manage"
)

// maxFormRows bounds how many rows of a kind a form is read for; the model
// refuses more than it allows anyway.
const maxFormRows = 60

// listingsOrg is orgFor the listings pages.
func listingsOrg(c echo.Context) (string, []components.OrgChoice) {
	return orgFor(c, models.ManageListings)
}

// listingsShow is GET /manage/services.
func (h *Handler) listingsShow(c echo.Context) error {
	org, choices := listingsOrg(c)
	if org == "" {
		return models.ErrForbidden
	}
	list, err := models.ListListings(c.Request().Context(), h.db, currentActor(c), org, h.opts.ListingReviewPeriod)
	if err != nil {
		return err
	}
	vm := manage.ListingsPage{Layout: h.layout(c, "Your services"), OrgID: org, Orgs: choices, Listings: list}
	vm.Layout.Nav = "services"
	for _, ch := range choices {
		if ch.Current {
			vm.OrgName = ch.Name
		}
	}
	noStore(c)
	return render(c, http.StatusOK, manage.Listings(vm), nil)
}

// listingForm reads the service form as typed. Rows are numbered fields
// (phones-0-number ...); a row is there when its first text field is,
// which every row sends even when empty.
func listingForm(c echo.Context) (models.ListingInput, error) {
	form, err := c.FormParams()
	if err != nil {
		return models.ListingInput{}, err
	}
	get := func(k string) string { return form.Get(k) }
	on := func(k string) bool { return form.Get(k) == "true" }
	in := models.ListingInput{
		Name: get("name"), Description: get("description"), State: get("state"), Categories: form["categories"],
		MinimumAge: get("minimum_age"), MaximumAge: get("maximum_age"), Eligibility: get("eligibility"),
		Fees: get("fees"), Areas: get("areas"),
		Languages: get("languages"), ApplicationProcess: get("application_process"),
		Email: get("email"), Website: get("website"), AcceptsReferrals: on("accepts_referrals"),
		Responders: form["responders"], ReferralEmail: get("referral_email"),
		ResponseTargetDays: get("response_target_days"), Capacity: get("capacity"), Version: get("version"),
		BankHolidays: get("bank_holidays"),
	}
	row := func(kind string, i int, name string) string { return fmt.Sprintf("%s-%d-%s", kind, i, name) }
	for i := 0; i < maxFormRows && form.Has(row("phones", i, "number")); i++ {
		in.Phones = append(in.Phones, models.PhoneInput{ID: get(row("phones", i, "id")), Number: get(row("phones", i, "number")),
			Description: get(row("phones", i, "description")), ProfessionalsOnly: on(row("phones", i, "professionals_only"))})
	}
	for i := 0; i < maxFormRows && form.Has(row("prices", i, "amount")); i++ {
		in.Prices = append(in.Prices, models.PriceInput{ID: get(row("prices", i, "id")), Amount: get(row("prices", i, "amount")),
			For: get(row("prices", i, "for")), Details: get(row("prices", i, "details"))})
	}
	for i := 0; i < maxFormRows && form.Has(row("contacts", i, "name")); i++ {
		in.Contacts = append(in.Contacts, models.ContactInput{ID: get(row("contacts", i, "id")), Name: get(row("contacts", i, "name")),
			Title: get(row("contacts", i, "title")), Email: get(row("contacts", i, "email"))})
	}
	for i := 0; i < maxFormRows && form.Has(row("schedules", i, "opens")); i++ {
		in.Schedules = append(in.Schedules, models.ScheduleInput{ID: get(row("schedules", i, "id")), Days: form[row("schedules", i, "days")],
			Opens: get(row("schedules", i, "opens")), Closes: get(row("schedules", i, "closes")), Notes: get(row("schedules", i, "notes"))})
	}
	for i := 0; i < maxFormRows && form.Has(row("locations", i, "address1")); i++ {
		in.Locations = append(in.Locations, models.LocationInput{ID: get(row("locations", i, "id")), Name: get(row("locations", i, "name")),
			Address1: get(row("locations", i, "address1")), Address2: get(row("locations", i, "address2")),
			City: get(row("locations", i, "city")), Postcode: get(row("locations", i, "postcode")),
			Latitude: get(row("locations", i, "latitude")), Longitude: get(row("locations", i, "longitude")),
			Accessibility: get(row("locations", i, "accessibility")), ProfessionalsOnly: on(row("locations", i, "professionals_only"))})
	}
	return in, nil
}

// addRow adds the blank row a form's "add another" button asked for, and
// reports whether it was one.
func addRow(c echo.Context, in *models.ListingInput) bool {
	switch {
	case c.FormValue("add_phone") != "":
		in.Phones = append(in.Phones, models.PhoneInput{})
	case c.FormValue("add_price") != "":
		in.Prices = append(in.Prices, models.PriceInput{})
	case c.FormValue("add_contact") != "":
		in.Contacts = append(in.Contacts, models.ContactInput{})
	case c.FormValue("add_schedule") != "":
		in.Schedules = append(in.Schedules, models.ScheduleInput{})
	case c.FormValue("add_location") != "":
		in.Locations = append(in.Locations, models.LocationInput{})
	default:
		return false
	}
	return true
}

// listingPage renders the service form, its choices and, for an existing
// service, its history.
func (h *Handler) listingPage(c echo.Context, status int, vm manage.ListingPage) error {
	ctx := c.Request().Context()
	a := currentActor(c)
	var err error
	if vm.Categories, err = models.CategoryChoices(ctx, h.db); err != nil {
		return err
	}
	if vm.Responders, err = models.ResponderChoices(ctx, h.db, a, vm.OrgID); err != nil {
		return err
	}
	if vm.ServiceID != "" {
		if vm.History, err = models.ListingHistory(ctx, h.db, a, vm.ServiceID); err != nil {
			return err
		}
	}
	vm.DefaultBankHolidays = models.EnglandAndWales
	if h.opts.Referrals != nil && h.opts.Referrals.Workdays != nil {
		vm.DefaultBankHolidays = h.opts.Referrals.Workdays.Nation()
	}
	vm.Layout = h.layout(c, vm.Heading())
	vm.Layout.Nav = "services"
	if len(vm.Errors) > 0 {
		vm.Layout.Title = "Error: " + vm.Layout.Title
	}
	noStore(c)
	return render(c, status, manage.Listing(vm), manage.ListingForm(vm))
}

// listingNew is GET /manage/services/new.
func (h *Handler) listingNew(c echo.Context) error {
	org, _ := listingsOrg(c)
	if !models.Can(currentActor(c), models.ManageListings, models.Resource{OrganisationID: org}) {
		return models.ErrForbidden
	}
	return h.listingPage(c, http.StatusOK, manage.ListingPage{OrgID: org, Input: models.NewListingInput()})
}

// listingCreate is POST /manage/services/new.
func (h *Handler) listingCreate(c echo.Context) error {
	org, _ := listingsOrg(c)
	return h.listingSave(c, manage.ListingPage{OrgID: org})
}

// listingEdit is GET /manage/services/:id/edit.
func (h *Handler) listingEdit(c echo.Context) error {
	l, err := models.GetListing(c.Request().Context(), h.db, currentActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return h.listingPage(c, http.StatusOK, h.listingVM(l, withSpareRows(l.Input)))
}

// withSpareRows gives each list the form always shows a blank row to fill
// in when it has none.
func withSpareRows(in models.ListingInput) models.ListingInput {
	if len(in.Phones) == 0 {
		in.Phones = []models.PhoneInput{{}}
	}
	if len(in.Prices) == 0 {
		in.Prices = []models.PriceInput{{}}
	}
	if len(in.Schedules) == 0 {
		in.Schedules = []models.ScheduleInput{{}}
	}
	if len(in.Locations) == 0 {
		in.Locations = []models.LocationInput{{}}
	}
	return in
}

func (h *Handler) listingVM(l models.Listing, in models.ListingInput) manage.ListingPage {
	return manage.ListingPage{OrgID: l.OrgID, ServiceID: l.ServiceID, Input: in, ReadOnly: l.ReadOnly, Claimed: l.Claimed,
		Assured: l.AssuredDate, NeedsReview: models.NeedsReview(l.AssuredDate, models.Now(), h.opts.ListingReviewPeriod),
		LastModified: l.LastModified}
}

// listingUpdate is POST /manage/services/:id/edit.
func (h *Handler) listingUpdate(c echo.Context) error {
	l, err := models.GetListing(c.Request().Context(), h.db, currentActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return h.listingSave(c, h.listingVM(l, l.Input))
}

// listingSave handles both submits of the form: an "add another" button
// shows the form again with a blank row (the whole page without
// JavaScript, the form alone for htmx); anything else saves.
func (h *Handler) listingSave(c echo.Context, vm manage.ListingPage) error {
	in, err := listingForm(c)
	if err != nil {
		return err
	}
	vm.Input = in
	if addRow(c, &vm.Input) {
		return h.listingPage(c, http.StatusOK, vm)
	}
	id, err := models.SaveListing(c.Request().Context(), h.db, h.geo, currentActor(c), vm.OrgID, vm.ServiceID, in)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		// The messages name rows as validation counted them, blank rows
		// left out: the form comes back the same way, with a spare row
		// where a list would otherwise be empty.
		vm.Input = withSpareRows(in.WithoutBlankRows())
		vm.Errors = components.Errors(ve.Fields)
		return h.listingPage(c, http.StatusUnprocessableEntity, vm)
	}
	if errors.Is(err, models.ErrConflict) {
		// Someone saved first: keep what this person typed, tell them, and
		// let them save again over the version they can now see.
		l, lerr := models.GetListing(c.Request().Context(), h.db, currentActor(c), vm.ServiceID)
		if lerr != nil {
			return lerr
		}
		vm.Input.Version = l.Input.Version
		vm.Errors = components.Errors{"history": "Someone else changed this listing while you were editing it. Your changes are below, not yet saved: check the history, then save again."}
		return h.listingPage(c, http.StatusConflict, vm)
	}
	if err != nil {
		return err
	}
	h.flash(c, "Service saved.")
	return c.Redirect(http.StatusSeeOther, "/manage/services/"+id+"/edit")
}

// listingConfirm is POST /manage/services/:id/confirm.
func (h *Handler) listingConfirm(c echo.Context) error {
	if err := models.ConfirmListing(c.Request().Context(), h.db, currentActor(c), c.Param("id")); err != nil {
		return err
	}
	h.flash(c, "Thank you: the listing is confirmed as correct today.")
	return c.Redirect(http.StatusSeeOther, "/manage/services/"+c.Param("id")+"/edit")
}

// listingClaim is POST /manage/services/:id/claim.
func (h *Handler) listingClaim(c echo.Context) error {
	if err := models.ClaimListing(c.Request().Context(), h.db, currentActor(c), c.Param("id")); err != nil {
		return err
	}
	h.flash(c, "Claimed: your organisation keeps this listing now, and harvests leave it alone.")
	return c.Redirect(http.StatusSeeOther, "/manage/services/"+c.Param("id")+"/edit")
}

// listingDelete is POST /manage/services/:id/delete.
func (h *Handler) listingDelete(c echo.Context) error {
	if err := models.DeleteListing(c.Request().Context(), h.db, currentActor(c), c.Param("id")); err != nil {
		return err
	}
	h.flash(c, "Draft deleted.")
	return c.Redirect(http.StatusSeeOther, "/manage/services")
}

// organisationPage renders the organisation details form.
func (h *Handler) organisationPage(c echo.Context, status int, vm manage.OrganisationPage) error {
	org, choices := listingsOrg(c)
	if org == "" {
		return models.ErrForbidden
	}
	vm.Layout = h.layout(c, "Your organisation's details")
	vm.Layout.Nav = "services"
	vm.OrgID = org
	for _, ch := range choices {
		if ch.Current {
			vm.OrgName = ch.Name
		}
	}
	noStore(c)
	return render(c, status, manage.Organisation(vm), nil)
}

// organisationEdit is GET /manage/organisation.
func (h *Handler) organisationEdit(c echo.Context) error {
	org, _ := listingsOrg(c)
	if org == "" {
		return models.ErrForbidden
	}
	d, err := models.GetOrganisationDetails(c.Request().Context(), h.db, currentActor(c), org)
	if err != nil {
		return err
	}
	return h.organisationPage(c, http.StatusOK, manage.OrganisationPage{Details: d})
}

// organisationSave is POST /manage/organisation.
func (h *Handler) organisationSave(c echo.Context) error {
	org, _ := listingsOrg(c)
	if org == "" {
		return models.ErrForbidden
	}
	in := models.OrganisationDetails{Name: c.FormValue("name"), AlternateName: c.FormValue("alternate_name"),
		Description: c.FormValue("description"), Email: c.FormValue("email"), Website: c.FormValue("website")}
	err := models.SaveOrganisationDetails(c.Request().Context(), h.db, currentActor(c), org, in)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return h.organisationPage(c, http.StatusUnprocessableEntity, manage.OrganisationPage{Details: in, Errors: components.Errors(ve.Fields)})
	}
	if err != nil {
		return err
	}
	h.flash(c, "Your organisation's details are saved.")
	return c.Redirect(http.StatusSeeOther, "/manage/services?org="+org)
}
