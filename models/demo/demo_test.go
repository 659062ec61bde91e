package demo

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/openreferral-uk/referrals/models/hsds"
)

// sharedDir finds the shared/ folder that sits beside the repository (or
// further up) by walking up from the working directory. Without it the
// test is skipped, except in CI, where it must be there.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if fi, err := os.Stat(filepath.Join(dir, "shared", "openreferral")); err == nil && fi.IsDir() {
			return filepath.Join(dir, "shared")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	const msg = "no shared/openreferral folder above the working directory: put a copy of shared/ beside the repository"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// hsdsSchemaURL is where the HSDS 3.0 schemas live upstream. The schema
// files declare no $id, so each is loaded under this prefix and their
// relative $refs ("phone.json") resolve against it.
const hsdsSchemaURL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"

// dirLoader serves schema URLs that start with a prefix from a local
// folder, so that schemas compile offline.
type dirLoader map[string]string

func (l dirLoader) Load(url string) (any, error) {
	for prefix, dir := range l {
		if name, ok := strings.CutPrefix(url, prefix); ok {
			f, err := os.Open(filepath.Join(dir, filepath.FromSlash(name)))
			if err != nil {
				return nil, err
			}
			defer f.Close()
			return jsonschema.UnmarshalJSON(f)
		}
	}
	return nil, fmt.Errorf("no local copy of %s", url)
}

func compileHSDS(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	shared := sharedDir(t)
	c := jsonschema.NewCompiler()
	// The HSDS files have no $schema; HSDS 3.0 and ORUK validate with 2020-12.
	c.DefaultDraft(jsonschema.Draft2020)
	// 2020-12 treats "format" (uuid, email, date-time, uri) as an annotation
	// unless assertions are switched on.
	c.AssertFormat()
	c.UseLoader(dirLoader{hsdsSchemaURL: filepath.Join(shared, "openreferral", "hsds3", "3.0", "schema")})
	s, err := c.Compile(hsdsSchemaURL + name)
	if err != nil {
		t.Fatalf("compile %s: %v", name, err)
	}
	return s
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := files.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func loadServices(t *testing.T) []hsds.Service {
	t.Helper()
	svcs, err := Services()
	if err != nil {
		t.Fatal(err)
	}
	return svcs
}

func TestCounts(t *testing.T) {
	svcs := loadServices(t)
	orgs := map[string]bool{}
	status := map[string]int{}
	physical := map[string]bool{}
	for _, s := range svcs {
		if s.Organization == nil || s.Organization.ID != s.OrganizationID {
			t.Errorf("%s: organization missing or not the one organization_id names", s.Name)
			continue
		}
		orgs[s.OrganizationID] = true
		status[s.Status]++
		for _, sal := range s.ServiceAtLocations {
			if sal.Location != nil && sal.Location.LocationType == hsds.LocationPhysical {
				physical[sal.Location.ID] = true
			}
		}
	}
	if len(orgs) < 6 {
		t.Errorf("%d organisations, want at least 6", len(orgs))
	}
	if len(svcs) < 60 {
		t.Errorf("%d services, want at least 60", len(svcs))
	}
	if len(physical) < 20 {
		t.Errorf("%d physical locations, want at least 20", len(physical))
	}
	if status[hsds.StatusTemporarilyClosed] != 2 || status[hsds.StatusInactive] != 1 {
		t.Errorf("statuses %v, want 2 temporarily closed and 1 inactive", status)
	}
}

func TestServicesMatchHSDSSchema(t *testing.T) {
	schema := compileHSDS(t, "service.json")
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(readFile(t, "services.json")))
	if err != nil {
		t.Fatal(err)
	}
	items, ok := doc.([]any)
	if !ok || len(items) == 0 {
		t.Fatal("services.json is not a non-empty array")
	}
	for i, item := range items {
		if err := schema.Validate(item); err != nil {
			name, _ := item.(map[string]any)["name"].(string)
			t.Errorf("service %d (%s): %v", i, name, err)
		}
	}

	// The schema must be able to fail, or the loop above proves nothing.
	bad := maps.Clone(items[0].(map[string]any))
	bad["id"] = "not-a-uuid"
	if schema.Validate(bad) == nil {
		t.Error("a service with a malformed id validated: format assertions are off")
	}
}

// TestFilesRoundTrip decodes each file into the Go types and encodes it
// again: equal bytes mean the types keep every field, so nothing in the
// files is silently dropped when the demo is loaded.
func TestFilesRoundTrip(t *testing.T) {
	svcs := loadServices(t)
	tax, terms, err := Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	settings, err := LoadSettings()
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]any{
		"services.json": svcs,
		"taxonomy.json": taxonomyDoc{Taxonomy: tax, Terms: terms},
		"settings.json": settings,
	} {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), readFile(t, name)) {
			t.Errorf("%s does not survive a round trip through its Go types", name)
		}
	}
}

// readSectors reads shared/geo/sectors.csv: sector to latitude, longitude.
func readSectors(t *testing.T) map[string][2]float64 {
	t.Helper()
	f, err := os.Open(filepath.Join(sharedDir(t), "geo", "sectors.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string][2]float64, len(rows))
	for _, r := range rows[1:] {
		lat, err1 := strconv.ParseFloat(r[1], 64)
		lon, err2 := strconv.ParseFloat(r[2], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("sectors.csv: bad row %v", r)
		}
		out[r[0]] = [2]float64{lat, lon}
	}
	return out
}

// metres is the great-circle distance between two points.
func metres(lat1, lon1, lat2, lon2 float64) float64 {
	const earthRadius = 6_371_000.0
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadius * math.Asin(math.Sqrt(a))
}

func TestLocationsAreInTheirPostcodeSector(t *testing.T) {
	sectors := readSectors(t)
	postcode := regexp.MustCompile(`^([A-Z]{1,2}[0-9][0-9A-Z]?) ([0-9])[A-Z]{2}$`)
	seen := map[string]bool{}
	for _, s := range loadServices(t) {
		for _, sal := range s.ServiceAtLocations {
			loc := sal.Location
			if loc == nil || loc.LocationType != hsds.LocationPhysical || seen[loc.ID] {
				continue
			}
			seen[loc.ID] = true
			if len(loc.Addresses) != 1 || loc.Latitude == nil || loc.Longitude == nil {
				t.Errorf("%s: want one address and coordinates", loc.Name)
				continue
			}
			m := postcode.FindStringSubmatch(loc.Addresses[0].PostalCode)
			if m == nil {
				t.Errorf("%s: malformed postcode %q", loc.Name, loc.Addresses[0].PostalCode)
				continue
			}
			centroid, ok := sectors[m[1]+" "+m[2]]
			if !ok {
				t.Errorf("%s: sector %s %s is not in sectors.csv", loc.Name, m[1], m[2])
				continue
			}
			if d := metres(*loc.Latitude, *loc.Longitude, centroid[0], centroid[1]); d > 1000 {
				t.Errorf("%s: %.0f m from the centroid of its sector, want within 1 km", loc.Name, d)
			}
		}
	}
	if len(seen) == 0 {
		t.Error("no physical locations")
	}
}

// listKinds and objectKinds name the HSDS kind of each nested field.
var (
	listKinds = map[string]string{
		"phones": "phone", "schedules": "schedule", "service_areas": "service_area",
		"service_at_locations": "service_at_location", "languages": "language",
		"funding": "funding", "cost_options": "cost_option", "contacts": "contact",
		"attributes": "attribute", "addresses": "address", "accessibility": "accessibility",
		"organization_identifiers": "organization_identifier",
	}
	objectKinds = map[string]string{
		"organization": "organization", "location": "location", "taxonomy_term": "taxonomy_term",
	}
)

// idIndex records every record in the services by id. A record that
// appears more than once (a shared location, an organisation) must be the
// same record each time.
type idIndex struct {
	t      *testing.T
	kind   map[string]string // id to kind
	record map[string]string // id to canonical JSON
}

func newIDIndex(t *testing.T) *idIndex {
	t.Helper()
	var docs []map[string]any
	if err := json.Unmarshal(readFile(t, "services.json"), &docs); err != nil {
		t.Fatal(err)
	}
	x := &idIndex{t: t, kind: map[string]string{}, record: map[string]string{}}
	for i, d := range docs {
		x.walk("service", d, fmt.Sprintf("services[%d]", i))
	}
	return x
}

func (x *idIndex) walk(kind string, obj map[string]any, path string) {
	id, _ := obj["id"].(string)
	if id == "" {
		x.t.Errorf("%s: no id", path)
		return
	}
	canon, err := json.Marshal(obj)
	if err != nil {
		x.t.Fatal(err)
	}
	if k, ok := x.kind[id]; !ok {
		x.kind[id], x.record[id] = kind, string(canon)
	} else if k != kind {
		x.t.Errorf("%s: id %s is used by a %s and a %s", path, id, k, kind)
	} else if x.record[id] != string(canon) {
		x.t.Errorf("%s: id %s is used by two different %s records", path, id, kind)
	}
	for _, key := range slices.Sorted(maps.Keys(obj)) {
		switch v := obj[key].(type) {
		case map[string]any:
			child, ok := objectKinds[key]
			if !ok {
				x.t.Errorf("%s: unexpected object %q", path, key)
				continue
			}
			if obj[key+"_id"] != v["id"] {
				x.t.Errorf("%s: %s_id does not match the nested %s", path, key, key)
			}
			x.walk(child, v, path+"."+key)
		case []any:
			child, ok := listKinds[key]
			if !ok {
				x.t.Errorf("%s: unexpected list %q", path, key)
				continue
			}
			link := kind + "_id"
			if child == "attribute" {
				link = "link_id"
			}
			for i, item := range v {
				m, ok := item.(map[string]any)
				if !ok {
					x.t.Errorf("%s.%s[%d]: not an object", path, key, i)
					continue
				}
				if m[link] != id {
					x.t.Errorf("%s.%s[%d]: %s is %v, want its parent's id %s", path, key, i, link, m[link], id)
				}
				x.walk(child, m, fmt.Sprintf("%s.%s[%d]", path, key, i))
			}
		}
	}
}

func (x *idIndex) has(kind, id string) bool { return x.kind[id] == kind }

func TestIDsAndTaxonomyLinks(t *testing.T) {
	x := newIDIndex(t)
	tax, terms, err := Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]hsds.TaxonomyTerm{}
	for _, term := range terms {
		if _, dup := byID[term.ID]; dup || x.kind[term.ID] != "" && x.kind[term.ID] != "taxonomy_term" {
			t.Errorf("term %s: id %s is not unique", term.Code, term.ID)
		}
		if term.TaxonomyID != tax.ID {
			t.Errorf("term %s: taxonomy_id %s, want %s", term.Code, term.TaxonomyID, tax.ID)
		}
		if term.ParentID != "" {
			if _, ok := byID[term.ParentID]; !ok {
				t.Errorf("term %s: parent %s is not an earlier term", term.Code, term.ParentID)
			}
		}
		byID[term.ID] = term
	}
	for _, s := range loadServices(t) {
		if n := len(s.Attributes); n < 1 || n > 3 {
			t.Errorf("%s: %d taxonomy terms, want 1 to 3", s.Name, n)
		}
		for _, a := range s.Attributes {
			want, ok := byID[a.TaxonomyTermID]
			if !ok {
				t.Errorf("%s: attribute refers to unknown term %s", s.Name, a.TaxonomyTermID)
				continue
			}
			if a.TaxonomyTerm == nil || !reflect.DeepEqual(*a.TaxonomyTerm, want) {
				t.Errorf("%s: nested taxonomy term differs from taxonomy.json's %s", s.Name, want.Code)
			}
			if a.LinkType != "service" || a.LinkEntity != "service" {
				t.Errorf("%s: attribute link_type %q, link_entity %q", s.Name, a.LinkType, a.LinkEntity)
			}
		}
	}
}

func TestSchedulesAreLocalWeeklyTimes(t *testing.T) {
	clock := regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	check := func(s hsds.Service, sch hsds.Schedule) {
		if !clock.MatchString(sch.OpensAt) || !clock.MatchString(sch.ClosesAt) {
			t.Errorf("%s: opens_at %q, closes_at %q: want local HH:MM without an offset", s.Name, sch.OpensAt, sch.ClosesAt)
		}
		if sch.Freq != "WEEKLY" || sch.Byday == "" || sch.Description == "" {
			t.Errorf("%s: schedule %s is not a described weekly schedule", s.Name, sch.ID)
		}
	}
	for _, s := range loadServices(t) {
		n := 0
		for _, sch := range s.Schedules {
			check(s, sch)
			n++
		}
		for _, sal := range s.ServiceAtLocations {
			for _, sch := range sal.Schedules {
				check(s, sch)
				n++
			}
		}
		if n == 0 {
			t.Errorf("%s: no schedule", s.Name)
		}
	}
}

func TestSettingsReferToDemoRecords(t *testing.T) {
	x := newIDIndex(t)
	settings, err := LoadSettings()
	if err != nil {
		t.Fatal(err)
	}
	svcs := loadServices(t)
	accepting, drafts := 0, 0
	for id, s := range settings.Services {
		if !x.has("service", id) {
			t.Errorf("settings for unknown service %s", id)
		}
		if s.AcceptsReferrals != (s.ReferralEmail != "") {
			t.Errorf("service %s: a referral email must be set exactly when it accepts referrals", id)
		}
		if s.AcceptsReferrals {
			accepting++
		}
		if s.Draft {
			drafts++
		}
	}
	if len(settings.Services) != len(svcs) {
		t.Errorf("%d services have settings, want all %d", len(settings.Services), len(svcs))
	}
	if share := float64(accepting) / float64(len(svcs)); share < 0.55 || share > 0.8 {
		t.Errorf("%d of %d services accept referrals, want about two thirds", accepting, len(svcs))
	}
	if drafts != 2 {
		t.Errorf("%d drafts, want 2", drafts)
	}
	if len(settings.ProfessionalsOnlyLocations) == 0 || len(settings.ProfessionalsOnlyPhones) == 0 {
		t.Error("want at least one professionals-only location and phone")
	}
	for _, id := range settings.ProfessionalsOnlyLocations {
		if !x.has("location", id) {
			t.Errorf("professionals-only location %s does not exist", id)
		}
	}
	for _, id := range settings.ProfessionalsOnlyPhones {
		if !x.has("phone", id) {
			t.Errorf("professionals-only phone %s does not exist", id)
		}
	}
	// A refuge's address must not leak through a public service that
	// shares its location.
	for _, s := range svcs {
		for _, sal := range s.ServiceAtLocations {
			if slices.Contains(settings.ProfessionalsOnlyLocations, sal.LocationID) && !settings.Services[s.ID].ProfessionalsOnly {
				t.Errorf("%s is public but uses a professionals-only location", s.Name)
			}
		}
	}
}
