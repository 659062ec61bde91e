package importer

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/openreferral-uk/referrals/models/hsds"
)

// The older HSDS tabular layouts (1.x, and 2.x where it kept them) differ
// from 3.0 in a few tables, which ORUK v1 feeds also have in JSON form:
// regular_schedule (a weekday and opening hours) where 3.0 has schedule;
// physical_address and postal_address where 3.0 has address; eligibility
// rows where 3.0 has eligibility_description; accessibility_for_disabilities
// where 3.0 has accessibility; service_taxonomy rows linking a service to a
// row of taxonomy, which in those versions holds the terms themselves (id,
// name, parent_id, vocabulary); and "language" or "service_area" columns
// where 3.0 has "name". The rest (organizations, services, locations,
// service_at_location, phones, contacts, funding, required documents) is
// read as 3.0 reads it. A package is read this way when it has any of the
// older tables; each is mapped as the ORUK v1 JSON fields are (see
// docs/import.md).

// legacyTables are the older layouts' own tables, with the columns their rows
// are looked up by.
var legacyTables = map[string][]string{
	"regular_schedule":               {"service_id", "location_id", "service_at_location_id"},
	"physical_address":               {"location_id"},
	"postal_address":                 {"location_id"},
	"eligibility":                    {"service_id"},
	"accessibility_for_disabilities": {"location_id"},
	"service_taxonomy":               {"service_id"},
}

// isLegacy reports whether the package found has any of the older tables.
func (t *tabular) isLegacy() bool {
	for name := range legacyTables {
		if _, ok := t.paths[name]; ok {
			return true
		}
	}
	return false
}

// tableGuesses are the file names a table may have when datapackage.json
// does not say: the HSDS 3.0 name, plurals as people write them, and the
// older layouts' names.
func tableGuesses(name string) []string {
	guesses := []string{name + "s.csv", name + ".csv", name + "es.csv", strings.TrimSuffix(name, "y") + "ies.csv"}
	if name == "service_at_location" {
		guesses = append(guesses, "services_at_location.csv", "services_at_locations.csv")
	}
	return guesses
}

// resourceName maps a data package's resource name to the table it is:
// older packages name resources in the plural ("regular_schedules",
// "services_at_location").
func resourceName(name string) string {
	known := func(n string) bool {
		_, a := tabularTables[n]
		_, b := legacyTables[n]
		return a || b
	}
	if known(name) {
		return name
	}
	name = strings.Replace(name, "services_at_location", "service_at_location", 1)
	for _, cand := range []string{name, strings.TrimSuffix(name, "s"), strings.TrimSuffix(name, "es"), strings.TrimSuffix(name, "ies") + "y"} {
		if known(cand) {
			return cand
		}
	}
	return name
}

// legacyService adds to s what the older tables say about it.
func (a *assembler) legacyService(s *hsds.Service) error {
	rows, err := a.rows("eligibility", "service_id", s.ID)
	if err != nil {
		return err
	}
	if s.EligibilityDescription == "" {
		var parts []string
		for _, x := range rows {
			if e := x.get("eligibility"); e != "" {
				parts = append(parts, e)
			}
		}
		s.EligibilityDescription = strings.Join(parts, "; ")
	}
	sched, err := a.regularSchedules("regular_schedules", "service_id", s.ID)
	if err != nil {
		return err
	}
	s.Schedules = append(s.Schedules, sched...)
	return a.serviceTaxonomy(s)
}

// legacyLocation adds to l its addresses, accessibility and opening hours
// from the older tables.
func (a *assembler) legacyLocation(path string, l *hsds.Location) error {
	physical := a.t.paths["physical_address"]
	for _, kind := range []string{"physical", "postal"} {
		table := kind + "_address"
		// HSDS 1.0 kept both kinds in one address.csv: read it once.
		if kind == "postal" && a.t.paths[table] == physical {
			continue
		}
		rows, err := a.rows(table, "location_id", l.ID)
		if err != nil {
			return err
		}
		for _, x := range rows {
			l.Addresses = append(l.Addresses, hsds.Address{ID: x.get("id"), Attention: x.get("attention"), Address1: x.get("address_1"),
				Address2: x.get("address_2"), City: x.get("city"), Region: x.get("region"), StateProvince: x.get("state_province"),
				PostalCode: x.get("postal_code"), Country: x.get("country"), AddressType: kind})
		}
	}
	rows, err := a.rows("accessibility_for_disabilities", "location_id", l.ID)
	if err != nil {
		return err
	}
	for _, x := range rows {
		l.Accessibility = append(l.Accessibility, hsds.Accessibility{ID: x.get("id"), Description: x.get("accessibility"), Details: x.get("details")})
	}
	sched, err := a.regularSchedules(path+".regular_schedules", "location_id", l.ID)
	l.Schedules = append(l.Schedules, sched...)
	if l.LocationType == "" && (l.Latitude != nil || len(l.Addresses) > 0) {
		l.LocationType = hsds.LocationPhysical
	}
	return err
}

// isoDays are ISO 8601's day numbers (1 is Monday), which the older layouts'
// integer weekday is read as.
var isoDays = []string{"", "MO", "TU", "WE", "TH", "FR", "SA", "SU"}

// regularSchedules reads regular_schedule rows as weekly schedules: a
// weekday (a name, "MO", or 1–7 from Monday) becomes byday.
func (a *assembler) regularSchedules(path, column, id string) ([]hsds.Schedule, error) {
	rows, err := a.rows("regular_schedule", column, id)
	var out []hsds.Schedule
	for i, x := range rows {
		p := fmt.Sprintf("%s[%d].", path, i)
		s := hsds.Schedule{ID: x.get("id"), OpensAt: x.get("opens_at"), ClosesAt: x.get("closes_at"),
			ValidFrom: x.get("valid_from"), ValidTo: x.get("valid_to"), DTStart: x.get("dtstart"), Until: x.get("until"),
			Freq: strings.ToUpper(x.get("freq")), Interval: a.num(p+"interval", x, "interval"), Byday: x.get("byday"),
			Bymonthday: x.get("bymonthday"), Description: x.get("description")}
		if day := strings.ToLower(x.get("weekday")); s.Byday == "" && day != "" {
			code, ok := v1Days[day]
			if n, err := strconv.Atoi(day); err == nil && n >= 1 && n <= 7 {
				code, ok = isoDays[n], true
			} else if len(day) == 2 && strings.Contains("mo tu we th fr sa su", day) {
				code, ok = strings.ToUpper(day), true
			}
			if ok {
				s.Byday = code
			} else {
				a.problems = append(a.problems, Problem{RecordType: recordService, RecordID: a.id, Field: p + "weekday",
					Reason: fmt.Sprintf("%q is not a day of the week", x.get("weekday")), Action: Dropped})
			}
		}
		if s.Freq == "" && s.Byday != "" {
			s.Freq = "WEEKLY"
		}
		out = append(out, s)
	}
	return out, err
}

// serviceTaxonomy links the service to the terms its service_taxonomy rows
// name. The terms are rows of taxonomy_term when the package has one (as
// 2.x did), otherwise of taxonomy, as 1.x kept them; a 1.x vocabulary becomes
// a taxonomy of the source, as an ORUK v1 vocabulary does.
func (a *assembler) serviceTaxonomy(s *hsds.Service) error {
	rows, err := a.rows("service_taxonomy", "service_id", s.ID)
	if err != nil {
		return err
	}
	lookup := a.legacyTerm
	if _, hasTerms := a.t.paths["taxonomy_term"]; hasTerms {
		lookup = a.term
	}
	have := map[string]bool{} // terms this service already carries, against parent loops
	for i, x := range rows {
		tid := x.get("taxonomy_id")
		if tid == "" {
			tid = x.get("taxonomy_term_id")
		}
		term, err := lookup(tid)
		if err != nil {
			return err
		}
		if term == nil {
			a.problems = append(a.problems, Problem{RecordType: recordService, RecordID: s.ID, Field: fmt.Sprintf("service_taxonomy[%d].taxonomy_id", i),
				Reason: fmt.Sprintf("taxonomy term %q is not in the package", tid), Action: Dropped})
			continue
		}
		s.Attributes = append(s.Attributes, hsds.Attribute{ID: x.get("id"), TaxonomyTermID: term.ID, LinkEntity: "service", TaxonomyTerm: term})
		have[term.ID] = true
		// The ancestors come along, so that the term's parent link holds.
		if err := a.parents(term, lookup, have); err != nil {
			return err
		}
	}
	return nil
}

// legacyTerm reads a 1.x taxonomy row (id, name, parent_id, vocabulary) as a
// term.
func (a *assembler) legacyTerm(id string) (*hsds.TaxonomyTerm, error) {
	rows, err := a.rows("taxonomy", "id", id)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	x := rows[0]
	term := &hsds.TaxonomyTerm{ID: x.get("id"), Name: x.get("name"), ParentID: x.get("parent_id")}
	inVocabulary(term, x.get("vocabulary"))
	return term, nil
}
