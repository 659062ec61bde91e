package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// ServiceSummary is what a list of search results shows of a service: its
// name, organisation, a description, its status, whether it takes
// referrals, the towns it is in and its categories. Loading it takes three
// statements whatever the page size, where the full HSDS record takes 26
// (about 15 ms for a page of 20 at 100,000 services on SQLite).
type ServiceSummary struct {
	ID               string
	Name             string
	Description      string
	Status           string
	OrganizationName string
	AcceptsReferrals bool
	Cities           []string
	Terms            []string
}

// LoadServiceSummaries returns the summaries of the services with the
// given ids that the audience may see, in the order of ids. Towns come only
// from locations the audience may see.
func LoadServiceSummaries(ctx context.Context, db *gorm.DB, ids []string, aud Audience) ([]ServiceSummary, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	db = db.WithContext(ctx)
	var rows []struct {
		ID, Name, Description, Status, OrgName string
		AcceptsReferrals                       bool
	}
	err := visibleServices(db, aud).
		Select("services.id, services.name, services.description, services.status, services.accepts_referrals, COALESCE(o.name, '') AS org_name").
		Joins("LEFT JOIN organizations o ON o.id = services.organization_id").
		Where("services.id IN ?", ids).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("models: service summaries: %w", err)
	}
	byID := make(map[string]*ServiceSummary, len(rows))
	for _, r := range rows {
		byID[r.ID] = &ServiceSummary{ID: r.ID, Name: r.Name, Description: r.Description, Status: r.Status,
			OrganizationName: r.OrgName, AcceptsReferrals: r.AcceptsReferrals}
	}
	var cities []struct{ ServiceID, City string }
	q := db.Table("service_at_locations sal").Select("sal.service_id, a.city").
		Joins("JOIN locations l ON l.id = sal.location_id").
		Joins("JOIN addresses a ON a.location_id = l.id").
		Where("sal.service_id IN ? AND a.city <> ''", ids)
	if aud == Public {
		q = q.Where("l.professionals_only = ?", false)
	}
	if err := q.Order("sal.service_id, sal.id, a.id").Scan(&cities).Error; err != nil {
		return nil, fmt.Errorf("models: service summaries: %w", err)
	}
	for _, c := range cities {
		if s := byID[c.ServiceID]; s != nil && !containsString(s.Cities, c.City) {
			s.Cities = append(s.Cities, c.City)
		}
	}
	var terms []struct{ LinkID, Name string }
	if err := db.Table("attributes a").Select("a.link_id, t.name").
		Joins("JOIN taxonomy_terms t ON t.id = a.taxonomy_term_id").
		Where("a.link_entity = 'service' AND a.link_id IN ?", ids).Order("a.link_id, a.id").Scan(&terms).Error; err != nil {
		return nil, fmt.Errorf("models: service summaries: %w", err)
	}
	for _, t := range terms {
		if s := byID[t.LinkID]; s != nil && !containsString(s.Terms, t.Name) {
			s.Terms = append(s.Terms, t.Name)
		}
	}
	out := make([]ServiceSummary, 0, len(rows))
	for _, id := range ids {
		if s := byID[id]; s != nil {
			out = append(out, *s)
		}
	}
	return out, nil
}
