package importer

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/openreferral-uk/referrals/models/hsds"
)

// An HSDS tabular data package is a datapackage.json and one CSV file per
// table, joined by ids: phones.csv rows name their service, location,
// contact or service_at_location. The services are streamed from
// services.csv; every other file is read once to build an index from each
// parent id to the byte ranges of its rows (about 32 bytes a row, whatever
// the row holds), and rows are read back through it as each service is
// assembled. Memory is therefore the indexes plus one service, not the
// package.

// tabularTables are the resources read, by their data package name, with
// the columns their rows are looked up by.
var tabularTables = map[string][]string{
	"organization":            {"id"},
	"organization_identifier": {"organization_id"},
	"location":                {"id"},
	"service_at_location":     {"service_id"},
	"phone":                   {"service_id", "location_id", "contact_id", "service_at_location_id"},
	"contact":                 {"service_id", "location_id", "service_at_location_id"},
	"address":                 {"location_id"},
	"schedule":                {"service_id", "location_id", "service_at_location_id"},
	"funding":                 {"service_id"},
	"service_area":            {"service_id"},
	"required_document":       {"service_id"},
	"language":                {"service_id", "location_id", "phone_id"},
	"accessibility":           {"location_id"},
	"taxonomy_term":           {"id"},
	"taxonomy":                {"id"},
	"cost_option":             {"service_id"},
	"attribute":               {"link_id"},
}

// tabular is a data package in a folder.
type tabular struct {
	dir    string
	paths  map[string]string // resource name -> file
	tables map[string]*csvTable
	// legacy is set for the older HSDS layouts (tabular_legacy.go).
	legacy bool
}

// OpenTabular opens the data package in dir: its datapackage.json names the
// CSV file of each table; without one, the HSDS file names are assumed.
func OpenTabular(dir string) (Source, error) {
	t := &tabular{dir: dir, paths: map[string]string{}, tables: map[string]*csvTable{}}
	b, err := os.ReadFile(filepath.Join(dir, "datapackage.json")) //nolint:gosec // the package the operator asked to import
	switch {
	case err == nil:
		var pkg struct {
			Resources []struct {
				Name string `json:"name"`
				Path any    `json:"path"`
			} `json:"resources"`
		}
		if err := json.Unmarshal(b, &pkg); err != nil {
			return nil, inputErrorf("datapackage.json: %v", err)
		}
		for _, r := range pkg.Resources {
			p, ok := r.Path.(string)
			if !ok || r.Name == "" {
				continue
			}
			if strings.Contains(p, "://") {
				return nil, inputErrorf("datapackage.json: resource %s is remote (%s); download the package first", r.Name, p)
			}
			clean := filepath.Clean(filepath.FromSlash(p))
			if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
				return nil, inputErrorf("datapackage.json: resource %s is outside the package", r.Name)
			}
			t.paths[resourceName(r.Name)] = filepath.Join(dir, clean)
		}
	case errors.Is(err, os.ErrNotExist):
	default:
		return nil, inputErrorf("%v", err)
	}
	for name := range allTables() {
		if _, ok := t.paths[name]; ok {
			continue
		}
		for _, guess := range tableGuesses(name) {
			if _, err := os.Stat(filepath.Join(dir, guess)); err == nil {
				t.paths[name] = filepath.Join(dir, guess)
				break
			}
		}
	}
	if _, ok := t.paths["service"]; !ok {
		if _, err := os.Stat(filepath.Join(dir, "services.csv")); err != nil {
			return nil, inputErrorf("%s: the data package has no services table", dir)
		}
		t.paths["service"] = filepath.Join(dir, "services.csv")
	}
	return t, nil
}

func (t *tabular) Format() Format { return FormatTabular }

// allTables are the tables of every layout read, with their lookup columns.
func allTables() map[string][]string {
	all := maps.Clone(tabularTables)
	maps.Copy(all, legacyTables)
	return all
}

func (t *tabular) Walk(ctx context.Context, yield func(Item) error) error {
	defer func() {
		for _, tb := range t.tables {
			tb.close()
		}
	}()
	tables := allTables()
	names := make([]string, 0, len(tables))
	for name := range tables {
		names = append(names, name)
	}
	slices.Sort(names)
	t.legacy = t.isLegacy()
	for _, name := range names {
		p, ok := t.paths[name]
		if !ok {
			continue
		}
		tb, err := indexCSV(p, tables[name])
		if err != nil {
			return err
		}
		t.tables[name] = tb
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	f, err := os.Open(t.paths["service"])
	if err != nil {
		return inputErrorf("%v", err)
	}
	defer f.Close()
	r, header, err := newCSVReader(f)
	if err != nil {
		return inputErrorf("%s: %v", filepath.Base(f.Name()), err)
	}
	base := filepath.Base(f.Name())
	a := &assembler{t: t}
	for n := 2; ; n++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return inputErrorf("%s: %v", base, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		it, err := a.service(row{header: header, fields: rec})
		if err != nil {
			return err
		}
		it.Where = base + " row " + strconv.Itoa(n)
		if err := yield(it); err != nil {
			return err
		}
	}
}

// newCSVReader reads a CSV file's header, skipping a UTF-8 byte order mark.
func newCSVReader(r io.Reader) (*csv.Reader, map[string]int, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	h, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, errors.New("empty file: no header row")
		}
		return nil, nil, err
	}
	header := make(map[string]int, len(h))
	for i, name := range h {
		name = strings.ToLower(strings.TrimSpace(name))
		if _, dup := header[name]; !dup {
			header[name] = i
		}
	}
	return cr, header, nil
}

// ref locates one row of a CSV file under one key.
type ref struct {
	key key
	off int64
	n   int32
}

// key is an id in 16 bytes: a UUID-shaped id is its 16 bytes (ignoring
// case), any other id a hash. Rows found by key are checked against the id
// itself, so a collision costs only a wasted read.
type key struct{ hi, lo uint64 }

func keyOf(id string) key {
	var k [16]byte
	ok := false
	if len(id) == 36 && id[8] == '-' && id[13] == '-' && id[18] == '-' && id[23] == '-' {
		h := id[0:8] + id[9:13] + id[14:18] + id[19:23] + id[24:]
		_, err := hex.Decode(k[:], []byte(h))
		ok = err == nil
	}
	if !ok {
		sum := sha256.Sum256([]byte(id))
		copy(k[:], sum[:16])
	}
	return key{binary.BigEndian.Uint64(k[:8]), binary.BigEndian.Uint64(k[8:])}
}

func (a key) compare(b key) int {
	switch {
	case a.hi != b.hi:
		return cmp.Compare(a.hi, b.hi)
	default:
		return cmp.Compare(a.lo, b.lo)
	}
}

// csvTable is one indexed CSV file.
type csvTable struct {
	f       *os.File
	base    string
	header  map[string]int
	indexes map[string][]ref // column -> refs sorted by key
	// A small read-ahead window: files written in parent order are read
	// back almost sequentially.
	window    []byte
	windowOff int64
	br        *bufio.Reader
	rd        *bytes.Reader
	cr        *csv.Reader
}

const windowSize = 64 << 10

func indexCSV(path string, columns []string) (*csvTable, error) {
	f, err := os.Open(path) //nolint:gosec // a table of the package, checked to be inside it
	if err != nil {
		return nil, inputErrorf("%v", err)
	}
	t := &csvTable{f: f, base: filepath.Base(path), indexes: map[string][]ref{}, windowOff: -1,
		rd: bytes.NewReader(nil)}
	t.br = bufio.NewReaderSize(t.rd, 4096)
	var skip int64
	var bom [3]byte
	if n, _ := f.ReadAt(bom[:], 0); n == 3 && bytes.Equal(bom[:], []byte("\xef\xbb\xbf")) {
		skip = 3
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, inputErrorf("%v", err)
	}
	cr, header, err := newCSVReader(f)
	if err != nil {
		f.Close()
		return nil, inputErrorf("%s: %v", t.base, err)
	}
	t.header = header
	cols := make([]int, len(columns))
	for i, c := range columns {
		cols[i] = -1
		if j, ok := header[c]; ok {
			cols[i] = j
		}
	}
	for {
		start := cr.InputOffset()
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			f.Close()
			return nil, inputErrorf("%s: %v", t.base, err)
		}
		end := cr.InputOffset()
		if end-start > maxRecordBytes {
			f.Close()
			return nil, inputErrorf("%s: a row is larger than %d bytes", t.base, maxRecordBytes)
		}
		for i, j := range cols {
			if j < 0 || j >= len(rec) {
				continue
			}
			id := strings.TrimSpace(rec[j])
			if id == "" {
				continue
			}
			t.indexes[columns[i]] = append(t.indexes[columns[i]], ref{key: keyOf(id), off: start + skip, n: int32(end - start)})
		}
	}
	for _, refs := range t.indexes {
		slices.SortFunc(refs, func(a, b ref) int {
			if c := a.key.compare(b.key); c != 0 {
				return c
			}
			return cmp.Compare(a.off, b.off)
		})
	}
	return t, nil
}

func (t *csvTable) close() { _ = t.f.Close() }

// rows returns the rows whose column equals id, in file order.
func (t *csvTable) rows(column, id string) ([]row, error) {
	if t == nil || id == "" {
		return nil, nil
	}
	refs := t.indexes[column]
	k := keyOf(id)
	i := search(refs, k)
	var out []row
	for ; i < len(refs) && refs[i].key == k; i++ {
		fields, err := t.read(refs[i])
		if err != nil {
			return nil, err
		}
		r := row{header: t.header, fields: fields}
		if !sameID(r.get(column), id) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// search returns the index of the first ref with key k, or where it would
// be. Keys are UUIDs or hashes, spread evenly, so it first guesses where k
// lies from its value (interpolation), which finds it in a few probes of a
// large index rather than twenty; ids that are not spread evenly (such as
// 00000000-0000-...-000000000041) fall back to halving.
func search(refs []ref, k key) int {
	lo, hi := 0, len(refs)
	for step := 0; step < 4 && hi-lo > 64; step++ {
		a, b := refs[lo].key.hi, refs[hi-1].key.hi
		if k.hi <= a || k.hi >= b || b == a {
			break
		}
		guess := lo + int(float64(hi-1-lo)*(float64(k.hi-a)/float64(b-a)))
		// Probe a window around the guess and keep the side k is on.
		l, r := max(lo, guess-32), min(hi, guess+32)
		switch {
		case refs[l].key.compare(k) >= 0:
			hi = l + 1
		case refs[r-1].key.compare(k) < 0:
			lo = r
		default:
			lo, hi = l, r
		}
	}
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if refs[m].key.compare(k) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

func sameID(a, b string) bool {
	if len(a) == 36 && len(b) == 36 {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// read parses the row at r.
func (t *csvTable) read(r ref) ([]string, error) {
	var b []byte
	if t.windowOff >= 0 && r.off >= t.windowOff && r.off+int64(r.n) <= t.windowOff+int64(len(t.window)) {
		b = t.window[r.off-t.windowOff : r.off-t.windowOff+int64(r.n)]
	} else {
		size := max(windowSize, int(r.n))
		if cap(t.window) < size {
			t.window = make([]byte, size)
		}
		t.window = t.window[:size]
		n, err := t.f.ReadAt(t.window, r.off)
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, inputErrorf("%s: %v", t.base, err)
		}
		t.window, t.windowOff = t.window[:n], r.off
		if n < int(r.n) {
			return nil, inputErrorf("%s changed while it was read", t.base)
		}
		b = t.window[:r.n]
	}
	// One reader per file, given each row in turn: csv.NewReader wraps t.br
	// as it is (it is big enough), so resetting t.br feeds it the next row.
	t.rd.Reset(b)
	t.br.Reset(t.rd)
	if t.cr == nil {
		t.cr = csv.NewReader(t.br)
		t.cr.FieldsPerRecord = -1
		t.cr.LazyQuotes = true
	}
	rec, err := t.cr.Read()
	if err != nil {
		return nil, inputErrorf("%s: %v", t.base, err)
	}
	return rec, nil
}

// row is one CSV row with its file's header.
type row struct {
	header map[string]int
	fields []string
}

func (r row) get(col string) string {
	i, ok := r.header[col]
	if !ok || i >= len(r.fields) {
		return ""
	}
	return strings.TrimSpace(r.fields[i])
}

// assembler builds nested services from the indexed tables.
type assembler struct {
	t        *tabular
	problems []Problem
	terms    []hsds.TaxonomyTerm
	id       string
}

func (a *assembler) table(name string) *csvTable { return a.t.tables[name] }

func (a *assembler) rows(table, column, id string) ([]row, error) {
	return a.table(table).rows(column, id)
}

func (a *assembler) num(field string, r row, col string) *float64 {
	v := r.get(col)
	if v == "" {
		return nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		a.problems = append(a.problems, Problem{RecordType: recordService, RecordID: a.id, Field: field,
			Reason: fmt.Sprintf("%q is not a number", v), Action: Dropped})
		return nil
	}
	return &f
}

func (a *assembler) service(r row) (Item, error) {
	a.problems, a.terms = nil, nil
	a.id = r.get("id")
	s := &hsds.Service{ID: a.id, OrganizationID: r.get("organization_id"), Name: r.get("name"),
		AlternateName: r.get("alternate_name"), Description: r.get("description"), URL: r.get("url"), Email: r.get("email"),
		Status: r.get("status"), InterpretationServices: r.get("interpretation_services"),
		ApplicationProcess: r.get("application_process"), FeesDescription: r.get("fees_description"),
		Accreditations: r.get("accreditations"), EligibilityDescription: r.get("eligibility_description"),
		MinimumAge: a.num("minimum_age", r, "minimum_age"), MaximumAge: a.num("maximum_age", r, "maximum_age"),
		AssuredDate: r.get("assured_date"), AssurerEmail: r.get("assurer_email"), Alert: r.get("alert"),
		LastModified: r.get("last_modified")}
	if s.FeesDescription == "" {
		s.FeesDescription = r.get("fees")
	}
	if s.ID == "" {
		return Item{Service: s, Problems: a.problems}, nil
	}
	var err error
	steps := []func() error{
		func() error {
			orgs, err := a.rows("organization", "id", s.OrganizationID)
			if err != nil || len(orgs) == 0 {
				return err
			}
			s.Organization, err = a.organization(orgs[0])
			return err
		},
		func() error {
			sals, err := a.rows("service_at_location", "service_id", s.ID)
			for i, sr := range sals {
				if err != nil {
					break
				}
				var sal hsds.ServiceAtLocation
				sal, err = a.serviceAtLocation(fmt.Sprintf("service_at_locations[%d]", i), sr)
				s.ServiceAtLocations = append(s.ServiceAtLocations, sal)
			}
			return err
		},
		func() error { s.Phones, err = a.phones("phones", "service_id", s.ID); return err },
		func() error { s.Contacts, err = a.contacts("contacts", "service_id", s.ID); return err },
		func() error { s.Schedules, err = a.schedules("schedules", "service_id", s.ID); return err },
		func() error { s.Languages, err = a.languages("service_id", s.ID); return err },
		func() error {
			rows, err := a.rows("service_area", "service_id", s.ID)
			for _, x := range rows {
				s.ServiceAreas = append(s.ServiceAreas, hsds.ServiceArea{ID: x.get("id"), Name: cmp.Or(x.get("name"), x.get("service_area")),
					Description: x.get("description"), Extent: x.get("extent"), ExtentType: x.get("extent_type"), URI: x.get("uri")})
			}
			return err
		},
		func() error {
			rows, err := a.rows("cost_option", "service_id", s.ID)
			for i, x := range rows {
				s.CostOptions = append(s.CostOptions, hsds.CostOption{ID: x.get("id"), ValidFrom: x.get("valid_from"),
					ValidTo: x.get("valid_to"), Option: x.get("option"), Currency: x.get("currency"),
					Amount: a.num(fmt.Sprintf("cost_options[%d].amount", i), x, "amount"), AmountDescription: x.get("amount_description")})
			}
			return err
		},
		func() error {
			rows, err := a.rows("funding", "service_id", s.ID)
			for _, x := range rows {
				s.Fundings = append(s.Fundings, hsds.Funding{ID: x.get("id"), Source: x.get("source")})
			}
			return err
		},
		func() error {
			rows, err := a.rows("required_document", "service_id", s.ID)
			for _, x := range rows {
				s.RequiredDocuments = append(s.RequiredDocuments, hsds.RequiredDocument{ID: x.get("id"), Document: x.get("document"), URI: x.get("uri")})
			}
			return err
		},
		func() error { return a.attributes(s) },
		func() error {
			if !a.t.legacy {
				return nil
			}
			return a.legacyService(s)
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return Item{}, err
		}
	}
	return Item{Service: s, Problems: a.problems, Terms: a.terms}, nil
}

func (a *assembler) organization(r row) (*hsds.Organization, error) {
	o := &hsds.Organization{ID: r.get("id"), Name: r.get("name"), AlternateName: r.get("alternate_name"),
		Description: r.get("description"), Email: r.get("email"), Website: r.get("website"),
		YearIncorporated: a.num("organization.year_incorporated", r, "year_incorporated"), LegalStatus: r.get("legal_status"),
		Logo: r.get("logo"), URI: r.get("uri"), ParentOrganizationID: r.get("parent_organization_id")}
	ids, err := a.rows("organization_identifier", "organization_id", o.ID)
	for _, x := range ids {
		o.OrganizationIdentifiers = append(o.OrganizationIdentifiers, hsds.OrganizationIdentifier{ID: x.get("id"),
			IdentifierScheme: x.get("identifier_scheme"), IdentifierType: x.get("identifier_type"), Identifier: x.get("identifier")})
	}
	return o, err
}

func (a *assembler) serviceAtLocation(path string, r row) (hsds.ServiceAtLocation, error) {
	sal := hsds.ServiceAtLocation{ID: r.get("id"), LocationID: r.get("location_id"), Description: r.get("description")}
	locs, err := a.rows("location", "id", sal.LocationID)
	if err != nil {
		return sal, err
	}
	if len(locs) > 0 {
		if sal.Location, err = a.location(path+".location", locs[0]); err != nil {
			return sal, err
		}
	}
	if sal.ID == "" {
		return sal, nil
	}
	if sal.Phones, err = a.phones(path+".phones", "service_at_location_id", sal.ID); err != nil {
		return sal, err
	}
	if sal.Contacts, err = a.contacts(path+".contacts", "service_at_location_id", sal.ID); err != nil {
		return sal, err
	}
	if sal.Schedules, err = a.schedules(path+".schedules", "service_at_location_id", sal.ID); err != nil || !a.t.legacy {
		return sal, err
	}
	more, err := a.regularSchedules(path+".regular_schedules", "service_at_location_id", sal.ID)
	sal.Schedules = append(sal.Schedules, more...)
	return sal, err
}

func (a *assembler) location(path string, r row) (*hsds.Location, error) {
	l := &hsds.Location{ID: r.get("id"), LocationType: r.get("location_type"), URL: r.get("url"),
		OrganizationID: r.get("organization_id"), Name: r.get("name"), AlternateName: r.get("alternate_name"),
		Description: r.get("description"), Transportation: r.get("transportation"),
		Latitude: a.num(path+".latitude", r, "latitude"), Longitude: a.num(path+".longitude", r, "longitude"),
		ExternalIdentifier: r.get("external_identifier"), ExternalIdentifierType: r.get("external_identifier_type")}
	var addrs []row
	var err error
	// An older package's physical_address or postal_address may be the same
	// address.csv: then it is read only as those.
	_, physical := a.t.paths["physical_address"]
	_, postal := a.t.paths["postal_address"]
	if !physical && !postal {
		if addrs, err = a.rows("address", "location_id", l.ID); err != nil {
			return nil, err
		}
	}
	for _, x := range addrs {
		l.Addresses = append(l.Addresses, hsds.Address{ID: x.get("id"), Attention: x.get("attention"), Address1: x.get("address_1"),
			Address2: x.get("address_2"), City: x.get("city"), Region: x.get("region"), StateProvince: x.get("state_province"),
			PostalCode: x.get("postal_code"), Country: x.get("country"), AddressType: x.get("address_type")})
	}
	acc, err := a.rows("accessibility", "location_id", l.ID)
	if err != nil {
		return nil, err
	}
	for _, x := range acc {
		l.Accessibility = append(l.Accessibility, hsds.Accessibility{ID: x.get("id"), Description: x.get("description"),
			Details: x.get("details"), URL: x.get("url")})
	}
	if l.Phones, err = a.phones(path+".phones", "location_id", l.ID); err != nil {
		return nil, err
	}
	if l.Contacts, err = a.contacts(path+".contacts", "location_id", l.ID); err != nil {
		return nil, err
	}
	if l.Schedules, err = a.schedules(path+".schedules", "location_id", l.ID); err != nil {
		return nil, err
	}
	if l.Languages, err = a.languages("location_id", l.ID); err != nil || !a.t.legacy {
		return l, err
	}
	return l, a.legacyLocation(path, l)
}

func (a *assembler) phones(path, column, id string) ([]hsds.Phone, error) {
	rows, err := a.rows("phone", column, id)
	var out []hsds.Phone
	for i, x := range rows {
		p := hsds.Phone{ID: x.get("id"), Number: x.get("number"), Type: x.get("type"), Description: x.get("description"),
			Extension: a.num(fmt.Sprintf("%s[%d].extension", path, i), x, "extension")}
		if p.ID != "" && err == nil {
			p.Languages, err = a.languages("phone_id", p.ID)
		}
		out = append(out, p)
	}
	return out, err
}

func (a *assembler) contacts(path, column, id string) ([]hsds.Contact, error) {
	rows, err := a.rows("contact", column, id)
	var out []hsds.Contact
	for i, x := range rows {
		c := hsds.Contact{ID: x.get("id"), Name: x.get("name"), Title: x.get("title"), Department: x.get("department"), Email: x.get("email")}
		if c.ID != "" && err == nil {
			c.Phones, err = a.phones(fmt.Sprintf("%s[%d].phones", path, i), "contact_id", c.ID)
		}
		out = append(out, c)
	}
	return out, err
}

func (a *assembler) schedules(path, column, id string) ([]hsds.Schedule, error) {
	rows, err := a.rows("schedule", column, id)
	var out []hsds.Schedule
	for i, x := range rows {
		p := fmt.Sprintf("%s[%d].", path, i)
		out = append(out, hsds.Schedule{ID: x.get("id"), ValidFrom: x.get("valid_from"), ValidTo: x.get("valid_to"),
			DTStart: x.get("dtstart"), Timezone: a.num(p+"timezone", x, "timezone"), Until: x.get("until"),
			Count: a.num(p+"count", x, "count"), Wkst: x.get("wkst"), Freq: x.get("freq"), Interval: a.num(p+"interval", x, "interval"),
			Byday: x.get("byday"), Byweekno: x.get("byweekno"), Bymonthday: x.get("bymonthday"), Byyearday: x.get("byyearday"),
			Description: x.get("description"), OpensAt: x.get("opens_at"), ClosesAt: x.get("closes_at"),
			ScheduleLink: x.get("schedule_link"), AttendingType: x.get("attending_type"), Notes: x.get("notes")})
	}
	return out, err
}

func (a *assembler) languages(column, id string) ([]hsds.Language, error) {
	rows, err := a.rows("language", column, id)
	var out []hsds.Language
	for _, x := range rows {
		l := hsds.Language{ID: x.get("id"), Name: x.get("name"), Code: x.get("code"), Note: x.get("note")}
		if l.Name == "" && l.Code == "" {
			// The older layouts' "language" column: a name, or a code.
			l = v1LanguageToHSDS(l.ID, x.get("language"))
			l.Note = x.get("note")
		}
		out = append(out, l)
	}
	return out, err
}

// attributes links a service to the taxonomy terms its attributes name; the
// terms (and their taxonomies) come from their own tables.
func (a *assembler) attributes(s *hsds.Service) error {
	rows, err := a.rows("attribute", "link_id", s.ID)
	if err != nil {
		return err
	}
	for i, x := range rows {
		if e := x.get("link_entity"); e != "" && e != "service" {
			continue
		}
		attr := hsds.Attribute{ID: x.get("id"), TaxonomyTermID: x.get("taxonomy_term_id"), LinkType: x.get("link_type"),
			LinkEntity: "service", Value: x.get("value")}
		term, err := a.term(attr.TaxonomyTermID)
		if err != nil {
			return err
		}
		if term == nil {
			a.problems = append(a.problems, Problem{RecordType: recordService, RecordID: s.ID, Field: fmt.Sprintf("attributes[%d].taxonomy_term_id", i),
				Reason: fmt.Sprintf("taxonomy term %q is not in taxonomy_terms", attr.TaxonomyTermID), Action: Dropped})
			continue
		}
		attr.TaxonomyTerm = term
		s.Attributes = append(s.Attributes, attr)
		if err := a.parents(term, a.term, map[string]bool{term.ID: true}); err != nil {
			return err
		}
	}
	return nil
}

// term reads one taxonomy term and its taxonomy.
func (a *assembler) term(id string) (*hsds.TaxonomyTerm, error) {
	terms, err := a.rows("taxonomy_term", "id", id)
	if err != nil || len(terms) == 0 {
		return nil, err
	}
	tr := terms[0]
	term := &hsds.TaxonomyTerm{ID: tr.get("id"), Code: tr.get("code"), Name: tr.get("name"), Description: tr.get("description"),
		ParentID: tr.get("parent_id"), Taxonomy: tr.get("taxonomy"), TaxonomyID: tr.get("taxonomy_id"),
		Language: tr.get("language"), TermURI: tr.get("term_uri")}
	taxes, err := a.rows("taxonomy", "id", term.TaxonomyID)
	if err != nil {
		return nil, err
	}
	if len(taxes) > 0 {
		x := taxes[0]
		term.TaxonomyDetail = &hsds.Taxonomy{ID: x.get("id"), Name: x.get("name"), Description: x.get("description"),
			URI: x.get("uri"), Version: x.get("version")}
	}
	return term, nil
}

// maxTermDepth bounds the walk up a taxonomy, against cycles.
const maxTermDepth = 32

// parents adds the ancestors of a term, read by lookup, to the item, so
// that its parent links hold. seen holds the terms the item has already
// (against parent loops), and gains those added.
func (a *assembler) parents(t *hsds.TaxonomyTerm, lookup func(id string) (*hsds.TaxonomyTerm, error), seen map[string]bool) error {
	for depth := 0; t.ParentID != "" && !seen[t.ParentID] && depth < maxTermDepth; depth++ {
		parent, err := lookup(t.ParentID)
		if err != nil || parent == nil {
			return err
		}
		a.terms = append(a.terms, *parent)
		seen[parent.ID] = true
		t = parent
	}
	return nil
}
