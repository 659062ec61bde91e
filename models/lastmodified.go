package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// ServicesAtLocations returns the ids of every service delivered at any of
// the given locations.
func ServicesAtLocations(ctx context.Context, tx *gorm.DB, locationIDs []string) ([]string, error) {
	var ids []string
	for start := 0; start < len(locationIDs); start += inChunk {
		var part []string
		err := tx.WithContext(ctx).Model(&ServiceAtLocation{}).
			Where("location_id IN ?", locationIDs[start:min(start+inChunk, len(locationIDs))]).
			Distinct().Pluck("service_id", &part).Error
		if err != nil {
			return nil, fmt.Errorf("models: services at locations: %w", err)
		}
		ids = append(ids, part...)
	}
	return uniq(ids), nil
}

// TouchServices sets last_modified of the given services to at. Every change
// to a service or to anything published beneath it (a location, phone,
// schedule, contact or taxonomy link) calls it for each service the change
// reaches, so that consumers following modified_after see the change.
func TouchServices(ctx context.Context, tx *gorm.DB, serviceIDs []string, at time.Time) error {
	ids := uniq(serviceIDs)
	for start := 0; start < len(ids); start += inChunk {
		err := tx.WithContext(ctx).Model(&Service{}).
			Where("id IN ?", ids[start:min(start+inChunk, len(ids))]).
			Update("last_modified", at.UTC().Truncate(time.Millisecond)).Error
		if err != nil {
			return fmt.Errorf("models: touch services: %w", err)
		}
	}
	return nil
}

// TouchServicesAtLocations applies the last_modified rule to a change of
// locations: every service at any of them, including services that share a
// location with the one being edited, is marked modified.
func TouchServicesAtLocations(ctx context.Context, tx *gorm.DB, locationIDs []string, at time.Time) error {
	ids, err := ServicesAtLocations(ctx, tx, locationIDs)
	if err != nil {
		return err
	}
	return TouchServices(ctx, tx, ids, at)
}
