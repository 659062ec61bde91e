package models

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// ListingChange is one change to one field of a listing, with HSDS
// metadata semantics: who, when, which field, the previous and the
// replacement value. It is kept for the organisation and never published.
type ListingChange struct {
	ID               string    `gorm:"column:id;primaryKey"`
	ServiceID        string    `gorm:"column:service_id;not null"`
	ChangedAt        time.Time `gorm:"column:changed_at;not null"`
	ChangedBy        *string   `gorm:"column:changed_by"`
	ChangedByName    string    `gorm:"column:changed_by_name;not null"`
	ActionType       string    `gorm:"column:action_type;not null"`
	FieldName        string    `gorm:"column:field_name;not null"`
	PreviousValue    string    `gorm:"column:previous_value;not null"`
	ReplacementValue string    `gorm:"column:replacement_value;not null"`
}

// TableName implements gorm's Tabler.
func (ListingChange) TableName() string { return "listing_changes" }

// FieldChange is a field whose value a save changed.
type FieldChange struct {
	Field, Old, New string
}

// listingFields flattens a listing into readable field names and values,
// split into what the API publishes and what stays local. Rows of a kind
// (phones, opening times, locations) are one field each, written one row a
// line, so that a history entry reads as the listing did.
func listingFields(in ListingInput) (published, local map[string]string) {
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	var phones, prices, contacts, scheds, locs []string
	for _, p := range in.Prices {
		line := strings.TrimSpace(p.Amount + " " + p.For)
		if p.Details != "" {
			line = strings.TrimSpace(line + " (" + p.Details + ")")
		}
		prices = append(prices, line)
	}
	for _, p := range in.Phones {
		line := p.Number
		if p.Description != "" {
			line += " (" + p.Description + ")"
		}
		if p.ProfessionalsOnly {
			line += " [professionals only]"
		}
		phones = append(phones, line)
	}
	for _, c := range in.Contacts {
		contacts = append(contacts, strings.TrimSpace(strings.Join(nonEmpty(c.Name, c.Title, c.Email), ", ")))
	}
	for _, s := range in.Schedules {
		scheds = append(scheds, s.Summary())
	}
	for _, l := range in.Locations {
		locs = append(locs, l.line())
	}
	cats := slices.Clone(in.Categories)
	slices.Sort(cats)
	responders := slices.Clone(in.Responders)
	slices.Sort(responders)
	published = map[string]string{
		"Name": in.Name, "Description": in.Description, "Status": ListingState(in.State).Label(),
		"Categories": strings.Join(cats, "\n"), "Minimum age": in.MinimumAge, "Maximum age": in.MaximumAge,
		"Who it is for": in.Eligibility, "Cost": in.Fees, "Languages": strings.Join(languageNames(in.Languages), ", "),
		"Price": strings.Join(prices, "\n"), "Areas covered": strings.Join(languageNames(in.Areas), ", "),
		"How to access it": in.ApplicationProcess, "Email": in.Email, "Website": in.Website,
		"Phones": strings.Join(phones, "\n"), "Contacts": strings.Join(contacts, "\n"),
		"Opening times": strings.Join(scheds, "\n"), "Locations": strings.Join(locs, "\n"),
	}
	local = map[string]string{
		"Accepts referrals": yes(in.AcceptsReferrals), "Referral email": in.ReferralEmail,
		"Response target (working days)": in.ResponseTargetDays, "Capacity": in.Capacity, "Bank holidays": NationLabel(in.BankHolidays),
		"Responders": strings.Join(responders, "\n"),
	}
	return published, local
}

func nonEmpty(xs ...string) []string {
	var out []string
	for _, x := range xs {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

// diffListing lists the fields that differ between two listings, the
// published ones apart from the local ones.
func diffListing(before, after ListingInput) (published, local []FieldChange) {
	bp, bl := listingFields(before)
	ap, al := listingFields(after)
	diff := func(b, a map[string]string) []FieldChange {
		var out []FieldChange
		for k, v := range a {
			if b[k] != v {
				out = append(out, FieldChange{Field: k, Old: b[k], New: v})
			}
		}
		slices.SortFunc(out, func(x, y FieldChange) int { return strings.Compare(x.Field, y.Field) })
		return out
	}
	return diff(bp, ap), diff(bl, al)
}

// recordChanges writes a listing's changed fields to its history.
func recordChanges(tx *gorm.DB, a *Actor, serviceID, action string, at time.Time, changes []FieldChange) error {
	name := ""
	if a != nil {
		name = a.User.DisplayName()
	}
	for _, c := range changes {
		row := ListingChange{ID: NewID(), ServiceID: serviceID, ChangedAt: at, ChangedBy: actorID(a), ChangedByName: name,
			ActionType: action, FieldName: c.Field, PreviousValue: c.Old, ReplacementValue: c.New}
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("models: record listing change: %w", err)
		}
	}
	return nil
}

// historyLimit bounds the history a page shows; older entries stay stored.
const historyLimit = 200

// ListingHistory returns a listing's changes, newest first.
func ListingHistory(ctx context.Context, db *gorm.DB, a *Actor, serviceID string) ([]ListingChange, error) {
	s, _, err := listingOwner(ctx, db, a, serviceID)
	if err != nil {
		return nil, err
	}
	var out []ListingChange
	if err := db.WithContext(ctx).Where("service_id = ?", s.ID).Order("changed_at DESC, field_name").
		Limit(historyLimit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("models: listing history: %w", err)
	}
	return out, nil
}

// line is a location as one line of history.
func (l LocationInput) line() string {
	line := strings.Join(nonEmpty(l.Name, l.Address1, l.Address2, l.City, l.Postcode), ", ")
	if l.Accessibility != "" {
		line += "; access: " + l.Accessibility
	}
	if l.Latitude != "" {
		line += "; at " + l.Latitude + ", " + l.Longitude
	}
	if l.ProfessionalsOnly {
		line += " [professionals only]"
	}
	return line
}

// recordSharedLocationChanges writes, in the history of every other
// service delivered at a location this save changed, what changed there:
// their listing changed too, and their admins should see why.
func recordSharedLocationChanges(ctx context.Context, tx *gorm.DB, a *Actor, serviceID string, at time.Time, before, after ListingInput) error {
	was := map[string]string{}
	for _, l := range before.Locations {
		if l.ID != "" {
			was[l.ID] = l.line()
		}
	}
	for _, l := range after.Locations {
		old, ok := was[l.ID]
		if !ok || old == l.line() {
			continue
		}
		sharers, err := ServicesAtLocations(ctx, tx, []string{l.ID})
		if err != nil {
			return err
		}
		for _, id := range sharers {
			if id == serviceID {
				continue
			}
			if err := recordChanges(tx, a, id, "update", at, []FieldChange{{Field: "Shared location", Old: old, New: l.line()}}); err != nil {
				return err
			}
		}
	}
	return nil
}
