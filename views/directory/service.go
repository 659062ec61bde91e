package directory

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/hsds"
	"github.com/openreferral-uk/referrals/views"
)

// ServicePage is the view model of a service's page.
type ServicePage struct {
	Layout           views.Layout
	ID               string
	Name             string
	AlternateName    string
	Organization     string
	OrganizationURL  string
	Status           string
	Alert            string
	Description      []string
	Facts            []Fact
	Categories       []string
	Website          string
	Email            string
	Phones           []PhoneView
	Contacts         []ContactView
	Schedules        []string
	Locations        []LocationView
	AcceptsReferrals bool
	Capacity         string
	Updated          string
	Assured          string
	// PossiblyOutOfDate is set when the provider has not confirmed the
	// listing within the review period.
	PossiblyOutOfDate bool
	// Restricted is true when the page shows professionals-only details.
	Restricted bool
	// ReferURL starts a referral, for a caseworker when the service takes
	// them; ReferNote says why a caseworker cannot refer when it does not.
	ReferURL  string
	ReferNote string
}

// Fact is one row of the service's summary list.
type Fact struct {
	Key, Value string
}

// PhoneView is a phone number to show.
type PhoneView struct {
	Number     string
	Tel        string
	Label      string
	Restricted bool
}

// ContactView is a named contact to show.
type ContactView struct {
	Name, Title, Email string
	Phones             []PhoneView
}

// LocationView is a place where the service is delivered.
type LocationView struct {
	Name           string
	AddressLines   []string
	Virtual        string
	Transportation string
	Accessibility  []string
	Schedules      []string
	Phones         []PhoneView
	Restricted     bool
	MapURL         string
}

// NewServicePage builds a service's page from its record.
func NewServicePage(l views.Layout, r models.ServiceRecord) ServicePage {
	l.Title = r.Name
	p := ServicePage{
		Layout: l, ID: r.ID, Name: r.Name, AlternateName: r.AlternateName, Status: statusLabel(r.Status),
		Alert: r.Alert, Description: paragraphs(r.Description), Website: r.URL, Email: r.Email,
		AcceptsReferrals: r.Local.AcceptsReferrals, Restricted: len(r.Restricted) > 0,
		Assured: humanDate(r.AssuredDate),
	}
	if t, err := time.Parse(time.RFC3339Nano, r.LastModified); err == nil {
		p.Updated = t.In(london).Format("2 January 2006")
	}
	if r.Organization != nil {
		p.Organization = r.Organization.Name
		p.OrganizationURL = r.Organization.Website
	}
	switch r.Local.CapacityStatus {
	case models.CapacityWaitingList:
		p.Capacity = "Waiting list"
	case models.CapacityFull:
		p.Capacity = "Full: not taking new referrals"
	}
	if v := ageRange(r.MinimumAge, r.MaximumAge); v != "" {
		p.Facts = append(p.Facts, Fact{"Ages", v})
	}
	if r.EligibilityDescription != "" {
		p.Facts = append(p.Facts, Fact{"Who it is for", r.EligibilityDescription})
	}
	if c := costSummary(r.Service); c != "" {
		p.Facts = append(p.Facts, Fact{"Cost", c})
	}
	if r.ApplicationProcess != "" {
		p.Facts = append(p.Facts, Fact{"How to access it", r.ApplicationProcess})
	}
	if langs := languageNames(r.Languages); langs != "" {
		p.Facts = append(p.Facts, Fact{"Languages", langs})
	}
	if r.InterpretationServices != "" {
		p.Facts = append(p.Facts, Fact{"Interpreting", r.InterpretationServices})
	}
	var areas []string
	for _, a := range r.ServiceAreas {
		if a.Name != "" {
			areas = append(areas, a.Name)
		}
	}
	if len(areas) > 0 {
		p.Facts = append(p.Facts, Fact{"Area covered", strings.Join(areas, ", ")})
	}
	if r.Accreditations != "" {
		p.Facts = append(p.Facts, Fact{"Accreditations", r.Accreditations})
	}
	for _, a := range r.Attributes {
		if a.TaxonomyTerm != nil && !contains(p.Categories, a.TaxonomyTerm.Name) {
			p.Categories = append(p.Categories, a.TaxonomyTerm.Name)
		}
	}
	p.Phones = phoneViews(r.Phones, r.Restricted)
	for _, c := range r.Contacts {
		p.Contacts = append(p.Contacts, ContactView{Name: c.Name, Title: c.Title, Email: c.Email,
			Phones: phoneViews(c.Phones, r.Restricted)})
	}
	p.Schedules = describeSchedules(r.Schedules)
	for _, sal := range r.ServiceAtLocations {
		if sal.Location == nil {
			continue
		}
		p.Locations = append(p.Locations, newLocationView(sal, r.Restricted))
	}
	return p
}

var london = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return l
}()

func newLocationView(sal hsds.ServiceAtLocation, restricted map[string]bool) LocationView {
	loc := sal.Location
	v := LocationView{Name: loc.Name, Transportation: loc.Transportation, Restricted: restricted[loc.ID]}
	if loc.LocationType == hsds.LocationVirtual {
		v.Virtual = loc.URL
		if v.Name == "" {
			v.Name = "Online"
		}
	}
	// One address a location is what HSDS feeds carry in practice.
	if len(loc.Addresses) > 0 {
		a := loc.Addresses[0]
		for _, line := range []string{a.Address1, a.Address2, a.City, a.PostalCode} {
			if line != "" {
				v.AddressLines = append(v.AddressLines, line)
			}
		}
	}
	for _, a := range loc.Accessibility {
		text := a.Description
		if a.Details != "" {
			text = strings.TrimSpace(text + ". " + a.Details)
		}
		if text != "" {
			v.Accessibility = append(v.Accessibility, text)
		}
	}
	v.Schedules = append(describeSchedules(sal.Schedules), describeSchedules(loc.Schedules)...)
	v.Phones = append(phoneViews(sal.Phones, restricted), phoneViews(loc.Phones, restricted)...)
	if loc.Latitude != nil && loc.Longitude != nil && !v.Restricted {
		v.MapURL = fmt.Sprintf("https://www.openstreetmap.org/?mlat=%.5f&mlon=%.5f#map=17/%.5f/%.5f",
			*loc.Latitude, *loc.Longitude, *loc.Latitude, *loc.Longitude)
	}
	return v
}

func describeSchedules(ss []hsds.Schedule) []string {
	var out []string
	for _, s := range ss {
		d := models.DescribeSchedule(s)
		if s.Description != "" && d != s.Description {
			d += " (" + s.Description + ")"
		}
		if s.Notes != "" {
			d += ". " + s.Notes
		}
		if d != "" {
			out = append(out, d)
		}
	}
	return out
}

func phoneViews(ps []hsds.Phone, restricted map[string]bool) []PhoneView {
	var out []PhoneView
	for _, ph := range ps {
		v := PhoneView{Number: ph.Number, Tel: telURI(ph.Number), Label: ph.Description, Restricted: restricted[ph.ID]}
		if ph.Extension != nil {
			v.Number += " ext. " + strconv.Itoa(int(*ph.Extension))
		}
		out = append(out, v)
	}
	return out
}

// telURI makes a tel: link from a UK number as people write it.
func telURI(number string) string {
	var b strings.Builder
	for i, r := range number {
		if (r >= '0' && r <= '9') || (r == '+' && i == 0) {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return "tel:" + b.String()
}

func ageRange(lo, hi *float64) string {
	switch {
	case lo != nil && hi != nil:
		return fmt.Sprintf("%g to %g", *lo, *hi)
	case lo != nil:
		return fmt.Sprintf("%g and over", *lo)
	case hi != nil:
		return fmt.Sprintf("Up to %g", *hi)
	}
	return ""
}

func costSummary(s hsds.Service) string {
	var parts []string
	if s.FeesDescription != "" {
		parts = append(parts, s.FeesDescription)
	}
	for _, c := range models.SortedCostOptions(s.CostOptions) {
		var b strings.Builder
		if c.Option != "" {
			b.WriteString(c.Option)
		}
		if c.Amount != nil {
			if b.Len() > 0 {
				b.WriteString(": ")
			}
			if c.Currency == "" || c.Currency == "GBP" {
				fmt.Fprintf(&b, "£%.2f", *c.Amount)
			} else {
				fmt.Fprintf(&b, "%.2f %s", *c.Amount, c.Currency)
			}
		}
		if c.AmountDescription != "" {
			b.WriteString(" " + c.AmountDescription)
		}
		if b.Len() > 0 {
			parts = append(parts, strings.TrimSpace(b.String()))
		}
	}
	return strings.Join(parts, ". ")
}

func languageNames(ls []hsds.Language) string {
	var names []string
	for _, l := range ls {
		n := l.Name
		if n == "" {
			n = l.Code
		}
		if n != "" && !contains(names, n) {
			names = append(names, n)
		}
	}
	return strings.Join(names, ", ")
}

// humanDate turns 2026-03-01 into 1 March 2026.
func humanDate(d string) string {
	t, err := time.Parse("2006-01-02", d)
	if err != nil {
		return d
	}
	return t.Format("2 January 2006")
}
