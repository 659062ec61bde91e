package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models/demo"
)

// DemoSource is the provenance of demo data.
const DemoSource = "demo"

// LoadDemoDirectory loads the demo directory once: on a database that has no
// demo services yet. It reports whether it loaded anything.
func LoadDemoDirectory(ctx context.Context, db *gorm.DB) (bool, error) {
	var n int64
	if err := db.WithContext(ctx).Model(&Service{}).Where("source = ?", DemoSource).Count(&n).Error; err != nil {
		return false, fmt.Errorf("models: check demo data: %w", err)
	}
	if n > 0 {
		return false, nil
	}
	tax, terms, err := demo.Taxonomy()
	if err != nil {
		return false, fmt.Errorf("models: read demo taxonomy: %w", err)
	}
	services, err := demo.Services()
	if err != nil {
		return false, fmt.Errorf("models: read demo services: %w", err)
	}
	settings, err := demo.LoadSettings()
	if err != nil {
		return false, fmt.Errorf("models: read demo settings: %w", err)
	}
	if err := SaveTaxonomy(ctx, db, DemoSource, tax, terms); err != nil {
		return false, err
	}
	rs, err := FlattenServices(DemoSource, services, Now())
	if err != nil {
		return false, err
	}
	applyDemoSettings(rs, settings)
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return WriteRowSet(ctx, tx, rs)
	})
	if err != nil {
		return false, fmt.Errorf("models: load demo directory: %w", err)
	}
	return true, nil
}

// applyDemoSettings sets the local extensions the demo data keeps apart from
// its HSDS JSON.
func applyDemoSettings(rs *RowSet, s demo.Settings) {
	for i := range rs.Services {
		svc := &rs.Services[i]
		set, ok := s.Services[svc.ID]
		if !ok {
			continue
		}
		svc.AcceptsReferrals = set.AcceptsReferrals
		svc.ReferralEmail = set.ReferralEmail
		svc.ProfessionalsOnly = set.ProfessionalsOnly
		if set.Draft {
			svc.Visibility = Draft
		}
	}
	hiddenLoc := map[string]bool{}
	for _, id := range s.ProfessionalsOnlyLocations {
		hiddenLoc[id] = true
	}
	for i := range rs.Locations {
		rs.Locations[i].ProfessionalsOnly = hiddenLoc[rs.Locations[i].ID]
	}
	hiddenPhone := map[string]bool{}
	for _, id := range s.ProfessionalsOnlyPhones {
		hiddenPhone[id] = true
	}
	for i := range rs.Phones {
		rs.Phones[i].ProfessionalsOnly = hiddenPhone[rs.Phones[i].ID]
	}
}
