package models

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/openreferral-uk/referrals/models/hsds"
)

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
	id := f.id(l.ID, "")
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
	localSettings := []string{"first_seen_at", "visibility", "professionals_only", "accepts_referrals",
		"referral_email", "response_target_days", "capacity_status"}
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
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("models: write directory rows: %w", err)
		}
	}
	return nil
}

// insertTermsInOrder inserts taxonomy terms that do not exist yet, parents
// before children so that the parent_id foreign key holds. A term copied
// inside a service never overwrites the taxonomy's own.
func insertTermsInOrder(tx *gorm.DB, terms []TaxonomyTerm) error {
	if len(terms) == 0 {
		return nil
	}
	pending := terms
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
