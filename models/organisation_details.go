package models

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"
)

// OrganisationDetails is what an organisation admin keeps of their
// organisation's own directory record (HSDS organization).
type OrganisationDetails struct {
	Name, AlternateName, Description, Email, Website string
	// ReadOnly is set when the record comes from a harvested feed.
	ReadOnly bool
}

// organisationRecord finds the HSDS organization an admin may edit.
func organisationRecord(ctx context.Context, db *gorm.DB, a *Actor, orgID string) (Organization, error) {
	if err := can(a, ManageListings, Resource{OrganisationID: orgID}); err != nil {
		return Organization{}, err
	}
	hsdsID, err := linkedOrganization(ctx, db, orgID)
	if err != nil {
		return Organization{}, err
	}
	if hsdsID == "" {
		return Organization{}, fmt.Errorf("models: organisation %s is not linked to the directory: %w", orgID, ErrNotFound)
	}
	var o Organization
	if err := db.WithContext(ctx).Where("id = ?", hsdsID).Take(&o).Error; err != nil {
		return Organization{}, fmt.Errorf("models: organisation details: %w", err)
	}
	return o, nil
}

// GetOrganisationDetails returns the organisation's directory record.
func GetOrganisationDetails(ctx context.Context, db *gorm.DB, a *Actor, orgID string) (OrganisationDetails, error) {
	o, err := organisationRecord(ctx, db, a, orgID)
	if err != nil {
		return OrganisationDetails{}, err
	}
	return OrganisationDetails{Name: o.Name, AlternateName: o.AlternateName, Description: o.Description,
		Email: o.Email, Website: o.Website, ReadOnly: IsFeedSource(o.Source)}, nil
}

// SaveOrganisationDetails checks and saves the organisation's record. Every
// service of the organisation publishes it, so each is marked modified (API
// consumers syncing by modified_after fetch them again) and re-indexed for
// search; the change is an audit event listing the fields.
func SaveOrganisationDetails(ctx context.Context, db *gorm.DB, a *Actor, orgID string, in OrganisationDetails) error {
	o, err := organisationRecord(ctx, db, a, orgID)
	if err != nil {
		return err
	}
	if IsFeedSource(o.Source) {
		return fmt.Errorf("models: organisation %s comes from a feed: %w", o.ID, ErrForbidden)
	}
	v := &ValidationError{}
	in.Name, in.AlternateName, in.Description = strings.TrimSpace(in.Name), strings.TrimSpace(in.AlternateName), strings.TrimSpace(in.Description)
	if in.Name == "" {
		v.Add("name", "Enter the organisation's name")
	}
	checkText(v, "name", "The name", in.Name, maxShortText, false)
	checkText(v, "alternate_name", "The other name", in.AlternateName, maxShortText, false)
	checkText(v, "description", "The description", in.Description, maxLongText, true)
	in.Email = normaliseEmail(v, "email", "Email address", in.Email)
	in.Website = normaliseURL(v, "website", "Website", in.Website)
	if err := v.Err(); err != nil {
		return err
	}
	var changed []string
	for field, pair := range map[string][2]string{"name": {o.Name, in.Name}, "alternate_name": {o.AlternateName, in.AlternateName},
		"description": {o.Description, in.Description}, "email": {o.Email, in.Email}, "website": {o.Website, in.Website}} {
		if pair[0] != pair[1] {
			changed = append(changed, field)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	now := Now()
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&Organization{}).Where("id = ?", o.ID).Updates(map[string]any{"name": in.Name,
			"alternate_name": in.AlternateName, "description": in.Description, "email": in.Email, "website": in.Website,
			"last_modified": now}).Error; err != nil {
			return fmt.Errorf("models: save organisation: %w", err)
		}
		var ids []string
		if err := tx.Model(&Service{}).Where("organization_id = ?", o.ID).Pluck("id", &ids).Error; err != nil {
			return fmt.Errorf("models: save organisation: %w", err)
		}
		if len(ids) > 0 {
			if err := TouchServices(ctx, tx, ids, now); err != nil {
				return err
			}
			if err := ReindexServices(ctx, tx, ids); err != nil {
				return err
			}
		}
		return Audit(ctx, tx, AuditEvent{ActorUserID: actorID(a), Action: "organisation.details_changed",
			SubjectType: "organization", SubjectID: o.ID, MemberOrganisationID: &orgID, Detail: strings.Join(slices.Sorted(slices.Values(changed)), ",")})
	})
}
