package models_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
	"github.com/openreferral-uk/referrals/models/geo"
	"github.com/openreferral-uk/referrals/models/hsds"
)

// seed saves n generated services (and their taxonomy) from one source.
func seed(t *testing.T, db *gorm.DB, n int) []hsds.Service {
	t.Helper()
	ctx := context.Background()
	svcs := dbtest.GenerateServices(n, 3)
	if err := models.SaveTaxonomy(ctx, db, "test", dbtest.FixtureTaxonomy(), nil); err != nil {
		t.Fatalf("save taxonomy: %v", err)
	}
	if err := models.SaveServices(ctx, db, "test", svcs); err != nil {
		t.Fatalf("save services: %v", err)
	}
	return svcs
}

func ids(svcs []hsds.Service) []string {
	out := make([]string, len(svcs))
	for i, s := range svcs {
		out[i] = s.ID
	}
	return out
}

func TestSaveAndLoadNestedService(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		in := seed(t, db, 3)
		recs, err := models.LoadServices(ctx, db, ids(in), models.Public)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 3 {
			t.Fatalf("loaded %d services, want 3", len(recs))
		}
		for i, r := range recs {
			if r.ID != in[i].ID {
				t.Errorf("service %d: id %s, want %s (order must follow the ids given)", i, r.ID, in[i].ID)
			}
		}
		got, want := recs[1].Service, in[1]
		checks := []struct {
			what      string
			got, want any
		}{
			{"name", got.Name, want.Name},
			{"status", got.Status, want.Status},
			{"minimum age", *got.MinimumAge, *want.MinimumAge},
			{"last modified", got.LastModified, "2026-01-01T09:01:00.000Z"},
			{"organisation", got.Organization.Name, want.Organization.Name},
			{"organisation identifier", got.Organization.OrganizationIdentifiers[0].Identifier, want.Organization.OrganizationIdentifiers[0].Identifier},
			{"locations", len(got.ServiceAtLocations), 1},
			{"address", got.ServiceAtLocations[0].Location.Addresses[0].PostalCode, "HD1 2SP"},
			{"accessibility", got.ServiceAtLocations[0].Location.Accessibility[0].Description, "Step-free access"},
			{"location schedule", got.ServiceAtLocations[0].Location.Schedules[0].Byday, "MO,TU,WE,TH,FR"},
			{"service-at-location schedule", got.ServiceAtLocations[0].Schedules[0].Byday, "SA"},
			{"service-at-location contact", got.ServiceAtLocations[0].Contacts[0].Name, "Site lead"},
			{"phone extension", *got.Phones[0].Extension, 12.0},
			{"phone language", got.Phones[0].Languages[0].Code, "ur"},
			{"contact phone", got.Contacts[0].Phones[0].Number, "0114 496 0000"},
			{"schedule interval", *got.Schedules[0].Interval, 1.0},
			{"taxonomy term", got.Attributes[0].TaxonomyTerm.Name, want.Attributes[0].TaxonomyTerm.Name},
			{"service area", got.ServiceAreas[0].Name, "Kirklees"},
			{"cost", *got.CostOptions[0].Amount, 2.5},
			{"funding", got.Fundings[0].Source, want.Fundings[0].Source},
			{"required document", got.RequiredDocuments[0].Document, "Proof of address"},
			{"accepts referrals by default", recs[1].Local.AcceptsReferrals, false},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s: got %v, want %v", c.what, c.got, c.want)
			}
		}
	})
}

// TestSaveIsIdempotent saves what it loaded and loads it again: the same
// data twice gives the same records.
func TestSaveIsIdempotent(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		in := seed(t, db, 6)
		first, err := models.LoadServices(ctx, db, ids(in), models.Professional)
		if err != nil {
			t.Fatal(err)
		}
		again := make([]hsds.Service, len(first))
		for i, r := range first {
			again[i] = r.Service
		}
		if err := models.SaveServices(ctx, db, "test", again); err != nil {
			t.Fatal(err)
		}
		second, err := models.LoadServices(ctx, db, ids(in), models.Professional)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(first)
		b, _ := json.Marshal(second)
		if string(a) != string(b) {
			t.Errorf("saving loaded services changed them:\nfirst  %s\nsecond %s", a, b)
		}
		var n int64
		db.Model(&models.Phone{}).Count(&n)
		if n == 0 {
			t.Fatal("no phones saved")
		}
		var n2 int64
		if err := models.SaveServices(ctx, db, "test", again); err != nil {
			t.Fatal(err)
		}
		db.Model(&models.Phone{}).Count(&n2)
		if n != n2 {
			t.Errorf("saving the same services again changed the phone count from %d to %d", n, n2)
		}
	})
}

// TestLoaderQueryCountIsConstant proves the nested loader's cost does not
// grow with the number of services it loads.
func TestLoaderQueryCountIsConstant(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		in := seed(t, db, 50)
		qc := dbtest.CountQueries(t, db)
		counts := map[int]int64{}
		for _, n := range []int{1, 10, 50} {
			qc.Reset()
			recs, err := models.LoadServices(ctx, db, ids(in[:n]), models.Public)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != n {
				t.Fatalf("loaded %d services, want %d", len(recs), n)
			}
			counts[n] = qc.Count()
		}
		t.Logf("queries to load 1, 10, 50 services: %d, %d, %d", counts[1], counts[10], counts[50])
		if counts[1] == 0 {
			t.Fatal("the query counter counted nothing")
		}
		if counts[1] != counts[10] || counts[10] != counts[50] {
			t.Errorf("query count grows with services: %v", counts)
		}
	})
}

// TestLastModifiedRuleReachesServicesSharingALocation edits a location that
// two services share and checks both, and only those, are marked modified.
func TestLastModifiedRuleReachesServicesSharingALocation(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		in := seed(t, db, 4) // services 1 and 2 share service 1's location
		shared := in[1].ServiceAtLocations[0].LocationID
		if in[2].ServiceAtLocations[0].LocationID != shared {
			t.Fatal("fixture services 1 and 2 do not share a location")
		}
		at := time.Date(2026, 11, 20, 12, 30, 0, 123_000_000, time.UTC)
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Model(&models.Location{}).Where("id = ?", shared).Update("name", "Renamed Centre").Error; err != nil {
				return err
			}
			return models.TouchServicesAtLocations(ctx, tx, []string{shared}, at)
		})
		if err != nil {
			t.Fatal(err)
		}
		recs, err := models.LoadServices(ctx, db, ids(in), models.Public)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range recs {
			touched := r.LastModified == "2026-11-20T12:30:00.123Z"
			if (i == 1 || i == 2) != touched {
				t.Errorf("service %d last_modified %s; touched=%v", i, r.LastModified, touched)
			}
		}
		if got := recs[2].ServiceAtLocations[0].Location.Name; got != "Renamed Centre" {
			t.Errorf("service 2 shows location %q", got)
		}
	})
}

func TestVisibilityByAudience(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		in := seed(t, db, 4)
		mustExec := func(q string, args ...any) {
			t.Helper()
			if err := db.Exec(q, args...).Error; err != nil {
				t.Fatal(err)
			}
		}
		mustExec("UPDATE services SET visibility = 'draft' WHERE id = ?", in[0].ID)
		mustExec("UPDATE services SET professionals_only = TRUE WHERE id = ?", in[1].ID)
		refuge := in[3].ServiceAtLocations[0].LocationID
		mustExec("UPDATE locations SET professionals_only = TRUE WHERE id = ?", refuge)
		mustExec("UPDATE phones SET professionals_only = TRUE WHERE id = ?", in[3].Phones[0].ID)

		pub, err := models.LoadServices(ctx, db, ids(in), models.Public)
		if err != nil {
			t.Fatal(err)
		}
		if len(pub) != 2 || pub[0].ID != in[2].ID || pub[1].ID != in[3].ID {
			t.Fatalf("public sees %d services; want only services 2 and 3", len(pub))
		}
		if n := len(pub[1].ServiceAtLocations); n != 0 {
			t.Errorf("public sees the professionals-only location (%d locations)", n)
		}
		if n := len(pub[1].Phones); n != 0 {
			t.Errorf("public sees the professionals-only phone")
		}
		if len(pub[1].Restricted) != 0 {
			t.Errorf("public record marks restricted ids %v", pub[1].Restricted)
		}
		pro, err := models.LoadServices(ctx, db, ids(in), models.Professional)
		if err != nil {
			t.Fatal(err)
		}
		if len(pro) != 3 {
			t.Fatalf("professionals see %d services, want 3 (drafts stay hidden)", len(pro))
		}
		last := pro[2]
		if len(last.ServiceAtLocations) != 1 || !last.Restricted[refuge] || !last.Restricted[in[3].Phones[0].ID] {
			t.Errorf("professionals do not see the restricted location and phone marked: %v", last.Restricted)
		}
		_, total, err := models.SearchServiceIDs(ctx, db, models.ServiceQuery{Audience: models.Public})
		if err != nil {
			t.Fatal(err)
		}
		if total != 2 {
			t.Errorf("public search counts %d services, want 2", total)
		}
	})
}

func TestSearchServices(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		in := seed(t, db, 30)
		search := func(text string, page, per int) ([]string, int) {
			t.Helper()
			ids, total, err := models.SearchServiceIDs(ctx, db, models.ServiceQuery{Text: text, Page: page, PerPage: per})
			if err != nil {
				t.Fatalf("search %q: %v", text, err)
			}
			return ids, total
		}
		if _, total := search("", 1, 10); total != 30 {
			t.Errorf("empty search found %d, want all 30", total)
		}
		// Every third service is tagged Housing (10), and service 22 is
		// about housing in its description.
		if _, total := search("housing", 1, 50); total != 11 {
			t.Errorf("search by taxonomy term and description found %d, want 11", total)
		}
		if _, total := search("Mirfield", 1, 50); total != 10 {
			t.Errorf("search by organisation name found %d, want 10", total)
		}
		if got, total := search("Service 17", 1, 5); total == 0 || got[0] != in[17].ID {
			t.Errorf("search for a service's name ranks %v first, want %s", got, in[17].ID)
		}
		// Services 0 and 20 are about "money, debt and benefits".
		if got, total := search("benef", 1, 5); total != 2 || !slices.Contains(got, in[20].ID) {
			t.Errorf("prefix search found %d (%v), want services 0 and 20", total, got)
		}
		if _, total := search("the", 1, 5); total != 30 {
			t.Errorf("a stop word alone found %d, want all 30 on every database", total)
		}
		if _, total := search("the housing", 1, 50); total != 11 {
			t.Errorf("a stop word with a word found %d, want 11", total)
		}
		if _, total := search("zzzzunknown", 1, 5); total != 0 {
			t.Errorf("nonsense search found %d", total)
		}
		for _, hostile := range []string{`"`, `*`, `) OR (`, `NEAR(a b)`, `a:*`, `'; DROP TABLE services; --`, `!!`, `a & | b`} {
			if _, _, err := models.SearchServiceIDs(ctx, db, models.ServiceQuery{Text: hostile}); err != nil {
				t.Errorf("search %q failed: %v", hostile, err)
			}
		}
		seen := map[string]bool{}
		for page := 1; page <= 4; page++ {
			got, total := search("", page, 8)
			if total != 30 {
				t.Fatalf("page %d total %d", page, total)
			}
			for _, id := range got {
				if seen[id] {
					t.Errorf("page %d repeats %s", page, id)
				}
				seen[id] = true
			}
		}
		if len(seen) != 30 {
			t.Errorf("paging through saw %d services, want 30", len(seen))
		}
	})
}

// TestRewritingAServiceKeepsLocalFlagsAndTouchesSharers writes a service
// again from its source: a changed shared location marks the other service
// there modified, an unchanged one does not, and professionals-only flags
// set locally survive.
func TestRewritingAServiceKeepsLocalFlagsAndTouchesSharers(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		in := seed(t, db, 4) // services 1 and 2 share a location
		lastModified := func(id string) string {
			recs, err := models.LoadServices(ctx, db, []string{id}, models.Professional)
			if err != nil || len(recs) != 1 {
				t.Fatalf("load %s: %v", id, err)
			}
			return recs[0].LastModified
		}
		if err := db.Exec("UPDATE phones SET professionals_only = TRUE WHERE id = ?", in[1].Phones[0].ID).Error; err != nil {
			t.Fatal(err)
		}
		before2, before0 := lastModified(in[2].ID), lastModified(in[0].ID)

		if err := models.SaveServices(ctx, db, "test", in[1:2]); err != nil {
			t.Fatal(err)
		}
		if got := lastModified(in[2].ID); got != before2 {
			t.Errorf("an unchanged shared location touched service 2: %s -> %s", before2, got)
		}
		changed := dbtest.GenerateServices(4, 3)[1]
		changed.ServiceAtLocations[0].Location.Addresses[0].Address1 = "99 Changed Road"
		if err := models.SaveServices(ctx, db, "test", []hsds.Service{changed}); err != nil {
			t.Fatal(err)
		}
		if got := lastModified(in[2].ID); got == before2 {
			t.Error("a changed shared location did not touch service 2, which shares it")
		}
		if got := lastModified(in[0].ID); got != before0 {
			t.Error("service 0, elsewhere, was touched")
		}
		recs, err := models.LoadServices(ctx, db, []string{in[1].ID}, models.Public)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range recs[0].Phones {
			if p.ID == in[1].Phones[0].ID {
				t.Error("the professionals-only phone is public again after the source sent it again")
			}
		}
	})
}

func TestLocationsWithoutIDsStayApart(t *testing.T) {
	db := dbtest.SQLite(t)
	svcs := dbtest.GenerateServices(2, 1)
	for i := range svcs {
		svcs[i].ServiceAtLocations[0].ID = ""
		svcs[i].ServiceAtLocations[0].LocationID = ""
		svcs[i].ServiceAtLocations[0].Location.ID = ""
	}
	if err := models.SaveServices(context.Background(), db, "feed:x", svcs); err != nil {
		t.Fatal(err)
	}
	var n int64
	db.Model(&models.Location{}).Count(&n)
	if n != 2 {
		t.Errorf("two id-less locations were stored as %d", n)
	}
}

// TestLoaderUsesIndexesWithPlannerStatistics guards against a plan that
// cost 100x at scale: with statistics, SQLite judged indexes on mostly-NULL
// parent columns unselective and scanned whole tables to load one service.
func TestLoaderUsesIndexesWithPlannerStatistics(t *testing.T) {
	db := dbtest.SQLite(t)
	seed(t, db, 300)
	if err := models.Optimize(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct{ table, column string }{
		{"contacts", "location_id"}, {"contacts", "service_id"}, {"contacts", "service_at_location_id"},
		{"phones", "service_id"}, {"phones", "location_id"}, {"phones", "contact_id"}, {"phones", "service_at_location_id"},
		{"schedules", "service_id"}, {"schedules", "location_id"}, {"schedules", "service_at_location_id"},
		{"languages", "service_id"}, {"languages", "location_id"}, {"languages", "phone_id"}, {"fundings", "service_id"},
	} {
		var plan []struct{ Detail string }
		db.Raw("EXPLAIN QUERY PLAN SELECT * FROM "+q.table+" WHERE "+q.column+" IN (?) ORDER BY id", "x").Scan(&plan)
		var details []string
		for _, p := range plan {
			details = append(details, p.Detail)
		}
		joined := strings.Join(details, "; ")
		if !strings.Contains(joined, "SEARCH") || strings.Contains(joined, "SCAN "+q.table) {
			t.Errorf("%s by %s: %s", q.table, q.column, joined)
		}
	}
}

func TestSearchServicesNear(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		in := seed(t, db, 40)
		// Fixture locations start at 53.55, -2.0 and step north.
		near := geo.Point{Lat: 53.55, Lon: -2.0}
		hits, total, err := models.SearchServicesNear(ctx, db, models.ServiceQuery{PerPage: 5}, near, 2000)
		if err != nil {
			t.Fatal(err)
		}
		if total == 0 || len(hits) == 0 || hits[0].ID != in[0].ID {
			t.Fatalf("near the first location: %d results (%v), want service 0 first", total, hits)
		}
		for i := 1; i < len(hits); i++ {
			if hits[i].Distance < hits[i-1].Distance || hits[i].Distance > 2000 {
				t.Errorf("result %d at %.0f m after %.0f m", i, hits[i].Distance, hits[i-1].Distance)
			}
		}
		page2, total2, err := models.SearchServicesNear(ctx, db, models.ServiceQuery{PerPage: 5, Page: 2}, near, 2000)
		if err != nil || total2 != total {
			t.Errorf("page 2: total %d (%v), want %d", total2, err, total)
		}
		for _, h := range page2 {
			for _, h1 := range hits {
				if h.ID == h1.ID {
					t.Errorf("page 2 repeats %s", h.ID)
				}
			}
		}
		none, n, err := models.SearchServicesNear(ctx, db, models.ServiceQuery{}, geo.Point{Lat: 51.5, Lon: -0.1}, 5000)
		if err != nil || n != 0 || len(none) != 0 {
			t.Errorf("near London: %d results, %v", n, err)
		}
	})
}
