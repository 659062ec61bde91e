package importer

import (
	"fmt"
	"html"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"

	"github.com/openreferral-uk/referrals/models/hsds"
)

// Record types, as in reports and import_records.
const (
	recordService      = "service"
	recordOrganization = "organization"
	recordTaxonomy     = "taxonomy"
	recordTerm         = "taxonomy_term"
)

// PlaceholderOrganizationName names the organisation a service is attached
// to when its source does not say which organisation runs it, or names one
// the source does not include.
const PlaceholderOrganizationName = "Unknown organisation"

// richFields are the HSDS fields that may hold markup: HTML in them is
// sanitised to a safe subset (richPolicy). Every other text field is plain:
// tags are stripped from it.
var richFields = map[string]bool{
	"description": true, "transportation": true, "application_process": true, "fees_description": true,
	"eligibility_description": true, "interpretation_services": true, "accreditations": true, "alert": true,
	"details": true, "notes": true, "amount_description": true,
}

// richPolicy is the safe subset of HTML kept in descriptions: paragraphs,
// line breaks, lists, emphasis, headings and links (http, https and mailto
// only, with rel="nofollow noopener").
func richPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "ul", "ol", "li", "strong", "em", "b", "i", "h3", "h4", "h5", "h6", "blockquote")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(false)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	return p
}

var (
	emailShape = regexp.MustCompile(`^[^@\s<>(),;:"\[\]]+@[^@\s<>(),;:"\[\]]+\.[^@\s<>(),;:"\[\]]+$`)
	unsafeAttr = regexp.MustCompile(`(?i)\son[a-z]+\s*=|javascript:|\sstyle\s*=`)
	timeShape  = regexp.MustCompile(`^([01]?[0-9]|2[0-3]):([0-5][0-9])(:[0-5][0-9])?$`)
)

// cleaner validates and cleans one record at a time, collecting problems.
// It is not safe for concurrent use; a run uses one per worker.
type cleaner struct {
	rich, strict *bluemonday.Policy
	now          time.Time
	recType      string
	recID        string
	problems     []Problem
}

func newCleaner(now time.Time) *cleaner {
	return &cleaner{rich: richPolicy(), strict: bluemonday.StrictPolicy(), now: now}
}

func (c *cleaner) problem(field, reason string, a Action) {
	c.problems = append(c.problems, Problem{RecordType: c.recType, RecordID: c.recID, Field: field, Reason: reason, Action: a})
}

// Service cleans a service in place and reports whether it is usable: a
// service with no id or no name is not. Every other bad field is dropped or
// given its documented default, and reported.
func (c *cleaner) Service(s *hsds.Service) bool {
	c.recType, c.recID = recordService, strings.TrimSpace(s.ID)
	// Fields the directory does not store: leaving them out keeps the
	// content hash about what is stored.
	s.Metadata = nil
	if o := s.Organization; o != nil {
		o.Services, o.Locations, o.Phones, o.Contacts, o.Fundings, o.Attributes, o.Metadata = nil, nil, nil, nil, nil, nil, nil
	}
	for i := range s.ServiceAtLocations {
		sal := &s.ServiceAtLocations[i]
		sal.Service, sal.Attributes = nil, nil
		if sal.Location != nil {
			sal.Location.Attributes = nil
		}
	}
	c.walk(reflect.ValueOf(s).Elem(), "")
	if s.ID == "" {
		c.problem("id", "no id", Skipped)
		return false
	}
	if s.Name == "" {
		c.problem("name", "no name", Skipped)
		return false
	}
	switch st := strings.ReplaceAll(strings.ToLower(s.Status), "_", " "); st {
	case "":
		// ORUK v1 has no status: a published service is taken to be active.
		s.Status = hsds.StatusActive
	case hsds.StatusActive, hsds.StatusInactive, hsds.StatusDefunct, hsds.StatusTemporarilyClosed:
		s.Status = st
	default:
		c.problem("status", fmt.Sprintf("%q is not active, inactive, defunct or temporarily closed", s.Status), Defaulted)
		s.Status = hsds.StatusActive
	}
	s.URL = c.url("url", s.URL)
	s.Email = c.email("email", s.Email)
	s.AssurerEmail = c.email("assurer_email", s.AssurerEmail)
	s.AssuredDate = c.date("assured_date", s.AssuredDate)
	s.MinimumAge = c.age("minimum_age", s.MinimumAge)
	s.MaximumAge = c.age("maximum_age", s.MaximumAge)
	if s.MinimumAge != nil && s.MaximumAge != nil && *s.MinimumAge > *s.MaximumAge {
		c.problem("maximum_age", fmt.Sprintf("%g is below the minimum age %g", *s.MaximumAge, *s.MinimumAge), Dropped)
		s.MaximumAge = nil
	}
	if s.Organization != nil {
		c.organization("organization", s.Organization)
	}
	s.Phones = c.phones("phones", s.Phones)
	s.Schedules = c.schedules("schedules", s.Schedules)
	for i := range s.Contacts {
		c.contact(fmt.Sprintf("contacts[%d]", i), &s.Contacts[i])
	}
	kept := s.ServiceAtLocations[:0]
	for i, sal := range s.ServiceAtLocations {
		p := fmt.Sprintf("service_at_locations[%d]", i)
		if sal.Location != nil {
			if !c.location(p+".location", sal.Location) {
				continue
			}
			sal.LocationID = sal.Location.ID
		} else if sal.LocationID == "" {
			c.problem(p, "no location", Dropped)
			continue
		}
		sal.Phones = c.phones(p+".phones", sal.Phones)
		sal.Schedules = c.schedules(p+".schedules", sal.Schedules)
		for j := range sal.Contacts {
			c.contact(fmt.Sprintf("%s.contacts[%d]", p, j), &sal.Contacts[j])
		}
		kept = append(kept, sal)
	}
	s.ServiceAtLocations = kept
	attrs := s.Attributes[:0]
	for i, a := range s.Attributes {
		p := fmt.Sprintf("attributes[%d]", i)
		if a.TaxonomyTerm != nil {
			if !c.term(p+".taxonomy_term", a.TaxonomyTerm) {
				continue
			}
			// The nested term is the one linked, as FlattenServices does.
			a.TaxonomyTermID = a.TaxonomyTerm.ID
		} else if a.TaxonomyTermID == "" {
			c.problem(p, "no taxonomy term", Dropped)
			continue
		}
		if a.LinkEntity != "" && a.LinkEntity != "service" {
			a.LinkEntity = "service"
		}
		attrs = append(attrs, a)
	}
	s.Attributes = attrs
	for i := range s.CostOptions {
		co := &s.CostOptions[i]
		p := fmt.Sprintf("cost_options[%d]", i)
		if co.Amount != nil && *co.Amount < 0 {
			c.problem(p+".amount", fmt.Sprintf("%g is negative", *co.Amount), Dropped)
			co.Amount = nil
		}
		co.ValidFrom = c.date(p+".valid_from", co.ValidFrom)
		co.ValidTo = c.date(p+".valid_to", co.ValidTo)
	}
	for i := range s.RequiredDocuments {
		s.RequiredDocuments[i].URI = c.url(fmt.Sprintf("required_documents[%d].uri", i), s.RequiredDocuments[i].URI)
	}
	for i := range s.ServiceAreas {
		s.ServiceAreas[i].URI = c.url(fmt.Sprintf("service_areas[%d].uri", i), s.ServiceAreas[i].URI)
	}
	return true
}

func (c *cleaner) organization(p string, o *hsds.Organization) {
	if o.Name == "" {
		c.problem(p+".name", "no name; the organisation is named "+strconv.Quote(PlaceholderOrganizationName), Defaulted)
		o.Name = PlaceholderOrganizationName
	}
	o.Website = c.url(p+".website", o.Website)
	o.URI = c.url(p+".uri", o.URI)
	o.Logo = c.url(p+".logo", o.Logo)
	o.Email = c.email(p+".email", o.Email)
	if y := o.YearIncorporated; y != nil && (*y < 1000 || *y > float64(c.now.Year()+1) || *y != float64(int(*y))) {
		c.problem(p+".year_incorporated", fmt.Sprintf("%g is not a year", *y), Dropped)
		o.YearIncorporated = nil
	}
	if o.ParentOrganizationID == o.ID {
		o.ParentOrganizationID = ""
	}
}

// location cleans a location and reports whether it is usable. One with no
// id gets an id derived from its name and address, so that the same place
// without an id is one location; one with nothing to derive it from is not
// usable.
func (c *cleaner) location(p string, l *hsds.Location) bool {
	if l.ID == "" {
		var key []string
		if l.Name != "" {
			key = append(key, l.Name)
		}
		for _, a := range l.Addresses {
			key = append(key, a.Address1, a.PostalCode)
		}
		if strings.Join(key, "") == "" {
			c.problem(p, "no id, name or address", Dropped)
			return false
		}
		l.ID = "location:" + strings.ToLower(strings.Join(key, "|"))
	}
	switch lt := strings.ToLower(l.LocationType); lt {
	case "":
		l.LocationType = hsds.LocationPhysical
	case hsds.LocationPhysical, hsds.LocationPostal, hsds.LocationVirtual:
		l.LocationType = lt
	default:
		c.problem(p+".location_type", fmt.Sprintf("%q is not physical, postal or virtual", l.LocationType), Defaulted)
		l.LocationType = hsds.LocationPhysical
	}
	l.URL = c.url(p+".url", l.URL)
	if l.Latitude != nil || l.Longitude != nil {
		switch {
		case l.Latitude == nil || l.Longitude == nil:
			c.problem(p+".latitude", "a latitude without a longitude, or the reverse", Dropped)
			l.Latitude, l.Longitude = nil, nil
		case *l.Latitude < -90 || *l.Latitude > 90 || *l.Longitude < -180 || *l.Longitude > 180:
			c.problem(p+".latitude", fmt.Sprintf("%g, %g is not a place on Earth", *l.Latitude, *l.Longitude), Dropped)
			l.Latitude, l.Longitude = nil, nil
		case *l.Latitude == 0 && *l.Longitude == 0:
			c.problem(p+".latitude", "0, 0 is a placeholder, not a place", Dropped)
			l.Latitude, l.Longitude = nil, nil
		}
	}
	for i := range l.Accessibility {
		l.Accessibility[i].URL = c.url(fmt.Sprintf("%s.accessibility[%d].url", p, i), l.Accessibility[i].URL)
	}
	l.Phones = c.phones(p+".phones", l.Phones)
	l.Schedules = c.schedules(p+".schedules", l.Schedules)
	for i := range l.Contacts {
		c.contact(fmt.Sprintf("%s.contacts[%d]", p, i), &l.Contacts[i])
	}
	return true
}

func (c *cleaner) contact(p string, ct *hsds.Contact) {
	ct.Email = c.email(p+".email", ct.Email)
	ct.Phones = c.phones(p+".phones", ct.Phones)
}

// term cleans a taxonomy term and reports whether it is usable: one with no
// name is not. A term without a description is described by its name.
func (c *cleaner) term(p string, t *hsds.TaxonomyTerm) bool {
	if t.Name == "" {
		c.problem(p+".name", "a taxonomy term with no name", Dropped)
		return false
	}
	if t.ID == "" {
		// FlattenServices' rule for a term without an id.
		t.ID = "term:" + t.TaxonomyID + ":" + t.Code + ":" + t.Name
	}
	if t.Description == "" {
		t.Description = t.Name
	}
	if t.ParentID == t.ID {
		t.ParentID = ""
	}
	if d := t.TaxonomyDetail; d != nil {
		if d.ID == "" {
			d.ID = t.TaxonomyID
		}
		if t.TaxonomyID == "" {
			t.TaxonomyID = d.ID
		}
		if d.Name == "" {
			d.Name = d.ID
		}
		if d.Description == "" {
			d.Description = d.Name
		}
		if d.ID == "" {
			t.TaxonomyDetail = nil
		}
	}
	return true
}

func (c *cleaner) phones(p string, ps []hsds.Phone) []hsds.Phone {
	kept := ps[:0]
	for i, ph := range ps {
		// Numbers quoted twice over in CSV arrive as "\"+44 1234\"".
		ph.Number = strings.TrimSpace(strings.Trim(ph.Number, `"'`))
		if ph.Number == "" {
			c.problem(fmt.Sprintf("%s[%d]", p, i), "a phone with no number", Dropped)
			continue
		}
		if ph.Extension != nil && (*ph.Extension < 0 || *ph.Extension != float64(int(*ph.Extension))) {
			c.problem(fmt.Sprintf("%s[%d].extension", p, i), fmt.Sprintf("%g is not an extension number", *ph.Extension), Dropped)
			ph.Extension = nil
		}
		kept = append(kept, ph)
	}
	return kept
}

func (c *cleaner) schedules(p string, ss []hsds.Schedule) []hsds.Schedule {
	for i := range ss {
		s := &ss[i]
		q := fmt.Sprintf("%s[%d]", p, i)
		s.OpensAt = c.clock(q+".opens_at", s.OpensAt)
		s.ClosesAt = c.clock(q+".closes_at", s.ClosesAt)
		s.Freq = strings.ToUpper(s.Freq)
		s.Byday = strings.ToUpper(strings.ReplaceAll(s.Byday, " ", ""))
		s.ValidFrom = c.date(q+".valid_from", s.ValidFrom)
		s.ValidTo = c.date(q+".valid_to", s.ValidTo)
		for _, f := range []struct {
			name string
			v    **float64
		}{{"count", &s.Count}, {"interval", &s.Interval}} {
			if v := *f.v; v != nil && (*v < 0 || *v != float64(int(*v))) {
				c.problem(q+"."+f.name, fmt.Sprintf("%g is not a whole number", *v), Dropped)
				*f.v = nil
			}
		}
	}
	return ss
}

// clock normalises an opening time to HH:MM or HH:MM:SS.
func (c *cleaner) clock(field, v string) string {
	if v == "" {
		return ""
	}
	m := timeShape.FindStringSubmatch(v)
	if m == nil {
		c.problem(field, fmt.Sprintf("%q is not a time of day (HH:MM)", v), Dropped)
		return ""
	}
	if len(m[1]) == 1 {
		return "0" + v
	}
	return v
}

// date keeps a date, or the date part of a timestamp, as YYYY-MM-DD.
func (c *cleaner) date(field, v string) string {
	if v == "" {
		return ""
	}
	if len(v) >= 10 {
		if _, err := time.Parse(time.DateOnly, v[:10]); err == nil && (len(v) == 10 || v[10] == 'T' || v[10] == ' ') {
			return v[:10]
		}
	}
	c.problem(field, fmt.Sprintf("%q is not a date (YYYY-MM-DD)", v), Dropped)
	return ""
}

func (c *cleaner) age(field string, v *float64) *float64 {
	if v != nil && (*v < 0 || *v > 130) {
		c.problem(field, fmt.Sprintf("%g is not an age", *v), Dropped)
		return nil
	}
	return v
}

// url keeps absolute http(s) URLs. A web address without a scheme that
// starts with www. gets https://; anything else that is not a URL is dropped.
func (c *cleaner) url(field, v string) string {
	if v == "" {
		return ""
	}
	if strings.HasPrefix(strings.ToLower(v), "www.") && !strings.ContainsAny(v, " \t") {
		c.problem(field, "no scheme; https:// added", Fixed)
		v = "https://" + v
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(v, " \t\n") {
		c.problem(field, fmt.Sprintf("%q is not an http or https URL", v), Dropped)
		return ""
	}
	return v
}

func (c *cleaner) email(field, v string) string {
	if v == "" {
		return ""
	}
	if strings.HasPrefix(strings.ToLower(v), "mailto:") {
		v = v[len("mailto:"):]
	}
	if !emailShape.MatchString(v) {
		c.problem(field, fmt.Sprintf("%q is not an email address", v), Dropped)
		return ""
	}
	return v
}

// stringFields caches, per struct type, the indexes and JSON names of its
// fields that walk visits.
var stringFields sync.Map // reflect.Type -> []walkField

type walkField struct {
	index int
	name  string
	kind  reflect.Kind
}

func fieldsOf(t reflect.Type) []walkField {
	if v, ok := stringFields.Load(t); ok {
		return v.([]walkField)
	}
	var out []walkField
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		switch f.Type.Kind() {
		case reflect.String, reflect.Slice, reflect.Pointer, reflect.Struct:
			out = append(out, walkField{index: i, name: name, kind: f.Type.Kind()})
		}
	}
	stringFields.Store(t, out)
	return out
}

// walk cleans every text field of an HSDS value: surrounding space is
// trimmed, "null" is empty, and markup is made safe (sanitised in rich
// fields, stripped from plain ones).
func (c *cleaner) walk(v reflect.Value, path string) {
	for _, f := range fieldsOf(v.Type()) {
		fv := v.Field(f.index)
		switch f.kind {
		case reflect.String:
			s := fv.String()
			if s == "" {
				continue
			}
			if t := c.text(join(path, f.name), f.name, s); t != s {
				fv.SetString(t)
			}
		case reflect.Pointer:
			if !fv.IsNil() && fv.Elem().Kind() == reflect.Struct {
				c.walk(fv.Elem(), join(path, f.name))
			}
		case reflect.Struct:
			c.walk(fv, join(path, f.name))
		case reflect.Slice:
			if fv.Type().Elem().Kind() != reflect.Struct {
				continue
			}
			for i := range fv.Len() {
				c.walk(fv.Index(i), join(path, f.name)+"["+strconv.Itoa(i)+"]")
			}
		}
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func (c *cleaner) text(field, name, s string) string {
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		// PostgreSQL refuses both; a feed in Windows-1252 is the usual cause.
		s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
		c.problem(field, "not valid UTF-8 text; bad bytes replaced", Fixed)
	}
	t := strings.TrimSpace(s)
	if t == "null" || t == "NULL" || t == "undefined" {
		return ""
	}
	if !strings.ContainsRune(t, '<') {
		return t
	}
	if richFields[name] {
		clean := strings.TrimSpace(c.rich.Sanitize(t)) //nolint:misspell // bluemonday's name
		// Sanitising also rewrites harmless markup (quoting, rel="nofollow"),
		// which is not worth a report; removed elements and script-bearing
		// attributes are.
		if strings.Count(clean, "<") != strings.Count(t, "<") || unsafeAttr.MatchString(t) {
			c.problem(field, "unsafe or unsupported HTML removed", Fixed)
		}
		return clean
	}
	plain := strings.TrimSpace(html.UnescapeString(c.strict.Sanitize(t))) //nolint:misspell // bluemonday's name
	if plain != t {
		c.problem(field, "HTML removed from a plain-text field", Fixed)
	}
	return plain
}
