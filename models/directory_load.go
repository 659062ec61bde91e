package models

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models/hsds"
)

// Audience says who is looking at directory data: the public sees only
// published services and nothing marked professionals-only; signed-in
// professionals see professionals-only data too.
type Audience int

// The audiences of directory data.
const (
	Public Audience = iota
	Professional
)

// ServiceLocal holds a service's local extensions: what this platform adds
// to HSDS for referrals and editing. It is never published.
type ServiceLocal struct {
	Visibility         Visibility
	ProfessionalsOnly  bool
	AcceptsReferrals   bool
	ReferralEmail      string
	ResponseTargetDays int
	CapacityStatus     CapacityStatus
	BankHolidays       string
	Source             string
}

// ServiceRecord is a fully nested service as one audience may see it.
type ServiceRecord struct {
	hsds.Service
	Local ServiceLocal
	// Restricted holds the ids of professionals-only records included in
	// Service, so that pages can label them; it is empty for the public.
	Restricted map[string]bool
}

// inChunk bounds the ids in one IN list: PostgreSQL takes at most 65,535
// parameters a statement and SQLite 32,766, and a page never needs more.
const inChunk = 1000

// loadIn reads rows of T whose column is one of ids, in chunks.
func loadIn[T any](db *gorm.DB, column string, ids []string, out *[]T) error {
	for start := 0; start < len(ids); start += inChunk {
		end := min(start+inChunk, len(ids))
		var part []T
		if err := db.Where(column+" IN ?", ids[start:end]).Order("id").Find(&part).Error; err != nil {
			return err
		}
		*out = append(*out, part...)
	}
	return nil
}

func uniq(ids []string) []string {
	s := slices.Clone(ids)
	slices.Sort(s)
	return slices.Compact(s)
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// FormatTime writes a timestamp as HSDS publishes it: RFC 3339 in UTC with
// milliseconds.
func FormatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// LoadServices loads fully nested services by id, in the order given, as an
// audience may see them. Ids the audience may not see are left out. It runs
// the same number of queries whatever the number of services (up to inChunk).
func LoadServices(ctx context.Context, db *gorm.DB, ids []string, aud Audience) ([]ServiceRecord, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	db = db.WithContext(ctx)
	var rows []Service
	if err := loadIn(visibleServices(db, aud), "id", uniq(ids), &rows); err != nil {
		return nil, fmt.Errorf("models: load services: %w", err)
	}
	byID := make(map[string]Service, len(rows))
	for _, r := range rows {
		byID[r.ID] = r
	}
	ordered := make([]Service, 0, len(rows))
	for _, id := range ids {
		if r, ok := byID[id]; ok {
			ordered = append(ordered, r)
			delete(byID, id)
		}
	}
	return nestServices(db, ordered, aud)
}

// visibleServices scopes a query of services to what an audience may see.
func visibleServices(db *gorm.DB, aud Audience) *gorm.DB {
	q := db.Model(&Service{}).Where("services.visibility = ?", Published)
	if aud == Public {
		q = q.Where("services.professionals_only = ?", false)
	}
	return q
}

// nestServices loads everything beneath the given service rows.
func nestServices(db *gorm.DB, services []Service, aud Audience) ([]ServiceRecord, error) {
	l := &nestLoader{db: db, aud: aud}
	out, err := l.nest(services)
	if err != nil {
		return nil, fmt.Errorf("models: load services: %w", err)
	}
	return out, nil
}

type nestLoader struct {
	db  *gorm.DB
	aud Audience
}

// visibleChild drops professionals-only children for the public and notes
// the ones it keeps for professionals.
func (l *nestLoader) visibleChild(id string, restricted bool, mark map[string]bool) bool {
	if !restricted {
		return true
	}
	if l.aud == Public {
		return false
	}
	mark[id] = true
	return true
}

func (l *nestLoader) nest(services []Service) ([]ServiceRecord, error) {
	db := l.db
	serviceIDs := make([]string, len(services))
	orgIDs := make([]string, len(services))
	for i, s := range services {
		serviceIDs[i] = s.ID
		orgIDs[i] = s.OrganizationID
	}
	restricted := map[string]bool{}

	var orgs []Organization
	var orgIdents []OrganizationIdentifier
	var sals []ServiceAtLocation
	if err := loadIn(db, "id", uniq(orgIDs), &orgs); err != nil {
		return nil, err
	}
	if err := loadIn(db, "organization_id", uniq(orgIDs), &orgIdents); err != nil {
		return nil, err
	}
	if err := loadIn(db, "service_id", serviceIDs, &sals); err != nil {
		return nil, err
	}
	locIDs := make([]string, 0, len(sals))
	salIDs := make([]string, 0, len(sals))
	for _, s := range sals {
		locIDs = append(locIDs, s.LocationID)
		salIDs = append(salIDs, s.ID)
	}
	locIDs = uniq(locIDs)

	var (
		locs      []Location
		addrs     []Address
		access    []Accessibility
		contacts  []Contact
		salConts  []Contact
		locConts  []Contact
		langsP    []Language
		phonesS   []Phone
		phonesSAL []Phone
		phonesL   []Phone
		phonesC   []Phone
		schedS    []Schedule
		schedSAL  []Schedule
		schedL    []Schedule
		langsS    []Language
		langsL    []Language
		attrs     []Attribute
		areas     []ServiceArea
		costs     []CostOption
		funds     []Funding
		docs      []RequiredDocument
	)
	steps := []func() error{
		func() error { return loadIn(db, "id", locIDs, &locs) },
		func() error { return loadIn(db, "location_id", locIDs, &addrs) },
		func() error { return loadIn(db, "location_id", locIDs, &access) },
		func() error { return loadIn(db, "service_id", serviceIDs, &contacts) },
		func() error { return loadIn(db, "service_at_location_id", salIDs, &salConts) },
		func() error { return loadIn(db, "location_id", locIDs, &locConts) },
		func() error { return loadIn(db, "service_id", serviceIDs, &phonesS) },
		func() error { return loadIn(db, "service_at_location_id", salIDs, &phonesSAL) },
		func() error { return loadIn(db, "location_id", locIDs, &phonesL) },
		func() error { return loadIn(db, "service_id", serviceIDs, &schedS) },
		func() error { return loadIn(db, "service_at_location_id", salIDs, &schedSAL) },
		func() error { return loadIn(db, "location_id", locIDs, &schedL) },
		func() error { return loadIn(db, "service_id", serviceIDs, &langsS) },
		func() error { return loadIn(db, "location_id", locIDs, &langsL) },
		func() error {
			return loadIn(db.Where("link_entity = ?", "service"), "link_id", serviceIDs, &attrs)
		},
		func() error { return loadIn(db, "service_id", serviceIDs, &areas) },
		func() error { return loadIn(db, "service_id", serviceIDs, &costs) },
		func() error { return loadIn(db, "service_id", serviceIDs, &funds) },
		func() error { return loadIn(db, "service_id", serviceIDs, &docs) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	contactIDs := make([]string, 0, len(contacts)+len(salConts))
	for _, cs := range [][]Contact{contacts, salConts, locConts} {
		for _, c := range cs {
			contactIDs = append(contactIDs, c.ID)
		}
	}
	if err := loadIn(db, "contact_id", contactIDs, &phonesC); err != nil {
		return nil, err
	}
	var phoneIDs []string
	for _, ps := range [][]Phone{phonesS, phonesSAL, phonesL, phonesC} {
		for _, p := range ps {
			phoneIDs = append(phoneIDs, p.ID)
		}
	}
	if err := loadIn(db, "phone_id", phoneIDs, &langsP); err != nil {
		return nil, err
	}
	termIDs := make([]string, 0, len(attrs))
	for _, a := range attrs {
		termIDs = append(termIDs, a.TaxonomyTermID)
	}
	var terms []TaxonomyTerm
	if err := loadIn(db, "id", uniq(termIDs), &terms); err != nil {
		return nil, err
	}

	// Index children by parent.
	orgByID := map[string]*hsds.Organization{}
	identsByOrg := groupBy(orgIdents, func(x OrganizationIdentifier) string { return x.OrganizationID })
	for _, o := range orgs {
		h := organizationToHSDS(o)
		for _, id := range identsByOrg[o.ID] {
			h.OrganizationIdentifiers = append(h.OrganizationIdentifiers, hsds.OrganizationIdentifier{
				ID: id.ID, OrganizationID: id.OrganizationID, IdentifierScheme: id.IdentifierScheme,
				IdentifierType: id.IdentifierType, Identifier: id.Identifier,
			})
		}
		orgByID[o.ID] = &h
	}
	phonesByContact := groupBy(phonesC, func(p Phone) string { return deref(p.ContactID) })
	langByPhone := groupBy(langsP, func(x Language) string { return deref(x.PhoneID) })
	var languageList func(ls []Language) []hsds.Language
	phoneList := func(ps []Phone) []hsds.Phone {
		var out []hsds.Phone
		for _, p := range ps {
			if l.visibleChild(p.ID, p.ProfessionalsOnly, restricted) {
				h := phoneToHSDS(p)
				h.Languages = languageList(langByPhone[p.ID])
				out = append(out, h)
			}
		}
		return out
	}
	contactList := func(cs []Contact) []hsds.Contact {
		var out []hsds.Contact
		for _, c := range cs {
			if !l.visibleChild(c.ID, c.ProfessionalsOnly, restricted) {
				continue
			}
			h := contactToHSDS(c)
			h.Phones = phoneList(phonesByContact[c.ID])
			out = append(out, h)
		}
		return out
	}
	scheduleList := func(ss []Schedule) []hsds.Schedule {
		var out []hsds.Schedule
		for _, s := range ss {
			out = append(out, scheduleToHSDS(s))
		}
		return out
	}
	languageList = func(ls []Language) []hsds.Language {
		var out []hsds.Language
		for _, x := range ls {
			out = append(out, hsds.Language{ID: x.ID, ServiceID: deref(x.ServiceID), LocationID: deref(x.LocationID),
				PhoneID: deref(x.PhoneID), Name: x.Name, Code: x.Code, Note: x.Note})
		}
		return out
	}

	addrByLoc := groupBy(addrs, func(a Address) string { return a.LocationID })
	accByLoc := groupBy(access, func(a Accessibility) string { return a.LocationID })
	phonesByLoc := groupBy(phonesL, func(p Phone) string { return deref(p.LocationID) })
	schedByLoc := groupBy(schedL, func(s Schedule) string { return deref(s.LocationID) })
	langByLoc := groupBy(langsL, func(x Language) string { return deref(x.LocationID) })
	contByLoc := groupBy(locConts, func(c Contact) string { return deref(c.LocationID) })
	locByID := map[string]*hsds.Location{}
	for _, loc := range locs {
		if !l.visibleChild(loc.ID, loc.ProfessionalsOnly, restricted) {
			continue
		}
		h := locationToHSDS(loc)
		for _, a := range addrByLoc[loc.ID] {
			h.Addresses = append(h.Addresses, addressToHSDS(a))
		}
		for _, a := range accByLoc[loc.ID] {
			h.Accessibility = append(h.Accessibility, hsds.Accessibility{ID: a.ID, LocationID: a.LocationID,
				Description: a.Description, Details: a.Details, URL: a.URL})
		}
		h.Phones = phoneList(phonesByLoc[loc.ID])
		h.Schedules = scheduleList(schedByLoc[loc.ID])
		h.Languages = languageList(langByLoc[loc.ID])
		h.Contacts = contactList(contByLoc[loc.ID])
		locByID[loc.ID] = &h
	}

	termByID := map[string]TaxonomyTerm{}
	for _, t := range terms {
		termByID[t.ID] = t
	}
	salBySvc := groupBy(sals, func(s ServiceAtLocation) string { return s.ServiceID })
	salContacts := groupBy(salConts, func(c Contact) string { return deref(c.ServiceAtLocationID) })
	salPhones := groupBy(phonesSAL, func(p Phone) string { return deref(p.ServiceAtLocationID) })
	salScheds := groupBy(schedSAL, func(s Schedule) string { return deref(s.ServiceAtLocationID) })
	contactsBySvc := groupBy(contacts, func(c Contact) string { return deref(c.ServiceID) })
	phonesBySvc := groupBy(phonesS, func(p Phone) string { return deref(p.ServiceID) })
	schedBySvc := groupBy(schedS, func(s Schedule) string { return deref(s.ServiceID) })
	langBySvc := groupBy(langsS, func(x Language) string { return deref(x.ServiceID) })
	attrBySvc := groupBy(attrs, func(a Attribute) string { return a.LinkID })
	areaBySvc := groupBy(areas, func(a ServiceArea) string { return a.ServiceID })
	costBySvc := groupBy(costs, func(c CostOption) string { return c.ServiceID })
	fundBySvc := groupBy(funds, func(f Funding) string { return deref(f.ServiceID) })
	docBySvc := groupBy(docs, func(d RequiredDocument) string { return d.ServiceID })

	out := make([]ServiceRecord, 0, len(services))
	for _, s := range services {
		rec := ServiceRecord{Service: serviceToHSDS(s), Local: serviceLocal(s), Restricted: map[string]bool{}}
		if o := orgByID[s.OrganizationID]; o != nil {
			org := *o
			rec.Organization = &org
		}
		for _, sal := range salBySvc[s.ID] {
			loc := locByID[sal.LocationID]
			if loc == nil {
				continue // a professionals-only location, hidden from this audience
			}
			locCopy := *loc
			rec.ServiceAtLocations = append(rec.ServiceAtLocations, hsds.ServiceAtLocation{
				ID: sal.ID, ServiceID: sal.ServiceID, LocationID: sal.LocationID, Description: sal.Description,
				Contacts: contactList(salContacts[sal.ID]), Phones: phoneList(salPhones[sal.ID]),
				Schedules: scheduleList(salScheds[sal.ID]), Location: &locCopy,
			})
		}
		rec.Contacts = contactList(contactsBySvc[s.ID])
		rec.Phones = phoneList(phonesBySvc[s.ID])
		rec.Schedules = scheduleList(schedBySvc[s.ID])
		rec.Languages = languageList(langBySvc[s.ID])
		for _, a := range attrBySvc[s.ID] {
			h := hsds.Attribute{ID: a.ID, LinkID: a.LinkID, LinkType: a.LinkType, LinkEntity: a.LinkEntity,
				TaxonomyTermID: a.TaxonomyTermID, Value: a.Value}
			if t, ok := termByID[a.TaxonomyTermID]; ok {
				th := taxonomyTermToHSDS(t)
				h.TaxonomyTerm = &th
			}
			rec.Attributes = append(rec.Attributes, h)
		}
		for _, a := range areaBySvc[s.ID] {
			rec.ServiceAreas = append(rec.ServiceAreas, hsds.ServiceArea{ID: a.ID, ServiceID: a.ServiceID, Name: a.Name,
				Description: a.Description, Extent: a.Extent, ExtentType: a.ExtentType, URI: a.URI})
		}
		for _, c := range costBySvc[s.ID] {
			rec.CostOptions = append(rec.CostOptions, hsds.CostOption{ID: c.ID, ServiceID: c.ServiceID,
				ValidFrom: c.ValidFrom, ValidTo: c.ValidTo, Option: c.Option, Currency: c.Currency,
				Amount: c.Amount, AmountDescription: c.AmountDescription})
		}
		for _, f := range fundBySvc[s.ID] {
			rec.Fundings = append(rec.Fundings, hsds.Funding{ID: f.ID, ServiceID: deref(f.ServiceID),
				OrganizationID: deref(f.OrganizationID), Source: f.Source})
		}
		for _, d := range docBySvc[s.ID] {
			rec.RequiredDocuments = append(rec.RequiredDocuments, hsds.RequiredDocument{ID: d.ID,
				ServiceID: d.ServiceID, Document: d.Document, URI: d.URI})
		}
		markRestricted(&rec, restricted)
		out = append(out, rec)
	}
	return out, nil
}

// markRestricted copies into rec the restricted ids that it contains.
func markRestricted(rec *ServiceRecord, restricted map[string]bool) {
	if len(restricted) == 0 {
		return
	}
	mark := func(id string) {
		if restricted[id] {
			rec.Restricted[id] = true
		}
	}
	for _, p := range rec.Phones {
		mark(p.ID)
	}
	for _, c := range rec.Contacts {
		mark(c.ID)
		for _, p := range c.Phones {
			mark(p.ID)
		}
	}
	for _, sal := range rec.ServiceAtLocations {
		mark(sal.LocationID)
		for _, p := range sal.Phones {
			mark(p.ID)
		}
		for _, c := range sal.Contacts {
			mark(c.ID)
		}
		if sal.Location != nil {
			for _, p := range sal.Location.Phones {
				mark(p.ID)
			}
		}
	}
}

func groupBy[T any](xs []T, key func(T) string) map[string][]T {
	m := make(map[string][]T)
	for _, x := range xs {
		k := key(x)
		m[k] = append(m[k], x)
	}
	return m
}

func intToFloat(p *int) *float64 {
	if p == nil {
		return nil
	}
	f := float64(*p)
	return &f
}

func serviceLocal(s Service) ServiceLocal {
	return ServiceLocal{
		Visibility: s.Visibility, ProfessionalsOnly: s.ProfessionalsOnly, AcceptsReferrals: s.AcceptsReferrals,
		ReferralEmail: s.ReferralEmail, ResponseTargetDays: s.ResponseTargetDays, CapacityStatus: s.CapacityStatus, BankHolidays: s.BankHolidays,
		Source: s.Source,
	}
}

func serviceToHSDS(s Service) hsds.Service {
	return hsds.Service{
		ID: s.ID, OrganizationID: s.OrganizationID, Name: s.Name, AlternateName: s.AlternateName,
		Description: s.Description, URL: s.URL, Email: s.Email, Status: s.Status,
		InterpretationServices: s.InterpretationServices, ApplicationProcess: s.ApplicationProcess,
		FeesDescription: s.FeesDescription, Accreditations: s.Accreditations,
		EligibilityDescription: s.EligibilityDescription, MinimumAge: s.MinimumAge, MaximumAge: s.MaximumAge,
		AssuredDate: s.AssuredDate, AssurerEmail: s.AssurerEmail, Alert: s.Alert,
		LastModified: FormatTime(s.LastModified),
	}
}

func organizationToHSDS(o Organization) hsds.Organization {
	return hsds.Organization{
		ID: o.ID, Name: o.Name, AlternateName: o.AlternateName, Description: o.Description, Email: o.Email,
		Website: o.Website, YearIncorporated: intToFloat(o.YearIncorporated), LegalStatus: o.LegalStatus,
		Logo: o.Logo, URI: o.URI, ParentOrganizationID: deref(o.ParentOrganizationID),
	}
}

func locationToHSDS(l Location) hsds.Location {
	return hsds.Location{
		ID: l.ID, LocationType: l.LocationType, URL: l.URL, OrganizationID: deref(l.OrganizationID), Name: l.Name,
		AlternateName: l.AlternateName, Description: l.Description, Transportation: l.Transportation,
		Latitude: l.Latitude, Longitude: l.Longitude, ExternalIdentifier: l.ExternalIdentifier,
		ExternalIdentifierType: l.ExternalIdentifierType,
	}
}

func addressToHSDS(a Address) hsds.Address {
	return hsds.Address{
		ID: a.ID, LocationID: a.LocationID, Attention: a.Attention, Address1: a.Address1, Address2: a.Address2,
		City: a.City, Region: a.Region, StateProvince: a.StateProvince, PostalCode: a.PostalCode,
		Country: a.Country, AddressType: a.AddressType,
	}
}

func phoneToHSDS(p Phone) hsds.Phone {
	return hsds.Phone{
		ID: p.ID, LocationID: deref(p.LocationID), ServiceID: deref(p.ServiceID),
		OrganizationID: deref(p.OrganizationID), ContactID: deref(p.ContactID),
		ServiceAtLocationID: deref(p.ServiceAtLocationID), Number: p.Number, Extension: intToFloat(p.Extension),
		Type: p.Type, Description: p.Description,
	}
}

func contactToHSDS(c Contact) hsds.Contact {
	return hsds.Contact{
		ID: c.ID, OrganizationID: deref(c.OrganizationID), ServiceID: deref(c.ServiceID),
		ServiceAtLocationID: deref(c.ServiceAtLocationID), LocationID: deref(c.LocationID), Name: c.Name,
		Title: c.Title, Department: c.Department, Email: c.Email,
	}
}

func scheduleToHSDS(s Schedule) hsds.Schedule {
	return hsds.Schedule{
		ID: s.ID, ServiceID: deref(s.ServiceID), LocationID: deref(s.LocationID),
		ServiceAtLocationID: deref(s.ServiceAtLocationID), ValidFrom: s.ValidFrom, ValidTo: s.ValidTo,
		DTStart: s.DTStart, Timezone: s.Timezone, Until: s.Until, Count: intToFloat(s.Count), Wkst: s.Wkst,
		Freq: s.Freq, Interval: intToFloat(s.Interval), Byday: s.Byday, Byweekno: s.Byweekno,
		Bymonthday: s.Bymonthday, Byyearday: s.Byyearday, Description: s.Description, OpensAt: s.OpensAt,
		ClosesAt: s.ClosesAt, ScheduleLink: s.ScheduleLink, AttendingType: s.AttendingType, Notes: s.Notes,
	}
}

func taxonomyTermToHSDS(t TaxonomyTerm) hsds.TaxonomyTerm {
	return hsds.TaxonomyTerm{
		ID: t.ID, Code: t.Code, Name: t.Name, Description: t.Description, ParentID: deref(t.ParentID),
		Taxonomy: t.Taxonomy, TaxonomyID: deref(t.TaxonomyID), Language: t.Language, TermURI: t.TermURI,
	}
}
