package hsds

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// A tabular data package is HSDS's other exchange format: a datapackage.json
// naming one CSV file per table, rows joined by ids. TabularWriter turns
// nested services into one, a service at a time, so an export of any size
// needs memory only for the ids already written (organisations, locations,
// taxonomies and terms are shared between services and written once).

// TabularField is one column of a table: its name as the HSDS 3.0 schema
// spells it, and its Table Schema type and format.
type TabularField struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Format string `json:"format,omitempty"`
}

// TabularTable is one table of an HSDS 3.0 tabular data package.
type TabularTable struct {
	// Name is the data package resource name (HSDS's object name).
	Name string
	// Path is the CSV file's name inside the package.
	Path   string
	Fields []TabularField
	// References are the columns that name another table's id.
	References map[string]string
}

func colStr(name string) TabularField { return TabularField{Name: name, Type: "string"} }
func colID(name string) TabularField  { return TabularField{Name: name, Type: "string", Format: "uuid"} }
func colURI(name string) TabularField { return TabularField{Name: name, Type: "string", Format: "uri"} }
func colEmail(name string) TabularField {
	return TabularField{Name: name, Type: "string", Format: "email"}
}
func colNum(name string) TabularField { return TabularField{Name: name, Type: "number"} }

// Dates, times and timestamps accept any ISO 8601 shape ("any"): feeds
// give opening times as 09:00 as often as 09:00:00, and this platform
// publishes them as it received them.
func colDate(name string) TabularField { return TabularField{Name: name, Type: "date", Format: "any"} }
func colTime(name string) TabularField { return TabularField{Name: name, Type: "time", Format: "any"} }
func colDatetime(name string) TabularField {
	return TabularField{Name: name, Type: "datetime", Format: "any"}
}

// TabularTables are the tables a package written here holds, with their
// columns in the order of the HSDS 3.0 datapackage.json. HSDS's program,
// metadata and meta_table_description tables are left out: this platform
// does not store them.
var TabularTables = []TabularTable{
	{Name: "organization", Path: "organizations.csv", Fields: []TabularField{colID("id"), colStr("name"), colStr("alternate_name"),
		colStr("description"), colEmail("email"), colURI("website"), colStr("tax_status"), colStr("tax_id"), colNum("year_incorporated"),
		colStr("legal_status"), colURI("logo"), colURI("uri"), colID("parent_organization_id")}},
	{Name: "organization_identifier", Path: "organization_identifiers.csv", Fields: []TabularField{colID("id"), colID("organization_id"),
		colStr("identifier_scheme"), colStr("identifier_type"), colStr("identifier")},
		References: map[string]string{"organization_id": "organization"}},
	{Name: "service", Path: "services.csv", Fields: []TabularField{colID("id"), colID("organization_id"), colID("program_id"), colStr("name"),
		colStr("alternate_name"), colStr("description"), colURI("url"), colEmail("email"), colStr("status"), colStr("interpretation_services"),
		colStr("application_process"), colStr("fees_description"), colStr("wait_time"), colStr("fees"), colStr("accreditations"),
		colStr("eligibility_description"), colNum("minimum_age"), colNum("maximum_age"), colDate("assured_date"), colEmail("assurer_email"),
		colStr("licenses"), colStr("alert"), colDatetime("last_modified")},
		References: map[string]string{"organization_id": "organization"}},
	{Name: "location", Path: "locations.csv", Fields: []TabularField{colID("id"), colStr("location_type"), colURI("url"), colID("organization_id"),
		colStr("name"), colStr("alternate_name"), colStr("description"), colStr("transportation"), colNum("latitude"), colNum("longitude"),
		colStr("external_identifier"), colStr("external_identifier_type")},
		References: map[string]string{"organization_id": "organization"}},
	{Name: "address", Path: "addresses.csv", Fields: []TabularField{colID("id"), colID("location_id"), colStr("attention"), colStr("address_1"),
		colStr("address_2"), colStr("city"), colStr("region"), colStr("state_province"), colStr("postal_code"), colStr("country"), colStr("address_type")},
		References: map[string]string{"location_id": "location"}},
	{Name: "accessibility", Path: "accessibility.csv", Fields: []TabularField{colID("id"), colID("location_id"), colStr("description"),
		colStr("details"), colURI("url")},
		References: map[string]string{"location_id": "location"}},
	{Name: "service_at_location", Path: "service_at_location.csv", Fields: []TabularField{colID("id"), colID("service_id"),
		colID("location_id"), colStr("description")},
		References: map[string]string{"service_id": "service", "location_id": "location"}},
	{Name: "contact", Path: "contacts.csv", Fields: []TabularField{colID("id"), colID("organization_id"), colID("service_id"),
		colID("service_at_location_id"), colID("location_id"), colStr("name"), colStr("title"), colStr("department"), colEmail("email")},
		References: map[string]string{"organization_id": "organization", "service_id": "service",
			"service_at_location_id": "service_at_location", "location_id": "location"}},
	{Name: "phone", Path: "phones.csv", Fields: []TabularField{colID("id"), colID("location_id"), colID("service_id"), colID("organization_id"),
		colID("contact_id"), colID("service_at_location_id"), colStr("number"), colNum("extension"), colStr("type"), colStr("description")},
		References: map[string]string{"location_id": "location", "service_id": "service", "organization_id": "organization",
			"contact_id": "contact", "service_at_location_id": "service_at_location"}},
	{Name: "schedule", Path: "schedules.csv", Fields: []TabularField{colID("id"), colID("service_id"), colID("location_id"),
		colID("service_at_location_id"), colDate("valid_from"), colDate("valid_to"), colDate("dtstart"), colNum("timezone"), colDate("until"),
		colNum("count"), colStr("wkst"), colStr("freq"), colNum("interval"), colStr("byday"), colStr("byweekno"), colStr("bymonthday"),
		colStr("byyearday"), colStr("description"), colTime("opens_at"), colTime("closes_at"), colURI("schedule_link"),
		colStr("attending_type"), colStr("notes")},
		References: map[string]string{"service_id": "service", "location_id": "location", "service_at_location_id": "service_at_location"}},
	{Name: "language", Path: "languages.csv", Fields: []TabularField{colID("id"), colID("service_id"), colID("location_id"), colID("phone_id"),
		colStr("name"), colStr("code"), colStr("note")},
		References: map[string]string{"service_id": "service", "location_id": "location", "phone_id": "phone"}},
	{Name: "service_area", Path: "service_areas.csv", Fields: []TabularField{colID("id"), colID("service_id"), colStr("name"),
		colStr("description"), colStr("extent"), colStr("extent_type"), colURI("uri")},
		References: map[string]string{"service_id": "service"}},
	{Name: "cost_option", Path: "cost_options.csv", Fields: []TabularField{colID("id"), colID("service_id"), colDate("valid_from"),
		colDate("valid_to"), colStr("option"), colStr("currency"), colNum("amount"), colStr("amount_description")},
		References: map[string]string{"service_id": "service"}},
	{Name: "funding", Path: "funding.csv", Fields: []TabularField{colID("id"), colID("organization_id"), colID("service_id"), colStr("source")},
		References: map[string]string{"organization_id": "organization", "service_id": "service"}},
	{Name: "required_document", Path: "required_documents.csv", Fields: []TabularField{colID("id"), colID("service_id"),
		colStr("document"), colURI("uri")},
		References: map[string]string{"service_id": "service"}},
	{Name: "attribute", Path: "attributes.csv", Fields: []TabularField{colID("id"), colID("link_id"), colID("taxonomy_term_id"),
		colStr("link_type"), colStr("link_entity"), colStr("value")},
		References: map[string]string{"taxonomy_term_id": "taxonomy_term"}},
	{Name: "taxonomy", Path: "taxonomies.csv", Fields: []TabularField{colID("id"), colStr("name"), colStr("description"), colURI("uri"),
		colStr("version")}},
	{Name: "taxonomy_term", Path: "taxonomy_terms.csv", Fields: []TabularField{colID("id"), colStr("code"), colStr("name"),
		colStr("description"), colID("parent_id"), colStr("taxonomy"), colStr("language"), colID("taxonomy_id"), colURI("term_uri")},
		References: map[string]string{"taxonomy_id": "taxonomy"}},
}

// TabularWriter writes services as an HSDS 3.0 tabular data package. Each
// table is written to a temporary file as services arrive; WriteZip puts
// them and the datapackage.json into one zip. Close removes the files.
type TabularWriter struct {
	dir    string
	tables map[string]*tabularFile
	seen   map[string]struct{} // "table/id" of shared records already written
	rec    []string
}

type tabularFile struct {
	TabularTable
	f    *os.File
	b    *bufio.Writer
	w    *csv.Writer
	cols map[string]int
	rows int
}

// NewTabularWriter starts a package whose tables are written into a new
// folder under tempDir (os.TempDir() when empty).
func NewTabularWriter(tempDir string) (*TabularWriter, error) {
	dir, err := os.MkdirTemp(tempDir, "hsds-package-*")
	if err != nil {
		return nil, err
	}
	tw := &TabularWriter{dir: dir, tables: map[string]*tabularFile{}, seen: map[string]struct{}{}}
	for _, t := range TabularTables {
		f, err := os.Create(filepath.Join(dir, t.Path)) //nolint:gosec // a fixed table name inside a folder made here
		if err != nil {
			_ = tw.Close()
			return nil, err
		}
		tf := &tabularFile{TabularTable: t, f: f, cols: map[string]int{}}
		tf.b = bufio.NewWriterSize(f, 64<<10)
		tf.w = csv.NewWriter(tf.b)
		header := make([]string, len(t.Fields))
		for i, fd := range t.Fields {
			header[i] = fd.Name
			tf.cols[fd.Name] = i
		}
		tw.tables[t.Name] = tf
		if err := tf.w.Write(header); err != nil {
			_ = tw.Close()
			return nil, err
		}
	}
	return tw, nil
}

// Close removes the package's temporary files.
func (tw *TabularWriter) Close() error {
	for _, t := range tw.tables {
		_ = t.f.Close()
	}
	return os.RemoveAll(tw.dir)
}

// once reports whether the shared record table/id is met for the first
// time, and remembers it.
func (tw *TabularWriter) once(table, id string) bool {
	k := table + "/" + id
	if _, ok := tw.seen[k]; ok {
		return false
	}
	tw.seen[k] = struct{}{}
	return true
}

// row writes one row of table from column values; columns not given are
// empty.
func (tw *TabularWriter) row(table string, kv ...string) error {
	t := tw.tables[table]
	if cap(tw.rec) < len(t.Fields) {
		tw.rec = make([]string, len(t.Fields))
	}
	rec := tw.rec[:len(t.Fields)]
	clear(rec)
	for i := 0; i+1 < len(kv); i += 2 {
		j, ok := t.cols[kv[i]]
		if !ok {
			panic("hsds: no column " + kv[i] + " in " + table) // the calls below are fixed
		}
		rec[j] = kv[i+1]
	}
	t.rows++
	return t.w.Write(rec)
}

func fnum(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

// AddTaxonomy writes a taxonomy, once.
func (tw *TabularWriter) AddTaxonomy(t Taxonomy) error {
	if !tw.once("taxonomy", t.ID) {
		return nil
	}
	return tw.row("taxonomy", "id", t.ID, "name", t.Name, "description", t.Description, "uri", t.URI, "version", t.Version)
}

// AddTerm writes a taxonomy term (and its taxonomy_detail, if given), once.
func (tw *TabularWriter) AddTerm(t TaxonomyTerm) error {
	if t.TaxonomyDetail != nil {
		if err := tw.AddTaxonomy(*t.TaxonomyDetail); err != nil {
			return err
		}
	}
	if !tw.once("taxonomy_term", t.ID) {
		return nil
	}
	return tw.row("taxonomy_term", "id", t.ID, "code", t.Code, "name", t.Name, "description", t.Description,
		"parent_id", t.ParentID, "taxonomy", t.Taxonomy, "language", t.Language, "taxonomy_id", t.TaxonomyID, "term_uri", t.TermURI)
}

// AddOrganization writes an organisation and its identifiers, once.
func (tw *TabularWriter) AddOrganization(o Organization) error {
	if !tw.once("organization", o.ID) {
		return nil
	}
	err := tw.row("organization", "id", o.ID, "name", o.Name, "alternate_name", o.AlternateName, "description", o.Description,
		"email", o.Email, "website", o.Website, "year_incorporated", fnum(o.YearIncorporated), "legal_status", o.LegalStatus,
		"logo", o.Logo, "uri", o.URI, "parent_organization_id", o.ParentOrganizationID)
	for _, x := range o.OrganizationIdentifiers {
		if err != nil {
			break
		}
		err = tw.row("organization_identifier", "id", x.ID, "organization_id", o.ID, "identifier_scheme", x.IdentifierScheme,
			"identifier_type", x.IdentifierType, "identifier", x.Identifier)
	}
	for _, p := range o.Phones {
		if err != nil {
			break
		}
		err = tw.phone(p, "organization_id", o.ID)
	}
	for _, c := range o.Contacts {
		if err != nil {
			break
		}
		err = tw.contact(c, "organization_id", o.ID)
	}
	for _, f := range o.Fundings {
		if err != nil {
			break
		}
		err = tw.row("funding", "id", f.ID, "organization_id", o.ID, "source", f.Source)
	}
	return err
}

// AddService writes a service and everything beneath it. Its organisation,
// locations, taxonomy terms and their taxonomies are written the first time
// they are met.
func (tw *TabularWriter) AddService(s Service) error {
	orgID := s.OrganizationID
	if s.Organization != nil {
		if orgID == "" {
			orgID = s.Organization.ID
		}
		if err := tw.AddOrganization(*s.Organization); err != nil {
			return err
		}
	}
	err := tw.row("service", "id", s.ID, "organization_id", orgID, "name", s.Name, "alternate_name", s.AlternateName,
		"description", s.Description, "url", s.URL, "email", s.Email, "status", s.Status,
		"interpretation_services", s.InterpretationServices, "application_process", s.ApplicationProcess,
		"fees_description", s.FeesDescription, "accreditations", s.Accreditations, "eligibility_description", s.EligibilityDescription,
		"minimum_age", fnum(s.MinimumAge), "maximum_age", fnum(s.MaximumAge), "assured_date", s.AssuredDate,
		"assurer_email", s.AssurerEmail, "alert", s.Alert, "last_modified", s.LastModified)
	if err != nil {
		return err
	}
	steps := []func() error{
		func() error {
			for _, sal := range s.ServiceAtLocations {
				if err := tw.serviceAtLocation(s.ID, sal); err != nil {
					return err
				}
			}
			return nil
		},
		func() error { return each(s.Phones, func(p Phone) error { return tw.phone(p, "service_id", s.ID) }) },
		func() error {
			return each(s.Contacts, func(c Contact) error { return tw.contact(c, "service_id", s.ID) })
		},
		func() error {
			return each(s.Schedules, func(x Schedule) error { return tw.schedule(x, "service_id", s.ID) })
		},
		func() error {
			return each(s.Languages, func(l Language) error { return tw.language(l, "service_id", s.ID) })
		},
		func() error {
			return each(s.ServiceAreas, func(a ServiceArea) error {
				return tw.row("service_area", "id", a.ID, "service_id", s.ID, "name", a.Name, "description", a.Description,
					"extent", a.Extent, "extent_type", a.ExtentType, "uri", a.URI)
			})
		},
		func() error {
			return each(s.CostOptions, func(c CostOption) error {
				return tw.row("cost_option", "id", c.ID, "service_id", s.ID, "valid_from", c.ValidFrom, "valid_to", c.ValidTo,
					"option", c.Option, "currency", c.Currency, "amount", fnum(c.Amount), "amount_description", c.AmountDescription)
			})
		},
		func() error {
			return each(s.Fundings, func(f Funding) error {
				return tw.row("funding", "id", f.ID, "service_id", s.ID, "source", f.Source)
			})
		},
		func() error {
			return each(s.RequiredDocuments, func(d RequiredDocument) error {
				return tw.row("required_document", "id", d.ID, "service_id", s.ID, "document", d.Document, "uri", d.URI)
			})
		},
		func() error {
			return each(s.Attributes, func(a Attribute) error {
				if a.TaxonomyTerm != nil {
					if err := tw.AddTerm(*a.TaxonomyTerm); err != nil {
						return err
					}
				}
				return tw.row("attribute", "id", a.ID, "link_id", s.ID, "taxonomy_term_id", a.TaxonomyTermID,
					"link_type", a.LinkType, "link_entity", "service", "value", a.Value)
			})
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func each[T any](xs []T, fn func(T) error) error {
	for _, x := range xs {
		if err := fn(x); err != nil {
			return err
		}
	}
	return nil
}

func (tw *TabularWriter) serviceAtLocation(serviceID string, sal ServiceAtLocation) error {
	locID := sal.LocationID
	if sal.Location != nil {
		if locID == "" {
			locID = sal.Location.ID
		}
		if err := tw.location(*sal.Location); err != nil {
			return err
		}
	}
	if err := tw.row("service_at_location", "id", sal.ID, "service_id", serviceID, "location_id", locID,
		"description", sal.Description); err != nil {
		return err
	}
	if err := each(sal.Phones, func(p Phone) error { return tw.phone(p, "service_at_location_id", sal.ID) }); err != nil {
		return err
	}
	if err := each(sal.Contacts, func(c Contact) error { return tw.contact(c, "service_at_location_id", sal.ID) }); err != nil {
		return err
	}
	return each(sal.Schedules, func(x Schedule) error { return tw.schedule(x, "service_at_location_id", sal.ID) })
}

// location writes a location and its children, once: services that share
// a location carry it nested in each.
func (tw *TabularWriter) location(l Location) error {
	if !tw.once("location", l.ID) {
		return nil
	}
	err := tw.row("location", "id", l.ID, "location_type", l.LocationType, "url", l.URL, "organization_id", l.OrganizationID,
		"name", l.Name, "alternate_name", l.AlternateName, "description", l.Description, "transportation", l.Transportation,
		"latitude", fnum(l.Latitude), "longitude", fnum(l.Longitude), "external_identifier", l.ExternalIdentifier,
		"external_identifier_type", l.ExternalIdentifierType)
	if err != nil {
		return err
	}
	steps := []func() error{
		func() error {
			return each(l.Addresses, func(a Address) error {
				return tw.row("address", "id", a.ID, "location_id", l.ID, "attention", a.Attention, "address_1", a.Address1,
					"address_2", a.Address2, "city", a.City, "region", a.Region, "state_province", a.StateProvince,
					"postal_code", a.PostalCode, "country", a.Country, "address_type", a.AddressType)
			})
		},
		func() error {
			return each(l.Accessibility, func(a Accessibility) error {
				return tw.row("accessibility", "id", a.ID, "location_id", l.ID, "description", a.Description,
					"details", a.Details, "url", a.URL)
			})
		},
		func() error { return each(l.Phones, func(p Phone) error { return tw.phone(p, "location_id", l.ID) }) },
		func() error {
			return each(l.Contacts, func(c Contact) error { return tw.contact(c, "location_id", l.ID) })
		},
		func() error {
			return each(l.Schedules, func(x Schedule) error { return tw.schedule(x, "location_id", l.ID) })
		},
		func() error {
			return each(l.Languages, func(x Language) error { return tw.language(x, "location_id", l.ID) })
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// phone writes a phone under one parent, named by its column.
func (tw *TabularWriter) phone(p Phone, parentCol, parentID string) error {
	if err := tw.row("phone", "id", p.ID, parentCol, parentID, "number", p.Number, "extension", fnum(p.Extension),
		"type", p.Type, "description", p.Description); err != nil {
		return err
	}
	return each(p.Languages, func(l Language) error { return tw.language(l, "phone_id", p.ID) })
}

func (tw *TabularWriter) contact(c Contact, parentCol, parentID string) error {
	if err := tw.row("contact", "id", c.ID, parentCol, parentID, "name", c.Name, "title", c.Title,
		"department", c.Department, "email", c.Email); err != nil {
		return err
	}
	return each(c.Phones, func(p Phone) error { return tw.phone(p, "contact_id", c.ID) })
}

func (tw *TabularWriter) schedule(s Schedule, parentCol, parentID string) error {
	return tw.row("schedule", "id", s.ID, parentCol, parentID, "valid_from", s.ValidFrom, "valid_to", s.ValidTo,
		"dtstart", s.DTStart, "timezone", fnum(s.Timezone), "until", s.Until, "count", fnum(s.Count), "wkst", s.Wkst,
		"freq", s.Freq, "interval", fnum(s.Interval), "byday", s.Byday, "byweekno", s.Byweekno, "bymonthday", s.Bymonthday,
		"byyearday", s.Byyearday, "description", s.Description, "opens_at", s.OpensAt, "closes_at", s.ClosesAt,
		"schedule_link", s.ScheduleLink, "attending_type", s.AttendingType, "notes", s.Notes)
}

func (tw *TabularWriter) language(l Language, parentCol, parentID string) error {
	return tw.row("language", "id", l.ID, parentCol, parentID, "name", l.Name, "code", l.Code, "note", l.Note)
}

// Rows returns how many rows each table holds so far, by resource name.
func (tw *TabularWriter) Rows() map[string]int {
	out := map[string]int{}
	for name, t := range tw.tables {
		out[name] = t.rows
	}
	return out
}

// DataPackageName is the name a package written here gives itself.
const DataPackageName = "hsds-directory"

// Descriptor returns the datapackage.json of a package of TabularTables.
func Descriptor() ([]byte, error) {
	type fk struct {
		Fields    string `json:"fields"`
		Reference struct {
			Resource string `json:"resource"`
			Fields   string `json:"fields"`
		} `json:"reference"`
	}
	type schema struct {
		PrimaryKey  string         `json:"primaryKey"`
		Fields      []TabularField `json:"fields"`
		ForeignKeys []fk           `json:"foreignKeys,omitempty"`
	}
	type resource struct {
		Name      string `json:"name"`
		Path      string `json:"path"`
		Profile   string `json:"profile"`
		Format    string `json:"format"`
		Mediatype string `json:"mediatype"`
		Encoding  string `json:"encoding"`
		Schema    schema `json:"schema"`
	}
	var res []resource
	for _, t := range TabularTables {
		r := resource{Name: t.Name, Path: t.Path, Profile: "tabular-data-resource", Format: "csv", Mediatype: "text/csv",
			Encoding: "utf-8", Schema: schema{PrimaryKey: "id", Fields: t.Fields}}
		// In the column order, so that the descriptor is the same every time.
		for _, f := range t.Fields {
			if target, ok := t.References[f.Name]; ok {
				var k fk
				k.Fields = f.Name
				k.Reference.Resource, k.Reference.Fields = target, "id"
				r.Schema.ForeignKeys = append(r.Schema.ForeignKeys, k)
			}
		}
		res = append(res, r)
	}
	return json.MarshalIndent(map[string]any{
		"name":      DataPackageName,
		"title":     "Human Services Data Specification directory",
		"profile":   "tabular-data-package",
		"version":   "3.0.0",
		"homepage":  "http://docs.openreferral.org",
		"resources": res,
	}, "", "  ")
}

// WriteZip finishes the tables and writes the package as a zip to w:
// datapackage.json, then one CSV file per table. The writer cannot take
// more services afterwards.
func (tw *TabularWriter) WriteZip(w io.Writer) error {
	desc, err := Descriptor()
	if err != nil {
		return err
	}
	for _, t := range tw.tables {
		t.w.Flush()
		if err := t.w.Error(); err != nil {
			return err
		}
		if err := t.b.Flush(); err != nil {
			return err
		}
	}
	zw := zip.NewWriter(w)
	dw, err := zw.Create("datapackage.json")
	if err != nil {
		return err
	}
	if _, err := dw.Write(desc); err != nil {
		return err
	}
	for _, t := range TabularTables {
		f := tw.tables[t.Name].f
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		fw, err := zw.Create(t.Path)
		if err != nil {
			return err
		}
		if _, err := io.Copy(fw, f); err != nil {
			return fmt.Errorf("hsds: write %s: %w", t.Path, err)
		}
	}
	return zw.Close()
}
