package models

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/openreferral-uk/referrals/models/geo"
	"github.com/openreferral-uk/referrals/models/hsds"
)

// LocalSource is the source of records created on this platform.
const LocalSource = "local"

// DefaultReviewPeriod is how long a listing stays confirmed when the
// operator does not say otherwise.
const DefaultReviewPeriod = 180 * 24 * time.Hour

// ServiceResponder names a member who responds to a service's referrals.
// A service with none is answered by every responder of its organisation.
type ServiceResponder struct {
	ServiceID    string `gorm:"column:service_id;primaryKey"`
	MembershipID string `gorm:"column:membership_id;primaryKey"`
}

// TableName implements gorm's Tabler.
func (ServiceResponder) TableName() string { return "service_responders" }

// ListingClaim records that a member organisation took over a listing that
// came from a harvested feed. The service's source becomes local, which is
// what stops the importer overwriting it.
type ListingClaim struct {
	ServiceID            string    `gorm:"column:service_id;primaryKey"`
	MemberOrganisationID string    `gorm:"column:member_organisation_id;not null"`
	PreviousSource       string    `gorm:"column:previous_source;not null"`
	ClaimedBy            *string   `gorm:"column:claimed_by"`
	ClaimedAt            time.Time `gorm:"column:claimed_at;not null"`
}

// TableName implements gorm's Tabler.
func (ListingClaim) TableName() string { return "listing_claims" }

// ListingTables lists the listing administration models, for schema checks.
func ListingTables() []any { return []any{&ListingChange{}, &ServiceResponder{}, &ListingClaim{}} }

// IsFeedSource reports whether a source is a harvested feed, whose listings
// are read-only here until an organisation claims them.
func IsFeedSource(source string) bool { return strings.HasPrefix(source, "feed:") }

// london is where assured dates are counted; without the zone database the
// date is taken in UTC, which differs only around midnight.
var london = func() *time.Location {
	if l, err := time.LoadLocation("Europe/London"); err == nil {
		return l
	}
	return time.UTC
}()

// Today is the date in the UK, as HSDS writes dates.
func Today(now time.Time) string { return now.In(london).Format(time.DateOnly) }

// NeedsReview reports whether a listing's assured date (HSDS assured_date,
// YYYY-MM-DD) is missing or older than the review period: such a listing is
// shown as possibly out of date.
func NeedsReview(assured string, now time.Time, period time.Duration) bool {
	if period <= 0 {
		return false
	}
	d, err := time.ParseInLocation(time.DateOnly, assured, london)
	if err != nil {
		return true
	}
	return now.Sub(d) > period
}

// ListingSummary is one service in an organisation admin's list.
type ListingSummary struct {
	ID               string
	Name             string
	State            ListingState
	LastModified     time.Time
	AssuredDate      string
	NeedsReview      bool
	ReadOnly         bool
	AcceptsReferrals bool
	Capacity         CapacityStatus
}

// OrgListings is what an organisation admin sees on their listings page.
type OrgListings struct {
	// Linked is false until a platform admin links the member organisation
	// to the HSDS organization whose listings it keeps.
	Linked   bool
	HSDSName string
	Services []ListingSummary
}

// linkedOrganization returns the HSDS organization a member organisation
// keeps, or "" when it is not linked.
func linkedOrganization(ctx context.Context, db *gorm.DB, orgID string) (string, error) {
	var mos []MemberOrganisation
	if err := db.WithContext(ctx).Where("id = ?", orgID).Limit(1).Find(&mos).Error; err != nil {
		return "", fmt.Errorf("models: member organisation: %w", err)
	}
	if len(mos) == 0 {
		return "", fmt.Errorf("models: member organisation %s: %w", orgID, ErrNotFound)
	}
	return deref(mos[0].HSDSOrganizationID), nil
}

// ListListings lists the services of the HSDS organization a member
// organisation keeps, drafts included, flagging the ones not confirmed
// within the review period.
func ListListings(ctx context.Context, db *gorm.DB, a *Actor, orgID string, period time.Duration) (OrgListings, error) {
	if err := can(a, ManageListings, Resource{OrganisationID: orgID}); err != nil {
		return OrgListings{}, err
	}
	hsdsID, err := linkedOrganization(ctx, db, orgID)
	if err != nil || hsdsID == "" {
		return OrgListings{}, err
	}
	out := OrgListings{Linked: true}
	var orgs []Organization
	if err := db.WithContext(ctx).Where("id = ?", hsdsID).Limit(1).Find(&orgs).Error; err != nil {
		return out, fmt.Errorf("models: list listings: %w", err)
	}
	if len(orgs) > 0 {
		out.HSDSName = orgs[0].Name
	}
	var rows []Service
	if err := db.WithContext(ctx).Where("organization_id = ?", hsdsID).Order("name, id").Find(&rows).Error; err != nil {
		return out, fmt.Errorf("models: list listings: %w", err)
	}
	now := Now()
	for _, s := range rows {
		out.Services = append(out.Services, ListingSummary{
			ID: s.ID, Name: s.Name, State: stateOf(s.Visibility, s.Status), LastModified: s.LastModified,
			AssuredDate: s.AssuredDate, NeedsReview: NeedsReview(s.AssuredDate, now, period),
			ReadOnly: IsFeedSource(s.Source), AcceptsReferrals: s.AcceptsReferrals, Capacity: s.CapacityStatus,
		})
	}
	return out, nil
}

// Listing is one service as its organisation admin edits it.
type Listing struct {
	ServiceID string
	// OrgID is the member organisation that keeps the listing.
	OrgID    string
	Input    ListingInput
	ReadOnly bool
	// Claimed is set when the organisation took the listing over from a feed.
	Claimed      bool
	Source       string
	LastModified time.Time
	AssuredDate  string
}

// listingVersion is what changes whenever a listing does, published or
// local: the later of its last_modified and its newest history entry.
func listingVersion(ctx context.Context, db *gorm.DB, s Service) (string, error) {
	var latest []ListingChange
	if err := db.WithContext(ctx).Where("service_id = ?", s.ID).Order("changed_at DESC").Limit(1).Find(&latest).Error; err != nil {
		return "", fmt.Errorf("models: listing version: %w", err)
	}
	v := s.LastModified
	if len(latest) > 0 && latest[0].ChangedAt.After(v) {
		v = latest[0].ChangedAt
	}
	return FormatTime(v), nil
}

// listingOwner loads a service row and the member organisation that keeps
// it, and checks that the actor may manage its listings.
func listingOwner(ctx context.Context, db *gorm.DB, a *Actor, serviceID string) (Service, string, error) {
	if !IsUUIDShaped(serviceID) {
		return Service{}, "", fmt.Errorf("models: listing %q: %w", serviceID, ErrNotFound)
	}
	var rows []Service
	if err := db.WithContext(ctx).Where("id = ?", strings.ToLower(serviceID)).Limit(1).Find(&rows).Error; err != nil {
		return Service{}, "", fmt.Errorf("models: listing: %w", err)
	}
	if len(rows) == 0 {
		return Service{}, "", fmt.Errorf("models: listing %s: %w", serviceID, ErrNotFound)
	}
	var orgIDs []string
	if err := db.WithContext(ctx).Model(&MemberOrganisation{}).Where("hsds_organization_id = ?", rows[0].OrganizationID).
		Pluck("id", &orgIDs).Error; err != nil {
		return Service{}, "", fmt.Errorf("models: listing owner: %w", err)
	}
	orgID := ""
	if len(orgIDs) > 0 {
		orgID = orgIDs[0]
	}
	if orgID == "" || !Can(a, ManageListings, Resource{OrganisationID: orgID}) {
		return Service{}, "", fmt.Errorf("models: manage listing %s: %w", serviceID, ErrForbidden)
	}
	return rows[0], orgID, nil
}

// loadRecord loads a service nested, whatever its visibility, with
// everything professionals see.
func loadRecord(ctx context.Context, db *gorm.DB, s Service) (ServiceRecord, error) {
	recs, err := nestServices(db.WithContext(ctx), []Service{s}, Professional)
	if err != nil {
		return ServiceRecord{}, err
	}
	return recs[0], nil
}

// GetListing loads a service for its organisation admin to edit.
func GetListing(ctx context.Context, db *gorm.DB, a *Actor, serviceID string) (Listing, error) {
	s, orgID, err := listingOwner(ctx, db, a, serviceID)
	if err != nil {
		return Listing{}, err
	}
	rec, err := loadRecord(ctx, db, s)
	if err != nil {
		return Listing{}, err
	}
	in, err := inputFromRecord(ctx, db, rec, s)
	if err != nil {
		return Listing{}, err
	}
	if in.Version, err = listingVersion(ctx, db, s); err != nil {
		return Listing{}, err
	}
	var claims int64
	if err := db.WithContext(ctx).Model(&ListingClaim{}).Where("service_id = ?", s.ID).Count(&claims).Error; err != nil {
		return Listing{}, fmt.Errorf("models: listing claim: %w", err)
	}
	return Listing{ServiceID: s.ID, OrgID: orgID, Input: in, ReadOnly: IsFeedSource(s.Source), Claimed: claims > 0,
		Source: s.Source, LastModified: s.LastModified, AssuredDate: s.AssuredDate}, nil
}

// NewListingInput is a blank listing: a draft with the default referral
// settings and one empty row of each kind to fill in.
func NewListingInput() ListingInput {
	return ListingInput{State: string(StateDraft), ResponseTargetDays: "5", Capacity: string(CapacityOpen),
		Phones: []PhoneInput{{}}, Prices: []PriceInput{{}}, Schedules: []ScheduleInput{{}}, Locations: []LocationInput{{}}}
}

func formatAge(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

func hhmm(t string) string {
	if len(t) >= 5 && t[2] == ':' {
		return t[:5]
	}
	return t
}

// inputFromRecord turns a stored service into the form's values.
func inputFromRecord(ctx context.Context, db *gorm.DB, rec ServiceRecord, s Service) (ListingInput, error) {
	in := ListingInput{
		Name: s.Name, Description: s.Description, State: string(stateOf(s.Visibility, s.Status)),
		MinimumAge: formatAge(s.MinimumAge), MaximumAge: formatAge(s.MaximumAge), Eligibility: s.EligibilityDescription,
		Fees: s.FeesDescription, ApplicationProcess: s.ApplicationProcess, Email: s.Email, Website: s.URL,
		AcceptsReferrals: s.AcceptsReferrals, ReferralEmail: s.ReferralEmail,
		ResponseTargetDays: strconv.Itoa(s.ResponseTargetDays), Capacity: string(s.CapacityStatus), BankHolidays: s.BankHolidays,
	}
	var langs []string
	for _, l := range rec.Languages {
		langs = append(langs, l.Name)
	}
	in.Languages = strings.Join(langs, ", ")
	var areas []string
	for _, a := range rec.ServiceAreas {
		if a.Name != "" {
			areas = append(areas, a.Name)
		}
	}
	in.Areas = strings.Join(areas, ", ")
	for _, c := range SortedCostOptions(rec.CostOptions) {
		p := PriceInput{ID: c.ID, For: c.Option, Details: c.AmountDescription}
		if c.Amount != nil {
			p.Amount = formatPounds(*c.Amount)
		}
		in.Prices = append(in.Prices, p)
	}
	for _, at := range rec.Attributes {
		if !slices.Contains(in.Categories, at.TaxonomyTermID) {
			in.Categories = append(in.Categories, at.TaxonomyTermID)
		}
	}
	for _, p := range rec.Phones {
		in.Phones = append(in.Phones, PhoneInput{ID: p.ID, Number: p.Number, Description: p.Description,
			ProfessionalsOnly: rec.Restricted[p.ID]})
	}
	for _, c := range rec.Contacts {
		in.Contacts = append(in.Contacts, ContactInput{ID: c.ID, Name: c.Name, Title: c.Title, Email: c.Email})
	}
	for _, sc := range rec.Schedules {
		var days []string
		for _, d := range strings.Split(strings.ToUpper(sc.Byday), ",") {
			if d = strings.TrimSpace(d); len(d) >= 2 && slices.Contains(validDays, d[len(d)-2:]) {
				days = append(days, d[len(d)-2:])
			}
		}
		notes := sc.Notes
		if notes == "" && len(days) == 0 {
			notes = sc.Description
		}
		in.Schedules = append(in.Schedules, ScheduleInput{ID: sc.ID, Days: days, Opens: hhmm(sc.OpensAt),
			Closes: hhmm(sc.ClosesAt), Notes: notes})
	}
	var locIDs []string
	for _, sal := range rec.ServiceAtLocations {
		locIDs = append(locIDs, sal.LocationID)
	}
	var locRows []Location
	if err := loadIn(db.WithContext(ctx), "id", locIDs, &locRows); err != nil {
		return in, fmt.Errorf("models: listing locations: %w", err)
	}
	approx := map[string]bool{}
	for _, l := range locRows {
		approx[l.ID] = l.CoordinatesApproximate
	}
	for _, sal := range rec.ServiceAtLocations {
		l := sal.Location
		li := LocationInput{ID: l.ID, Name: l.Name, ProfessionalsOnly: rec.Restricted[l.ID], Approximate: approx[l.ID]}
		if len(l.Addresses) > 0 {
			ad := l.Addresses[0]
			li.Address1, li.Address2, li.City, li.Postcode = ad.Address1, ad.Address2, ad.City, ad.PostalCode
		}
		if len(l.Accessibility) > 0 {
			li.Accessibility = l.Accessibility[0].Description
		}
		if !li.Approximate && l.Latitude != nil && l.Longitude != nil {
			li.Latitude = strconv.FormatFloat(*l.Latitude, 'f', -1, 64)
			li.Longitude = strconv.FormatFloat(*l.Longitude, 'f', -1, 64)
		}
		in.Locations = append(in.Locations, li)
	}
	var responders []string
	if err := db.WithContext(ctx).Model(&ServiceResponder{}).Where("service_id = ?", s.ID).Order("membership_id").
		Pluck("membership_id", &responders).Error; err != nil {
		return in, fmt.Errorf("models: listing responders: %w", err)
	}
	in.Responders = responders
	return in, nil
}

// ResponderChoice is a member who may be named to respond for a service.
type ResponderChoice struct {
	MembershipID string
	Name         string
}

// ResponderChoices lists an organisation's active responders.
func ResponderChoices(ctx context.Context, db *gorm.DB, a *Actor, orgID string) ([]ResponderChoice, error) {
	if err := can(a, ManageListings, Resource{OrganisationID: orgID}); err != nil {
		return nil, err
	}
	var rows []struct {
		ID, Name, Email string
	}
	err := db.WithContext(ctx).Table("memberships m").Select("m.id, u.name, u.email").
		Joins("JOIN users u ON u.id = m.user_id").
		Where("m.member_organisation_id = ? AND m.responder = ? AND m.status = ? AND u.suspended_at IS NULL", orgID, true, MembershipActive).
		Order("u.name, u.email, m.id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("models: responder choices: %w", err)
	}
	out := make([]ResponderChoice, len(rows))
	for i, r := range rows {
		name := r.Name
		if name == "" {
			name = r.Email
		}
		out[i] = ResponderChoice{MembershipID: r.ID, Name: name}
	}
	return out, nil
}

// CategoryChoice is a taxonomy term a service may be classified under.
type CategoryChoice struct {
	ID, Name, Taxonomy string
}

// CategoryChoices lists every taxonomy term a listing may be classified
// under, by taxonomy.
func CategoryChoices(ctx context.Context, db *gorm.DB) ([]CategoryChoice, error) {
	var rows []struct {
		ID, Name, TaxName string
	}
	err := db.WithContext(ctx).Table("taxonomy_terms t").Select("t.id, t.name, COALESCE(x.name, t.taxonomy) AS tax_name").
		Joins("LEFT JOIN taxonomies x ON x.id = t.taxonomy_id").Order("tax_name, t.name, t.id").Limit(1000).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("models: category choices: %w", err)
	}
	out := make([]CategoryChoice, len(rows))
	for i, r := range rows {
		out[i] = CategoryChoice{ID: r.ID, Name: r.Name, Taxonomy: r.TaxName}
	}
	return out, nil
}

// SaveListing creates (serviceID "") or updates a service from what its
// organisation admin typed, and returns its id. A mistake comes back as a
// *ValidationError with a message per field. The published parts go
// through WriteRowSet, the one write path of the directory, so the API
// shows the change at once with last_modified updated, on this service and
// on every service sharing an edited location; every changed field is
// recorded in the listing's history.
func SaveListing(ctx context.Context, db *gorm.DB, resolver geo.Resolver, a *Actor, orgID, serviceID string, typed ListingInput) (string, error) {
	var (
		old    Service
		oldIn  ListingInput
		rec    ServiceRecord
		hsdsID string
	)
	if serviceID == "" {
		if err := can(a, ManageListings, Resource{OrganisationID: orgID}); err != nil {
			return "", err
		}
		var err error
		if hsdsID, err = linkedOrganization(ctx, db, orgID); err != nil {
			return "", err
		}
		if hsdsID == "" {
			return "", fmt.Errorf("models: organisation %s keeps no listings: %w", orgID, ErrForbidden)
		}
	} else {
		var err error
		if old, orgID, err = listingOwner(ctx, db, a, serviceID); err != nil {
			return "", err
		}
		if IsFeedSource(old.Source) {
			return "", fmt.Errorf("models: listing %s comes from a feed and is not claimed: %w", old.ID, ErrForbidden)
		}
		if typed.Version != "" {
			current, err := listingVersion(ctx, db, old)
			if err != nil {
				return "", err
			}
			if current != typed.Version {
				return "", fmt.Errorf("models: listing %s changed since version %s: %w", old.ID, typed.Version, ErrConflict)
			}
		}
		hsdsID = old.OrganizationID
		if rec, err = loadRecord(ctx, db, old); err != nil {
			return "", err
		}
		if oldIn, err = inputFromRecord(ctx, db, rec, old); err != nil {
			return "", err
		}
	}

	in, verr := typed.Validate()
	if verr == nil {
		verr = &ValidationError{}
	}
	// Text kept as it was is not judged again: an imported description
	// may hold markup the form would not accept, and the admin editing the
	// opening times should not have to rewrite it first.
	for field, pair := range map[string][2]string{
		"name": {typed.Name, oldIn.Name}, "description": {typed.Description, oldIn.Description},
		"eligibility": {typed.Eligibility, oldIn.Eligibility}, "fees": {typed.Fees, oldIn.Fees},
		"application_process": {typed.ApplicationProcess, oldIn.ApplicationProcess},
	} {
		if serviceID != "" && pair[0] == pair[1] && strings.TrimSpace(pair[0]) != "" {
			delete(verr.Fields, field)
		}
	}
	// So is a price kept as it was: an import may bring one with only what
	// it is for (HSDS allows it), which the form would not take new.
	oldPrices := map[string]PriceInput{}
	for _, p := range oldIn.Prices {
		oldPrices[p.ID] = p
	}
	for i, p := range in.Prices {
		if old, ok := oldPrices[p.ID]; ok && p.ID != "" && old == p {
			for _, f := range []string{"amount", "for", "details"} {
				delete(verr.Fields, fmt.Sprintf("prices-%d-%s", i, f))
			}
		}
	}
	if err := checkChoices(ctx, db, orgID, in, verr); err != nil {
		return "", err
	}
	points := resolveLocations(ctx, resolver, in.Locations, verr)
	if serviceID != "" {
		// A published service is closed, never taken back to draft: a draft
		// leaves the API without a word, so consumers that copy the
		// directory would never hear that it closed.
		if old.Visibility == Published && ListingState(in.State) == StateDraft {
			verr.Add("state", "A published service cannot go back to draft: close it instead, so that directories that copy this one hear it closed")
		}
		if err := checkSharedLocations(ctx, db, hsdsID, oldIn, in, verr); err != nil {
			return "", err
		}
	}
	if err := verr.Err(); err != nil {
		return "", err
	}

	now := Now()
	isNew := serviceID == ""
	if isNew {
		serviceID = NewID()
		old = Service{ID: serviceID, OrganizationID: hsdsID, Provenance: Provenance{Source: LocalSource, FirstSeenAt: now}}
		oldIn = ListingInput{State: string(StateDraft)}
	}
	keepCoordinates(rec, oldIn, in, points)
	svc := buildService(rec, old, in, points)
	published, local := diffListing(oldIn, in)
	if err := nameChoices(ctx, db, published, local); err != nil {
		return "", err
	}
	changes := len(published) > 0 || isNew
	if changes {
		// Saving after reviewing the whole listing confirms it.
		svc.AssuredDate = Today(now)
	}
	rs, err := FlattenServices(old.Source, []hsds.Service{svc}, now)
	if err != nil {
		return "", err
	}
	keepProvenance(ctx, db, rs, old, now)
	vis, _ := ListingState(in.State).visibilityAndStatus()
	target, _ := strconv.Atoi(in.ResponseTargetDays)
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if !isNew && typed.Version != "" {
			// Checked again holding the row: two saves of the same version
			// at once must not both pass the check made before.
			var locked Service
			q := tx
			if DialectFor(tx) == Postgres {
				q = q.Clauses(clause.Locking{Strength: "UPDATE"})
			}
			if err := q.Where("id = ?", serviceID).Take(&locked).Error; err != nil {
				return err
			}
			current, err := listingVersion(ctx, tx, locked)
			if err != nil {
				return err
			}
			if current != typed.Version {
				return fmt.Errorf("models: listing %s changed since version %s: %w", serviceID, typed.Version, ErrConflict)
			}
		}
		if changes {
			if err := WriteRowSet(ctx, tx, rs); err != nil {
				return err
			}
		}
		if err := tx.Model(&Service{}).Where("id = ?", serviceID).Updates(map[string]any{
			"visibility": vis, "accepts_referrals": in.AcceptsReferrals, "referral_email": in.ReferralEmail,
			"response_target_days": target, "capacity_status": in.Capacity, "bank_holidays": in.BankHolidays,
		}).Error; err != nil {
			return err
		}
		if err := setRestrictedFlags(ctx, tx, svc, in, points, oldIn); err != nil {
			return err
		}
		if err := tx.Where("service_id = ?", serviceID).Delete(&ServiceResponder{}).Error; err != nil {
			return err
		}
		for _, m := range in.Responders {
			if err := tx.Create(&ServiceResponder{ServiceID: serviceID, MembershipID: m}).Error; err != nil {
				return err
			}
		}
		action := "update"
		if isNew {
			action = "create"
		}
		if err := recordSharedLocationChanges(ctx, tx, a, serviceID, now, oldIn, in); err != nil {
			return err
		}
		return recordChanges(tx, a, serviceID, action, now, append(published, local...))
	})
	if err != nil {
		return "", fmt.Errorf("models: save listing: %w", err)
	}
	return serviceID, nil
}

// checkChoices checks the values that must exist in the database: the
// categories and the responders.
func checkChoices(ctx context.Context, db *gorm.DB, orgID string, in ListingInput, v *ValidationError) error {
	if len(in.Categories) > 0 {
		known, err := existingIDs(db.WithContext(ctx), &TaxonomyTerm{}, uniq(in.Categories))
		if err != nil {
			return fmt.Errorf("models: check categories: %w", err)
		}
		for _, id := range in.Categories {
			if !known[id] {
				v.Add("categories", "Choose categories from the list")
			}
		}
	}
	if len(in.Responders) > 0 {
		var ok []string
		err := db.WithContext(ctx).Model(&Membership{}).
			Where("id IN ? AND member_organisation_id = ? AND responder = ? AND status = ?", uniq(in.Responders), orgID, true, MembershipActive).
			Pluck("id", &ok).Error
		if err != nil {
			return fmt.Errorf("models: check responders: %w", err)
		}
		for _, id := range in.Responders {
			if !slices.Contains(ok, id) {
				v.Add("responders", "Choose responders from your organisation's list")
			}
		}
	}
	return nil
}

// locationPoint is where a location is, and whether that is only the
// postcode's centroid.
type locationPoint struct {
	Lat, Lon    float64
	Approximate bool
	Known       bool
}

// resolveLocations finds each location's coordinates: the precise ones
// typed, or else the postcode's centroid, marked approximate.
func resolveLocations(ctx context.Context, resolver geo.Resolver, locs []LocationInput, v *ValidationError) []locationPoint {
	out := make([]locationPoint, len(locs))
	for i, l := range locs {
		if _, bad := v.Fields[fmt.Sprintf("locations-%d-postcode", i)]; bad || l.Postcode == "" {
			continue
		}
		if l.Latitude != "" && l.Longitude != "" {
			lat, err1 := strconv.ParseFloat(l.Latitude, 64)
			lon, err2 := strconv.ParseFloat(l.Longitude, 64)
			if err1 == nil && err2 == nil {
				out[i] = locationPoint{Lat: lat, Lon: lon, Known: true}
				continue
			}
		}
		if resolver == nil {
			continue
		}
		p, err := resolver.Resolve(ctx, l.Postcode)
		switch {
		case errors.Is(err, geo.ErrUnknownPostcode), errors.Is(err, geo.ErrInvalidPostcode):
			v.Add(fmt.Sprintf("locations-%d-postcode", i), "We could not find this postcode: check it, or enter the coordinates")
		case err == nil:
			out[i] = locationPoint{Lat: p.Point.Lat, Lon: p.Point.Lon, Approximate: true, Known: true}
		}
	}
	return out
}

// keepCoordinates keeps a location's stored coordinates when the postcode
// is unchanged and no new ones could be found (no resolver, or the lookup
// service is down): a failed lookup must not wipe a map position.
func keepCoordinates(rec ServiceRecord, oldIn, in ListingInput, points []locationPoint) {
	stored := map[string]hsds.Location{}
	for _, sal := range rec.ServiceAtLocations {
		if sal.Location != nil {
			stored[sal.LocationID] = *sal.Location
		}
	}
	approx := map[string]bool{}
	postcode := map[string]string{}
	for _, l := range oldIn.Locations {
		approx[l.ID], postcode[l.ID] = l.Approximate, l.Postcode
	}
	for i, l := range in.Locations {
		loc, ok := stored[l.ID]
		if points[i].Known || !ok || loc.Latitude == nil || loc.Longitude == nil || postcode[l.ID] != l.Postcode {
			continue
		}
		points[i] = locationPoint{Lat: *loc.Latitude, Lon: *loc.Longitude, Approximate: approx[l.ID], Known: true}
	}
}

// buildService applies the typed listing to the stored one, keeping what
// the form does not edit (service areas, fundings, a location's own phones
// and opening times...) exactly as it was.
func buildService(rec ServiceRecord, old Service, in ListingInput, points []locationPoint) hsds.Service {
	s := rec.Service
	if s.ID == "" {
		s = hsds.Service{ID: old.ID}
	}
	s.Organization = nil
	s.OrganizationID = old.OrganizationID
	s.LastModified = ""
	_, s.Status = ListingState(in.State).visibilityAndStatus()
	s.Name, s.Description = in.Name, in.Description
	s.EligibilityDescription, s.FeesDescription, s.ApplicationProcess = in.Eligibility, in.Fees, in.ApplicationProcess
	s.Email, s.URL = in.Email, in.Website
	s.MinimumAge = parseAge(&ValidationError{}, "", "", in.MinimumAge)
	s.MaximumAge = parseAge(&ValidationError{}, "", "", in.MaximumAge)

	langs := reuseBy(rec.Languages, func(l hsds.Language) string { return l.Name })
	s.Languages = nil
	for _, n := range languageNames(in.Languages) {
		s.Languages = append(s.Languages, langs.take(n, func() hsds.Language { return hsds.Language{ID: NewID(), Name: n} }))
	}

	areas := reuseBy(rec.ServiceAreas, func(a hsds.ServiceArea) string { return a.Name })
	s.ServiceAreas = nil
	for _, n := range languageNames(in.Areas) {
		s.ServiceAreas = append(s.ServiceAreas, areas.take(n, func() hsds.ServiceArea { return hsds.ServiceArea{ID: NewID(), Name: n} }))
	}

	// Every price is on the form. What the form does not show of one (its
	// validity dates, a currency an import gave) is kept by id.
	prices := reuseBy(rec.CostOptions, func(c hsds.CostOption) string { return c.ID })
	s.CostOptions = nil
	for _, p := range in.Prices {
		c := prices.take(p.ID, func() hsds.CostOption { return hsds.CostOption{ID: NewID()} })
		c.Amount, c.Option, c.AmountDescription = nil, p.For, p.Details
		if amount, ok := parsePrice(p.Amount); ok {
			c.Amount = &amount
			if c.Currency == "" {
				c.Currency = "GBP"
			}
		}
		s.CostOptions = append(s.CostOptions, c)
	}

	attrs := reuseBy(rec.Attributes, func(at hsds.Attribute) string { return at.TaxonomyTermID })
	s.Attributes = nil
	for _, id := range uniq(in.Categories) {
		at := attrs.take(id, func() hsds.Attribute { return hsds.Attribute{ID: NewID(), TaxonomyTermID: id} })
		at.TaxonomyTerm = nil
		s.Attributes = append(s.Attributes, at)
	}

	phones := reuseBy(rec.Phones, func(p hsds.Phone) string { return p.ID })
	s.Phones = nil
	for _, p := range in.Phones {
		h := phones.take(p.ID, func() hsds.Phone { return hsds.Phone{ID: NewID()} })
		h.Number, h.Description = p.Number, p.Description
		s.Phones = append(s.Phones, h)
	}

	contacts := reuseBy(rec.Contacts, func(c hsds.Contact) string { return c.ID })
	s.Contacts = nil
	for _, c := range in.Contacts {
		h := contacts.take(c.ID, func() hsds.Contact { return hsds.Contact{ID: NewID()} })
		h.Name, h.Title, h.Email = c.Name, c.Title, c.Email
		s.Contacts = append(s.Contacts, h)
	}

	scheds := reuseBy(rec.Schedules, func(sc hsds.Schedule) string { return sc.ID })
	s.Schedules = nil
	for _, sc := range in.Schedules {
		id := scheds.take(sc.ID, func() hsds.Schedule { return hsds.Schedule{ID: NewID()} }).ID
		h := hsds.Schedule{ID: id, Freq: "WEEKLY", Byday: strings.Join(sc.Days, ","), OpensAt: sc.Opens,
			ClosesAt: sc.Closes, Notes: sc.Notes}
		h.Description = DescribeSchedule(h)
		s.Schedules = append(s.Schedules, h)
	}

	sals := reuseBy(rec.ServiceAtLocations, func(sal hsds.ServiceAtLocation) string { return sal.LocationID })
	s.ServiceAtLocations = nil
	for i, l := range in.Locations {
		sal := sals.take(l.ID, func() hsds.ServiceAtLocation { return hsds.ServiceAtLocation{} })
		var loc hsds.Location
		if sal.Location != nil {
			loc = *sal.Location
		} else {
			sal = hsds.ServiceAtLocation{ID: NewID()}
			loc = hsds.Location{ID: NewID(), LocationType: hsds.LocationPhysical}
		}
		loc.Name = l.Name
		addr := hsds.Address{ID: NewID(), Country: "GB", AddressType: "physical"}
		if len(loc.Addresses) > 0 {
			addr = loc.Addresses[0]
		}
		addr.LocationID = loc.ID
		addr.Address1, addr.Address2, addr.City, addr.PostalCode = l.Address1, l.Address2, l.City, l.Postcode
		if addr.Country == "" {
			addr.Country = "GB"
		}
		loc.Addresses = append([]hsds.Address{addr}, tail(loc.Addresses)...)
		var access []hsds.Accessibility
		if l.Accessibility != "" {
			ac := hsds.Accessibility{ID: NewID()}
			if len(loc.Accessibility) > 0 {
				ac = loc.Accessibility[0]
			}
			ac.Description = l.Accessibility
			access = append(access, ac)
		}
		if len(loc.Accessibility) > 1 {
			access = append(access, loc.Accessibility[1:]...)
		}
		loc.Accessibility = access
		if i < len(points) && points[i].Known {
			lat, lon := points[i].Lat, points[i].Lon
			loc.Latitude, loc.Longitude = &lat, &lon
		} else {
			loc.Latitude, loc.Longitude = nil, nil
		}
		sal.LocationID, sal.ServiceID, sal.Location = loc.ID, s.ID, &loc
		s.ServiceAtLocations = append(s.ServiceAtLocations, sal)
	}
	return s
}

// reused hands back a listing's existing records by a key (an id, a name,
// a term), so that saving the form keeps their ids and what the form does
// not show of them. Each is handed back once: a key typed twice makes a new
// record the second time.
type reused[T any] map[string]T

func reuseBy[T any](old []T, key func(T) string) reused[T] {
	m := make(reused[T], len(old))
	for _, x := range old {
		m[key(x)] = x
	}
	return m
}

// take returns the record with key k and forgets it, or fresh() when there
// is none.
func (r reused[T]) take(k string, fresh func() T) T {
	if x, ok := r[k]; ok {
		delete(r, k)
		return x
	}
	return fresh()
}

func tail[T any](xs []T) []T {
	if len(xs) < 2 {
		return nil
	}
	return xs[1:]
}

// keepProvenance gives the rows of a listing their existing provenance:
// editing here does not change where a record came from.
func keepProvenance(ctx context.Context, db *gorm.DB, rs *RowSet, old Service, now time.Time) {
	for i := range rs.Services {
		rs.Services[i].Provenance = old.Provenance
		rs.Services[i].LastSeenAt = now
		if rs.Services[i].FirstSeenAt.IsZero() {
			rs.Services[i].FirstSeenAt = now
		}
	}
	ids := make([]string, len(rs.Locations))
	for i, l := range rs.Locations {
		ids[i] = l.ID
	}
	var existing []Location
	_ = loadIn(db.WithContext(ctx), "id", ids, &existing) // a failure only makes them local
	prov := map[string]Provenance{}
	for _, l := range existing {
		prov[l.ID] = l.Provenance
	}
	for i := range rs.Locations {
		p, ok := prov[rs.Locations[i].ID]
		if !ok {
			p = Provenance{Source: LocalSource, FirstSeenAt: now}
		}
		p.LastSeenAt = now
		rs.Locations[i].Provenance = p
	}
}

// setRestrictedFlags stores the professionals-only flags and approximate
// coordinates as typed: WriteRowSet keeps those a source cannot send, so a
// form sets them itself. A location whose flag changed is marked modified
// on every service delivered there.
func setRestrictedFlags(ctx context.Context, tx *gorm.DB, svc hsds.Service, in ListingInput, points []locationPoint, oldIn ListingInput) error {
	for i, p := range svc.Phones {
		if err := tx.Model(&Phone{}).Where("id = ?", p.ID).Update("professionals_only", in.Phones[i].ProfessionalsOnly).Error; err != nil {
			return err
		}
	}
	wasRestricted := map[string]bool{}
	for _, l := range oldIn.Locations {
		wasRestricted[l.ID] = l.ProfessionalsOnly
	}
	var flipped []string
	for i, sal := range svc.ServiceAtLocations {
		approx := i < len(points) && points[i].Approximate
		if err := tx.Model(&Location{}).Where("id = ?", sal.LocationID).Updates(map[string]any{
			"professionals_only": in.Locations[i].ProfessionalsOnly, "coordinates_approximate": approx,
		}).Error; err != nil {
			return err
		}
		if was, ok := wasRestricted[sal.LocationID]; ok && was != in.Locations[i].ProfessionalsOnly {
			flipped = append(flipped, sal.LocationID)
		}
	}
	if len(flipped) > 0 {
		return TouchServicesAtLocations(ctx, tx, flipped, Now())
	}
	return nil
}

// ConfirmListing records that the listing is still correct today: its
// assured date, published, and so its last_modified.
func ConfirmListing(ctx context.Context, db *gorm.DB, a *Actor, serviceID string) error {
	s, _, err := listingOwner(ctx, db, a, serviceID)
	if err != nil {
		return err
	}
	if IsFeedSource(s.Source) {
		return fmt.Errorf("models: confirm listing %s from a feed: %w", s.ID, ErrForbidden)
	}
	now := Now()
	today := Today(now)
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&Service{}).Where("id = ?", s.ID).Update("assured_date", today).Error; err != nil {
			return fmt.Errorf("models: confirm listing: %w", err)
		}
		if err := TouchServices(ctx, tx, []string{s.ID}, now); err != nil {
			return err
		}
		return recordChanges(tx, a, s.ID, "confirm", now, []FieldChange{{Field: "Confirmed as correct", Old: s.AssuredDate, New: today}})
	})
}

// ClaimListing takes over a listing harvested from a feed: it becomes
// editable here and the claim is recorded. Its source becomes local, which
// the importer treats as kept by another source, so later harvests of the
// feed leave it alone.
func ClaimListing(ctx context.Context, db *gorm.DB, a *Actor, serviceID string) error {
	s, orgID, err := listingOwner(ctx, db, a, serviceID)
	if err != nil {
		return err
	}
	if !IsFeedSource(s.Source) {
		return fmt.Errorf("models: claim listing %s kept here already: %w", s.ID, ErrInvalidTransition)
	}
	now := Now()
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		claim := ListingClaim{ServiceID: s.ID, MemberOrganisationID: orgID, PreviousSource: s.Source, ClaimedBy: actorID(a), ClaimedAt: now}
		if err := tx.Create(&claim).Error; err != nil {
			return fmt.Errorf("models: claim listing: %w", err)
		}
		if err := tx.Model(&Service{}).Where("id = ?", s.ID).Update("source", LocalSource).Error; err != nil {
			return fmt.Errorf("models: claim listing: %w", err)
		}
		// The places only this service uses come with it, so that a harvest
		// never overwrites a correction made to them here. A place a feed
		// service also uses stays the feed's, and cannot be changed here
		// (checkSharedLocations).
		if err := tx.Exec(`UPDATE locations SET source = ? WHERE source = ?
			AND id IN (SELECT location_id FROM service_at_locations WHERE service_id = ?)
			AND id NOT IN (SELECT location_id FROM service_at_locations WHERE service_id <> ?)`,
			LocalSource, s.Source, s.ID, s.ID).Error; err != nil {
			return fmt.Errorf("models: claim listing: %w", err)
		}
		return recordChanges(tx, a, s.ID, "claim", now, []FieldChange{{Field: "Kept by", Old: s.Source, New: "this organisation"}})
	})
}

// openReferralCount counts the referrals to a service, whatever their
// status: the referral keeps its history, so the service cannot go.
func openReferralCount(ctx context.Context, db *gorm.DB, serviceID string) (int64, error) {
	var n int64
	if err := db.WithContext(ctx).Model(&Referral{}).Where("service_id = ?", serviceID).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("models: count referrals: %w", err)
	}
	return n, nil
}

// DeleteListing deletes a draft that was never published. A published
// service is closed instead (so consumers learn of it), and one with
// referrals still open cannot be deleted at all.
func DeleteListing(ctx context.Context, db *gorm.DB, a *Actor, serviceID string) error {
	s, _, err := listingOwner(ctx, db, a, serviceID)
	if err != nil {
		return err
	}
	open, err := openReferralCount(ctx, db, s.ID)
	if err != nil {
		return err
	}
	if s.Visibility != Draft || IsFeedSource(s.Source) || open > 0 {
		return fmt.Errorf("models: delete listing %s: %w", s.ID, ErrInvalidTransition)
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Children that cascade go with the service; attributes and
		// locations used by nobody else are left, as harmless orphans.
		if err := tx.Where("link_entity = ? AND link_id = ?", "service", s.ID).Delete(&Attribute{}).Error; err != nil {
			return fmt.Errorf("models: delete listing: %w", err)
		}
		if err := tx.Where("id = ?", s.ID).Delete(&Service{}).Error; err != nil {
			return fmt.Errorf("models: delete listing: %w", err)
		}
		return ReindexServices(ctx, tx, []string{s.ID})
	})
}

// nameChoices writes the categories and responders of history entries by
// name rather than id, so the history reads as the form did.
func nameChoices(ctx context.Context, db *gorm.DB, published, local []FieldChange) error {
	rename := func(changes []FieldChange, field string, lookup func([]string) (map[string]string, error)) error {
		for i, c := range changes {
			if c.Field != field {
				continue
			}
			ids := append(strings.Split(c.Old, "\n"), strings.Split(c.New, "\n")...)
			names, err := lookup(uniq(ids))
			if err != nil {
				return err
			}
			for _, p := range []*string{&changes[i].Old, &changes[i].New} {
				var out []string
				for _, id := range strings.Split(*p, "\n") {
					if n, ok := names[id]; ok {
						out = append(out, n)
					} else if id != "" {
						out = append(out, id)
					}
				}
				slices.Sort(out)
				*p = strings.Join(out, "\n")
			}
		}
		return nil
	}
	terms := func(ids []string) (map[string]string, error) {
		var rows []TaxonomyTerm
		err := loadIn(db.WithContext(ctx), "id", ids, &rows)
		m := map[string]string{}
		for _, r := range rows {
			m[r.ID] = r.Name
		}
		return m, err
	}
	people := func(ids []string) (map[string]string, error) {
		var rows []struct{ ID, Name, Email string }
		err := db.WithContext(ctx).Table("memberships m").Select("m.id, u.name, u.email").
			Joins("JOIN users u ON u.id = m.user_id").Where("m.id IN ?", ids).Scan(&rows).Error
		m := map[string]string{}
		for _, r := range rows {
			m[r.ID] = r.Name
			if r.Name == "" {
				m[r.ID] = r.Email
			}
		}
		return m, err
	}
	if err := rename(published, "Categories", terms); err != nil {
		return fmt.Errorf("models: name categories: %w", err)
	}
	if err := rename(local, "Responders", people); err != nil {
		return fmt.Errorf("models: name responders: %w", err)
	}
	return nil
}

// checkSharedLocations refuses changes to a place that a service of another
// organisation also uses: an admin may change only what their organisation
// publishes. Adding or removing the place for this service stays allowed.
func checkSharedLocations(ctx context.Context, db *gorm.DB, hsdsID string, oldIn, in ListingInput, v *ValidationError) error {
	before := map[string]LocationInput{}
	for _, l := range oldIn.Locations {
		if l.ID != "" {
			before[l.ID] = l
		}
	}
	for i, l := range in.Locations {
		was, ok := before[l.ID]
		if l.ID == "" || !ok {
			continue
		}
		was.Approximate, l.Approximate = false, false
		if was == l {
			continue
		}
		var n int64
		if err := db.WithContext(ctx).Table("service_at_locations sal").Joins("JOIN services s ON s.id = sal.service_id").
			Where("sal.location_id = ? AND s.organization_id <> ?", l.ID, hsdsID).Count(&n).Error; err != nil {
			return fmt.Errorf("models: shared locations: %w", err)
		}
		if n > 0 {
			v.Add(fmt.Sprintf("locations-%d-name", i), "Another organisation's service is at this place too, so it cannot be changed here: remove it and add the place again as your own, or ask the platform's administrators")
			continue
		}
		// A place that still comes from a feed would be overwritten by the
		// next harvest: it is changed at the source, or added again as yours.
		var sources []string
		if err := db.WithContext(ctx).Model(&Location{}).Where("id = ?", l.ID).Pluck("source", &sources).Error; err != nil {
			return fmt.Errorf("models: shared locations: %w", err)
		}
		if len(sources) == 1 && IsFeedSource(sources[0]) {
			v.Add(fmt.Sprintf("locations-%d-name", i), "This place comes from a harvested feed and is shared with a service you have not claimed, so it cannot be changed here: remove it and add the place again as your own")
		}
	}
	return nil
}

// SortedCostOptions returns a service's prices in a steady order, which HSDS
// does not give them: by amount, those without one last, then by what they
// are for. The form and the service page list them so.
func SortedCostOptions(cs []hsds.CostOption) []hsds.CostOption {
	out := slices.Clone(cs)
	slices.SortStableFunc(out, func(a, b hsds.CostOption) int {
		switch {
		case a.Amount == nil && b.Amount != nil:
			return 1
		case a.Amount != nil && b.Amount == nil:
			return -1
		case a.Amount != nil && *a.Amount != *b.Amount:
			return cmp.Compare(*a.Amount, *b.Amount)
		}
		return cmp.Compare(a.Option, b.Option)
	})
	return out
}

// formatPounds writes an amount as the form shows it: pence to two places
// ("2.50", not "2.5"), whole pounds bare ("5"), and any finer amount an
// import brought in full ("2.125"), so that saving the form unchanged never
// rounds it.
func formatPounds(a float64) string {
	s := strconv.FormatFloat(a, 'f', -1, 64)
	if i := strings.IndexByte(s, '.'); i >= 0 && len(s)-i-1 == 1 {
		s += "0"
	}
	return s
}
