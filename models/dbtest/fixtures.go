package dbtest

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models/hsds"
)

var fixtureNS = uuid.MustParse("0b6f8d0e-3d0a-4a5e-8a59-0f4c2f1a9d11")

// ID returns a deterministic UUID for a fixture record.
func ID(kind string, n int) string {
	return uuid.NewSHA1(fixtureNS, fmt.Appendf(nil, "%s/%d", kind, n)).String()
}

func fptr(f float64) *float64 { return &f }

// fixtureTopics vary what generated services are about, so that a search
// matches a realistic share of a large directory rather than all of it.
var fixtureTopics = []string{
	"money, debt and benefits", "food and fuel", "housing and tenancy problems", "mental health and wellbeing",
	"caring for a relative", "finding work and training", "getting online", "loneliness and isolation",
	"drug and alcohol use", "domestic abuse", "immigration and asylum", "disability and access",
	"parenting and family life", "older age and later life", "young people's support", "bereavement",
	"physical activity", "arts and creativity", "volunteering", "legal advice",
}

// GenerateServices returns n full HSDS services with every optional field
// the platform stores filled in. Services are spread over orgs organisations
// and every third service shares its location with the one before it, so
// shared locations are exercised. The same arguments give the same data.
func GenerateServices(n, orgs int) []hsds.Service { return GenerateServiceRange(0, n, orgs) }

// GenerateServiceRange returns services from (inclusive) to to (exclusive)
// of the sequence GenerateServices makes, so that large directories can be
// generated a batch at a time.
func GenerateServiceRange(from, to, orgs int) []hsds.Service {
	if orgs < 1 {
		orgs = 1
	}
	termIDs := []string{ID("term", 0), ID("term", 1), ID("term", 2)}
	base := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	out := make([]hsds.Service, 0, to-from)
	for i := from; i < to; i++ {
		o := i % orgs
		org := &hsds.Organization{
			ID: ID("org", o), Name: fmt.Sprintf("%s Trust %d", []string{"Holmfirth", "Batley", "Mirfield", "Slaithwaite"}[o%4], o), Description: fmt.Sprintf("Charity number %d.", o),
			Email: fmt.Sprintf("info@org%d.example.org.uk", o), Website: fmt.Sprintf("https://org%d.example.org.uk", o),
			YearIncorporated: fptr(1990 + float64(o%30)), LegalStatus: "Registered charity", URI: fmt.Sprintf("https://org%d.example.org.uk/", o),
			OrganizationIdentifiers: []hsds.OrganizationIdentifier{{ID: ID("orgid", o), IdentifierScheme: "GB-CHC", IdentifierType: "Charity number", Identifier: fmt.Sprintf("%07d", 1000000+o)}},
		}
		locN := i
		if i%3 == 2 {
			locN = i - 1 // share the previous service's location
		}
		// Locations spread over about 28 by 33 km of West Yorkshire, so that
		// "within 2 km" keeps a realistic few per cent of a large directory.
		lat, lon := 53.55+float64(locN%500)*0.0005, -2.0+float64((locN/7)%100)*0.005
		loc := &hsds.Location{
			ID: ID("location", locN), LocationType: hsds.LocationPhysical, Name: fmt.Sprintf("Community Centre %d", locN),
			Description: "A community centre.", Transportation: "Bus 301 stops outside.", Latitude: &lat, Longitude: &lon,
			ExternalIdentifier: fmt.Sprintf("%012d", 100000000000+locN), ExternalIdentifierType: "UPRN",
			Addresses: []hsds.Address{{ID: ID("address", locN), Address1: fmt.Sprintf("%d High Street", locN%200+1),
				City: "Huddersfield", StateProvince: "West Yorkshire", PostalCode: "HD1 2SP", Country: "GB", AddressType: "physical"}},
			Accessibility: []hsds.Accessibility{{ID: ID("access", locN), Description: "Step-free access", Details: "Ramp at the side door."}},
			Phones:        []hsds.Phone{{ID: ID("locphone", locN), Number: "01632 960123", Type: "voice"}},
			Schedules:     []hsds.Schedule{{ID: ID("locschedule", locN), Freq: "WEEKLY", Byday: "MO,TU,WE,TH,FR", OpensAt: "09:00", ClosesAt: "17:00"}},
			Languages:     []hsds.Language{{ID: ID("loclang", locN), Name: "English", Code: "en"}},
		}
		svc := hsds.Service{
			ID: ID("service", i), OrganizationID: org.ID, Name: fmt.Sprintf("Service %d advice", i),
			AlternateName: fmt.Sprintf("S%d", i), Description: fmt.Sprintf("Help number %d with %s.", i, fixtureTopics[i%len(fixtureTopics)]),
			URL: fmt.Sprintf("https://org%d.example.org.uk/services/%d", o, i), Email: fmt.Sprintf("service%d@org%d.example.org.uk", i, o),
			Status: hsds.StatusActive, InterpretationServices: "Interpreters on request.", ApplicationProcess: "Call or get a referral.",
			FeesDescription: "Free", Accreditations: "Advice Quality Standard", EligibilityDescription: "Adults in Kirklees.",
			MinimumAge: fptr(18), MaximumAge: fptr(99), AssuredDate: "2026-01-15", AssurerEmail: "assurer@example.org.uk",
			Alert: "Closed on bank holidays.", LastModified: base.Add(time.Duration(i) * time.Minute).Format(time.RFC3339),
			Organization: org,
			ServiceAtLocations: []hsds.ServiceAtLocation{{ID: ID("sal", i), LocationID: loc.ID, Description: "Drop-in",
				Location:  loc,
				Schedules: []hsds.Schedule{{ID: ID("salschedule", i), Freq: "WEEKLY", Byday: "SA", OpensAt: "10:00", ClosesAt: "12:00", Description: "Saturday drop-in"}},
				Phones:    []hsds.Phone{{ID: ID("salphone", i), Number: "01632 960456"}},
				Contacts:  []hsds.Contact{{ID: ID("salcontact", i), Name: "Site lead", Email: "site@example.org.uk"}},
			}},
			Phones:            []hsds.Phone{{ID: ID("phone", i), Number: "0113 496 0000", Extension: fptr(12), Type: "voice", Description: "Advice line", Languages: []hsds.Language{{ID: ID("phonelang", i), Name: "Urdu", Code: "ur"}}}},
			Schedules:         []hsds.Schedule{{ID: ID("schedule", i), Freq: "WEEKLY", Interval: fptr(1), Byday: "MO,WE", OpensAt: "09:30", ClosesAt: "16:30", ValidFrom: "2026-01-01", ValidTo: "2026-12-31", DTStart: "2026-01-05", Wkst: "MO", Description: "Mondays and Wednesdays", AttendingType: "in person", Notes: "Closed bank holidays"}},
			Contacts:          []hsds.Contact{{ID: ID("contact", i), Name: "Alex Example", Title: "Adviser", Department: "Advice", Email: "alex@example.org.uk", Phones: []hsds.Phone{{ID: ID("contactphone", i), Number: "0114 496 0000"}}}},
			Languages:         []hsds.Language{{ID: ID("lang", i), Name: "English", Code: "en", Note: "All sessions"}},
			ServiceAreas:      []hsds.ServiceArea{{ID: ID("area", i), Name: "Kirklees", Description: "The whole borough", URI: "http://statistics.data.gov.uk/id/statistical-geography/E08000034"}},
			CostOptions:       []hsds.CostOption{{ID: ID("cost", i), Option: "Per session", Currency: "GBP", Amount: fptr(2.5), AmountDescription: "Concessions free", ValidFrom: "2026-01-01", ValidTo: "2026-12-31"}},
			Fundings:          []hsds.Funding{{ID: ID("funding", i), Source: "National Lottery Community Fund"}},
			RequiredDocuments: []hsds.RequiredDocument{{ID: ID("doc", i), Document: "Proof of address"}},
			Attributes: []hsds.Attribute{{ID: ID("attr", i), TaxonomyTermID: termIDs[i%3], LinkType: "service", LinkEntity: "service",
				TaxonomyTerm: &hsds.TaxonomyTerm{ID: termIDs[i%3], Name: []string{"Debt advice", "Food", "Housing"}[i%3], Description: "A test term.", TaxonomyID: ID("taxonomy", 0)}}},
		}
		out = append(out, svc)
	}
	return out
}

// FixtureTaxonomy is the taxonomy GenerateServices' terms belong to.
func FixtureTaxonomy() hsds.Taxonomy {
	return hsds.Taxonomy{ID: ID("taxonomy", 0), Name: "Fixture categories", Description: "Categories for tests."}
}

// QueryCounter counts the SQL statements a database runs.
type QueryCounter struct{ n atomic.Int64 }

// Count returns the statements counted so far.
func (q *QueryCounter) Count() int64 { return q.n.Load() }

// Reset sets the count back to zero.
func (q *QueryCounter) Reset() { q.n.Store(0) }

// CountQueries starts counting every statement db (and sessions made from
// it) runs.
func CountQueries(t testing.TB, db *gorm.DB) *QueryCounter {
	t.Helper()
	qc := &QueryCounter{}
	count := func(*gorm.DB) { qc.n.Add(1) }
	cb := db.Callback()
	for name, err := range map[string]error{
		"query": cb.Query().After("gorm:query").Register("dbtest:count_query", count),
		"raw":   cb.Raw().After("gorm:raw").Register("dbtest:count_raw", count),
		"row":   cb.Row().After("gorm:row").Register("dbtest:count_row", count),
	} {
		if err != nil {
			t.Fatalf("register %s counter: %v", name, err)
		}
	}
	return qc
}
