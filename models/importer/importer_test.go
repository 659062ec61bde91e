package importer

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
	"github.com/openreferral-uk/referrals/models/hsds"
)

// fast are HTTP options for tests: no rate limit, short backoff.
func fast() HTTPOptions {
	return HTTPOptions{Rate: -1, Backoff: 5 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, UserAgent: "referrals-import/test", PerPage: 50}
}

func hasProblem(rep *Report, recordID, field string, action Action) bool {
	return slices.ContainsFunc(rep.Problems, func(p Problem) bool {
		return (recordID == "" || p.RecordID == recordID) && strings.HasPrefix(p.Field, field) && p.Action == action
	})
}

func loadOne(t *testing.T, db *gorm.DB, id string) hsds.Service {
	t.Helper()
	recs, err := models.LoadServices(context.Background(), db, []string{id}, models.Professional)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 {
		t.Fatalf("service %s not found", id)
	}
	return recs[0].Service
}

// TestORUKv1CouncilFeed imports a realistic council ORUK v1 feed of 400
// services over eight pages of its API: everything usable is imported with
// its faults reported per record and field, and a second run changes
// nothing.
func TestORUKv1CouncilFeed(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		feed := newV1Feed(400, 50)
		srv := feed.serve(t)
		const source = "feed:kirklees"
		src, err := OpenAPI(ctx, srv.URL+"/api/services", FormatAuto, fast())
		if err != nil {
			t.Fatal(err)
		}
		if src.Format() != FormatORUKv1API {
			t.Fatalf("detected %s, want %s", src.Format(), FormatORUKv1API)
		}
		rep := run(t, db, src, Options{Source: source, BatchSize: 64})
		t.Logf("400 services over 8 pages: %.2fs, write transaction %.3fs", rep.Seconds, rep.WriteSeconds)
		// 9 services have no name and 9 repeat an earlier id.
		if rep.Services.Read != 400 || rep.Services.Created != 382 || rep.Services.Skipped != 18 || rep.Rejected != 18 {
			t.Fatalf("services: %+v, rejected %d", rep.Services, rep.Rejected)
		}
		if got := feed.agents.Load(); got != "referrals-import/test" {
			t.Errorf("User-Agent %q", got)
		}
		var n int64
		db.Model(&models.Service{}).Where("source = ?", source).Count(&n)
		if n != 382 {
			t.Errorf("%d services stored, want 382", n)
		}
		for _, c := range []struct {
			id, field string
			action    Action
		}{
			{"1900", "name", Skipped},                                  // i=400? no: service 40 has no name
			{"00000000-0000-0000-0000-000000000041", "", Skipped},      // service 42 repeats 41's id
			{"1500", "description", Fixed},                             // service 0: <script> removed
			{"", "email", Dropped},                                     // "not an email"
			{"", "url", Fixed},                                         // www. without a scheme
			{"", "url", Dropped},                                       // "n/a"
			{"", "status", Defaulted},                                  // "closed"
			{"", "organization_id", Defaulted},                         // no organisation
			{"", "service_at_locations[0].location.latitude", Dropped}, // 0, 0
			{"", "maximum_age", Dropped},                               // 65 to 18
			{"", "cost_options[0].amount", Dropped},                    // "£5"
			{"", "regular_schedules", Fixed},                           // shared schedule ids
		} {
			if c.id == "1900" {
				c.id = fmt.Sprint(councilID(40))
			}
			if !hasProblem(rep, c.id, c.field, c.action) && (c.field != "regular_schedules" || !hasProblem(rep, "", "schedules", Fixed)) {
				t.Errorf("no %s problem for %q %s", c.action, c.id, c.field)
			}
		}
		// The id rule: a numeric id gets a UUIDv5 of (source, id); an id
		// shaped like a UUID is kept though it is not RFC 4122.
		s0 := loadOne(t, db, models.NormaliseID(source, "1500"))
		if strings.Contains(s0.Description, "script") || !strings.Contains(s0.Description, "<strong>advice</strong>") {
			t.Errorf("description not sanitised to the safe subset: %q", s0.Description)
		}
		if s0.Status != hsds.StatusActive {
			t.Errorf("v1 service without status: %q, want active", s0.Status)
		}
		s1 := loadOne(t, db, "00000000-0000-0000-0000-000000000001")
		if s1.Organization == nil || s1.Organization.Name != "Kirklees Voluntary Group 1" {
			t.Errorf("organisation of service 1: %+v", s1.Organization)
		}
		if len(s1.Attributes) != 1 || s1.Attributes[0].TaxonomyTerm == nil || s1.Attributes[0].TaxonomyTerm.Description != s1.Attributes[0].TaxonomyTerm.Name {
			t.Errorf("taxonomy term of a v1 service should be described by its name: %+v", s1.Attributes)
		}
		if len(s1.ServiceAtLocations) != 1 || len(s1.ServiceAtLocations[0].Location.Addresses) != 1 {
			t.Errorf("location of service 1: %+v", s1.ServiceAtLocations)
		}
		var prov models.ImportRecord
		if err := db.Where("source = ? AND record_type = ? AND record_id = ?", source, models.RecordService, s1.ID).First(&prov).Error; err != nil {
			t.Fatal(err)
		}
		if prov.SourceRecordID != s1.ID || prov.ContentHash == "" || prov.FirstSeenAt.IsZero() {
			t.Errorf("provenance %+v", prov)
		}

		before, beforeDump := counts(t, db), dump(t, db)
		src, err = OpenAPI(ctx, srv.URL+"/api", FormatAuto, fast())
		if err != nil {
			t.Fatal(err)
		}
		again := run(t, db, src, Options{Source: source, BatchSize: 64})
		if again.Services.Unchanged != 382 || again.Services.Created+again.Services.Updated != 0 {
			t.Errorf("second run: %+v", again.Services)
		}
		if again.Organizations.Created+again.Organizations.Updated != 0 || again.TaxonomyTerms.Created+again.TaxonomyTerms.Updated != 0 {
			t.Errorf("second run: organisations %+v, terms %+v", again.Organizations, again.TaxonomyTerms)
		}
		if after := counts(t, db); !mapsEqual(before, after) {
			t.Errorf("second run changed row counts:\nbefore %v\nafter  %v", before, after)
		}
		if afterDump := dump(t, db); afterDump != beforeDump {
			t.Errorf("second run changed rows")
		}
		var seen models.ImportRecord
		db.Where("source = ? AND record_id = ?", source, s1.ID).First(&seen)
		if !seen.LastSeenAt.After(prov.LastSeenAt) || !seen.LastChangedAt.Equal(prov.LastChangedAt) {
			t.Errorf("an unchanged record should only be seen again: before %+v, after %+v", prov, seen)
		}

		// The feed changes one service: only it is written.
		feed.setEdit(func(i int, s map[string]any) {
			if i == 2 {
				s["name"] = "Renamed service"
			}
		})
		src, _ = OpenAPI(ctx, srv.URL+"/api", FormatAuto, fast())
		third := run(t, db, src, Options{Source: source, BatchSize: 64})
		if third.Services.Updated != 1 || third.Services.Unchanged != 381 {
			t.Errorf("third run: %+v", third.Services)
		}
		if s := loadOne(t, db, fmt.Sprint(councilID(2))); s.Name != "Renamed service" {
			t.Errorf("updated name %q", s.Name)
		}
	})
}

func mapsEqual(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestHSDSExamplesRoundTrip imports the official HSDS 3.0 examples (one full
// service, a page of services, and the tabular data package) and reads the
// services back as the API publishes them.
func TestHSDSExamplesRoundTrip(t *testing.T) {
	ex := filepath.Join(sharedDir(t), "hsds3", "3.0", "examples")
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		fresh := func() *gorm.DB {
			if models.DialectFor(db) == models.Postgres {
				return dbtest.Postgres(t)
			}
			return dbtest.SQLite(t)
		}
		for i, input := range []string{filepath.Join(ex, "csv"), filepath.Join(ex, "service_list.json"), filepath.Join(ex, "service_full.json")} {
			if i > 0 {
				db = fresh()
			}
			src, closeSrc, err := Open(ctx, input, OpenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			rep := run(t, db, src, Options{Source: "feed:hsds-examples"})
			_ = closeSrc()
			if rep.Services.Created != 1 || rep.Services.Skipped != 0 {
				t.Fatalf("%s: %+v %+v", input, rep.Services, rep.Problems)
			}
			// The example's faults are reported, not fatal: a latitude of
			// 100 (the list page has no locations), references to records
			// the example does not include.
			if !strings.HasSuffix(input, "list.json") && !hasProblem(rep, "", "service_at_locations[0].location.latitude", Dropped) {
				t.Errorf("%s: latitude 100 not reported: %+v", input, rep.Problems)
			}
		}
		s := loadOne(t, db, "ac148810-d857-441c-9679-408f346de14b")
		want := map[string][2]string{
			"name":         {s.Name, "Community Counselling"},
			"organisation": {s.Organization.Name, "Example Organization Inc."},
			"status":       {s.Status, "active"},
			"fees":         {s.FeesDescription, "Non-NHS patients are expected to pay for their counselling sessions. We charge a flat rate per hour of counselling. The current rate is £50 per hour. Please see our website for up to date prices."},
			"location":     {s.ServiceAtLocations[0].Location.Name, "MyCity Civic Center"}, //nolint:misspell // the example's name
			"address":      {s.ServiceAtLocations[0].Location.Addresses[0].PostalCode, "ABC 1234"},
			"phone":        {s.Phones[0].Number, "+44 1234 234567"},
			"schedule":     {s.Schedules[0].Byday, "TH,FR"},
			"language":     {s.Languages[0].Code, "ur"},
		}
		for what, v := range want {
			if v[0] != v[1] {
				t.Errorf("%s: %q, want %q", what, v[0], v[1])
			}
		}
	})
}

// TestORUKExamples imports the ORUK 3.0 UK profile's own examples: one full
// service, a page of services, and its tabular data package, which holds
// both the singular and plural file names of some tables and reuses ids
// across tables.
func TestORUKExamples(t *testing.T) {
	ex := filepath.Join(sharedDir(t), "oruk", "uk-profile", "examples")
	for _, input := range []string{"service_full.json", "service_list.json", "csv"} {
		t.Run(input, func(t *testing.T) {
			dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
				src, closeSrc, err := Open(context.Background(), filepath.Join(ex, input), OpenOptions{})
				if err != nil {
					t.Fatal(err)
				}
				defer closeSrc() //nolint:errcheck // read only
				rep := run(t, db, src, Options{Source: "feed:oruk-examples"})
				if rep.Services.Created != 1 || rep.Services.Skipped != 0 || rep.Rejected != 0 {
					t.Fatalf("%+v, rejected %d: %+v", rep.Services, rep.Rejected, rep.Problems)
				}
				s := loadOne(t, db, "ac148810-d857-441c-9679-408f346de14b")
				if s.Name != "Community Counselling" || s.Organization == nil || s.Organization.Name != "Example Organization Inc." || s.Status != "active" {
					t.Errorf("service %q status %q organisation %+v", s.Name, s.Status, s.Organization)
				}
				// The examples' faults are reported, not fatal.
				if !hasProblem(rep, "", "parent_organization_id", Dropped) {
					t.Errorf("the parent organisation missing from the example was not reported: %+v", rep.Problems)
				}
				if input != "service_list.json" {
					if !hasProblem(rep, "", "service_at_locations[0].location.latitude", Dropped) {
						t.Errorf("latitude 100 not reported: %+v", rep.Problems)
					}
					if len(s.ServiceAtLocations) != 1 || s.ServiceAtLocations[0].Location == nil || len(s.ServiceAtLocations[0].Location.Addresses) == 0 {
						t.Errorf("the example's location and address: %+v", s.ServiceAtLocations)
					}
				}
				if input == "csv" && !hasProblem(rep, "", "schedules[0].id", Fixed) {
					t.Errorf("a schedule id used twice in the package was not reported: %+v", rep.Problems)
				}
			})
		})
	}
}

// TestOlderTabularLayout imports a data package in the HSDS 1.x layout
// (testdata/hsds1: regular_schedules, physical and postal addresses,
// eligibility, accessibility_for_disabilities, service_taxonomy and a
// taxonomy table of terms, "language" and "service_area" columns, and
// services_at_location.csv), and a second time finds it unchanged.
func TestOlderTabularLayout(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		open := func() Source {
			src, closeSrc, err := Open(context.Background(), filepath.Join("testdata", "hsds1"), OpenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = closeSrc() })
			return src
		}
		rep := run(t, db, open(), Options{Source: "feed:calder"})
		if rep.Services.Created != 2 || rep.TaxonomyTerms.Created != 3 {
			t.Fatalf("services %+v, terms %+v: %+v", rep.Services, rep.TaxonomyTerms, rep.Problems)
		}
		if !hasProblem(rep, "", "regular_schedules[2].weekday", Dropped) || !hasProblem(rep, "", "service_taxonomy[1].taxonomy_id", Dropped) {
			t.Errorf("an unknown weekday and a missing term should be reported: %+v", rep.Problems)
		}
		s := loadOne(t, db, "7a0c2d4e-5f60-4718-9a2b-3c4d5e6f7081")
		var days []string
		for _, sc := range s.Schedules {
			days = append(days, sc.Byday+" "+sc.Freq+" "+sc.OpensAt)
		}
		slicesSort(days)
		got := map[string][2]string{
			"fees":         {s.FeesDescription, "Free"},
			"eligibility":  {s.EligibilityDescription, "adult; living in Calderdale"},
			"schedules":    {strings.Join(days, ", "), "  10:00, MO WEEKLY 09:00, TU WEEKLY 10:00"}, // Funday: hours, no day
			"service area": {s.ServiceAreas[0].Name, "Calderdale"},
			"language":     {s.Languages[0].Name, "Polish"},
			"organisation": {s.Organization.Name, "Calder Valley Advice"},
			"contact":      {s.Contacts[0].Name, "Sam Adviser"},
			"funding":      {s.Fundings[0].Source, "Money and Pensions Service"},
			"description":  {s.Description, "<p>Help with <b>debts</b> and budgeting.</p>"},
		}
		if len(s.Attributes) == 1 && s.Attributes[0].TaxonomyTerm != nil {
			term := s.Attributes[0].TaxonomyTerm
			got["term"] = [2]string{term.Name + " / " + term.Taxonomy, "Debt advice / Calder categories"}
			got["term parent"] = [2]string{term.ParentID, models.NormaliseID("feed:calder", "money")}
		} else {
			t.Errorf("attributes: %+v", s.Attributes)
		}
		if len(s.ServiceAtLocations) == 1 && s.ServiceAtLocations[0].Location != nil {
			sal := s.ServiceAtLocations[0]
			l := sal.Location
			var addrs []string
			for _, a := range l.Addresses {
				addrs = append(addrs, a.AddressType+" "+a.PostalCode)
			}
			slicesSort(addrs)
			got["addresses"] = [2]string{strings.Join(addrs, ", "), "physical HX7 7BY, postal HX7 8AA"}
			got["location type"] = [2]string{l.LocationType, hsds.LocationPhysical}
			got["accessibility"] = [2]string{l.Accessibility[0].Description + " / " + l.Accessibility[0].Details, "wheelchair / Ramp at the side door"}
			got["location language"] = [2]string{l.Languages[0].Code, "cy"}
			got["location hours"] = [2]string{l.Schedules[0].Byday, "SA"}
			got["drop-in hours"] = [2]string{sal.Schedules[0].Byday + " " + sal.Schedules[0].OpensAt, "WE 13:00"}
		} else {
			t.Errorf("service at location: %+v", s.ServiceAtLocations)
		}
		for what, v := range got {
			if v[0] != v[1] {
				t.Errorf("%s: %q, want %q", what, v[0], v[1])
			}
		}

		again := run(t, db, open(), Options{Source: "feed:calder"})
		if again.Services.Unchanged != 2 || again.Services.Created+again.Services.Updated != 0 {
			t.Errorf("a second run: %+v", again.Services)
		}
	})
}

// TestHSDSAPI reads a live ORUK 3.0 API: the validator's mock responses
// served over HTTP, including its test feed that lists one service 31 times.
func TestHSDSAPI(t *testing.T) {
	mocks := filepath.Join(sharedDir(t), "oruk", "validator", "mocks")
	serve := func(t *testing.T, dir string) string {
		srv := httptestServer(t, func(w http.ResponseWriter, r *http.Request) {
			name := "service_list.json"
			if strings.HasPrefix(r.URL.Path, "/services/") {
				name = "service_full.json"
			} else if r.URL.Query().Get("page") != "1" {
				http.Error(w, "no such page", http.StatusNotFound)
				return
			}
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(b)
		})
		return srv
	}
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		src, err := OpenAPI(ctx, serve(t, filepath.Join(mocks, "V3.0-UK-Default")), FormatAuto, fast())
		if err != nil {
			t.Fatal(err)
		}
		if src.Format() != FormatHSDSAPI {
			t.Fatalf("detected %s", src.Format())
		}
		rep := run(t, db, src, Options{Source: "feed:oruk-mock"})
		if rep.Services.Created != 1 {
			t.Fatalf("%+v %+v", rep.Services, rep.Problems)
		}
		s := loadOne(t, db, "ac148810-d857-441c-9679-408f346de14b")
		if s.FeesDescription != "fees_description" {
			t.Errorf("ORUK's fees should become fees_description: %q", s.FeesDescription)
		}

		src, err = OpenAPI(ctx, serve(t, filepath.Join(mocks, "V3.0-UK-Test")), FormatAuto, fast())
		if err != nil {
			t.Fatal(err)
		}
		rep = run(t, db, src, Options{Source: "feed:oruk-test"})
		// The test feed lists one service 128 times: the first copy is kept
		// by the first source, and the others repeat it.
		if rep.Services.Read != 128 || rep.Services.Skipped != 128 || rep.Rejected != 127 {
			t.Errorf("%+v, rejected %d", rep.Services, rep.Rejected)
		}
	})
}

// TestMessyInput feeds one service at a time through the whole import and
// checks what is stored and what is reported.
func TestMessyInput(t *testing.T) {
	const source = "feed:messy"
	base := func() hsds.Service {
		return hsds.Service{ID: "3f1e4f4e-0000-4000-8000-000000000001", Name: "Food bank", Status: "active",
			Organization: &hsds.Organization{ID: "3f1e4f4e-0000-4000-8000-0000000000aa", Name: "Trussell Trust"}}
	}
	cases := []struct {
		name    string
		edit    func(s *hsds.Service)
		field   string
		action  Action
		stored  func(s hsds.Service) string
		want    string
		skipped bool
	}{
		{name: "empty strings are absent", edit: func(s *hsds.Service) { s.Email, s.URL, s.Description = "", "  ", "null" },
			stored: func(s hsds.Service) string { return s.Email + s.URL + s.Description }, want: ""},
		{name: "HTML in a description is made safe", edit: func(s *hsds.Service) {
			s.Description = `<p onclick="x()">Hot <em>meals</em></p><img src=x onerror=alert(1)><a href="javascript:alert(1)">link</a>`
		}, field: "description", action: Fixed,
			stored: func(s hsds.Service) string { return s.Description }, want: "<p>Hot <em>meals</em></p>link"},
		{name: "HTML in a name is removed", edit: func(s *hsds.Service) { s.Name = "<b>Food</b> bank &amp; café" },
			field: "name", action: Fixed, stored: func(s hsds.Service) string { return s.Name }, want: "Food bank & café"},
		{name: "a UUID-shaped id that is not RFC 4122 is kept", edit: func(s *hsds.Service) { s.ID = "ABCDEF00-0000-0000-0000-000000000000" },
			stored: func(s hsds.Service) string { return s.ID }, want: "abcdef00-0000-0000-0000-000000000000"},
		{name: "any other id gets a UUIDv5", edit: func(s *hsds.Service) { s.ID = "svc/17" },
			stored: func(s hsds.Service) string { return s.ID }, want: models.NormaliseID(source, "svc/17")},
		{name: "an organisation not in the file becomes a placeholder", edit: func(s *hsds.Service) {
			s.Organization, s.OrganizationID = nil, "org-that-is-not-there"
		}, field: "organization_id", action: Defaulted,
			stored: func(s hsds.Service) string { return s.Organization.Name }, want: PlaceholderOrganizationName},
		{name: "a bad email is dropped", edit: func(s *hsds.Service) { s.Email = "food bank at example" }, field: "email", action: Dropped,
			stored: func(s hsds.Service) string { return s.Email }, want: ""},
		{name: "a web address without a scheme is fixed", edit: func(s *hsds.Service) { s.URL = "www.example.org.uk" }, field: "url", action: Fixed,
			stored: func(s hsds.Service) string { return s.URL }, want: "https://www.example.org.uk"},
		{name: "an unknown status becomes active", edit: func(s *hsds.Service) { s.Status = "open" }, field: "status", action: Defaulted,
			stored: func(s hsds.Service) string { return s.Status }, want: "active"},
		{name: "a v1-style status is normalised", edit: func(s *hsds.Service) { s.Status = "Temporarily_Closed" },
			stored: func(s hsds.Service) string { return s.Status }, want: "temporarily closed"},
		{name: "coordinates off the Earth are dropped", edit: func(s *hsds.Service) {
			lat, lon := 100.0, 2.0
			s.ServiceAtLocations = []hsds.ServiceAtLocation{{ID: "sal", Location: &hsds.Location{ID: "loc", Name: "Hall", Latitude: &lat, Longitude: &lon}}}
		}, field: "service_at_locations[0].location.latitude", action: Dropped,
			stored: func(s hsds.Service) string {
				return fmt.Sprintf("%v %s", s.ServiceAtLocations[0].Location.Latitude == nil, s.ServiceAtLocations[0].Location.Name)
			}, want: "true Hall"},
		{name: "a phone without a number is dropped", edit: func(s *hsds.Service) { s.Phones = []hsds.Phone{{ID: "p1"}, {ID: "p2", Number: "0113 496 0000"}} },
			field: "phones[0]", action: Dropped, stored: func(s hsds.Service) string { return fmt.Sprint(len(s.Phones)) }, want: "1"},
		{name: "a term without a description is described by its name", edit: func(s *hsds.Service) {
			s.Attributes = []hsds.Attribute{{ID: "a1", TaxonomyTerm: &hsds.TaxonomyTerm{ID: "t1", Name: "Food"}}}
		}, stored: func(s hsds.Service) string { return s.Attributes[0].TaxonomyTerm.Description }, want: "Food"},
		{name: "text that is not UTF-8 is repaired", edit: func(s *hsds.Service) { s.Description = "Caf\xe9 \x00open" },
			field: "description", action: Fixed, stored: func(s hsds.Service) string { return s.Description }, want: "Caf\uFFFD open"},
		{name: "no name: skipped", edit: func(s *hsds.Service) { s.Name = " " }, field: "name", action: Skipped, skipped: true},
		{name: "no id: skipped", edit: func(s *hsds.Service) { s.ID = "" }, field: "id", action: Skipped, skipped: true},
	}
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				s := base()
				s.ID = fmt.Sprintf("3f1e4f4e-0000-4000-8000-%012d", i)
				c.edit(&s)
				rep := run(t, db, &sliceSource{items: []hsds.Service{s}}, Options{Source: source})
				if c.field != "" && !hasProblem(rep, "", c.field, c.action) {
					t.Errorf("no %s problem for %s: %+v", c.action, c.field, rep.Problems)
				}
				if c.skipped {
					if rep.Services.Skipped != 1 || rep.Rejected != 1 {
						t.Errorf("not skipped: %+v", rep.Services)
					}
					return
				}
				if rep.Services.Created != 1 {
					t.Fatalf("not created: %+v %+v", rep.Services, rep.Problems)
				}
				id := models.NormaliseID(source, strings.TrimSpace(s.ID))
				if got := c.stored(loadOne(t, db, id)); got != c.want {
					t.Errorf("stored %q, want %q", got, c.want)
				}
			})
		}
	})
}

// TestIdempotent imports the same services twice: the second run reports
// every record unchanged and leaves every row as it was.
func TestIdempotent(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		svcs := dbtest.GenerateServices(60, 4)
		for i := range svcs {
			svcs[i].Attributes[0].TaxonomyTerm.TaxonomyDetail = &hsds.Taxonomy{ID: dbtest.ID("taxonomy", 0), Name: "Fixture categories"}
		}
		first := run(t, db, &sliceSource{items: svcs}, Options{BatchSize: 25})
		if first.Services.Created != 60 || len(first.Problems) != 0 {
			t.Fatalf("first run %+v %+v", first.Services, first.Problems)
		}
		before, beforeDump := counts(t, db), dump(t, db)
		second := run(t, db, &sliceSource{items: svcs}, Options{BatchSize: 25})
		want := Counts{Read: 60, Unchanged: 60}
		if second.Services != want || second.Organizations != (Counts{Read: 4, Unchanged: 4}) ||
			second.TaxonomyTerms != (Counts{Read: 3, Unchanged: 3}) || second.Taxonomies != (Counts{Read: 1, Unchanged: 1}) {
			t.Errorf("second run: %+v %+v %+v %+v", second.Services, second.Organizations, second.TaxonomyTerms, second.Taxonomies)
		}
		if after := counts(t, db); !mapsEqual(before, after) {
			t.Errorf("row counts changed:\n%v\n%v", before, after)
		}
		if dump(t, db) != beforeDump {
			t.Errorf("rows changed on the second run")
		}
	})
}

// TestAllOrNothing fails the write after its second batch: the database is
// left exactly as it was, and so it is when the input is unreadable.
func TestAllOrNothing(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		run(t, db, &sliceSource{items: dbtest.GenerateServices(10, 2)}, Options{})
		before := dump(t, db)

		changed := dbtest.GenerateServices(40, 3)
		for i := range changed {
			changed[i].Name += " (changed)"
		}
		boom := errors.New("disk full")
		rep, err := Run(ctx, db, &sliceSource{items: changed}, Options{Source: "feed:test", BatchSize: 10,
			afterBatch: func(i int) error {
				if i == 2 {
					return boom
				}
				return nil
			}})
		if !errors.Is(err, boom) || rep.Outcome != OutcomeFailed {
			t.Fatalf("err %v, outcome %s", err, rep.Outcome)
		}
		if dump(t, db) != before {
			t.Fatal("a failed run changed the database")
		}

		// Truncated JSON fails the run before anything is written.
		path := filepath.Join(t.TempDir(), "broken.json")
		if err := os.WriteFile(path, []byte(`[{"id": "a", "name": "A"}, {"id": "b", "na`), 0o600); err != nil {
			t.Fatal(err)
		}
		src, _, err := Open(ctx, path, OpenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Run(ctx, db, src, Options{Source: "feed:test"}); !errors.Is(err, ErrInput) {
			t.Fatalf("truncated input: %v", err)
		}
		if dump(t, db) != before {
			t.Fatal("an unreadable input changed the database")
		}
	})
}

// TestLocalEditsAreKept shows the rule that stops an import overwriting
// what people changed here: a record another source keeps (here "local")
// is never overwritten, nor is one edited on this platform since the
// import last changed it.
func TestLocalEditsAreKept(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		svcs := dbtest.GenerateServices(5, 1)
		run(t, db, &sliceSource{items: svcs}, Options{})
		ids := []string{svcs[0].ID, svcs[1].ID, svcs[2].ID}
		// Service 0 is claimed: its records are now kept locally.
		db.Model(&models.Service{}).Where("id = ?", ids[0]).Updates(map[string]any{"source": "local", "name": "Claimed"})
		// Service 1 is edited here; models touch last_modified on every edit.
		if err := db.Model(&models.Service{}).Where("id = ?", ids[1]).Update("name", "Edited here").Error; err != nil {
			t.Fatal(err)
		}
		if err := models.TouchServices(ctx, db, ids[1:2], time.Now().Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			svcs[i].Name = "Changed at the source"
		}
		rep := run(t, db, &sliceSource{items: svcs}, Options{})
		if rep.Services.Skipped != 2 || rep.Services.Updated != 1 || rep.Services.Unchanged != 2 || rep.Rejected != 0 {
			t.Errorf("%+v rejected %d", rep.Services, rep.Rejected)
		}
		for i, want := range []string{"Claimed", "Edited here", "Changed at the source"} {
			if s := loadOne(t, db, ids[i]); s.Name != want {
				t.Errorf("service %d: %q, want %q", i, s.Name, want)
			}
		}
		if !hasProblem(rep, svcs[0].ID, "", Skipped) || !hasProblem(rep, svcs[1].ID, "", Skipped) {
			t.Errorf("skips not reported: %+v", rep.Problems)
		}
	})
}

// TestStrictAndDryRun: --strict writes nothing when a record had to be
// skipped; --dry-run never writes, and reports what it would have done.
func TestStrictAndDryRun(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		svcs := dbtest.GenerateServices(5, 1)
		svcs[3].Name = ""
		empty := dump(t, db)
		rep, err := Run(ctx, db, &sliceSource{items: svcs}, Options{Source: "feed:test", Strict: true})
		if !errors.Is(err, ErrRejected) || rep.Outcome != OutcomeRejected || rep.Rejected != 1 {
			t.Fatalf("strict: %v %s %d", err, rep.Outcome, rep.Rejected)
		}
		rep, err = Run(ctx, db, &sliceSource{items: svcs}, Options{Source: "feed:test", DryRun: true})
		if err != nil || rep.Outcome != OutcomeDryRun || rep.Services.Created != 4 {
			t.Fatalf("dry run: %v %s %+v", err, rep.Outcome, rep.Services)
		}
		if dump(t, db) != empty {
			t.Fatal("strict or dry run wrote")
		}
		if _, err := Run(ctx, db, &sliceSource{items: svcs}, Options{Source: "local"}); err == nil {
			t.Fatal(`"local" accepted as a source`)
		}
	})
}

// TestWriteMatchesWriteRowSet keeps the importer's writer in step with
// models.WriteRowSet: the same services written either way give the same
// rows (but last_modified, which an import sets to when it changed the
// record).
func TestWriteMatchesWriteRowSet(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		const source = "feed:test"
		svcs := dbtest.GenerateServices(30, 3)
		if err := models.SaveTaxonomy(ctx, db, source, dbtest.FixtureTaxonomy(), nil); err != nil {
			t.Fatal(err)
		}
		if err := models.SaveServices(ctx, db, source, svcs); err != nil {
			t.Fatal(err)
		}
		viaModels := dumpWithout(t, db, "last_modified", "first_seen_at")

		other := dbtest.SQLite(t)
		if models.DialectFor(db) == models.Postgres {
			other = dbtest.Postgres(t)
		}
		if err := models.SaveTaxonomy(ctx, other, source, dbtest.FixtureTaxonomy(), nil); err != nil {
			t.Fatal(err)
		}
		rep := run(t, other, &sliceSource{items: svcs}, Options{Source: source})
		if len(rep.Problems) != 0 {
			t.Fatalf("problems: %+v", rep.Problems)
		}
		viaImport := dumpWithout(t, other, "last_modified", "first_seen_at")
		if viaModels != viaImport {
			a, b := strings.Split(viaModels, "\n"), strings.Split(viaImport, "\n")
			for i := range min(len(a), len(b)) {
				if a[i] != b[i] {
					t.Fatalf("first difference:\nWriteRowSet %s\nimport      %s", a[i], b[i])
				}
			}
			t.Fatalf("%d rows via WriteRowSet, %d via import", len(a), len(b))
		}
	})
}

// dumpWithout is dump without import_records and the given columns.
func dumpWithout(t *testing.T, db *gorm.DB, cols ...string) string {
	var keep []string
	for _, line := range strings.Split(dump(t, db, cols...), "\n") {
		if !strings.HasPrefix(line, "import_records:") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
}

// TestLocationOrganisationInALaterBatch imports more services than one
// batch, whose locations name an organisation that only arrives with the
// services of the last batch: the link is kept (it used to be dropped
// because the organisation was not known when the location's batch was
// prepared), a link to an organisation that never arrives is dropped and
// reported, and a second run changes nothing.
func TestLocationOrganisationInALaterBatch(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		const n = 620
		svcs := dbtest.GenerateServices(n, 1)
		later := &hsds.Organization{ID: "council-17", Name: "Kirklees Council", Description: "The council."}
		for i := range svcs {
			// Each service its own location, so that the links are checked
			// one by one.
			loc := svcs[i].ServiceAtLocations[0].Location
			l := *loc
			l.ID = dbtest.ID("own-location", i)
			l.Addresses, l.Accessibility, l.Phones, l.Schedules, l.Languages = nil, nil, nil, nil, nil
			l.OrganizationID = later.ID
			if i == 3 {
				l.OrganizationID = "never-sent"
			}
			svcs[i].ServiceAtLocations[0].LocationID = l.ID
			svcs[i].ServiceAtLocations[0].Location = &l
			if i >= 550 {
				svcs[i].OrganizationID, svcs[i].Organization = later.ID, later
			}
			svcs[i].Attributes = nil
		}
		opts := Options{BatchSize: DefaultBatchSize}
		first := run(t, db, &sliceSource{items: svcs}, opts)
		if first.Services.Created != n {
			t.Fatalf("created %+v", first.Services)
		}
		var dropped []Problem
		for _, pr := range first.Problems {
			if strings.HasSuffix(pr.Field, "location.organization_id") {
				dropped = append(dropped, pr)
			}
		}
		if len(dropped) != 1 || dropped[0].RecordID != svcs[3].ID || dropped[0].Action != Dropped || dropped[0].Where != "item 4" {
			t.Errorf("problems about location organisations: %+v", dropped)
		}
		council := models.NormaliseID("feed:test", later.ID)
		var linked, none int64
		if err := db.Table("locations").Where("organization_id = ?", council).Count(&linked).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Table("locations").Where("organization_id IS NULL").Count(&none).Error; err != nil {
			t.Fatal(err)
		}
		if linked != n-1 || none != 1 {
			t.Errorf("%d locations linked to the council and %d to none, want %d and 1", linked, none, n-1)
		}
		before := dump(t, db)
		second := run(t, db, &sliceSource{items: svcs}, opts)
		if second.Services != (Counts{Read: n, Unchanged: n}) {
			t.Errorf("second run: %+v", second.Services)
		}
		if dump(t, db) != before {
			t.Error("the second run changed rows")
		}
	})
}

// TestReimportAfterTaxonomyDeleted: deleting a taxonomy marks the imported
// services it touched as changed for API consumers without making them look
// edited on this platform, so the next import of their source updates them
// and gives their categories back; a service already edited here stays
// kept from its source.
func TestReimportAfterTaxonomyDeleted(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		const source = "file:council"
		tax := dbtest.FixtureTaxonomy()
		services := func(suffix string) *sliceSource {
			s := dbtest.GenerateServices(10, 2)
			for i := range s {
				s[i].Name += suffix
				s[i].Attributes[0].TaxonomyTerm.TaxonomyDetail = &tax
			}
			return &sliceSource{items: s}
		}
		run(t, db, services(""), Options{Source: source})
		edited := dbtest.ID("service", 3)
		if err := db.Model(&models.Service{}).Where("id = ?", edited).
			Update("last_modified", time.Now().Add(time.Hour).UTC().Truncate(time.Millisecond)).Error; err != nil {
			t.Fatal(err)
		}
		platform := &models.Actor{User: models.User{PlatformAdmin: true}}
		taxID := models.NormaliseID(source, tax.ID)
		if _, err := models.DeleteTaxonomy(ctx, db, platform, taxID); err != nil {
			t.Fatal(err)
		}
		rep := run(t, db, services(" (renamed)"), Options{Source: source})
		if rep.Services.Updated != 9 || rep.Services.Skipped != 1 {
			t.Errorf("re-import after the deletion: %+v, want 9 updated and the one edited here kept", rep.Services)
		}
		if s := loadOne(t, db, dbtest.ID("service", 0)); !strings.HasSuffix(s.Name, "(renamed)") || len(s.Attributes) != 1 {
			t.Errorf("service 0 after the re-import: %q with %d categories", s.Name, len(s.Attributes))
		}
		if s := loadOne(t, db, edited); strings.HasSuffix(s.Name, "(renamed)") {
			t.Errorf("the service edited here was overwritten: %q", s.Name)
		}
	})
}

// TestLocalSettingsSurviveImport: every column this platform adds to a
// service (models.ServiceLocalColumns) keeps what was set here when its
// source is imported again with changes, through the importer and through
// models.SaveServices alike. A column added to the list without a value
// here fails the test, so a new local setting cannot be forgotten.
func TestLocalSettingsSurviveImport(t *testing.T) {
	set := map[string]any{"visibility": string(models.Draft), "professionals_only": true, "accepts_referrals": true,
		"referral_email": "referrals@example.org.uk", "response_target_days": 9, "capacity_status": string(models.CapacityFull),
		"bank_holidays": models.Scotland}
	for _, col := range models.ServiceLocalColumns {
		if _, ok := set[col]; !ok {
			t.Fatalf("no test value for the local column %s", col)
		}
	}
	for _, via := range []string{"importer", "SaveServices"} {
		t.Run(via, func(t *testing.T) {
			dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
				ctx := context.Background()
				const source = "feed:test"
				id := dbtest.ID("service", 1)
				write := func(suffix string) {
					svcs := dbtest.GenerateServices(3, 1)
					for i := range svcs {
						svcs[i].Name += suffix
					}
					if via == "importer" {
						run(t, db, &sliceSource{items: svcs}, Options{Source: source})
					} else if err := models.SaveServices(ctx, db, source, svcs); err != nil {
						t.Fatal(err)
					}
				}
				write("")
				if err := db.Model(&models.Service{}).Where("id = ?", id).Updates(set).Error; err != nil {
					t.Fatal(err)
				}
				write(" (renamed)")
				var name string
				db.Model(&models.Service{}).Where("id = ?", id).Select("name").Scan(&name)
				if !strings.HasSuffix(name, "(renamed)") {
					t.Fatalf("the second write did not update the service: %q", name)
				}
				var s models.Service
				if err := db.First(&s, "id = ?", id).Error; err != nil {
					t.Fatal(err)
				}
				got := map[string]any{"visibility": string(s.Visibility), "professionals_only": s.ProfessionalsOnly,
					"accepts_referrals": s.AcceptsReferrals, "referral_email": s.ReferralEmail,
					"response_target_days": s.ResponseTargetDays, "capacity_status": string(s.CapacityStatus), "bank_holidays": s.BankHolidays}
				for col, want := range set {
					if g, ok := got[col]; !ok || g != want {
						t.Errorf("%s: %v after the import, want %v", col, g, want)
					}
				}
			})
		})
	}
}
