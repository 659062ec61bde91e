package models

import (
	"github.com/openreferral-uk/referrals/models/mail"
	"net/url"
	"strings"

	"github.com/openreferral-uk/referrals/models/hsds"
)

// The publish functions make records valid Open Referral UK 3.0 output
// whatever a feed or an editor put in them. Values the schemas would reject
// are left out rather than published wrong, and required fields that are
// empty get the documented fallbacks (docs/api.md):
//   - organization, taxonomy and taxonomy term descriptions fall back to
//     their name;
//   - an address without a first line, town or postcode is left out; its
//     state_province falls back to region, then town; country to GB; type
//     to physical;
//   - an organisation identifier without an identifier is left out; its type
//     falls back to its scheme, then "unknown";
//   - emails that are not addresses and URLs that are not absolute http(s)
//     are left out; a schedule frequency other than WEEKLY or MONTHLY is
//     left out (its description still says when).

func validEmail(s string) string {
	if s == "" {
		return ""
	}
	if !mail.ValidAddress(s) {
		return ""
	}
	return s
}

func validURL(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(s, " \t\n<>\"") {
		return ""
	}
	return s
}

func validEnum(s string, allowed ...string) string {
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	return ""
}

// PublishService returns s ready for the API, with everything beneath it.
func PublishService(s hsds.Service) hsds.Service {
	s.URL = validURL(s.URL)
	s.Email = validEmail(s.Email)
	s.AssurerEmail = validEmail(s.AssurerEmail)
	if validEnum(s.Status, hsds.StatusActive, hsds.StatusInactive, hsds.StatusDefunct, hsds.StatusTemporarilyClosed) == "" {
		s.Status = hsds.StatusActive
	}
	if s.Organization != nil {
		o := PublishOrganization(*s.Organization)
		s.Organization = &o
	}
	s.Schedules = publishSchedules(s.Schedules)
	s.Contacts = publishContacts(s.Contacts)
	if s.ServiceAtLocations != nil {
		sals := make([]hsds.ServiceAtLocation, len(s.ServiceAtLocations))
		for i, sal := range s.ServiceAtLocations {
			sals[i] = PublishServiceAtLocation(sal)
		}
		s.ServiceAtLocations = sals
	}
	if s.Attributes != nil {
		attrs := make([]hsds.Attribute, len(s.Attributes))
		for i, a := range s.Attributes {
			if a.TaxonomyTerm != nil {
				t := PublishTaxonomyTerm(*a.TaxonomyTerm)
				a.TaxonomyTerm = &t
			}
			attrs[i] = a
		}
		s.Attributes = attrs
	}
	if s.RequiredDocuments != nil {
		docs := make([]hsds.RequiredDocument, len(s.RequiredDocuments))
		for i, d := range s.RequiredDocuments {
			d.URI = validURL(d.URI)
			docs[i] = d
		}
		s.RequiredDocuments = docs
	}
	return s
}

// PublishServiceAtLocation returns sal ready for the API.
func PublishServiceAtLocation(sal hsds.ServiceAtLocation) hsds.ServiceAtLocation {
	sal.Schedules = publishSchedules(sal.Schedules)
	sal.Contacts = publishContacts(sal.Contacts)
	if sal.Location != nil {
		l := PublishLocation(*sal.Location)
		sal.Location = &l
	}
	if sal.Service != nil {
		s := PublishService(*sal.Service)
		sal.Service = &s
	}
	return sal
}

// PublishLocation returns l ready for the API.
func PublishLocation(l hsds.Location) hsds.Location {
	l.URL = validURL(l.URL)
	if validEnum(l.LocationType, hsds.LocationPhysical, hsds.LocationPostal, hsds.LocationVirtual) == "" {
		l.LocationType = hsds.LocationPhysical
	}
	var addrs []hsds.Address
	for _, a := range l.Addresses {
		if a.Address1 == "" || a.City == "" || a.PostalCode == "" {
			continue
		}
		if a.StateProvince == "" {
			a.StateProvince = a.Region
		}
		if a.StateProvince == "" {
			a.StateProvince = a.City
		}
		if a.Country == "" {
			a.Country = "GB"
		}
		if validEnum(a.AddressType, hsds.LocationPhysical, hsds.LocationPostal, hsds.LocationVirtual) == "" {
			a.AddressType = hsds.LocationPhysical
		}
		addrs = append(addrs, a)
	}
	l.Addresses = addrs
	if l.Accessibility != nil {
		acc := make([]hsds.Accessibility, len(l.Accessibility))
		for i, a := range l.Accessibility {
			a.URL = validURL(a.URL)
			acc[i] = a
		}
		l.Accessibility = acc
	}
	l.Schedules = publishSchedules(l.Schedules)
	l.Contacts = publishContacts(l.Contacts)
	return l
}

// PublishOrganization returns o ready for the API.
func PublishOrganization(o hsds.Organization) hsds.Organization {
	if strings.TrimSpace(o.Description) == "" {
		o.Description = o.Name
	}
	o.Email = validEmail(o.Email)
	o.Website = validURL(o.Website)
	o.URI = validURL(o.URI)
	o.Logo = validURL(o.Logo)
	var ids []hsds.OrganizationIdentifier
	for _, id := range o.OrganizationIdentifiers {
		if id.Identifier == "" {
			continue
		}
		if id.IdentifierType == "" {
			id.IdentifierType = id.IdentifierScheme
		}
		if id.IdentifierType == "" {
			id.IdentifierType = "unknown"
		}
		ids = append(ids, id)
	}
	o.OrganizationIdentifiers = ids
	o.Contacts = publishContacts(o.Contacts)
	if o.Services != nil {
		svcs := make([]hsds.Service, len(o.Services))
		for i, s := range o.Services {
			svcs[i] = PublishService(s)
		}
		o.Services = svcs
	}
	return o
}

// PublishTaxonomy returns t ready for the API.
func PublishTaxonomy(t hsds.Taxonomy) hsds.Taxonomy {
	if strings.TrimSpace(t.Description) == "" {
		t.Description = t.Name
	}
	t.URI = validURL(t.URI)
	return t
}

// PublishTaxonomyTerm returns t ready for the API.
func PublishTaxonomyTerm(t hsds.TaxonomyTerm) hsds.TaxonomyTerm {
	if strings.TrimSpace(t.Description) == "" {
		t.Description = t.Name
	}
	t.TermURI = validURL(t.TermURI)
	if t.TaxonomyDetail != nil {
		d := PublishTaxonomy(*t.TaxonomyDetail)
		t.TaxonomyDetail = &d
	}
	return t
}

func publishContacts(cs []hsds.Contact) []hsds.Contact {
	if cs == nil {
		return nil
	}
	out := make([]hsds.Contact, len(cs))
	for i, c := range cs {
		c.Email = validEmail(c.Email)
		out[i] = c
	}
	return out
}

func publishSchedules(ss []hsds.Schedule) []hsds.Schedule {
	if ss == nil {
		return nil
	}
	out := make([]hsds.Schedule, len(ss))
	for i, s := range ss {
		s.Freq = validEnum(strings.ToUpper(s.Freq), "WEEKLY", "MONTHLY")
		s.Wkst = validEnum(strings.ToUpper(s.Wkst), "MO", "TU", "WE", "TH", "FR", "SA", "SU")
		s.ScheduleLink = validURL(s.ScheduleLink)
		out[i] = s
	}
	return out
}
