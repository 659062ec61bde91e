package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
)

func TestOrganisationDetails(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newReferralWorld(t, db)
		admin := actorWith(t, db, w.receiving, "org_admin")
		d, err := models.GetOrganisationDetails(ctx, db, admin, w.receiving)
		if err != nil || d.Name == "" {
			t.Fatalf("details: %v %+v", err, d)
		}
		before := time.Now().Add(-time.Second)
		bad := d
		bad.Description, bad.Email, bad.Website = "<script>alert(1)</script>", "not an email", "javascript:alert(1)"
		var ve *models.ValidationError
		if err := models.SaveOrganisationDetails(ctx, db, admin, w.receiving, bad); !errors.As(err, &ve) ||
			ve.Fields["description"] == "" || ve.Fields["email"] == "" || ve.Fields["website"] == "" {
			t.Fatalf("hostile input: %v", err)
		}
		d.Name = "Zanzibar Community Advice"
		d.Website = "zanzibar.example.org.uk"
		if err := models.SaveOrganisationDetails(ctx, db, admin, w.receiving, d); err != nil {
			t.Fatal(err)
		}
		// Every service of the organisation publishes the new name, is marked
		// modified and is found by it.
		var stale int64
		db.Model(&models.Service{}).Where("organization_id = (SELECT hsds_organization_id FROM member_organisations WHERE id = ?) AND last_modified < ?",
			w.receiving, before).Count(&stale)
		if stale != 0 {
			t.Errorf("%d of the organisation's services were not marked modified", stale)
		}
		recs, err := models.LoadServices(ctx, db, []string{w.serviceID}, models.Public)
		if err != nil || len(recs) != 1 || recs[0].Organization.Name != "Zanzibar Community Advice" ||
			recs[0].Organization.Website != "https://zanzibar.example.org.uk" {
			t.Fatalf("the service after the rename: %v %+v", err, recs)
		}
		ids, _, err := models.SearchServiceIDs(ctx, db, models.ServiceQuery{Text: "zanzibar", PerPage: 100, Audience: models.Public})
		if err != nil || !contains(ids, w.serviceID) {
			t.Errorf("search by the new name: %v %v", err, ids)
		}
		// Another organisation's admin cannot.
		if err := models.SaveOrganisationDetails(ctx, db, w.admin, w.receiving, d); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("another organisation's admin: %v", err)
		}
	})
}
