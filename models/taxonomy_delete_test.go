package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
	"github.com/openreferral-uk/referrals/models/hsds"
)

// TestDeleteTaxonomy: a platform admin deletes a taxonomy; its terms and the
// links filing services under them go, the services stay and are marked as
// changed, a term of another taxonomy keeps itself but loses its parent,
// and the deletion is audited. Nobody else may, a taxonomy a registered
// feed brings is refused, and an unknown one is not found.
func TestDeleteTaxonomy(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		tax := dbtest.FixtureTaxonomy()
		if err := models.SaveTaxonomy(ctx, db, "local", tax, nil); err != nil {
			t.Fatal(err)
		}
		if err := models.SaveServices(ctx, db, "local", dbtest.GenerateServices(6, 2)); err != nil {
			t.Fatal(err)
		}
		// A term of another taxonomy whose parent is one of these.
		other := hsds.Taxonomy{ID: "other", Name: "Other list"}
		if err := models.SaveTaxonomy(ctx, db, "local", other, []hsds.TaxonomyTerm{{ID: "child", Name: "Child", ParentID: dbtest.ID("term", 0)}}); err != nil {
			t.Fatal(err)
		}
		taxID, otherChild := models.NormaliseID("local", tax.ID), models.NormaliseID("local", "child")
		var before models.Service
		if err := db.First(&before, "id = ?", dbtest.ID("service", 0)).Error; err != nil {
			t.Fatal(err)
		}
		var kept models.TaxonomyTerm
		if err := db.First(&kept, "id = ?", otherChild).Error; err != nil || kept.ParentID == nil {
			t.Fatalf("the other taxonomy's term should start with a parent: %+v %v", kept, err)
		}

		platform := &models.Actor{User: models.User{PlatformAdmin: true}}
		orgAdmin := &models.Actor{Memberships: []models.ActorMembership{{OrganisationID: before.OrganizationID, Roles: models.Roles{OrgAdmin: true}}}}
		for _, a := range []*models.Actor{nil, orgAdmin} {
			if _, err := models.DeleteTaxonomy(ctx, db, a, taxID); !errors.Is(err, models.ErrForbidden) {
				t.Errorf("delete as %+v: %v, want forbidden", a, err)
			}
			if _, err := models.TaxonomyDeletion(ctx, db, a, taxID); !errors.Is(err, models.ErrForbidden) {
				t.Errorf("impact as %+v: %v, want forbidden", a, err)
			}
		}
		im, err := models.TaxonomyDeletion(ctx, db, platform, taxID)
		if err != nil || im.Terms != 3 || im.Services != 6 || im.Feed != "" || im.Name != tax.Name {
			t.Fatalf("impact %+v, %v", im, err)
		}

		before.LastModified = time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)
		if err := db.Model(&models.Service{}).Where("id = ?", before.ID).Update("last_modified", before.LastModified).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := models.DeleteTaxonomy(ctx, db, platform, taxID); err != nil {
			t.Fatal(err)
		}
		var n int64
		db.Model(&models.TaxonomyTerm{}).Where("taxonomy_id = ?", taxID).Count(&n)
		if n != 0 {
			t.Errorf("%d terms left", n)
		}
		db.Model(&models.Attribute{}).Count(&n)
		if n != 0 {
			t.Errorf("%d attributes left", n)
		}
		db.Model(&models.Service{}).Count(&n)
		if n != 6 {
			t.Errorf("%d services, want the 6 to stay", n)
		}
		var after models.Service
		db.First(&after, "id = ?", before.ID)
		if !after.LastModified.After(before.LastModified) {
			t.Errorf("last_modified %v, was %v: consumers following modified_after would miss the change", after.LastModified, before.LastModified)
		}
		if err := db.First(&kept, "id = ?", otherChild).Error; err != nil || kept.ParentID != nil {
			t.Errorf("the other taxonomy's term: %+v %v, want it kept without its parent", kept, err)
		}
		var events int64
		db.Model(&models.AuditEvent{}).Where("action = ? AND subject_id = ?", "taxonomy.deleted", taxID).Count(&events)
		if events != 1 {
			t.Errorf("%d audit events", events)
		}
		if _, err := models.DeleteTaxonomy(ctx, db, platform, taxID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("deleting it again: %v, want not found", err)
		}

		// A taxonomy a registered feed brings would come back: refused.
		if _, err := models.AddFeed(ctx, db, platform, models.FeedInput{Name: "council", URL: "https://api.example.gov.uk/api"}); err != nil {
			t.Fatal(err)
		}
		if err := models.SaveTaxonomy(ctx, db, models.FeedSource("council"), hsds.Taxonomy{ID: "esd", Name: "esd service types"}, nil); err != nil {
			t.Fatal(err)
		}
		esd := models.NormaliseID(models.FeedSource("council"), "esd")
		var ve *models.ValidationError
		if _, err := models.DeleteTaxonomy(ctx, db, platform, esd); !errors.As(err, &ve) || ve.Fields["taxonomy"] == "" {
			t.Errorf("deleting a feed's taxonomy: %v", err)
		}
		db.Model(&models.Taxonomy{}).Where("id = ?", esd).Count(&n)
		if n != 1 {
			t.Error("the feed's taxonomy was deleted")
		}
	})
}
