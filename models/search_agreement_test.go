package models_test

import (
	"context"
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
	"github.com/openreferral-uk/referrals/models/geo"
)

// allNear pages through every service near a point for a query.
func allNear(t *testing.T, db *gorm.DB, q models.ServiceQuery, p geo.Point, radius float64) []string {
	t.Helper()
	var out []string
	q.PerPage = 50
	for page := 1; ; page++ {
		q.Page = page
		hits, total, err := models.SearchServicesNear(context.Background(), db, q, p, radius)
		if err != nil {
			t.Fatal(err)
		}
		for i, h := range hits {
			if i > 0 && h.Distance < hits[i-1].Distance {
				t.Errorf("%+v: not nearest first at %d", q, i)
			}
			out = append(out, h.ID)
		}
		if len(out) >= total || len(hits) == 0 {
			if len(out) != total {
				t.Errorf("%+v: %d results listed, total says %d", q, len(out), total)
			}
			break
		}
	}
	slices.Sort(out)
	return out
}

// SQLite (FTS5, and service_points for "near") and PostgreSQL (tsvector
// and joins) give the same result set for the same directory and query;
// the order within an equal rank may differ.
func TestSearchAgreesOnBothDatabases(t *testing.T) {
	pg := dbtest.Postgres(t)
	lite := dbtest.SQLite(t)
	ctx := context.Background()
	seed(t, pg, 300)
	seed(t, lite, 300)
	// Make the directory less uniform: a draft, a professionals-only
	// service and one more location far away.
	for _, db := range []*gorm.DB{pg, lite} {
		db.Model(&models.Service{}).Where("id = ?", dbtest.ID("service", 3)).Update("visibility", models.Draft)
		db.Model(&models.Service{}).Where("id = ?", dbtest.ID("service", 4)).Update("professionals_only", true)
	}
	near := geo.Point{Lat: 53.6, Lon: -1.9}
	age := 30
	queries := []models.ServiceQuery{
		{Text: "debt"}, {Text: "mental health"}, {Text: "food fuel"}, {Text: "advice"}, {},
		{Text: "money", AcceptsReferrals: true}, {Text: "housing", Age: &age}, {Text: "caring", OpenOn: "MO"},
	}
	for _, aud := range []models.Audience{models.Public, models.Professional} {
		for _, q := range queries {
			q.Audience = aud
			for _, radius := range []float64{2000, 8000, 40000} {
				a, b := allNear(t, pg, q, near, radius), allNear(t, lite, q, near, radius)
				if q.Text == "" && radius == 40000 && len(a) < 100 {
					t.Errorf("within 40 km, only %d services: the fixture is not where the test thinks", len(a))
				}
				if !slices.Equal(a, b) {
					t.Errorf("%q (audience %v, filters %+v) within %.0f m: PostgreSQL %d, SQLite %d", q.Text, aud, q, radius, len(a), len(b))
				}
			}
			q.PerPage = 1000
			pa, _, err1 := models.SearchServices(ctx, pg, q)
			la, _, err2 := models.SearchServices(ctx, lite, q)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			var pids, lids []string
			for _, r := range pa {
				pids = append(pids, r.ID)
			}
			for _, r := range la {
				lids = append(lids, r.ID)
			}
			slices.Sort(pids)
			slices.Sort(lids)
			if !slices.Equal(pids, lids) {
				t.Errorf("search %q (audience %v): PostgreSQL %d, SQLite %d", q.Text, aud, len(pids), len(lids))
			}
		}
	}
}

// service_points, kept by triggers, always equals what the directory's own
// tables say, whatever writes them.
func TestServicePointsFollowTheDirectory(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx := context.Background()
	svcs := seed(t, db, 60)
	check := func(when string) {
		t.Helper()
		var want, got []string
		db.Raw(`SELECT sal.service_id || '|' || sal.location_id || '|' || COALESCE(r.rowid, 0) || '|' || COALESCE(l.latitude, '') || '|' ||
				COALESCE(l.longitude, '') || '|' || (s.visibility = 'published') || '|' || s.professionals_only || '|' || l.professionals_only
			FROM service_at_locations sal JOIN services s ON s.id = sal.service_id JOIN locations l ON l.id = sal.location_id
			LEFT JOIN service_search_rows r ON r.service_id = s.id GROUP BY sal.service_id, sal.location_id ORDER BY 1`).Scan(&want)
		db.Raw(`SELECT service_id || '|' || location_id || '|' || COALESCE(search_rowid, 0) || '|' || COALESCE(latitude, '') || '|' ||
				COALESCE(longitude, '') || '|' || published || '|' || service_professionals_only || '|' || location_professionals_only
			FROM service_points ORDER BY 1`).Scan(&got)
		if !slices.Equal(want, got) {
			t.Errorf("%s: service_points has %d rows, the directory says %d", when, len(got), len(want))
			for i := range min(len(want), len(got)) {
				if want[i] != got[i] {
					t.Errorf("first difference: want %s, got %s", want[i], got[i])
					break
				}
			}
		}
	}
	check("after the first save")
	// Saved again with changes: a moved location, a renamed service (its
	// search row is replaced), fewer services.
	svcs[0].Name = "Renamed service"
	if len(svcs[1].ServiceAtLocations) > 0 && svcs[1].ServiceAtLocations[0].Location != nil {
		lat := 53.7
		svcs[1].ServiceAtLocations[0].Location.Latitude = &lat
	}
	if err := models.SaveServices(ctx, db, "test", svcs[:50]); err != nil {
		t.Fatal(err)
	}
	check("after saving again with changes")
	db.Model(&models.Service{}).Where("id = ?", svcs[2].ID).Updates(map[string]any{"visibility": models.Draft, "professionals_only": true})
	db.Model(&models.Location{}).Where("id IN (SELECT location_id FROM service_at_locations WHERE service_id = ?)", svcs[5].ID).
		Updates(map[string]any{"professionals_only": true, "latitude": 53.9})
	check("after updates by SQL")
	db.Exec("DELETE FROM service_at_locations WHERE service_id = ?", svcs[6].ID)
	db.Exec("DELETE FROM services WHERE id = ?", svcs[7].ID)
	check("after deletes")
}

// TestPostgresPlansForEachStatement: the platform's PostgreSQL connections
// plan every statement for its own values (a generic plan made the
// caseworker's search five times slower, docs/performance.md), unless the
// database URL chooses otherwise, and the URL's other settings, spaces and
// all, reach PostgreSQL as written.
func TestPostgresPlansForEachStatement(t *testing.T) {
	ctx := context.Background()
	u := dbtest.PostgresURL(t)
	for _, c := range []struct{ url, setting, want string }{
		{u, "plan_cache_mode", "force_custom_plan"},
		{u + "&plan_cache_mode=auto", "plan_cache_mode", "auto"},
		{u + "&options=-c%20plan_cache_mode%3Dforce_generic_plan", "plan_cache_mode", "force_generic_plan"},
		{u + "&options=-c%20statement_timeout%3D5000", "statement_timeout", "5s"},
		{u + "&application_name=Referral%20platform", "application_name", "Referral platform"},
	} {
		db, err := models.Open(ctx, c.url)
		if err != nil {
			t.Errorf("open %s: %v", c.url, err)
			continue
		}
		// Every connection of the pool, not just the first.
		sqlDB, _ := db.DB()
		sqlDB.SetMaxIdleConns(0)
		for range 3 {
			var got string
			if err := db.Raw("SELECT current_setting(?)", c.setting).Scan(&got).Error; err != nil || got != c.want {
				t.Errorf("%s with %s: %q (%v), want %q", c.setting, c.url, got, err, c.want)
			}
		}
		_ = models.Close(db)
	}
}
