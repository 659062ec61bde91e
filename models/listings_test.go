package models_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
	"github.com/openreferral-uk/referrals/models/geo"
	"github.com/openreferral-uk/referrals/models/hsds"
)

// validListing is a listing that passes validation, for tests to spoil.
func validListing() models.ListingInput {
	return models.ListingInput{
		Name: "Warm Spaces Drop-in", Description: "A warm room, hot drinks and company.", State: string(models.StateOpen),
		MinimumAge: "18", MaximumAge: "99", Languages: "English, Polish", Email: "hello@warm.example.org.uk",
		Website: "www.warm.example.org.uk", Capacity: string(models.CapacityOpen), ResponseTargetDays: "",
		Phones:    []models.PhoneInput{{Number: "0113 496 0000", Description: "Reception"}, {}},
		Schedules: []models.ScheduleInput{{Days: []string{"MO", "TU", "WE"}, Opens: "9:30", Closes: "16:30", Notes: "Closed on bank holidays"}},
		Locations: []models.LocationInput{{Name: "Community hall", Address1: "1 Park Row", City: "Leeds", Postcode: "ls1 5ab", Accessibility: "Step-free entrance"}},
	}
}

func TestListingValidation(t *testing.T) {
	long := strings.Repeat("a", 10001)
	cases := []struct {
		name  string
		spoil func(in *models.ListingInput)
		field string
	}{
		{"no name", func(in *models.ListingInput) { in.Name = "  " }, "name"},
		{"price not a number", func(in *models.ListingInput) { in.Prices = []models.PriceInput{{Amount: "five pounds"}} }, "prices-0-amount"},
		{"negative price", func(in *models.ListingInput) { in.Prices = []models.PriceInput{{Amount: "-3"}} }, "prices-0-amount"},
		{"NaN price", func(in *models.ListingInput) { in.Prices = []models.PriceInput{{}, {Amount: "NaN"}} }, "prices-0-amount"},
		{"price for without a price", func(in *models.ListingInput) { in.Prices = []models.PriceInput{{For: "per session"}} }, "prices-0-amount"},
		{"unknown bank holidays", func(in *models.ListingInput) { in.BankHolidays = "wales-only" }, "bank_holidays"},
		{"second price bad", func(in *models.ListingInput) {
			in.Prices = []models.PriceInput{{Amount: "5"}, {Amount: "lots", For: "per day"}}
		}, "prices-1-amount"},
		{"HTML in areas", func(in *models.ListingInput) { in.Areas = "Kirklees, <b>Leeds</b>" }, "areas"},
		{"long name", func(in *models.ListingInput) { in.Name = strings.Repeat("n", 256) }, "name"},
		{"script in name", func(in *models.ListingInput) { in.Name = `<script>alert(1)</script>` }, "name"},
		{"control characters in name", func(in *models.ListingInput) { in.Name = "Warm\x00Spaces" }, "name"},
		{"no description", func(in *models.ListingInput) { in.Description = "" }, "description"},
		{"very long description", func(in *models.ListingInput) { in.Description = long }, "description"},
		{"HTML in description", func(in *models.ListingInput) { in.Description = `Hello <img src=x onerror=alert(1)>` }, "description"},
		{"HTML comment in eligibility", func(in *models.ListingInput) { in.Eligibility = `<!-- hidden -->` }, "eligibility"},
		{"unknown state", func(in *models.ListingInput) { in.State = "deleted" }, "state"},
		{"age not a number", func(in *models.ListingInput) { in.MinimumAge = "eighteen" }, "minimum_age"},
		{"negative age", func(in *models.ListingInput) { in.MinimumAge = "-1" }, "minimum_age"},
		{"ages the wrong way round", func(in *models.ListingInput) { in.MinimumAge, in.MaximumAge = "30", "20" }, "maximum_age"},
		{"email without domain", func(in *models.ListingInput) { in.Email = "hello@" }, "email"},
		{"email with a name", func(in *models.ListingInput) { in.Email = `Bob <bob@example.org.uk>` }, "email"},
		{"javascript website", func(in *models.ListingInput) { in.Website = "javascript:alert(1)" }, "website"},
		{"website without a host", func(in *models.ListingInput) { in.Website = "https://" }, "website"},
		{"website with credentials", func(in *models.ListingInput) { in.Website = "https://user:pass@example.org.uk" }, "website"},
		{"website with quotes", func(in *models.ListingInput) { in.Website = `https://example.org.uk/"onmouseover="x` }, "website"},
		{"phone too short", func(in *models.ListingInput) { in.Phones[0].Number = "0113 49" }, "phones-0-number"},
		{"phone with letters", func(in *models.ListingInput) { in.Phones[0].Number = "0800 FLOWERS" }, "phones-0-number"},
		{"phone script", func(in *models.ListingInput) { in.Phones[0].Number = "<script>" }, "phones-0-number"},
		{"phone too long", func(in *models.ListingInput) { in.Phones[0].Number = strings.Repeat("1", 41) }, "phones-0-number"},
		{"phone description only", func(in *models.ListingInput) { in.Phones[0].Number = "" }, "phones-0-number"},
		{"contact without a name", func(in *models.ListingInput) {
			in.Contacts = []models.ContactInput{{Email: "a@example.org.uk"}}
		}, "contacts-0-name"},
		{"contact bad email", func(in *models.ListingInput) {
			in.Contacts = []models.ContactInput{{Name: "Ann", Email: "not an email"}}
		}, "contacts-0-email"},
		{"no days", func(in *models.ListingInput) { in.Schedules[0].Days = nil }, "schedules-0-days"},
		{"unknown day", func(in *models.ListingInput) { in.Schedules[0].Days = []string{"MO", "XX"} }, "schedules-0-days"},
		{"bad opening time", func(in *models.ListingInput) { in.Schedules[0].Opens = "25:00" }, "schedules-0-opens"},
		{"opening time in words", func(in *models.ListingInput) { in.Schedules[0].Opens = "nine" }, "schedules-0-opens"},
		{"closes before it opens", func(in *models.ListingInput) { in.Schedules[0].Closes = "08:00" }, "schedules-0-closes"},
		{"no address", func(in *models.ListingInput) { in.Locations[0].Address1 = "" }, "locations-0-address1"},
		{"no postcode", func(in *models.ListingInput) { in.Locations[0].Postcode = "" }, "locations-0-postcode"},
		{"malformed postcode", func(in *models.ListingInput) { in.Locations[0].Postcode = "LS1 5A" }, "locations-0-postcode"},
		{"outcode only", func(in *models.ListingInput) { in.Locations[0].Postcode = "LS1" }, "locations-0-postcode"},
		{"postcode script", func(in *models.ListingInput) { in.Locations[0].Postcode = "<b>LS1</b>" }, "locations-0-postcode"},
		{"latitude outside the UK", func(in *models.ListingInput) { in.Locations[0].Latitude, in.Locations[0].Longitude = "12", "-1.5" }, "locations-0-latitude"},
		{"longitude not a number", func(in *models.ListingInput) { in.Locations[0].Latitude, in.Locations[0].Longitude = "53.8", "west" }, "locations-0-longitude"},
		{"HTML in accessibility", func(in *models.ListingInput) { in.Locations[0].Accessibility = "<iframe src=x>" }, "locations-0-accessibility"},
		{"referrals without an email", func(in *models.ListingInput) { in.AcceptsReferrals = true }, "referral_email"},
		{"bad referral email", func(in *models.ListingInput) { in.ReferralEmail = "referrals@@example.org.uk" }, "referral_email"},
		{"response target zero", func(in *models.ListingInput) { in.ResponseTargetDays = "0" }, "response_target_days"},
		{"response target words", func(in *models.ListingInput) { in.ResponseTargetDays = "soon" }, "response_target_days"},
		{"unknown capacity", func(in *models.ListingInput) { in.Capacity = "overflowing" }, "capacity"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := validListing()
			tc.spoil(&in)
			_, v := in.Validate()
			if v == nil || v.Fields[tc.field] == "" {
				t.Fatalf("no message for %s; got %v", tc.field, v)
			}
			if strings.Contains(v.Fields[tc.field], "<") {
				t.Errorf("the message repeats markup: %q", v.Fields[tc.field])
			}
		})
	}

	out, v := validListing().Validate()
	if v != nil {
		t.Fatalf("a valid listing failed: %v", v.Fields)
	}
	if out.Website != "https://www.warm.example.org.uk" || out.Locations[0].Postcode != "LS1 5AB" ||
		out.Schedules[0].Opens != "09:30" || out.ResponseTargetDays != "5" || len(out.Phones) != 1 {
		t.Errorf("not normalised: %+v", out)
	}
	for in, want := range map[string]string{
		"01134960000":       "0113 496 0000",
		"+44 20 7946 0000":  "020 7946 0000",
		"+33 1 23 45 67 89": "+33 1 23 45 67 89",
		"(0113) 496-0000":   "0113 496 0000",
		"01632 960123":      "01632 960123",
		"07700 900 123":     "07700 900123",
	} {
		if got, ok := models.NormalisePhone(in); !ok || got != want {
			t.Errorf("NormalisePhone(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if got := validListing().Schedules[0]; got.Summary() == "" {
		t.Error("no schedule summary")
	}
}

func TestNeedsReview(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	period := 180 * 24 * time.Hour
	for assured, want := range map[string]bool{"": true, "not a date": true, "2026-11-01": false, "2026-01-01": true} {
		if got := models.NeedsReview(assured, now, period); got != want {
			t.Errorf("NeedsReview(%q) = %v", assured, got)
		}
	}
	if models.NeedsReview("", now, 0) {
		t.Error("a period of zero flags listings")
	}
}

// listingWorld is the demo directory with its accounts: the admins of two
// organisations and a caseworker of the first.
type listingWorld struct {
	db                        *gorm.DB
	orgA, orgB, hsdsA         string
	adminA, adminB, caseworkA *models.Actor
}

func newListingWorld(t *testing.T, db *gorm.DB) listingWorld {
	t.Helper()
	ctx := context.Background()
	if _, err := models.LoadDemoDirectory(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := models.LoadDemoAccounts(ctx, db); err != nil {
		t.Fatal(err)
	}
	var orgs []models.MemberOrganisation
	db.Order("name").Find(&orgs)
	w := listingWorld{db: db, orgA: orgs[0].ID, orgB: orgs[1].ID, hsdsA: *orgs[0].HSDSOrganizationID}
	var ms []models.Membership
	db.Where("member_organisation_id IN ?", []string{w.orgA, w.orgB}).Find(&ms)
	for _, m := range ms {
		a, err := models.LoadActor(ctx, db, m.UserID)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case m.MemberOrganisationID == w.orgA && m.OrgAdmin:
			w.adminA = a
		case m.MemberOrganisationID == w.orgB && m.OrgAdmin:
			w.adminB = a
		case m.MemberOrganisationID == w.orgA && m.Caseworker:
			w.caseworkA = a
		}
	}
	return w
}

func TestSaveListing(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newListingWorld(t, db)
		resolver := geo.NewOffline()

		// Only the organisation's own admins may create a listing.
		for _, a := range []*models.Actor{nil, w.adminB, w.caseworkA} {
			if _, err := models.SaveListing(ctx, db, resolver, a, w.orgA, "", validListing()); !errors.Is(err, models.ErrForbidden) {
				t.Errorf("create as another: %v", err)
			}
		}
		bad := validListing()
		bad.Name = ""
		var ve *models.ValidationError
		if _, err := models.SaveListing(ctx, db, resolver, w.adminA, w.orgA, "", bad); !errors.As(err, &ve) || ve.Fields["name"] == "" {
			t.Fatalf("invalid listing: %v", err)
		}
		unknown := validListing()
		unknown.Locations[0].Postcode = "ZZ9 9ZZ"
		if _, err := models.SaveListing(ctx, db, resolver, w.adminA, w.orgA, "", unknown); !errors.As(err, &ve) || ve.Fields["locations-0-postcode"] == "" {
			t.Fatalf("unknown postcode: %v", err)
		}

		id, err := models.SaveListing(ctx, db, resolver, w.adminA, w.orgA, "", validListing())
		if err != nil {
			t.Fatal(err)
		}
		recs, err := models.LoadServices(ctx, db, []string{id}, models.Public)
		if err != nil || len(recs) != 1 {
			t.Fatalf("the new published service is not public: %v", err)
		}
		rec := recs[0]
		if rec.OrganizationID != w.hsdsA || rec.Status != hsds.StatusActive || len(rec.Phones) != 1 ||
			rec.Phones[0].Number != "0113 496 0000" || len(rec.Schedules) != 1 || rec.Schedules[0].Byday != "MO,TU,WE" ||
			rec.Schedules[0].OpensAt != "09:30" || rec.Schedules[0].Notes != "Closed on bank holidays" || len(rec.Languages) != 2 {
			t.Errorf("published: %+v", rec.Service)
		}
		if len(rec.ServiceAtLocations) != 1 || rec.ServiceAtLocations[0].Location.Latitude == nil ||
			rec.ServiceAtLocations[0].Location.Addresses[0].PostalCode != "LS1 5AB" {
			t.Fatalf("location: %+v", rec.ServiceAtLocations)
		}
		locID := rec.ServiceAtLocations[0].LocationID
		var loc models.Location
		db.First(&loc, "id = ?", locID)
		if !loc.CoordinatesApproximate {
			t.Error("coordinates from a postcode are not marked approximate")
		}
		if rec.AssuredDate == "" {
			t.Error("saving did not confirm the listing")
		}

		// Another organisation's service at the place stops the place being
		// changed here: an admin changes only what their organisation
		// publishes.
		var foreign models.Service
		db.Where("organization_id <> ? AND visibility = ?", w.hsdsA, models.Published).Order("id").First(&foreign)
		foreignSAL := models.ServiceAtLocation{ID: models.NewID(), ServiceID: foreign.ID, LocationID: locID}
		if err := db.Create(&foreignSAL).Error; err != nil {
			t.Fatal(err)
		}
		l0, err := models.GetListing(ctx, db, w.adminA, id)
		if err != nil {
			t.Fatal(err)
		}
		blocked := l0.Input
		blocked.Locations[0].Address1 = "Somewhere else"
		if _, err := models.SaveListing(ctx, db, resolver, w.adminA, w.orgA, id, blocked); !errors.As(err, &ve) || ve.Fields["locations-0-name"] == "" {
			t.Fatalf("a place another organisation uses was changed: %v", err)
		}
		db.Delete(&foreignSAL)

		// Another service of the organisation shares the location; editing
		// the location marks it modified too, and the edited one is
		// modified at once.
		var other models.Service
		db.Where("organization_id = ? AND id <> ? AND visibility = ?", w.hsdsA, id, models.Published).Order("id").First(&other)
		if other.ID == "" {
			t.Fatal("organisation A has no other published service")
		}
		if err := db.Create(&models.ServiceAtLocation{ID: models.NewID(), ServiceID: other.ID, LocationID: locID}).Error; err != nil {
			t.Fatal(err)
		}
		l, err := models.GetListing(ctx, db, w.adminA, id)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
		edit := l.Input
		edit.Locations[0].Address1 = "2 Park Row"
		edit.Locations = append(edit.Locations, models.LocationInput{Address1: "Refuge", Postcode: "LS6 1AA", ProfessionalsOnly: true,
			Latitude: "53.8", Longitude: "-1.56"})
		edit.Schedules[0].Days = []string{"SA"}
		edit.Phones[0].ProfessionalsOnly = true
		edit.AcceptsReferrals, edit.ReferralEmail, edit.Capacity = true, "referrals@warm.example.org.uk", string(models.CapacityWaitingList)
		if _, err := models.SaveListing(ctx, db, resolver, w.adminA, w.orgA, id, edit); err != nil {
			t.Fatal(err)
		}
		var after, otherAfter models.Service
		db.First(&after, "id = ?", id)
		db.First(&otherAfter, "id = ?", other.ID)
		if !after.LastModified.After(l.LastModified) {
			t.Error("last_modified did not change on the edited service")
		}
		if !otherAfter.LastModified.After(other.LastModified) {
			t.Error("a service sharing the edited location was not marked modified")
		}
		var shared []models.ListingChange
		db.Where("service_id = ? AND field_name = ?", other.ID, "Shared location").Find(&shared)
		if len(shared) != 1 || !strings.Contains(shared[0].PreviousValue, "1 Park Row") || !strings.Contains(shared[0].ReplacementValue, "2 Park Row") {
			t.Errorf("the sharing service's history: %+v", shared)
		}
		if !after.AcceptsReferrals || after.CapacityStatus != models.CapacityWaitingList || after.ReferralEmail == "" {
			t.Errorf("referral settings: %+v", after)
		}
		recs, _ = models.LoadServices(ctx, db, []string{id}, models.Public)
		if len(recs[0].Phones) != 0 || len(recs[0].ServiceAtLocations) != 1 || recs[0].Schedules[0].Byday != "SA" {
			t.Errorf("the public sees %d phones and %d locations", len(recs[0].Phones), len(recs[0].ServiceAtLocations))
		}
		recs, _ = models.LoadServices(ctx, db, []string{id}, models.Professional)
		if len(recs[0].ServiceAtLocations) != 2 {
			t.Errorf("professionals see %d locations", len(recs[0].ServiceAtLocations))
		}
		for _, sal := range recs[0].ServiceAtLocations {
			var row models.Location
			db.First(&row, "id = ?", sal.LocationID)
			if sal.Location.Addresses[0].Address1 == "Refuge" && (row.CoordinatesApproximate || !row.ProfessionalsOnly) {
				t.Errorf("typed coordinates: %+v", row)
			}
		}

		// Every change is in the history, with who made it.
		hist, err := models.ListingHistory(ctx, db, w.adminA, id)
		if err != nil {
			t.Fatal(err)
		}
		fields := map[string]models.ListingChange{}
		for _, h := range hist {
			fields[h.FieldName+"/"+h.ActionType] = h
		}
		for _, f := range []string{"Name/create", "Locations/update", "Opening times/update", "Phones/update", "Capacity/update", "Accepts referrals/update"} {
			if _, ok := fields[f]; !ok {
				t.Errorf("history has no %s: %v", f, fields)
			}
		}
		if h := fields["Opening times/update"]; !strings.Contains(h.PreviousValue, "Monday to Wednesday") || !strings.Contains(h.ReplacementValue, "Saturday") ||
			h.ChangedByName != w.adminA.User.DisplayName() {
			t.Errorf("opening times change: %+v", h)
		}
		if _, err := models.ListingHistory(ctx, db, w.adminB, id); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("another organisation's admin read the history: %v", err)
		}
		if _, err := models.GetListing(ctx, db, w.adminB, id); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("another organisation's admin loaded the listing: %v", err)
		}
		if _, err := models.SaveListing(ctx, db, resolver, w.adminB, w.orgB, id, edit); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("another organisation's admin saved the listing: %v", err)
		}

		// A save from a form loaded before someone else's change is
		// refused rather than overwriting it.
		if _, err := models.SaveListing(ctx, db, resolver, w.adminA, w.orgA, id, l.Input); !errors.Is(err, models.ErrConflict) {
			t.Errorf("a stale save: %v", err)
		}

		// Saving with nothing published changed leaves last_modified alone.
		l2, _ := models.GetListing(ctx, db, w.adminA, id)
		l2.Input.ResponseTargetDays = "10"
		if _, err := models.SaveListing(ctx, db, resolver, w.adminA, w.orgA, id, l2.Input); err != nil {
			t.Fatal(err)
		}
		var again models.Service
		db.First(&again, "id = ?", id)
		if !again.LastModified.Equal(after.LastModified) || again.ResponseTargetDays != 10 {
			t.Errorf("a local change: last_modified %v -> %v, target %d", after.LastModified, again.LastModified, again.ResponseTargetDays)
		}

		// Closing for good publishes it as defunct.
		l2, _ = models.GetListing(ctx, db, w.adminA, id)
		l2.Input.State = string(models.StateClosed)
		if _, err := models.SaveListing(ctx, db, resolver, w.adminA, w.orgA, id, l2.Input); err != nil {
			t.Fatal(err)
		}
		recs, _ = models.LoadServices(ctx, db, []string{id}, models.Public)
		if len(recs) != 1 || recs[0].Status != hsds.StatusDefunct {
			t.Errorf("closed: %+v", recs)
		}
		if err := models.DeleteListing(ctx, db, w.adminA, id); !errors.Is(err, models.ErrInvalidTransition) {
			t.Errorf("a published listing was deleted: %v", err)
		}

		// The listing of the organisation shows it, not another's.
		list, err := models.ListListings(ctx, db, w.adminA, w.orgA, models.DefaultReviewPeriod)
		if err != nil || !list.Linked {
			t.Fatal(err)
		}
		found := false
		for _, s := range list.Services {
			found = found || s.ID == id
		}
		if !found {
			t.Error("the new listing is not in the organisation's list")
		}
		if _, err := models.ListListings(ctx, db, w.adminB, w.orgA, models.DefaultReviewPeriod); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("another admin listed: %v", err)
		}
	})
}

func TestConfirmClaimAndDelete(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newListingWorld(t, db)
		var svc models.Service
		db.Where("organization_id = ?", w.hsdsA).Order("id").First(&svc)
		db.Model(&models.Service{}).Where("id = ?", svc.ID).Updates(map[string]any{"assured_date": "", "source": "feed:council"})

		// A harvested listing is read-only until claimed.
		if _, err := models.SaveListing(ctx, db, geo.NewOffline(), w.adminA, w.orgA, svc.ID, validListing()); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("edited a feed listing: %v", err)
		}
		if err := models.ConfirmListing(ctx, db, w.adminA, svc.ID); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("confirmed a feed listing: %v", err)
		}
		if err := models.ClaimListing(ctx, db, w.adminB, svc.ID); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("another admin claimed: %v", err)
		}
		if err := models.ClaimListing(ctx, db, w.adminA, svc.ID); err != nil {
			t.Fatal(err)
		}
		l, err := models.GetListing(ctx, db, w.adminA, svc.ID)
		if err != nil || l.ReadOnly || !l.Claimed {
			t.Fatalf("after the claim: %+v %v", l, err)
		}
		if err := models.ClaimListing(ctx, db, w.adminA, svc.ID); !errors.Is(err, models.ErrInvalidTransition) {
			t.Errorf("claimed twice: %v", err)
		}

		list, _ := models.ListListings(ctx, db, w.adminA, w.orgA, models.DefaultReviewPeriod)
		for _, s := range list.Services {
			if s.ID == svc.ID && !s.NeedsReview {
				t.Error("a listing never confirmed is not flagged")
			}
		}
		if err := models.ConfirmListing(ctx, db, w.adminA, svc.ID); err != nil {
			t.Fatal(err)
		}
		var after models.Service
		db.First(&after, "id = ?", svc.ID)
		if after.AssuredDate != models.Today(models.Now()) || !after.LastModified.After(svc.LastModified) {
			t.Errorf("after confirming: %q %v", after.AssuredDate, after.LastModified)
		}
		list, _ = models.ListListings(ctx, db, w.adminA, w.orgA, models.DefaultReviewPeriod)
		for _, s := range list.Services {
			if s.ID == svc.ID && s.NeedsReview {
				t.Error("a confirmed listing is flagged")
			}
		}
		hist, _ := models.ListingHistory(ctx, db, w.adminA, svc.ID)
		actions := map[string]bool{}
		for _, h := range hist {
			actions[h.ActionType] = true
		}
		if !actions["claim"] || !actions["confirm"] {
			t.Errorf("history actions: %v", actions)
		}

		// A draft that was never published can be deleted; nobody else's.
		in := validListing()
		in.State = string(models.StateDraft)
		id, err := models.SaveListing(ctx, db, geo.NewOffline(), w.adminA, w.orgA, "", in)
		if err != nil {
			t.Fatal(err)
		}
		if recs, _ := models.LoadServices(ctx, db, []string{id}, models.Professional); len(recs) != 0 {
			t.Error("a draft is visible in the directory")
		}
		if err := models.DeleteListing(ctx, db, w.adminB, id); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("another admin deleted: %v", err)
		}
		if err := models.DeleteListing(ctx, db, w.adminA, id); err != nil {
			t.Fatal(err)
		}
		var n int64
		db.Model(&models.Service{}).Where("id = ?", id).Count(&n)
		if n != 0 {
			t.Error("the draft is still there")
		}
	})
}

// Structured prices and the areas covered are published as HSDS cost
// options and service areas, and read back into the form unchanged; every
// price is editable, and what the form does not show of an imported one
// (its validity dates, its currency) is kept.
func TestSaveListingPriceAndAreas(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newListingWorld(t, db)
		in := validListing()
		in.Prices = []models.PriceInput{{Amount: "£5.50", For: "per session"}, {For: "Concessions", Details: "Free for people on benefits"}}
		in.Areas = "Kirklees, Calderdale, Kirklees"
		in.BankHolidays = models.Scotland
		id, err := models.SaveListing(ctx, db, geo.NewOffline(), w.adminA, w.orgA, "", in)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := models.LoadServices(ctx, db, []string{id}, models.Public)
		if err != nil || len(recs) != 1 {
			t.Fatal(err)
		}
		rec := recs[0]
		// HSDS gives cost options no order: they come back by id.
		byOption := func(cs []hsds.CostOption) map[string]hsds.CostOption {
			m := map[string]hsds.CostOption{}
			for _, c := range cs {
				m[c.Option] = c
			}
			return m
		}
		got := byOption(rec.CostOptions)
		if s, c := got["per session"], got["Concessions"]; len(rec.CostOptions) != 2 || s.Amount == nil || *s.Amount != 5.5 ||
			s.Currency != "GBP" || c.Amount != nil || c.AmountDescription != "Free for people on benefits" {
			t.Errorf("cost options: %+v", rec.CostOptions)
		}
		// Areas are stored as a set (HSDS gives them no order).
		var names []string
		for _, a := range rec.ServiceAreas {
			names = append(names, a.Name)
		}
		slices.Sort(names)
		if strings.Join(names, ",") != "Calderdale,Kirklees" {
			t.Errorf("service areas: %+v", rec.ServiceAreas)
		}
		l, err := models.GetListing(ctx, db, w.adminA, id)
		if l.Input.BankHolidays != models.Scotland {
			t.Errorf("bank holidays read back as %q", l.Input.BankHolidays)
		}
		typed := map[string]models.PriceInput{}
		for _, p := range l.Input.Prices {
			typed[p.For] = p
		}
		if err != nil || len(l.Input.Prices) != 2 || typed["per session"].Amount != "5.50" ||
			typed["Concessions"].Details != "Free for people on benefits" ||
			(l.Input.Areas != "Kirklees, Calderdale" && l.Input.Areas != "Calderdale, Kirklees") {
			t.Fatalf("read back: %v %+v %q", err, l.Input.Prices, l.Input.Areas)
		}
		// An imported price's validity dates and currency are not on the
		// form, and survive an edit of it.
		if err := db.Model(&models.CostOption{}).Where("id = ?", got["Concessions"].ID).
			Updates(map[string]any{"valid_from": "2026-04-01", "currency": "EUR"}).Error; err != nil {
			t.Fatal(err)
		}
		l, _ = models.GetListing(ctx, db, w.adminA, id)
		for i := range l.Input.Prices {
			if l.Input.Prices[i].For == "Concessions" {
				l.Input.Prices[i].Amount = "3"
			}
		}
		if _, err := models.SaveListing(ctx, db, geo.NewOffline(), w.adminA, w.orgA, id, l.Input); err != nil {
			t.Fatal(err)
		}
		recs, _ = models.LoadServices(ctx, db, []string{id}, models.Public)
		if c := byOption(recs[0].CostOptions)["Concessions"]; len(recs[0].CostOptions) != 2 || c.Amount == nil || *c.Amount != 3 ||
			c.ValidFrom != "2026-04-01" || c.Currency != "EUR" {
			t.Errorf("after editing the second price: %+v", recs[0].CostOptions)
		}
		// An import may bring a price with only what it is for, and an
		// amount finer than pence: saving the form unchanged keeps both.
		if err := db.Model(&models.CostOption{}).Where("id = ?", got["Concessions"].ID).
			Updates(map[string]any{"amount": nil, "amount_description": ""}).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Model(&models.CostOption{}).Where("id = ?", got["per session"].ID).Update("amount", 2.125).Error; err != nil {
			t.Fatal(err)
		}
		l, _ = models.GetListing(ctx, db, w.adminA, id)
		if _, err := models.SaveListing(ctx, db, geo.NewOffline(), w.adminA, w.orgA, id, l.Input); err != nil {
			t.Fatalf("saving a listing with imported prices unchanged: %v", err)
		}
		recs, _ = models.LoadServices(ctx, db, []string{id}, models.Public)
		if c := byOption(recs[0].CostOptions); c["per session"].Amount == nil || *c["per session"].Amount != 2.125 || c["Concessions"].Amount != nil {
			t.Errorf("after saving unchanged: %+v", recs[0].CostOptions)
		}
		// Emptying the prices removes the cost options; the areas keep their ids.
		areaID := rec.ServiceAreas[0].ID
		l, _ = models.GetListing(ctx, db, w.adminA, id)
		l.Input.Prices = []models.PriceInput{{ID: l.Input.Prices[0].ID}, {}}
		if _, err := models.SaveListing(ctx, db, geo.NewOffline(), w.adminA, w.orgA, id, l.Input); err != nil {
			t.Fatal(err)
		}
		recs, _ = models.LoadServices(ctx, db, []string{id}, models.Public)
		kept := false
		for _, a := range recs[0].ServiceAreas {
			kept = kept || a.ID == areaID
		}
		if len(recs[0].CostOptions) != 0 || !kept {
			t.Errorf("after emptying the prices: %+v, areas %+v", recs[0].CostOptions, recs[0].ServiceAreas)
		}
	})
}

// A published service is closed, not taken back to draft (which would
// vanish from the API without a word), and so it can never be deleted.
func TestPublishedListingCannotGoBackToDraft(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx := context.Background()
	w := newListingWorld(t, db)
	id, err := models.SaveListing(ctx, db, geo.NewOffline(), w.adminA, w.orgA, "", validListing())
	if err != nil {
		t.Fatal(err)
	}
	l, err := models.GetListing(ctx, db, w.adminA, id)
	if err != nil {
		t.Fatal(err)
	}
	l.Input.State = string(models.StateDraft)
	var ve *models.ValidationError
	if _, err := models.SaveListing(ctx, db, geo.NewOffline(), w.adminA, w.orgA, id, l.Input); !errors.As(err, &ve) || ve.Fields["state"] == "" {
		t.Fatalf("a published service went back to draft: %v", err)
	}
	if err := models.DeleteListing(ctx, db, w.adminA, id); !errors.Is(err, models.ErrInvalidTransition) {
		t.Errorf("a published service was deleted: %v", err)
	}
}

// Claiming brings the places only the claimed service uses; a place a feed
// service still shares stays the feed's and cannot be changed here, so a
// harvest never overwrites a correction.
func TestClaimTakesItsOwnPlaces(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx := context.Background()
	w := newListingWorld(t, db)
	newFeedListing := func() (string, string) {
		id, err := models.SaveListing(ctx, db, geo.NewOffline(), w.adminA, w.orgA, "", validListing())
		if err != nil {
			t.Fatal(err)
		}
		var loc string
		db.Raw("SELECT location_id FROM service_at_locations WHERE service_id = ?", id).Scan(&loc)
		db.Exec("UPDATE services SET source = 'feed:council' WHERE id = ?", id)
		db.Exec("UPDATE locations SET source = 'feed:council' WHERE id = ?", loc)
		return id, loc
	}
	own, ownLoc := newFeedListing()
	if err := models.ClaimListing(ctx, db, w.adminA, own); err != nil {
		t.Fatal(err)
	}
	var src string
	db.Raw("SELECT source FROM locations WHERE id = ?", ownLoc).Scan(&src)
	if src != models.LocalSource {
		t.Errorf("the claimed service's own place is still %q", src)
	}

	shared, sharedLoc := newFeedListing()
	var feedSvc models.Service
	db.Where("organization_id = ? AND id NOT IN ?", w.hsdsA, []string{own, shared}).Order("id").First(&feedSvc)
	db.Create(&models.ServiceAtLocation{ID: models.NewID(), ServiceID: feedSvc.ID, LocationID: sharedLoc})
	db.Exec("UPDATE services SET source = 'feed:council' WHERE id = ?", feedSvc.ID)
	if err := models.ClaimListing(ctx, db, w.adminA, shared); err != nil {
		t.Fatal(err)
	}
	db.Raw("SELECT source FROM locations WHERE id = ?", sharedLoc).Scan(&src)
	if src != "feed:council" {
		t.Errorf("a place a feed service shares became %q", src)
	}
	l, err := models.GetListing(ctx, db, w.adminA, shared)
	if err != nil {
		t.Fatal(err)
	}
	l.Input.Locations[0].Accessibility = "Changed here"
	var ve *models.ValidationError
	if _, err := models.SaveListing(ctx, db, geo.NewOffline(), w.adminA, w.orgA, shared, l.Input); !errors.As(err, &ve) || ve.Fields["locations-0-name"] == "" {
		t.Errorf("a feed's shared place was changed here: %v", err)
	}
}
