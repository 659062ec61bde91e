package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/openreferral-uk/referrals/models/hsds"
)

// namespace is the UUIDv5 namespace of every demo id: an id is
// uuid.NewSHA1(namespace, "demo:"+kind+":"+key). Changing it changes them all.
const namespace = "8d0f3b52-6c1e-4a7d-9b2f-5e4c3a1d7f60"

// seed seeds every PCG source, so the coordinates, phone numbers and dates
// are the same on every run.
const seed = 20260901

// Ofcom's ranges for drama and examples: numbers that are never given to
// a real line.
const (
	rangeLeeds     = "0113 496 0"
	rangeDrama     = "01632 960"
	rangeFreephone = "0808 157 0"
	rangeMobile    = "07700 900"
)

// The files Build writes, relative to models/demo.
const (
	servicesFile = "services.json"
	taxonomyFile = "taxonomy.json"
	settingsFile = "settings.json"
)

const (
	stateProvince = "West Yorkshire"
	country       = "GB"
	currency      = "GBP"
	domain        = ".example.org.uk"
)

var ns = uuid.MustParse(namespace)

// id derives the id of the record of a kind ("service", "phone"...) with
// a key unique within that kind.
func id(kind, key string) string {
	return uuid.NewSHA1(ns, []byte("demo:"+kind+":"+key)).String()
}

// rngFor gives each keyed item its own PCG stream, so adding an item does
// not move the coordinates or dates of the others.
func rngFor(key string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(key))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// serviceSettings and settingsDoc are the shape of settings.json; package
// demo decodes it into its exported Settings, and its tests check the two
// agree.
type serviceSettings struct {
	AcceptsReferrals  bool   `json:"accepts_referrals"`
	ReferralEmail     string `json:"referral_email,omitempty"`
	ProfessionalsOnly bool   `json:"professionals_only"`
	Draft             bool   `json:"draft"`
}

type settingsDoc struct {
	Services                   map[string]serviceSettings `json:"services"`
	ProfessionalsOnlyLocations []string                   `json:"professionals_only_locations"`
	ProfessionalsOnlyPhones    []string                   `json:"professionals_only_phones"`
}

type taxonomyDoc struct {
	Taxonomy hsds.Taxonomy       `json:"taxonomy"`
	Terms    []hsds.TaxonomyTerm `json:"terms"`
}

// Build returns the contents of services.json, taxonomy.json and
// settings.json by file name. It reads nothing and is deterministic.
func Build() (map[string][]byte, error) {
	if err := check(); err != nil {
		return nil, err
	}
	b := newBuilder()
	out := make([]hsds.Service, 0, len(services))
	for _, s := range services {
		out = append(out, b.service(s))
	}
	files := map[string][]byte{}
	for name, v := range map[string]any{
		servicesFile: out,
		taxonomyFile: taxonomyDoc{Taxonomy: b.taxonomy, Terms: b.termList},
		settingsFile: b.settings,
	} {
		data, err := encode(v)
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", name, err)
		}
		files[name] = data
	}
	return files, nil
}

// encode writes JSON indented by two spaces with a trailing newline,
// leaving "&" and "<" as they are.
func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type builder struct {
	orgSpecs map[string]organization
	orgs     map[string]hsds.Organization
	locSpecs map[string]location
	locs     map[string]hsds.Location
	terms    map[string]hsds.TaxonomyTerm
	termList []hsds.TaxonomyTerm
	taxonomy hsds.Taxonomy
	numbers  map[string]*numberPool
	contacts int
	settings settingsDoc
}

// numberPool hands out the 1,000 numbers of a drama range in a shuffled
// but fixed order, never the same one twice.
type numberPool struct {
	prefix string
	order  []int
	next   int
}

func (p *numberPool) take() string {
	n := p.order[p.next]
	p.next++
	return fmt.Sprintf("%s%03d", p.prefix, n)
}

func newBuilder() *builder {
	b := &builder{
		orgSpecs: map[string]organization{},
		orgs:     map[string]hsds.Organization{},
		locSpecs: map[string]location{},
		locs:     map[string]hsds.Location{},
		terms:    map[string]hsds.TaxonomyTerm{},
		numbers:  map[string]*numberPool{},
		settings: settingsDoc{
			Services:                   map[string]serviceSettings{},
			ProfessionalsOnlyLocations: []string{},
			ProfessionalsOnlyPhones:    []string{},
		},
	}
	for _, prefix := range []string{rangeLeeds, rangeDrama, rangeFreephone, rangeMobile} {
		b.numbers[prefix] = &numberPool{prefix: prefix, order: rngFor("phones:" + prefix).Perm(1000)}
	}

	b.taxonomy = hsds.Taxonomy{
		ID:          id("taxonomy", taxonomyKey),
		Name:        taxonomyName,
		Description: taxonomyDescription,
		URI:         taxonomyURI,
		Version:     taxonomyVersion,
	}
	for _, t := range terms {
		tt := hsds.TaxonomyTerm{
			ID:          id("taxonomy_term", t.code),
			Code:        t.code,
			Name:        t.name,
			Description: t.description,
			TaxonomyID:  b.taxonomy.ID,
			TermURI:     taxonomyURI + "/" + strings.ToLower(t.code),
		}
		if t.parent != "" {
			tt.ParentID = id("taxonomy_term", t.parent)
		}
		b.terms[t.code] = tt
		b.termList = append(b.termList, tt)
	}

	for _, o := range organizations {
		b.orgSpecs[o.key] = o
		oid := id("organization", o.key)
		org := hsds.Organization{
			ID:          oid,
			Name:        o.name,
			Description: o.description,
			Email:       "info@" + o.slug + domain,
			Website:     "https://" + o.slug + domain,
			LegalStatus: o.legalStatus,
			OrganizationIdentifiers: []hsds.OrganizationIdentifier{{
				ID:               id("organization_identifier", o.key),
				OrganizationID:   oid,
				IdentifierScheme: o.identifierScheme,
				IdentifierType:   o.identifierType,
				Identifier:       o.identifier,
			}},
			Phones: []hsds.Phone{{
				ID:             id("phone", "organization:"+o.key),
				OrganizationID: oid,
				Number:         b.numbers[o.phoneRange].take(),
				Type:           "voice",
				Description:    "Main office",
			}},
		}
		if o.year > 0 {
			org.YearIncorporated = ptr(float64(o.year))
		}
		b.orgs[o.key] = org
	}

	for _, l := range locations {
		b.locSpecs[l.key] = l
		b.locs[l.key] = b.location(l)
		if l.professionalsOnly {
			b.settings.ProfessionalsOnlyLocations = append(b.settings.ProfessionalsOnlyLocations, id("location", l.key))
		}
	}
	return b
}

func (b *builder) location(l location) hsds.Location {
	lid := id("location", l.key)
	lat, lon := jitter(l.key, sectorCentroids[sector(l.postcode)])
	loc := hsds.Location{
		ID:             lid,
		LocationType:   hsds.LocationPhysical,
		OrganizationID: id("organization", l.org),
		Name:           l.name,
		Description:    l.description,
		Transportation: l.transportation,
		Latitude:       ptr(lat),
		Longitude:      ptr(lon),
		Addresses: []hsds.Address{{
			ID:            id("address", l.key),
			LocationID:    lid,
			Address1:      l.address1,
			Address2:      l.address2,
			City:          l.city,
			Region:        townAreas[l.city],
			StateProvince: stateProvince,
			PostalCode:    l.postcode,
			Country:       country,
			AddressType:   hsds.LocationPhysical,
		}},
	}
	for i, a := range l.access {
		loc.Accessibility = append(loc.Accessibility, hsds.Accessibility{
			ID:          id("accessibility", l.key+":"+strconv.Itoa(i+1)),
			LocationID:  lid,
			Description: a.description,
			Details:     a.details,
		})
	}
	if l.reception {
		loc.Phones = []hsds.Phone{{
			ID:          id("phone", "location:"+l.key),
			LocationID:  lid,
			Number:      b.numbers[b.orgSpecs[l.org].phoneRange].take(),
			Type:        "voice",
			Description: "Reception",
		}}
	}
	return loc
}

// jitter moves a sector centroid between 30 and 250 metres in a fixed
// direction per location, so that locations in one sector do not stack
// on one point, and rounds to 5 decimal places (about a metre).
func jitter(key string, centroid [2]float64) (lat, lon float64) {
	r := rngFor("location:" + key)
	dist := 30 + r.Float64()*220
	bearing := r.Float64() * 2 * math.Pi
	const metresPerDegree = 111_320.0
	lat = centroid[0] + dist*math.Cos(bearing)/metresPerDegree
	lon = centroid[1] + dist*math.Sin(bearing)/(metresPerDegree*math.Cos(centroid[0]*math.Pi/180))
	return round5(lat), round5(lon)
}

func round5(x float64) float64 { return math.Round(x*1e5) / 1e5 }

// sector is a postcode's outward code, a space and the inward code's digit.
func sector(postcode string) string {
	out, in, _ := strings.Cut(postcode, " ")
	if in == "" {
		return ""
	}
	return out + " " + in[:1]
}

func (b *builder) service(s service) hsds.Service {
	o := b.orgSpecs[s.org]
	org := b.orgs[s.org]
	sid := id("service", s.key)
	site := "https://" + o.slug + domain
	lastModified, assured := serviceDates(s.key)

	svc := hsds.Service{
		ID:                     sid,
		OrganizationID:         org.ID,
		Name:                   s.name,
		Description:            s.description,
		URL:                    site + "/services/" + s.key,
		Email:                  "info@" + o.slug + domain,
		Status:                 orDefault(s.status, hsds.StatusActive),
		InterpretationServices: s.interp,
		ApplicationProcess:     orDefault(s.process, defaultProcess),
		FeesDescription:        orDefault(s.fees, defaultFees),
		Accreditations:         s.accreditations,
		EligibilityDescription: s.eligibility,
		AssuredDate:            assured,
		Alert:                  s.alert,
		LastModified:           lastModified,
		Organization:           &org,
	}
	if s.minAge > 0 {
		svc.MinimumAge = ptr(float64(s.minAge))
	}
	if s.maxAge > 0 {
		svc.MaximumAge = ptr(float64(s.maxAge))
	}

	phone := hsds.Phone{ID: id("phone", "service:"+s.key), ServiceID: sid, Type: "voice"}
	if s.helpline {
		phone.Number = b.numbers[rangeFreephone].take()
		phone.Description = "Freephone: free from landlines and mobiles, and does not show on phone bills."
	} else {
		phone.Number = b.numbers[o.phoneRange].take()
	}
	svc.Phones = []hsds.Phone{phone}

	atLocation := len(s.locs) > 1
	salID := func(locKey string) string { return id("service_at_location", s.key+":"+locKey) }
	var locKeys []string
	for _, lk := range s.locs {
		loc := b.locs[lk]
		locKeys = append(locKeys, lk)
		svc.ServiceAtLocations = append(svc.ServiceAtLocations, hsds.ServiceAtLocation{
			ID: salID(lk), ServiceID: sid, LocationID: loc.ID, Location: &loc,
		})
	}
	if v := s.virtual; v != nil {
		lk := "virtual:" + s.key
		loc := hsds.Location{
			ID:             id("location", lk),
			LocationType:   hsds.LocationVirtual,
			URL:            site + v.path,
			OrganizationID: org.ID,
			Name:           v.name,
			Description:    v.description,
		}
		svc.ServiceAtLocations = append(svc.ServiceAtLocations, hsds.ServiceAtLocation{
			ID: salID(lk), ServiceID: sid, LocationID: loc.ID, Location: &loc,
		})
	}

	for i, sc := range s.scheds {
		sch := hsds.Schedule{
			ID:          id("schedule", s.key+":"+strconv.Itoa(i+1)),
			Freq:        "WEEKLY",
			Byday:       sc.days,
			OpensAt:     sc.opens,
			ClosesAt:    sc.closes,
			Description: describe(sc),
			Notes:       sc.notes,
		}
		if atLocation {
			sch.ServiceAtLocationID = salID(sc.loc)
			j := slices.Index(locKeys, sc.loc)
			svc.ServiceAtLocations[j].Schedules = append(svc.ServiceAtLocations[j].Schedules, sch)
		} else {
			sch.ServiceID = sid
			svc.Schedules = append(svc.Schedules, sch)
		}
	}

	areas := serviceAreas(s, b.locSpecs, o)
	for _, a := range areas {
		svc.ServiceAreas = append(svc.ServiceAreas, hsds.ServiceArea{
			ID:          id("service_area", s.key+":"+a),
			ServiceID:   sid,
			Name:        a,
			Description: areaDescriptions[a],
		})
	}

	for _, code := range append([]string{"en"}, s.langs...) {
		l := hsds.Language{
			ID:        id("language", s.key+":"+code),
			ServiceID: sid,
			Name:      languageNames[code],
			Code:      code,
		}
		if code != "en" {
			l.Note = "Spoken by some of our staff or volunteers; please ask when you get in touch."
		}
		svc.Languages = append(svc.Languages, l)
	}

	for i, f := range s.funding {
		svc.Fundings = append(svc.Fundings, hsds.Funding{
			ID: id("funding", s.key+":"+strconv.Itoa(i+1)), ServiceID: sid, Source: f,
		})
	}

	for i, c := range s.costs {
		co := hsds.CostOption{
			ID:                id("cost_option", s.key+":"+strconv.Itoa(i+1)),
			ServiceID:         sid,
			Option:            c.option,
			AmountDescription: c.description,
		}
		if c.amount > 0 {
			co.Currency = currency
			co.Amount = ptr(c.amount)
		}
		svc.CostOptions = append(svc.CostOptions, co)
	}

	if s.contact != "" {
		name := contactNames[b.contacts]
		b.contacts++
		cid := id("contact", s.key)
		first, last, _ := strings.Cut(name, " ")
		c := hsds.Contact{
			ID:        cid,
			ServiceID: sid,
			Name:      name,
			Title:     s.contact,
			Email:     strings.ToLower(first+"."+last) + "@" + o.slug + domain,
		}
		if s.directLine {
			p := hsds.Phone{
				ID:          id("phone", "contact:"+s.key),
				ContactID:   cid,
				Number:      b.numbers[rangeMobile].take(),
				Type:        "cell",
				Description: "Direct line for professionals making a referral. Not for public use.",
			}
			c.Phones = []hsds.Phone{p}
			b.settings.ProfessionalsOnlyPhones = append(b.settings.ProfessionalsOnlyPhones, p.ID)
		}
		svc.Contacts = []hsds.Contact{c}
	}

	for _, code := range s.terms {
		t := b.terms[code]
		svc.Attributes = append(svc.Attributes, hsds.Attribute{
			ID:             id("attribute", s.key+":"+code),
			LinkID:         sid,
			TaxonomyTermID: t.ID,
			LinkType:       "service",
			LinkEntity:     "service",
			TaxonomyTerm:   &t,
		})
	}

	st := serviceSettings{
		AcceptsReferrals:  !s.noReferrals,
		ProfessionalsOnly: s.professionalsOnly,
		Draft:             s.draft,
	}
	if st.AcceptsReferrals {
		st.ReferralEmail = "referrals@" + o.slug + domain
	}
	b.settings.Services[sid] = st
	return svc
}

// serviceDates gives a service a last_modified time between September and
// November 2026 in office hours, and an assured date up to four months
// before it.
func serviceDates(key string) (lastModified, assured string) {
	r := rngFor("service:" + key)
	day, hour, minute, second := r.IntN(91), 8+r.IntN(10), r.IntN(60), r.IntN(60)
	t := time.Date(2026, time.September, 1, hour, minute, second, 0, time.UTC).AddDate(0, 0, day)
	return t.Format(time.RFC3339), t.AddDate(0, 0, -r.IntN(120)).Format(time.DateOnly)
}

// serviceAreas are the local authorities of a service's physical
// locations, or its organisation's areas when it has none.
func serviceAreas(s service, locs map[string]location, o organization) []string {
	var areas []string
	for _, lk := range s.locs {
		if a := townAreas[locs[lk].city]; !slices.Contains(areas, a) {
			areas = append(areas, a)
		}
	}
	if len(areas) == 0 {
		return o.areas
	}
	return areas
}

var dayOrder = []string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}

var dayNames = map[string]string{
	"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday",
	"FR": "Friday", "SA": "Saturday", "SU": "Sunday",
}

// describe writes a schedule the way UK listings do:
// "Drop-in, Tuesdays and Thursdays 10am to 12pm".
func describe(s sched) string {
	days := describeDays(s.days)
	if s.opens == "00:00" && s.closes == "23:59" {
		return fmt.Sprintf("%s, %s, 24 hours", s.label, days)
	}
	return fmt.Sprintf("%s, %s %s to %s", s.label, days, describeTime(s.opens), describeTime(s.closes))
}

func describeDays(byday string) string {
	days := strings.Split(byday, ",")
	if len(days) == len(dayOrder) {
		return "every day"
	}
	if len(days) >= 3 && consecutive(days) {
		return dayNames[days[0]] + " to " + dayNames[days[len(days)-1]]
	}
	plural := make([]string, len(days))
	for i, d := range days {
		plural[i] = dayNames[d] + "s"
	}
	if len(plural) == 1 {
		return plural[0]
	}
	return strings.Join(plural[:len(plural)-1], ", ") + " and " + plural[len(plural)-1]
}

func consecutive(days []string) bool {
	for i := 1; i < len(days); i++ {
		if slices.Index(dayOrder, days[i]) != slices.Index(dayOrder, days[i-1])+1 {
			return false
		}
	}
	return true
}

func describeTime(hhmm string) string {
	h, _ := strconv.Atoi(hhmm[:2])
	m, _ := strconv.Atoi(hhmm[3:])
	suffix := "am"
	if h >= 12 {
		suffix = "pm"
	}
	if h = h % 12; h == 0 {
		h = 12
	}
	if m == 0 {
		return fmt.Sprintf("%d%s", h, suffix)
	}
	return fmt.Sprintf("%d:%02d%s", h, m, suffix)
}

var (
	clockPattern    = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	postcodePattern = regexp.MustCompile(`^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][ABD-HJLNP-UW-Z]{2}$`)
	codePattern     = regexp.MustCompile(`^[a-z]{2}$`)
)

// check catches mistakes in the hand-written tables before anything is
// built: unknown references, duplicate keys, schedules that do not fit the
// service's locations.
func check() error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	seen := map[string]bool{}
	unique := func(kind, key string) {
		if seen[kind+":"+key] {
			fail("duplicate %s key %q", kind, key)
		}
		seen[kind+":"+key] = true
	}
	for _, t := range terms {
		unique("term", t.code)
		if t.parent != "" && !seen["term:"+t.parent] {
			fail("term %s: parent %s must come before it", t.code, t.parent)
		}
	}
	for _, o := range organizations {
		unique("organization", o.key)
		if len(o.areas) == 0 {
			fail("organization %s: no areas", o.key)
		}
		for _, a := range o.areas {
			if areaDescriptions[a] == "" {
				fail("organization %s: unknown area %q", o.key, a)
			}
		}
	}
	for _, l := range locations {
		unique("location", l.key)
		if !seen["organization:"+l.org] {
			fail("location %s: unknown organization %q", l.key, l.org)
		}
		if !postcodePattern.MatchString(l.postcode) {
			fail("location %s: malformed postcode %q", l.key, l.postcode)
		}
		if _, ok := sectorCentroids[sector(l.postcode)]; !ok {
			fail("location %s: no centroid for sector %q", l.key, sector(l.postcode))
		}
		if townAreas[l.city] == "" {
			fail("location %s: unknown town %q", l.key, l.city)
		}
	}
	contacts := 0
	for _, s := range services {
		unique("service", s.key)
		if !seen["organization:"+s.org] {
			fail("service %s: unknown organization %q", s.key, s.org)
		}
		if s.description == "" || s.eligibility == "" {
			fail("service %s: needs a description and eligibility", s.key)
		}
		if len(s.terms) < 1 || len(s.terms) > 3 {
			fail("service %s: has %d terms, want 1 to 3", s.key, len(s.terms))
		}
		for _, t := range s.terms {
			if !seen["term:"+t] {
				fail("service %s: unknown term %q", s.key, t)
			}
		}
		for _, lk := range s.locs {
			if !seen["location:"+lk] {
				fail("service %s: unknown location %q", s.key, lk)
			}
		}
		for _, code := range s.langs {
			if languageNames[code] == "" || !codePattern.MatchString(code) || code == "en" {
				fail("service %s: bad language %q", s.key, code)
			}
		}
		if len(s.scheds) == 0 {
			fail("service %s: no schedule", s.key)
		}
		atLocation := len(s.locs) > 1
		covered := map[string]bool{}
		for _, sc := range s.scheds {
			if atLocation != (sc.loc != "") {
				fail("service %s: schedule %q must name a location exactly when the service has several", s.key, sc.label)
			}
			if atLocation && !slices.Contains(s.locs, sc.loc) {
				fail("service %s: schedule at %q, not one of its locations", s.key, sc.loc)
			}
			covered[sc.loc] = true
			if !clockPattern.MatchString(sc.opens) || !clockPattern.MatchString(sc.closes) || sc.opens >= sc.closes {
				fail("service %s: bad times %s-%s", s.key, sc.opens, sc.closes)
			}
			for _, d := range strings.Split(sc.days, ",") {
				if dayNames[d] == "" {
					fail("service %s: bad day %q", s.key, d)
				}
			}
			if sc.label == "" {
				fail("service %s: schedule without a label", s.key)
			}
		}
		if atLocation {
			for _, lk := range s.locs {
				if !covered[lk] {
					fail("service %s: no schedule at %s", s.key, lk)
				}
			}
		}
		if s.contact != "" {
			contacts++
		}
		if s.directLine && s.contact == "" {
			fail("service %s: a direct line needs a contact", s.key)
		}
		switch s.status {
		case "", hsds.StatusActive, hsds.StatusInactive, hsds.StatusDefunct, hsds.StatusTemporarilyClosed:
		default:
			fail("service %s: bad status %q", s.key, s.status)
		}
	}
	if contacts > len(contactNames) {
		fail("%d contacts but only %d names", contacts, len(contactNames))
	}
	return errors.Join(errs...)
}

func ptr[T any](v T) *T { return &v }

// orDefault returns v, or def when v is empty.
func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
