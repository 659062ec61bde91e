package importer

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/openreferral-uk/referrals/models/hsds"
)

// ORUK v1 (the 2019 Open Referral UK profile, still what most English
// councils publish) nests everything under a service, like HSDS 3.0, but
// names things differently: regular_schedules, physical_addresses,
// service_taxonomys with a vocabulary instead of a taxonomy, eligibilitys
// for ages. Real v1 feeds send numbers where strings belong and the reverse,
// so every scalar is decoded leniently.

// flexString decodes a JSON string, number or boolean as text, and null as
// empty. Anything else (an object where text belongs) sets bad.
type flexString struct {
	V   string
	bad bool
}

func (f *flexString) UnmarshalJSON(b []byte) error {
	f.V, f.bad = parseFlexString(b)
	return nil
}

func parseFlexString(b []byte) (v string, bad bool) {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		return "", false
	case b[0] == '"':
		var s string
		if json.Unmarshal(b, &s) != nil {
			return "", true
		}
		return s, false
	case b[0] == '{' || b[0] == '[':
		return "", true
	default: // numbers, true, false
		return string(b), false
	}
}

// flexFloat decodes a JSON number or a string holding one; null, "" and
// anything else are absent, and anything else also sets bad.
type flexFloat struct {
	V   *float64
	bad bool
}

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	f.V, f.bad = parseFlexFloat(b)
	return nil
}

func parseFlexFloat(b []byte) (v *float64, bad bool) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" || string(b) == `""` {
		return nil, false
	}
	s := string(b)
	if b[0] == '"' {
		if json.Unmarshal(b, &s) != nil {
			return nil, true
		}
		if s = strings.TrimSpace(s); s == "" {
			return nil, false
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, true
	}
	return &f, false
}

// flexRef decodes a reference given as an id, or as an object with an id.
type flexRef struct{ V string }

func (f *flexRef) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var o struct {
			ID flexString `json:"id"`
		}
		_ = json.Unmarshal(b, &o)
		f.V = o.ID.V
		return nil
	}
	var s flexString
	_ = s.UnmarshalJSON(b)
	f.V = s.V
	return nil
}

// flexList decodes a JSON array of T, tolerating null, a single object in
// place of a list, and items that are not objects (which are dropped).
type flexList[T any] struct {
	V   []T
	bad bool
}

func (f *flexList[T]) UnmarshalJSON(b []byte) error {
	f.V, f.bad = parseFlexList[T](b)
	return nil
}

func parseFlexList[T any](b []byte) (v []T, bad bool) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return nil, false
	}
	if b[0] == '{' {
		var one T
		if json.Unmarshal(b, &one) != nil {
			return nil, true
		}
		return []T{one}, false
	}
	var raws []json.RawMessage
	if json.Unmarshal(b, &raws) != nil {
		return nil, true
	}
	for _, r := range raws {
		var item T
		if json.Unmarshal(r, &item) != nil {
			bad = true
			continue
		}
		v = append(v, item)
	}
	return v, bad
}

type v1Service struct {
	ID                 flexString                 `json:"id"`
	Name               flexString                 `json:"name"`
	Description        flexString                 `json:"description"`
	URL                flexString                 `json:"url"`
	Email              flexString                 `json:"email"`
	Status             flexString                 `json:"status"`
	Fees               flexString                 `json:"fees"`
	Accreditations     flexString                 `json:"accreditations"`
	AssuredDate        flexString                 `json:"assured_date"`
	Organization       *v1Organization            `json:"organization"`
	Contacts           flexList[v1Contact]        `json:"contacts"`
	CostOptions        flexList[v1CostOption]     `json:"cost_options"`
	Eligibilitys       flexList[v1Eligibility]    `json:"eligibilitys"`
	Fundings           flexList[v1Funding]        `json:"fundings"`
	Languages          flexList[v1Language]       `json:"languages"`
	RegularSchedules   flexList[v1Schedule]       `json:"regular_schedules"`
	ServiceAreas       flexList[v1ServiceArea]    `json:"service_areas"`
	ServiceAtLocations flexList[v1ServiceAtLoc]   `json:"service_at_locations"`
	ServiceTaxonomys   flexList[v1ServiceTaxLink] `json:"service_taxonomys"`
}

type v1Organization struct {
	ID          flexString `json:"id"`
	Name        flexString `json:"name"`
	Description flexString `json:"description"`
	Email       flexString `json:"email"`
	URL         flexString `json:"url"`
	Website     flexString `json:"website"`
	Logo        flexString `json:"logo"`
	URI         flexString `json:"uri"`
}

type v1Contact struct {
	ID     flexString        `json:"id"`
	Name   flexString        `json:"name"`
	Title  flexString        `json:"title"`
	Email  flexString        `json:"email"`
	Phones flexList[v1Phone] `json:"phones"`
}

type v1Phone struct {
	ID     flexString `json:"id"`
	Number flexString `json:"number"`
}

type v1CostOption struct {
	ID                flexString `json:"id"`
	ValidFrom         flexString `json:"valid_from"`
	ValidTo           flexString `json:"valid_to"`
	Option            flexString `json:"option"`
	Amount            flexFloat  `json:"amount"`
	AmountDescription flexString `json:"amount_description"`
}

type v1Eligibility struct {
	ID          flexString `json:"id"`
	Eligibility flexString `json:"eligibility"`
	MinimumAge  flexFloat  `json:"minimum_age"`
	MaximumAge  flexFloat  `json:"maximum_age"`
}

type v1Funding struct {
	ID     flexString `json:"id"`
	Source flexString `json:"source"`
}

type v1Language struct {
	ID       flexString `json:"id"`
	Language flexString `json:"language"`
}

type v1Schedule struct {
	ID          flexString `json:"id"`
	OpensAt     flexString `json:"opens_at"`
	ClosesAt    flexString `json:"closes_at"`
	ValidFrom   flexString `json:"valid_from"`
	ValidTo     flexString `json:"valid_to"`
	DTStart     flexString `json:"dtstart"`
	Freq        flexString `json:"freq"`
	Interval    flexFloat  `json:"interval"`
	Byday       flexString `json:"byday"`
	Bymonthday  flexString `json:"bymonthday"`
	Weekday     flexString `json:"weekday"`
	Description flexString `json:"description"`
}

type v1ServiceArea struct {
	ID          flexString `json:"id"`
	ServiceArea flexString `json:"service_area"`
	Extent      flexString `json:"extent"`
	URI         flexString `json:"uri"`
}

type v1ServiceAtLoc struct {
	ID               flexString           `json:"id"`
	Location         *v1Location          `json:"location"`
	RegularSchedule  flexList[v1Schedule] `json:"regular_schedule"`
	RegularSchedules flexList[v1Schedule] `json:"regular_schedules"`
}

type v1Location struct {
	ID            flexString                `json:"id"`
	Name          flexString                `json:"name"`
	Description   flexString                `json:"description"`
	Latitude      flexFloat                 `json:"latitude"`
	Longitude     flexFloat                 `json:"longitude"`
	Addresses     flexList[v1Address]       `json:"physical_addresses"`
	Accessibility flexList[v1Accessibility] `json:"accessibility_for_disabilities"`
	Schedules     flexList[v1Schedule]      `json:"regular_schedules"`
}

type v1Address struct {
	ID            flexString `json:"id"`
	Address1      flexString `json:"address_1"`
	Address2      flexString `json:"address_2"`
	City          flexString `json:"city"`
	StateProvince flexString `json:"state_province"`
	PostalCode    flexString `json:"postal_code"`
	Country       flexString `json:"country"`
}

type v1Accessibility struct {
	ID            flexString `json:"id"`
	Accessibility flexString `json:"accessibility"`
}

type v1ServiceTaxLink struct {
	ID       flexString  `json:"id"`
	Taxonomy *v1Taxonomy `json:"taxonomy"`
}

type v1Taxonomy struct {
	ID         flexString `json:"id"`
	Name       flexString `json:"name"`
	Vocabulary flexString `json:"vocabulary"`
	Parent     flexRef    `json:"parent"`
}

var v1Days = map[string]string{"monday": "MO", "tuesday": "TU", "wednesday": "WE", "thursday": "TH",
	"friday": "FR", "saturday": "SA", "sunday": "SU"}

// decodeV1Service decodes one ORUK v1 service and maps it to HSDS 3.0.
// Fields with no HSDS 3.0 home (holiday_schedules, reviews, deliverable_type,
// attending_type, attending_access) are not imported; docs/import.md says so.
func decodeV1Service(raw json.RawMessage) Item {
	var v v1Service
	var it Item
	if err := json.Unmarshal(raw, &v); err != nil {
		it.Problems = append(it.Problems, Problem{RecordType: recordService, Reason: "not a JSON object", Action: Skipped})
		return it
	}
	m := &v1Mapper{id: v.ID.V}
	s := &hsds.Service{
		ID: m.str("id", v.ID), Name: m.str("name", v.Name), Description: m.str("description", v.Description),
		URL: m.str("url", v.URL), Email: m.str("email", v.Email), Status: m.str("status", v.Status),
		FeesDescription: m.str("fees", v.Fees), Accreditations: m.str("accreditations", v.Accreditations),
		AssuredDate: m.str("assured_date", v.AssuredDate),
	}
	if v.Organization != nil {
		o := v.Organization
		website := m.str("organization.url", o.URL)
		if website == "" {
			website = m.str("organization.website", o.Website)
		}
		s.Organization = &hsds.Organization{ID: m.str("organization.id", o.ID), Name: m.str("organization.name", o.Name),
			Description: m.str("organization.description", o.Description), Email: m.str("organization.email", o.Email),
			Website: website, Logo: m.str("organization.logo", o.Logo), URI: m.str("organization.uri", o.URI)}
		s.OrganizationID = s.Organization.ID
	}
	m.list("contacts", v.Contacts.bad)
	for i, c := range v.Contacts.V {
		p := "contacts[" + strconv.Itoa(i) + "]"
		hc := hsds.Contact{ID: m.str(p+".id", c.ID), Name: m.str(p+".name", c.Name), Title: m.str(p+".title", c.Title),
			Email: m.str(p+".email", c.Email)}
		m.list(p+".phones", c.Phones.bad)
		for j, ph := range c.Phones.V {
			q := p + ".phones[" + strconv.Itoa(j) + "]"
			hc.Phones = append(hc.Phones, hsds.Phone{ID: m.str(q+".id", ph.ID), Number: m.str(q+".number", ph.Number)})
		}
		s.Contacts = append(s.Contacts, hc)
	}
	m.list("cost_options", v.CostOptions.bad)
	for i, c := range v.CostOptions.V {
		p := "cost_options[" + strconv.Itoa(i) + "]"
		s.CostOptions = append(s.CostOptions, hsds.CostOption{ID: m.str(p+".id", c.ID), ValidFrom: m.str(p+".valid_from", c.ValidFrom),
			ValidTo: m.str(p+".valid_to", c.ValidTo), Option: m.str(p+".option", c.Option), Amount: m.num(p+".amount", c.Amount),
			AmountDescription: m.str(p+".amount_description", c.AmountDescription)})
	}
	m.list("eligibilitys", v.Eligibilitys.bad)
	var eligibility []string
	for i, e := range v.Eligibilitys.V {
		p := "eligibilitys[" + strconv.Itoa(i) + "]"
		if t := m.str(p+".eligibility", e.Eligibility); t != "" {
			eligibility = append(eligibility, t)
		}
		// Several eligibility records widen the range: the youngest minimum
		// and the oldest maximum.
		if a := m.num(p+".minimum_age", e.MinimumAge); a != nil && (s.MinimumAge == nil || *a < *s.MinimumAge) {
			s.MinimumAge = a
		}
		if a := m.num(p+".maximum_age", e.MaximumAge); a != nil && (s.MaximumAge == nil || *a > *s.MaximumAge) {
			s.MaximumAge = a
		}
	}
	s.EligibilityDescription = strings.Join(eligibility, "; ")
	m.list("fundings", v.Fundings.bad)
	for i, f := range v.Fundings.V {
		p := "fundings[" + strconv.Itoa(i) + "]"
		s.Fundings = append(s.Fundings, hsds.Funding{ID: m.str(p+".id", f.ID), Source: m.str(p+".source", f.Source)})
	}
	m.list("languages", v.Languages.bad)
	for i, l := range v.Languages.V {
		p := "languages[" + strconv.Itoa(i) + "]"
		s.Languages = append(s.Languages, v1LanguageToHSDS(m.str(p+".id", l.ID), m.str(p+".language", l.Language)))
	}
	s.Schedules = m.schedules("regular_schedules", v.RegularSchedules)
	m.list("service_areas", v.ServiceAreas.bad)
	for i, a := range v.ServiceAreas.V {
		p := "service_areas[" + strconv.Itoa(i) + "]"
		s.ServiceAreas = append(s.ServiceAreas, hsds.ServiceArea{ID: m.str(p+".id", a.ID), Name: m.str(p+".service_area", a.ServiceArea),
			Extent: m.str(p+".extent", a.Extent), URI: m.str(p+".uri", a.URI)})
	}
	m.list("service_at_locations", v.ServiceAtLocations.bad)
	for i, sal := range v.ServiceAtLocations.V {
		p := "service_at_locations[" + strconv.Itoa(i) + "]"
		h := hsds.ServiceAtLocation{ID: m.str(p+".id", sal.ID)}
		h.Schedules = append(m.schedules(p+".regular_schedule", sal.RegularSchedule), m.schedules(p+".regular_schedules", sal.RegularSchedules)...)
		if l := sal.Location; l != nil {
			q := p + ".location"
			loc := &hsds.Location{ID: m.str(q+".id", l.ID), Name: m.str(q+".name", l.Name), Description: m.str(q+".description", l.Description),
				Latitude: m.num(q+".latitude", l.Latitude), Longitude: m.num(q+".longitude", l.Longitude), LocationType: hsds.LocationPhysical}
			m.list(q+".physical_addresses", l.Addresses.bad)
			for j, a := range l.Addresses.V {
				r := q + ".physical_addresses[" + strconv.Itoa(j) + "]"
				loc.Addresses = append(loc.Addresses, hsds.Address{ID: m.str(r+".id", a.ID), Address1: m.str(r+".address_1", a.Address1),
					Address2: m.str(r+".address_2", a.Address2), City: m.str(r+".city", a.City),
					StateProvince: m.str(r+".state_province", a.StateProvince), PostalCode: m.str(r+".postal_code", a.PostalCode),
					Country: m.str(r+".country", a.Country), AddressType: "physical"})
			}
			m.list(q+".accessibility_for_disabilities", l.Accessibility.bad)
			for j, a := range l.Accessibility.V {
				r := q + ".accessibility_for_disabilities[" + strconv.Itoa(j) + "]"
				loc.Accessibility = append(loc.Accessibility, hsds.Accessibility{ID: m.str(r+".id", a.ID), Description: m.str(r+".accessibility", a.Accessibility)})
			}
			loc.Schedules = m.schedules(q+".regular_schedules", l.Schedules)
			h.Location = loc
			h.LocationID = loc.ID
		}
		s.ServiceAtLocations = append(s.ServiceAtLocations, h)
	}
	m.list("service_taxonomys", v.ServiceTaxonomys.bad)
	for i, st := range v.ServiceTaxonomys.V {
		p := "service_taxonomys[" + strconv.Itoa(i) + "]"
		if st.Taxonomy == nil {
			m.problem(p+".taxonomy", "no taxonomy term", Dropped)
			continue
		}
		t := st.Taxonomy
		term := &hsds.TaxonomyTerm{ID: m.str(p+".taxonomy.id", t.ID), Name: m.str(p+".taxonomy.name", t.Name), ParentID: t.Parent.V}
		inVocabulary(term, m.str(p+".taxonomy.vocabulary", t.Vocabulary))
		s.Attributes = append(s.Attributes, hsds.Attribute{ID: m.str(p+".id", st.ID), TaxonomyTermID: term.ID,
			LinkEntity: "service", TaxonomyTerm: term})
	}
	it.Service = s
	it.Problems = m.problems
	return it
}

// inVocabulary files a term under a v1 (or HSDS 1.x) vocabulary, which
// becomes a taxonomy of this source named after it, its id derived from the
// name. An empty vocabulary leaves the term as it is.
func inVocabulary(term *hsds.TaxonomyTerm, vocab string) {
	if vocab == "" {
		return
	}
	term.Taxonomy = vocab
	term.TaxonomyID = "vocabulary:" + vocab
	term.TaxonomyDetail = &hsds.Taxonomy{ID: term.TaxonomyID, Name: vocab}
}

// v1LanguageToHSDS maps a v1 language, which is a name ("English") or
// sometimes a code ("en"), to an HSDS language.
func v1LanguageToHSDS(id, lang string) hsds.Language {
	if n := len(lang); n >= 2 && n <= 3 && strings.ToLower(lang) == lang {
		return hsds.Language{ID: id, Code: lang}
	}
	return hsds.Language{ID: id, Name: lang}
}

type v1Mapper struct {
	id       string
	problems []Problem
}

func (m *v1Mapper) problem(field, reason string, a Action) {
	m.problems = append(m.problems, Problem{RecordType: recordService, RecordID: m.id, Field: field, Reason: reason, Action: a})
}

func (m *v1Mapper) str(field string, f flexString) string {
	if f.bad {
		m.problem(field, "expected text, got a JSON object or list", Dropped)
	}
	return f.V
}

func (m *v1Mapper) num(field string, f flexFloat) *float64 {
	if f.bad {
		m.problem(field, "expected a number", Dropped)
	}
	return f.V
}

func (m *v1Mapper) list(field string, bad bool) {
	if bad {
		m.problem(field, "expected a list of objects; items that are not were dropped", Dropped)
	}
}

func (m *v1Mapper) schedules(field string, l flexList[v1Schedule]) []hsds.Schedule {
	m.list(field, l.bad)
	var out []hsds.Schedule
	for i, r := range l.V {
		p := field + "[" + strconv.Itoa(i) + "]"
		s := hsds.Schedule{ID: m.str(p+".id", r.ID), OpensAt: m.str(p+".opens_at", r.OpensAt), ClosesAt: m.str(p+".closes_at", r.ClosesAt),
			ValidFrom: m.str(p+".valid_from", r.ValidFrom), ValidTo: m.str(p+".valid_to", r.ValidTo), DTStart: m.str(p+".dtstart", r.DTStart),
			Freq: strings.ToUpper(m.str(p+".freq", r.Freq)), Interval: m.num(p+".interval", r.Interval), Byday: m.str(p+".byday", r.Byday),
			Bymonthday: m.str(p+".bymonthday", r.Bymonthday), Description: m.str(p+".description", r.Description)}
		// Some v1 feeds name the day ("weekday": "Monday") instead of byday.
		if day := strings.ToLower(strings.TrimSpace(m.str(p+".weekday", r.Weekday))); s.Byday == "" && day != "" {
			if code, ok := v1Days[day]; ok {
				s.Byday = code
				if s.Freq == "" {
					s.Freq = "WEEKLY"
				}
			} else {
				m.problem(p+".weekday", "not a day of the week", Dropped)
			}
		}
		out = append(out, s)
	}
	return out
}
