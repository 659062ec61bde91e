package models

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/openreferral-uk/referrals/models/hsds"
)

// ServiceLocalColumns are the columns of services that this platform adds to
// HSDS (visibility, and the referral settings). Nothing that writes a
// source's data (SaveServices, the importer) overwrites them: they belong
// to whoever runs the service here.
var ServiceLocalColumns = []string{"visibility", "professionals_only", "accepts_referrals", "referral_email",
	"response_target_days", "capacity_status", "bank_holidays"}

// RowSet is a batch of directory rows flattened from nested HSDS records,
// ready to write in one short transaction.
type RowSet struct {
	Organizations           []Organization
	OrganizationIdentifiers []OrganizationIdentifier
	Services                []Service
	Locations               []Location
	Addresses               []Address
	Accessibilities         []Accessibility
	ServiceAtLocations      []ServiceAtLocation
	Contacts                []Contact
	Phones                  []Phone
	Schedules               []Schedule
	TaxonomyTerms           []TaxonomyTerm
	Attributes              []Attribute
	ServiceAreas            []ServiceArea
	Languages               []Language
	CostOptions             []CostOption
	Fundings                []Funding
	RequiredDocuments       []RequiredDocument
}

// flattener turns nested HSDS records from one source into rows, applying
// the id rule to every id and reference.
type flattener struct {
	source string
	now    time.Time
	rs     *RowSet
	seen   map[string]bool // "kind/id" already emitted, for shared records
}

func (f *flattener) id(raw, fallback string) string {
	if strings.TrimSpace(raw) == "" {
		raw = fallback
	}
	return NormaliseID(f.source, raw)
}

func (f *flattener) ref(raw string) *string {
	if strings.TrimSpace(raw) == "" {
		return nil
	}
	s := NormaliseID(f.source, raw)
	return &s
}

func (f *flattener) once(kind, id string) bool {
	k := kind + "/" + id
	if f.seen[k] {
		return false
	}
	f.seen[k] = true
	return true
}

func (f *flattener) provenance(sourceID string) Provenance {
	return Provenance{Source: f.source, SourceRecordID: sourceID, FirstSeenAt: f.now, LastSeenAt: f.now}
}

func floatToInt(p *float64) *int {
	if p == nil {
		return nil
	}
	i := int(*p)
	return &i
}

// FlattenServices turns full HSDS services from one source into rows. The
// organisation of each service comes from its nested organization, or else
// must already exist under its organization_id.
func FlattenServices(source string, services []hsds.Service, now time.Time) (*RowSet, error) {
	f := &flattener{source: source, now: now, rs: &RowSet{}, seen: map[string]bool{}}
	for i, s := range services {
		if strings.TrimSpace(s.ID) == "" || strings.TrimSpace(s.Name) == "" {
			return nil, fmt.Errorf("models: service %d has no id or name: %w", i, &ValidationError{Fields: map[string]string{"id": "required", "name": "required"}})
		}
		f.service(s)
	}
	return f.rs, nil
}

func (f *flattener) organization(o hsds.Organization) string {
	id := f.id(o.ID, "org:"+o.Name)
	if !f.once("org", id) {
		return id
	}
	var year *int
	if o.YearIncorporated != nil {
		year = floatToInt(o.YearIncorporated)
	}
	f.rs.Organizations = append(f.rs.Organizations, Organization{
		ID: id, Name: o.Name, AlternateName: o.AlternateName, Description: o.Description, Email: o.Email,
		Website: o.Website, YearIncorporated: year, LegalStatus: o.LegalStatus, Logo: o.Logo, URI: o.URI,
		ParentOrganizationID: f.ref(o.ParentOrganizationID), Provenance: f.provenance(o.ID), LastModified: f.now,
	})
	for j, x := range o.OrganizationIdentifiers {
		f.rs.OrganizationIdentifiers = append(f.rs.OrganizationIdentifiers, OrganizationIdentifier{
			ID: f.id(x.ID, id+"/identifier/"+strconv.Itoa(j)), OrganizationID: id,
			IdentifierScheme: x.IdentifierScheme, IdentifierType: x.IdentifierType, Identifier: x.Identifier,
		})
	}
	return id
}

func (f *flattener) service(s hsds.Service) {
	id := f.id(s.ID, "")
	if !f.once("service", id) {
		return
	}
	orgID := f.id(s.OrganizationID, "")
	if s.Organization != nil {
		orgID = f.organization(*s.Organization)
	}
	status := s.Status
	if status == "" {
		status = hsds.StatusActive
	}
	// A time in the future would make consumers following modified_after
	// fetch the service again on every sync until that time comes.
	lastModified := f.now
	if t, err := time.Parse(time.RFC3339Nano, s.LastModified); err == nil && t.Before(f.now) {
		lastModified = t.UTC().Truncate(time.Millisecond)
	}
	f.rs.Services = append(f.rs.Services, Service{
		ID: id, OrganizationID: orgID, Name: s.Name, AlternateName: s.AlternateName, Description: s.Description,
		URL: s.URL, Email: s.Email, Status: status, InterpretationServices: s.InterpretationServices,
		ApplicationProcess: s.ApplicationProcess, FeesDescription: s.FeesDescription,
		Accreditations: s.Accreditations, EligibilityDescription: s.EligibilityDescription,
		MinimumAge: s.MinimumAge, MaximumAge: s.MaximumAge, AssuredDate: s.AssuredDate,
		AssurerEmail: s.AssurerEmail, Alert: s.Alert, LastModified: lastModified,
		Visibility: Published, ResponseTargetDays: 5, CapacityStatus: CapacityOpen,
		Provenance: f.provenance(s.ID),
	})
	for j, sal := range s.ServiceAtLocations {
		salID := f.id(sal.ID, id+"/sal/"+strconv.Itoa(j))
		if sal.Location == nil && strings.TrimSpace(sal.LocationID) == "" {
			continue // a link to nowhere
		}
		locID := f.id(sal.LocationID, "")
		if sal.Location != nil {
			locID = f.location(*sal.Location)
		}
		if !f.once("sal", salID) {
			continue
		}
		f.rs.ServiceAtLocations = append(f.rs.ServiceAtLocations, ServiceAtLocation{
			ID: salID, ServiceID: id, LocationID: locID, Description: sal.Description,
		})
		f.contacts(sal.Contacts, "", "", salID, "")
		f.phones(sal.Phones, "", "", salID, "", "")
		f.schedules(sal.Schedules, "", "", salID)
	}
	f.contacts(s.Contacts, id, "", "", "")
	f.phones(s.Phones, id, "", "", "", "")
	f.schedules(s.Schedules, id, "", "")
	f.languages(s.Languages, id, "", "")
	for j, a := range s.Attributes {
		if a.TaxonomyTermID == "" && a.TaxonomyTerm == nil {
			continue
		}
		termID := f.id(a.TaxonomyTermID, "")
		if a.TaxonomyTerm != nil {
			termID = f.term(*a.TaxonomyTerm)
		}
		f.rs.Attributes = append(f.rs.Attributes, Attribute{
			ID: f.id(a.ID, id+"/attribute/"+strconv.Itoa(j)), LinkID: id, LinkType: a.LinkType,
			LinkEntity: "service", TaxonomyTermID: termID, Value: a.Value,
		})
	}
	for j, a := range s.ServiceAreas {
		f.rs.ServiceAreas = append(f.rs.ServiceAreas, ServiceArea{
			ID: f.id(a.ID, id+"/area/"+strconv.Itoa(j)), ServiceID: id, Name: a.Name, Description: a.Description,
			Extent: a.Extent, ExtentType: a.ExtentType, URI: a.URI,
		})
	}
	for j, c := range s.CostOptions {
		f.rs.CostOptions = append(f.rs.CostOptions, CostOption{
			ID: f.id(c.ID, id+"/cost/"+strconv.Itoa(j)), ServiceID: id, ValidFrom: c.ValidFrom, ValidTo: c.ValidTo,
			Option: c.Option, Currency: c.Currency, Amount: c.Amount, AmountDescription: c.AmountDescription,
		})
	}
	for j, x := range s.Fundings {
		sid := id
		f.rs.Fundings = append(f.rs.Fundings, Funding{
			ID: f.id(x.ID, id+"/funding/"+strconv.Itoa(j)), ServiceID: &sid, Source: x.Source,
		})
	}
	for j, d := range s.RequiredDocuments {
		f.rs.RequiredDocuments = append(f.rs.RequiredDocuments, RequiredDocument{
			ID: f.id(d.ID, id+"/document/"+strconv.Itoa(j)), ServiceID: id, Document: d.Document, URI: d.URI,
		})
	}
}

func (f *flattener) location(l hsds.Location) string {
	// A location without an id is known by its name and address, so that
	// two different places never share the id an empty one would get.
	key := "location:" + l.Name + "|" + l.URL
	if len(l.Addresses) > 0 {
		key += "|" + l.Addresses[0].Address1 + "|" + l.Addresses[0].PostalCode
	}
	id := f.id(l.ID, key)
	if !f.once("location", id) {
		return id
	}
	locType := l.LocationType
	if locType == "" {
		locType = hsds.LocationPhysical
	}
	f.rs.Locations = append(f.rs.Locations, Location{
		ID: id, OrganizationID: f.ref(l.OrganizationID), LocationType: locType, URL: l.URL, Name: l.Name,
		AlternateName: l.AlternateName, Description: l.Description, Transportation: l.Transportation,
		Latitude: l.Latitude, Longitude: l.Longitude, ExternalIdentifier: l.ExternalIdentifier,
		ExternalIdentifierType: l.ExternalIdentifierType, Provenance: f.provenance(l.ID),
	})
	for j, a := range l.Addresses {
		f.rs.Addresses = append(f.rs.Addresses, Address{
			ID: f.id(a.ID, id+"/address/"+strconv.Itoa(j)), LocationID: id, Attention: a.Attention,
			Address1: a.Address1, Address2: a.Address2, City: a.City, Region: a.Region,
			StateProvince: a.StateProvince, PostalCode: a.PostalCode, Country: a.Country, AddressType: a.AddressType,
		})
	}
	for j, a := range l.Accessibility {
		f.rs.Accessibilities = append(f.rs.Accessibilities, Accessibility{
			ID: f.id(a.ID, id+"/accessibility/"+strconv.Itoa(j)), LocationID: id, Description: a.Description,
			Details: a.Details, URL: a.URL,
		})
	}
	f.phones(l.Phones, "", id, "", "", "")
	f.schedules(l.Schedules, "", id, "")
	f.languages(l.Languages, "", id, "")
	f.contacts(l.Contacts, "", "", "", id)
	return id
}

func (f *flattener) term(t hsds.TaxonomyTerm) string {
	id := f.id(t.ID, "term:"+t.TaxonomyID+":"+t.Code+":"+t.Name)
	if !f.once("term", id) {
		return id
	}
	f.rs.TaxonomyTerms = append(f.rs.TaxonomyTerms, TaxonomyTerm{
		ID: id, Code: t.Code, Name: t.Name, Description: t.Description, ParentID: f.ref(t.ParentID),
		Taxonomy: t.Taxonomy, TaxonomyID: f.ref(t.TaxonomyID), Language: t.Language, TermURI: t.TermURI,
		Source: f.source, LastModified: f.now,
	})
	return id
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (f *flattener) contacts(cs []hsds.Contact, serviceID, orgID, salID, locID string) {
	parent := serviceID + orgID + salID + locID
	for j, c := range cs {
		id := f.id(c.ID, parent+"/contact/"+strconv.Itoa(j))
		if !f.once("contact", id) {
			continue
		}
		f.rs.Contacts = append(f.rs.Contacts, Contact{
			ID: id, ServiceID: optional(serviceID), OrganizationID: optional(orgID),
			ServiceAtLocationID: optional(salID), LocationID: optional(locID),
			Name: c.Name, Title: c.Title, Department: c.Department, Email: c.Email,
		})
		f.phones(c.Phones, "", "", "", id, "")
	}
}

func (f *flattener) phones(ps []hsds.Phone, serviceID, locID, salID, contactID, orgID string) {
	parent := serviceID + locID + salID + contactID + orgID
	for j, p := range ps {
		id := f.id(p.ID, parent+"/phone/"+strconv.Itoa(j))
		if !f.once("phone", id) || strings.TrimSpace(p.Number) == "" {
			continue
		}
		f.rs.Phones = append(f.rs.Phones, Phone{
			ID: id, ServiceID: optional(serviceID), LocationID: optional(locID),
			ServiceAtLocationID: optional(salID), ContactID: optional(contactID), OrganizationID: optional(orgID),
			Number: p.Number, Extension: floatToInt(p.Extension), Type: p.Type, Description: p.Description,
		})
		f.languages(p.Languages, "", "", id)
	}
}

func (f *flattener) schedules(ss []hsds.Schedule, serviceID, locID, salID string) {
	parent := serviceID + locID + salID
	for j, s := range ss {
		id := f.id(s.ID, parent+"/schedule/"+strconv.Itoa(j))
		if !f.once("schedule", id) {
			continue
		}
		f.rs.Schedules = append(f.rs.Schedules, Schedule{
			ID: id, ServiceID: optional(serviceID), LocationID: optional(locID), ServiceAtLocationID: optional(salID),
			ValidFrom: s.ValidFrom, ValidTo: s.ValidTo, DTStart: s.DTStart, Timezone: s.Timezone, Until: s.Until,
			Count: floatToInt(s.Count), Wkst: s.Wkst, Freq: s.Freq, Interval: floatToInt(s.Interval), Byday: s.Byday,
			Byweekno: s.Byweekno, Bymonthday: s.Bymonthday, Byyearday: s.Byyearday, Description: s.Description,
			OpensAt: s.OpensAt, ClosesAt: s.ClosesAt, ScheduleLink: s.ScheduleLink, AttendingType: s.AttendingType,
			Notes: s.Notes,
		})
	}
}

func (f *flattener) languages(ls []hsds.Language, serviceID, locID, phoneID string) {
	parent := serviceID + locID + phoneID
	for j, l := range ls {
		id := f.id(l.ID, parent+"/language/"+strconv.Itoa(j))
		if !f.once("language", id) {
			continue
		}
		f.rs.Languages = append(f.rs.Languages, Language{
			ID: id, ServiceID: optional(serviceID), LocationID: optional(locID), PhoneID: optional(phoneID),
			Name: l.Name, Code: l.Code, Note: l.Note,
		})
	}
}

// batchSize keeps multi-row INSERTs well under both databases' parameter
// limits (the widest table has 23 columns).
const batchSize = 200

// upsert inserts rows, or updates every column but the excluded ones when
// the id exists.
func upsert[T any](tx *gorm.DB, rows []T, keep ...string) error {
	if len(rows) == 0 {
		return nil
	}
	stmt := &gorm.Statement{DB: tx}
	if err := stmt.Parse(&rows[0]); err != nil {
		return err
	}
	var cols []string
	for _, f := range stmt.Schema.Fields {
		if f.DBName == "" || f.PrimaryKey || containsString(keep, f.DBName) {
			continue
		}
		cols = append(cols, f.DBName)
	}
	return tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns(cols),
	}).CreateInBatches(rows, batchSize).Error
}

func insertRows[T any](tx *gorm.DB, rows []T) error {
	if len(rows) == 0 {
		return nil
	}
	return tx.CreateInBatches(rows, batchSize).Error
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// deleteIn deletes rows of model whose column is one of ids, in chunks.
func deleteIn(tx *gorm.DB, model any, column string, ids []string) error {
	for start := 0; start < len(ids); start += inChunk {
		end := min(start+inChunk, len(ids))
		if err := tx.Where(column+" IN ?", ids[start:end]).Delete(model).Error; err != nil {
			return err
		}
	}
	return nil
}

// WriteRowSet writes rows inside tx: top-level records are upserted (keeping
// when they were first seen and their local settings), and every child of
// the services and locations in the set is replaced. It then rebuilds the
// search index of the services. Call it inside a transaction.
func WriteRowSet(ctx context.Context, tx *gorm.DB, rs *RowSet) error {
	tx = tx.WithContext(ctx)
	serviceIDs := make([]string, len(rs.Services))
	for i, s := range rs.Services {
		serviceIDs[i] = s.ID
	}
	locIDs := make([]string, len(rs.Locations))
	for i, l := range rs.Locations {
		locIDs[i] = l.ID
	}
	orgIDs := make([]string, len(rs.Organizations))
	for i, o := range rs.Organizations {
		orgIDs[i] = o.ID
	}
	localSettings := append([]string{"first_seen_at"}, ServiceLocalColumns...)
	// Phones and contacts are replaced below; a professionals-only flag set
	// here must survive the source sending them again.
	if err := keepRestricted(tx, rs); err != nil {
		return fmt.Errorf("models: write directory rows: %w", err)
	}
	// Services outside this set that share a location whose published
	// details change must be marked modified too (the last_modified rule).
	before, err := locationFingerprints(tx, locIDs)
	if err != nil {
		return fmt.Errorf("models: write directory rows: %w", err)
	}
	steps := []func() error{
		func() error { return upsert(tx, rs.Organizations, "first_seen_at") },
		func() error { return insertTermsInOrder(tx, rs.TaxonomyTerms) },
		func() error { return upsert(tx, rs.Services, localSettings...) },
		func() error {
			return upsert(tx, rs.Locations, "first_seen_at", "professionals_only", "coordinates_approximate")
		},
		func() error { return deleteIn(tx, &OrganizationIdentifier{}, "organization_id", orgIDs) },
		func() error { return deleteIn(tx, &ServiceAtLocation{}, "service_id", serviceIDs) },
		func() error { return deleteIn(tx, &Contact{}, "service_id", serviceIDs) },
		func() error { return deleteIn(tx, &Contact{}, "location_id", locIDs) },
		func() error { return deleteIn(tx, &Phone{}, "service_id", serviceIDs) },
		func() error { return deleteIn(tx, &Phone{}, "location_id", locIDs) },
		func() error { return deleteIn(tx, &Schedule{}, "service_id", serviceIDs) },
		func() error { return deleteIn(tx, &Schedule{}, "location_id", locIDs) },
		func() error { return deleteIn(tx, &Language{}, "service_id", serviceIDs) },
		func() error { return deleteIn(tx, &Language{}, "location_id", locIDs) },
		func() error {
			return deleteIn(tx.Where("link_entity = ?", "service"), &Attribute{}, "link_id", serviceIDs)
		},
		func() error { return deleteIn(tx, &ServiceArea{}, "service_id", serviceIDs) },
		func() error { return deleteIn(tx, &CostOption{}, "service_id", serviceIDs) },
		func() error { return deleteIn(tx, &Funding{}, "service_id", serviceIDs) },
		func() error { return deleteIn(tx, &RequiredDocument{}, "service_id", serviceIDs) },
		func() error { return deleteIn(tx, &Address{}, "location_id", locIDs) },
		func() error { return deleteIn(tx, &Accessibility{}, "location_id", locIDs) },
		func() error { return insertRows(tx, rs.OrganizationIdentifiers) },
		func() error { return insertRows(tx, rs.Addresses) },
		func() error { return insertRows(tx, rs.Accessibilities) },
		func() error { return insertRows(tx, rs.ServiceAtLocations) },
		func() error { return insertRows(tx, rs.Contacts) },
		func() error { return insertRows(tx, rs.Phones) },
		func() error { return insertRows(tx, rs.Schedules) },
		func() error { return insertRows(tx, rs.Attributes) },
		func() error { return insertRows(tx, rs.ServiceAreas) },
		func() error { return insertRows(tx, rs.Languages) },
		func() error { return insertRows(tx, rs.CostOptions) },
		func() error { return insertRows(tx, rs.Fundings) },
		func() error { return insertRows(tx, rs.RequiredDocuments) },
		func() error { return ReindexServices(ctx, tx, serviceIDs) },
		func() error { return touchSharersOfChangedLocations(ctx, tx, before, rs) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("models: write directory rows: %w", err)
		}
	}
	return nil
}

// keepRestricted marks the phones and contacts in rs that are already
// stored as professionals-only.
func keepRestricted(tx *gorm.DB, rs *RowSet) error {
	phoneIDs := make([]string, len(rs.Phones))
	for i, p := range rs.Phones {
		phoneIDs[i] = p.ID
	}
	contactIDs := make([]string, len(rs.Contacts))
	for i, c := range rs.Contacts {
		contactIDs[i] = c.ID
	}
	restricted := map[string]bool{}
	for _, q := range []struct {
		model any
		ids   []string
	}{{&Phone{}, phoneIDs}, {&Contact{}, contactIDs}} {
		for start := 0; start < len(q.ids); start += inChunk {
			var ids []string
			err := tx.Model(q.model).Where("professionals_only = ? AND id IN ?", true, q.ids[start:min(start+inChunk, len(q.ids))]).
				Pluck("id", &ids).Error
			if err != nil {
				return err
			}
			for _, id := range ids {
				restricted[id] = true
			}
		}
	}
	for i := range rs.Phones {
		rs.Phones[i].ProfessionalsOnly = rs.Phones[i].ProfessionalsOnly || restricted[rs.Phones[i].ID]
	}
	for i := range rs.Contacts {
		rs.Contacts[i].ProfessionalsOnly = rs.Contacts[i].ProfessionalsOnly || restricted[rs.Contacts[i].ID]
	}
	return nil
}

// locationFingerprint is what a location publishes, in a form that compares
// equal when nothing a consumer sees has changed.
type locationFingerprint struct {
	Location Location
	Children []any
}

func fingerprint(l Location, children ...any) string {
	l.Provenance = Provenance{}
	l.ProfessionalsOnly, l.CoordinatesApproximate = false, false
	b, _ := json.Marshal(locationFingerprint{l, children})
	return string(b)
}

// locationFingerprints reads the stored locations' fingerprints.
func locationFingerprints(tx *gorm.DB, ids []string) (map[string]string, error) {
	var (
		locs   []Location
		addrs  []Address
		access []Accessibility
		phones []Phone
		scheds []Schedule
		langs  []Language
	)
	for _, step := range []func() error{
		func() error { return loadIn(tx, "id", ids, &locs) },
		func() error { return loadIn(tx, "location_id", ids, &addrs) },
		func() error { return loadIn(tx, "location_id", ids, &access) },
		func() error { return loadIn(tx, "location_id", ids, &phones) },
		func() error { return loadIn(tx, "location_id", ids, &scheds) },
		func() error { return loadIn(tx, "location_id", ids, &langs) },
	} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return fingerprintLocations(locs, addrs, access, phones, scheds, langs), nil
}

func fingerprintLocations(locs []Location, addrs []Address, access []Accessibility, phones []Phone, scheds []Schedule, langs []Language) map[string]string {
	a := groupBy(addrs, func(x Address) string { return x.LocationID })
	ac := groupBy(access, func(x Accessibility) string { return x.LocationID })
	p := groupBy(phones, func(x Phone) string { return deref(x.LocationID) })
	s := groupBy(scheds, func(x Schedule) string { return deref(x.LocationID) })
	lg := groupBy(langs, func(x Language) string { return deref(x.LocationID) })
	out := make(map[string]string, len(locs))
	for _, l := range locs {
		ps := p[l.ID]
		for i := range ps {
			ps[i].ProfessionalsOnly = false
		}
		out[l.ID] = fingerprint(l, sortByID(a[l.ID]), sortByID(ac[l.ID]), sortByID(ps), sortByID(s[l.ID]), sortByID(lg[l.ID]))
	}
	return out
}

// sortByID orders rows by their primary key so that fingerprints do not
// depend on the order a feed lists children in.
func sortByID[T any](rows []T) []T {
	out := slices.Clone(rows)
	slices.SortFunc(out, func(x, y T) int {
		return strings.Compare(rowID(x), rowID(y))
	})
	return out
}

func rowID(row any) string {
	switch r := row.(type) {
	case Address:
		return r.ID
	case Accessibility:
		return r.ID
	case Phone:
		return r.ID
	case Schedule:
		return r.ID
	case Language:
		return r.ID
	}
	return ""
}

// touchSharersOfChangedLocations marks modified the services outside rs
// that are delivered at a location whose published details rs changed.
func touchSharersOfChangedLocations(ctx context.Context, tx *gorm.DB, before map[string]string, rs *RowSet) error {
	if len(before) == 0 {
		return nil // every location is new, so nobody else shares one yet
	}
	var locPhones []Phone
	var locScheds []Schedule
	var locLangs []Language
	for _, p := range rs.Phones {
		if p.LocationID != nil {
			locPhones = append(locPhones, p)
		}
	}
	for _, s := range rs.Schedules {
		if s.LocationID != nil {
			locScheds = append(locScheds, s)
		}
	}
	for _, l := range rs.Languages {
		if l.LocationID != nil {
			locLangs = append(locLangs, l)
		}
	}
	after := fingerprintLocations(rs.Locations, rs.Addresses, rs.Accessibilities, locPhones, locScheds, locLangs)
	var changed []string
	for id, fp := range after {
		if old, ok := before[id]; ok && old != fp {
			changed = append(changed, id)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	sharers, err := ServicesAtLocations(ctx, tx, changed)
	if err != nil {
		return err
	}
	inSet := make(map[string]bool, len(rs.Services))
	for _, s := range rs.Services {
		inSet[s.ID] = true
	}
	var others []string
	for _, id := range sharers {
		if !inSet[id] {
			others = append(others, id)
		}
	}
	return TouchServices(ctx, tx, others, Now())
}

// insertTermsInOrder inserts taxonomy terms that do not exist yet, parents
// before children so that the parent_id foreign key holds. A term copied
// inside a service never overwrites the taxonomy's own.
func insertTermsInOrder(tx *gorm.DB, terms []TaxonomyTerm) error {
	if len(terms) == 0 {
		return nil
	}
	// A term copied inside a service may name a taxonomy or a parent that
	// this platform does not hold; the link is dropped rather than the term.
	var taxIDs, parentIDs []string
	for _, t := range terms {
		if t.TaxonomyID != nil {
			taxIDs = append(taxIDs, *t.TaxonomyID)
		}
		if t.ParentID != nil {
			parentIDs = append(parentIDs, *t.ParentID)
		}
	}
	knownTax, err := existingIDs(tx, &Taxonomy{}, uniq(taxIDs))
	if err != nil {
		return err
	}
	knownParent, err := existingIDs(tx, &TaxonomyTerm{}, uniq(parentIDs))
	if err != nil {
		return err
	}
	inSet := map[string]bool{}
	for _, t := range terms {
		inSet[t.ID] = true
	}
	pending := slices.Clone(terms)
	for i, t := range pending {
		if t.TaxonomyID != nil && !knownTax[*t.TaxonomyID] {
			pending[i].TaxonomyID = nil
		}
		if t.ParentID != nil && !knownParent[*t.ParentID] && !inSet[*t.ParentID] {
			pending[i].ParentID = nil
		}
	}
	done := map[string]bool{}
	for len(pending) > 0 {
		var next, ready []TaxonomyTerm
		inBatch := map[string]bool{}
		for _, t := range pending {
			inBatch[t.ID] = true
		}
		for _, t := range pending {
			if t.ParentID == nil || done[*t.ParentID] || !inBatch[*t.ParentID] {
				ready = append(ready, t)
			} else {
				next = append(next, t)
			}
		}
		if len(ready) == 0 { // a cycle: break it by dropping the parents
			for i := range next {
				next[i].ParentID = nil
			}
			ready, next = next, nil
		}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(ready, batchSize).Error; err != nil {
			return err
		}
		for _, t := range ready {
			done[t.ID] = true
		}
		pending = next
	}
	return nil
}

// existingIDs reports which of ids exist in model's table.
func existingIDs(tx *gorm.DB, model any, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	for start := 0; start < len(ids); start += inChunk {
		var found []string
		if err := tx.Model(model).Where("id IN ?", ids[start:min(start+inChunk, len(ids))]).Pluck("id", &found).Error; err != nil {
			return nil, err
		}
		for _, id := range found {
			out[id] = true
		}
	}
	return out, nil
}

// SaveTaxonomy upserts a taxonomy and its terms from one source.
func SaveTaxonomy(ctx context.Context, db *gorm.DB, source string, tax hsds.Taxonomy, terms []hsds.TaxonomyTerm) error {
	now := Now()
	taxID := NormaliseID(source, tax.ID)
	row := Taxonomy{ID: taxID, Name: tax.Name, Description: tax.Description, URI: tax.URI, Version: tax.Version,
		Source: source, LastModified: now}
	f := &flattener{source: source, now: now, rs: &RowSet{}, seen: map[string]bool{}}
	for _, t := range terms {
		if t.TaxonomyID == "" {
			t.TaxonomyID = tax.ID
		}
		f.term(t)
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := upsert(tx, []Taxonomy{row}); err != nil {
			return fmt.Errorf("models: save taxonomy: %w", err)
		}
		if err := insertTermsInOrder(tx, f.rs.TaxonomyTerms); err != nil {
			return fmt.Errorf("models: save taxonomy terms: %w", err)
		}
		if err := upsert(tx, f.rs.TaxonomyTerms); err != nil {
			return fmt.Errorf("models: save taxonomy terms: %w", err)
		}
		return nil
	})
}

// SaveServices flattens full HSDS services from one source and writes them
// in one transaction.
func SaveServices(ctx context.Context, db *gorm.DB, source string, services []hsds.Service) error {
	rs, err := FlattenServices(source, services, Now())
	if err != nil {
		return err
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return WriteRowSet(ctx, tx, rs)
	})
}
