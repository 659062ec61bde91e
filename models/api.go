package models

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/openreferral-uk/referrals/models/geo"
	"github.com/openreferral-uk/referrals/models/hsds"
)

// This file holds the reads behind the published Open Referral UK API. They
// show the public only what the public may see: published services (in any
// HSDS status, so that closures reach consumers) and nothing marked
// professionals-only.

// ServiceAtLocationQuery selects service-at-location records: the services
// query's filters plus, optionally, nearness to a point.
type ServiceAtLocationQuery struct {
	ServiceQuery
	// Near sorts results by distance from this point when set.
	Near *geo.Point
	// Radius keeps results within this many metres of Near; 0 keeps all.
	Radius float64
	// AfterSALID keeps records whose id sorts after it (keyset paging).
	AfterSALID string
}

// ServiceAtLocationHit is one matching service-at-location, with its
// distance in metres from the query's point when there is one and the
// location has coordinates.
type ServiceAtLocationHit struct {
	ID       string
	Distance *float64
}

// distanceSquared is the squared equirectangular distance in metres between
// a location and a point: accurate to well under 1% at the distances people
// travel to a service, and plain arithmetic, so both databases compute it
// in the query and sort on it.
func distanceSquared(p geo.Point) clause.Expr { return distanceSquaredFrom("l", p) }

// distanceSquaredFrom is distanceSquared over the latitude and longitude
// columns of another table alias.
func distanceSquaredFrom(alias string, p geo.Point) clause.Expr {
	kLat := geo.MetresPerDegreeLat
	kLon := geo.MetresPerDegreeLat * math.Cos(p.Lat*math.Pi/180)
	return gorm.Expr("(("+alias+".latitude - ?) * ?) * (("+alias+".latitude - ?) * ?) + (("+alias+".longitude - ?) * ?) * (("+alias+".longitude - ?) * ?)",
		p.Lat, kLat, p.Lat, kLat, p.Lon, kLon, p.Lon, kLon)
}

// SearchServiceAtLocations returns a page of matching service-at-location
// records, nearest first when the query has a point, and how many match.
func SearchServiceAtLocations(ctx context.Context, db *gorm.DB, q ServiceAtLocationQuery) ([]ServiceAtLocationHit, int, error) {
	if q.Page < 1 {
		q.Page = 1
	}
	if q.PerPage < 1 {
		q.PerPage = 50
	}
	q.AfterID = ""
	base, rank := filterServices(db.WithContext(ctx), q.ServiceQuery)
	base = base.Joins("JOIN service_at_locations sal ON sal.service_id = services.id").
		Joins("JOIN locations l ON l.id = sal.location_id")
	if q.Audience == Public {
		base = base.Where("l.professionals_only = ?", false)
	}
	if q.AfterSALID != "" {
		base = base.Where("sal.id > ?", q.AfterSALID)
	}
	order := orderBy(rank, "sal.id")
	var sel *gorm.DB
	if q.Near != nil {
		d2 := distanceSquared(*q.Near)
		if q.Radius > 0 {
			minLat, maxLat, minLon, maxLon := geo.Box(*q.Near, q.Radius)
			base = base.Where("l.latitude BETWEEN ? AND ? AND l.longitude BETWEEN ? AND ?", minLat, maxLat, minLon, maxLon).
				Where("? <= ?", d2, q.Radius*q.Radius)
		}
		sel = base.Session(&gorm.Session{}).Select("sal.id AS id, "+windowTotal(db, rank, true)+", ? AS dist2", d2)
		// Locations without coordinates sort after every located one.
		order = "CASE WHEN l.latitude IS NULL OR l.longitude IS NULL THEN 1 ELSE 0 END, dist2, sal.id"
	} else {
		sel = base.Session(&gorm.Session{}).Select("sal.id AS id, " + windowTotal(db, rank, false))
	}
	var rows []idWithTotal
	err := sel.Order(order).Limit(q.PerPage).Offset((q.Page - 1) * q.PerPage).Scan(&rows).Error
	if err != nil {
		return nil, 0, fmt.Errorf("models: search service at locations: %w", err)
	}
	total, err := totalOf(rows, q.Page, base)
	if err != nil {
		return nil, 0, fmt.Errorf("models: count service at locations: %w", err)
	}
	hits := make([]ServiceAtLocationHit, len(rows))
	for i, r := range rows {
		hits[i].ID = r.ID
		if r.Dist2 != nil {
			d := math.Sqrt(*r.Dist2)
			hits[i].Distance = &d
		}
	}
	return hits, total, nil
}

// LoadServiceAtLocations loads service-at-location records by id, in the
// order given, each with its full location and its service: the service's
// own fields only, or (full) everything about it. Ids the audience may not
// see are left out.
func LoadServiceAtLocations(ctx context.Context, db *gorm.DB, ids []string, aud Audience, full bool) ([]hsds.ServiceAtLocation, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []ServiceAtLocation
	if err := loadIn(db.WithContext(ctx), "id", uniq(ids), &rows); err != nil {
		return nil, fmt.Errorf("models: load service at locations: %w", err)
	}
	serviceIDs := make([]string, len(rows))
	for i, r := range rows {
		serviceIDs[i] = r.ServiceID
	}
	recs, err := LoadServices(ctx, db, uniq(serviceIDs), aud)
	if err != nil {
		return nil, err
	}
	bySAL := map[string]hsds.ServiceAtLocation{}
	for _, rec := range recs {
		svc := rec.Service
		if !full {
			svc = serviceOwnFields(svc)
		} else {
			svc.ServiceAtLocations = nil
		}
		for _, sal := range rec.ServiceAtLocations {
			s := svc
			sal.Service = &s
			bySAL[sal.ID] = sal
		}
	}
	out := make([]hsds.ServiceAtLocation, 0, len(ids))
	for _, id := range ids {
		if sal, ok := bySAL[id]; ok {
			out = append(out, sal)
		}
	}
	return out, nil
}

// serviceOwnFields keeps a service's one-to-one fields and drops what is
// nested beneath it.
func serviceOwnFields(s hsds.Service) hsds.Service {
	return hsds.Service{
		ID: s.ID, OrganizationID: s.OrganizationID, Name: s.Name, AlternateName: s.AlternateName,
		Description: s.Description, URL: s.URL, Email: s.Email, Status: s.Status,
		InterpretationServices: s.InterpretationServices, ApplicationProcess: s.ApplicationProcess,
		FeesDescription: s.FeesDescription, Accreditations: s.Accreditations,
		EligibilityDescription: s.EligibilityDescription, MinimumAge: s.MinimumAge, MaximumAge: s.MaximumAge,
		AssuredDate: s.AssuredDate, AssurerEmail: s.AssurerEmail, Alert: s.Alert, LastModified: s.LastModified,
	}
}

// ServiceOwnFields returns a service with only its one-to-one fields, as
// API lists show it unless asked for full records.
func ServiceOwnFields(s hsds.Service) hsds.Service { return serviceOwnFields(s) }

// ListQuery pages through a simple resource, optionally matching a name.
type ListQuery struct {
	Text    string
	Page    int
	PerPage int
}

func (q ListQuery) offset() (limit, offset int) {
	if q.Page < 1 {
		q.Page = 1
	}
	if q.PerPage < 1 {
		q.PerPage = 50
	}
	return q.PerPage, (q.Page - 1) * q.PerPage
}

// likePattern makes a case-insensitive LIKE pattern that matches text
// anywhere, with LIKE's wildcards in the text taken literally.
func likePattern(text string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(strings.TrimSpace(text))) + "%"
}

// publicOrganizations scopes organisations to those with at least one
// service the public may see: an organisation is published through its
// services.
func publicOrganizations(db *gorm.DB) *gorm.DB {
	return db.Model(&Organization{}).Where(`EXISTS (SELECT 1 FROM services s WHERE s.organization_id = organizations.id
		AND s.visibility = ? AND s.professionals_only = ?)`, Published, false)
}

// SearchOrganizationIDs returns a page of published organisations' ids in id
// order, and how many match.
func SearchOrganizationIDs(ctx context.Context, db *gorm.DB, q ListQuery) ([]string, int, error) {
	base := publicOrganizations(db.WithContext(ctx))
	if strings.TrimSpace(q.Text) != "" {
		base = base.Where(`LOWER(organizations.name) LIKE ? ESCAPE '\'`, likePattern(q.Text))
	}
	var total int64
	if err := base.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("models: count organizations: %w", err)
	}
	limit, offset := q.offset()
	var ids []string
	if err := base.Session(&gorm.Session{}).Order("organizations.id").Limit(limit).Offset(offset).
		Pluck("organizations.id", &ids).Error; err != nil {
		return nil, 0, fmt.Errorf("models: search organizations: %w", err)
	}
	return ids, int(total), nil
}

// OrganizationServices says which services to nest in organisations.
type OrganizationServices int

// How much of each service an organisation carries.
const (
	NoServices OrganizationServices = iota
	ServiceSummaries
	FullServices
)

// LoadOrganizations loads published organisations by id, in the order given,
// with their identifiers and, as asked, their public services.
func LoadOrganizations(ctx context.Context, db *gorm.DB, ids []string, with OrganizationServices) ([]hsds.Organization, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	db = db.WithContext(ctx)
	var rows []Organization
	if err := loadIn(publicOrganizations(db), "organizations.id", uniq(ids), &rows); err != nil {
		return nil, fmt.Errorf("models: load organizations: %w", err)
	}
	var idents []OrganizationIdentifier
	if err := loadIn(db, "organization_id", uniq(ids), &idents); err != nil {
		return nil, fmt.Errorf("models: load organization identifiers: %w", err)
	}
	identsBy := groupBy(idents, func(x OrganizationIdentifier) string { return x.OrganizationID })
	servicesBy := map[string][]hsds.Service{}
	if with != NoServices {
		var svcIDs []string
		var svcRows []Service
		if err := loadIn(visibleServices(db, Public), "services.organization_id", uniq(ids), &svcRows); err != nil {
			return nil, fmt.Errorf("models: load organization services: %w", err)
		}
		if with == ServiceSummaries {
			for _, s := range svcRows {
				servicesBy[s.OrganizationID] = append(servicesBy[s.OrganizationID], serviceToHSDS(s))
			}
		} else {
			for _, s := range svcRows {
				svcIDs = append(svcIDs, s.ID)
			}
			recs, err := LoadServices(ctx, db, svcIDs, Public)
			if err != nil {
				return nil, err
			}
			for _, r := range recs {
				svc := r.Service
				svc.Organization = nil
				servicesBy[svc.OrganizationID] = append(servicesBy[svc.OrganizationID], svc)
			}
		}
	}
	byID := map[string]hsds.Organization{}
	for _, o := range rows {
		h := organizationToHSDS(o)
		for _, x := range identsBy[o.ID] {
			h.OrganizationIdentifiers = append(h.OrganizationIdentifiers, hsds.OrganizationIdentifier{
				ID: x.ID, OrganizationID: x.OrganizationID, IdentifierScheme: x.IdentifierScheme,
				IdentifierType: x.IdentifierType, Identifier: x.Identifier,
			})
		}
		h.Services = servicesBy[o.ID]
		byID[o.ID] = h
	}
	out := make([]hsds.Organization, 0, len(ids))
	for _, id := range ids {
		if o, ok := byID[id]; ok {
			out = append(out, o)
		}
	}
	return out, nil
}

// SearchTaxonomies returns a page of taxonomies in id order, and how many
// match.
func SearchTaxonomies(ctx context.Context, db *gorm.DB, q ListQuery) ([]hsds.Taxonomy, int, error) {
	base := db.WithContext(ctx).Model(&Taxonomy{})
	if strings.TrimSpace(q.Text) != "" {
		base = base.Where(`LOWER(name) LIKE ? ESCAPE '\'`, likePattern(q.Text))
	}
	var total int64
	if err := base.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("models: count taxonomies: %w", err)
	}
	limit, offset := q.offset()
	var rows []Taxonomy
	if err := base.Session(&gorm.Session{}).Order("id").Limit(limit).Offset(offset).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("models: search taxonomies: %w", err)
	}
	out := make([]hsds.Taxonomy, len(rows))
	for i, t := range rows {
		out[i] = taxonomyToHSDS(t)
	}
	return out, int(total), nil
}

func taxonomyToHSDS(t Taxonomy) hsds.Taxonomy {
	return hsds.Taxonomy{ID: t.ID, Name: t.Name, Description: t.Description, URI: t.URI, Version: t.Version}
}

// GetTaxonomy returns one taxonomy, or ErrNotFound.
func GetTaxonomy(ctx context.Context, db *gorm.DB, id string) (hsds.Taxonomy, error) {
	var rows []Taxonomy
	if err := db.WithContext(ctx).Where("id = ?", id).Limit(1).Find(&rows).Error; err != nil {
		return hsds.Taxonomy{}, fmt.Errorf("models: get taxonomy: %w", err)
	}
	if len(rows) == 0 {
		return hsds.Taxonomy{}, fmt.Errorf("models: taxonomy %s: %w", id, ErrNotFound)
	}
	return taxonomyToHSDS(rows[0]), nil
}

// TermQuery selects taxonomy terms.
type TermQuery struct {
	ListQuery
	TaxonomyID string
	ParentID   string
	// TopOnly keeps terms without a parent.
	TopOnly bool
}

// SearchTaxonomyTerms returns a page of taxonomy terms in id order, each
// with its taxonomy, and how many match.
func SearchTaxonomyTerms(ctx context.Context, db *gorm.DB, q TermQuery) ([]hsds.TaxonomyTerm, int, error) {
	base := db.WithContext(ctx).Model(&TaxonomyTerm{})
	if strings.TrimSpace(q.Text) != "" {
		base = base.Where(`LOWER(name) LIKE ? ESCAPE '\'`, likePattern(q.Text))
	}
	if q.TaxonomyID != "" {
		base = base.Where("taxonomy_id = ?", q.TaxonomyID)
	}
	if q.ParentID != "" {
		base = base.Where("parent_id = ?", q.ParentID)
	}
	if q.TopOnly {
		base = base.Where("parent_id IS NULL")
	}
	var total int64
	if err := base.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("models: count taxonomy terms: %w", err)
	}
	limit, offset := q.offset()
	var rows []TaxonomyTerm
	if err := base.Session(&gorm.Session{}).Order("id").Limit(limit).Offset(offset).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("models: search taxonomy terms: %w", err)
	}
	terms, err := termsWithTaxonomies(db.WithContext(ctx), rows)
	return terms, int(total), err
}

// GetTaxonomyTerm returns one taxonomy term with its taxonomy, or ErrNotFound.
func GetTaxonomyTerm(ctx context.Context, db *gorm.DB, id string) (hsds.TaxonomyTerm, error) {
	var rows []TaxonomyTerm
	if err := db.WithContext(ctx).Where("id = ?", id).Limit(1).Find(&rows).Error; err != nil {
		return hsds.TaxonomyTerm{}, fmt.Errorf("models: get taxonomy term: %w", err)
	}
	if len(rows) == 0 {
		return hsds.TaxonomyTerm{}, fmt.Errorf("models: taxonomy term %s: %w", id, ErrNotFound)
	}
	terms, err := termsWithTaxonomies(db.WithContext(ctx), rows)
	if err != nil {
		return hsds.TaxonomyTerm{}, err
	}
	return terms[0], nil
}

func termsWithTaxonomies(db *gorm.DB, rows []TaxonomyTerm) ([]hsds.TaxonomyTerm, error) {
	var taxIDs []string
	for _, t := range rows {
		if t.TaxonomyID != nil {
			taxIDs = append(taxIDs, *t.TaxonomyID)
		}
	}
	var taxes []Taxonomy
	if err := loadIn(db, "id", uniq(taxIDs), &taxes); err != nil {
		return nil, fmt.Errorf("models: load taxonomies: %w", err)
	}
	taxByID := map[string]Taxonomy{}
	for _, t := range taxes {
		taxByID[t.ID] = t
	}
	out := make([]hsds.TaxonomyTerm, len(rows))
	for i, t := range rows {
		h := taxonomyTermToHSDS(t)
		if tax, ok := taxByID[deref(t.TaxonomyID)]; ok {
			d := taxonomyToHSDS(tax)
			// taxonomy stays as stored (usually empty), as in the terms
			// nested in services: the taxonomy's name is in taxonomy_detail,
			// and a consumer that copies a term from either place gets the
			// same record.
			h.TaxonomyDetail = &d
		}
		out[i] = h
	}
	return out, nil
}

// ServiceModified returns the last_modified of published services by id,
// for the API's minimal listing and caching headers.
func ServiceModified(ctx context.Context, db *gorm.DB, ids []string) (map[string]time.Time, error) {
	var rows []struct {
		ID           string
		LastModified time.Time
	}
	for start := 0; start < len(ids); start += inChunk {
		var part []struct {
			ID           string
			LastModified time.Time
		}
		err := visibleServices(db.WithContext(ctx), Public).Select("id, last_modified").
			Where("id IN ?", ids[start:min(start+inChunk, len(ids))]).Scan(&part).Error
		if err != nil {
			return nil, fmt.Errorf("models: service modification times: %w", err)
		}
		rows = append(rows, part...)
	}
	out := make(map[string]time.Time, len(rows))
	for _, r := range rows {
		out[r.ID] = r.LastModified
	}
	return out, nil
}

// Examples are real published values for the API guide's example links.
type Examples struct {
	ServiceID, ServiceAtLocationID, OrganizationID, TaxonomyID, TermID, Postcode, Word string
}

// APIExamples picks published records to show in the API guide: the first
// public service (by id) that is delivered at a public located address.
func APIExamples(ctx context.Context, db *gorm.DB) (Examples, error) {
	var ex Examples
	var row struct {
		ServiceID, OrganizationID, SalID, PostalCode, Name string
	}
	err := visibleServices(db.WithContext(ctx), Public).
		Select("services.id AS service_id, services.organization_id, sal.id AS sal_id, a.postal_code, services.name").
		Joins("JOIN service_at_locations sal ON sal.service_id = services.id").
		Joins("JOIN locations l ON l.id = sal.location_id AND l.professionals_only = ?", false).
		Joins("JOIN addresses a ON a.location_id = l.id").
		Where("a.postal_code <> ''").Order("services.id").Limit(1).Scan(&row).Error
	if err != nil {
		return ex, fmt.Errorf("models: API examples: %w", err)
	}
	ex.ServiceID, ex.OrganizationID, ex.ServiceAtLocationID, ex.Postcode = row.ServiceID, row.OrganizationID, row.SalID, row.PostalCode
	if words := searchTokens(row.Name); len(words) > 0 {
		ex.Word = words[0]
	}
	var term struct{ ID, TaxonomyID string }
	err = db.WithContext(ctx).Table("attributes a").Select("a.taxonomy_term_id AS id, COALESCE(t.taxonomy_id, '') AS taxonomy_id").
		Joins("JOIN taxonomy_terms t ON t.id = a.taxonomy_term_id").
		Where("a.link_entity = 'service' AND a.link_id = ?", row.ServiceID).Order("a.id").Limit(1).Scan(&term).Error
	if err != nil {
		return ex, fmt.Errorf("models: API examples: %w", err)
	}
	ex.TermID, ex.TaxonomyID = term.ID, term.TaxonomyID
	return ex, nil
}

// DirectoryVersion returns a number that changes whenever anything in the
// published directory changes (database triggers keep it), so that cached
// API responses can be checked with one tiny query.
func DirectoryVersion(ctx context.Context, db *gorm.DB) (int64, error) {
	sqlDB, err := db.DB()
	if err != nil {
		return 0, err
	}
	var v int64
	if err := sqlDB.QueryRowContext(ctx, "SELECT version FROM directory_state WHERE id = 1").Scan(&v); err != nil {
		return 0, fmt.Errorf("models: directory version: %w", err)
	}
	return v, nil
}

// NearbyService is a service and how far its nearest location is.
type NearbyService struct {
	ID       string
	Distance float64 // metres
}

// SearchServicesNear returns a page of services matching q with a location
// within radius metres of a point, nearest first (by their nearest
// location), and how many match. Services without a located address are
// left out: nearness cannot be known.
func SearchServicesNear(ctx context.Context, db *gorm.DB, q ServiceQuery, near geo.Point, radius float64) ([]NearbyService, int, error) {
	if q.Page < 1 {
		q.Page = 1
	}
	if q.PerPage < 1 {
		q.PerPage = 20
	}
	if DialectFor(db) == SQLite {
		return searchServicePoints(ctx, db, q, near, radius)
	}
	base, _ := filterServices(db.WithContext(ctx), q)
	d2 := distanceSquared(near)
	minLat, maxLat, minLon, maxLon := geo.Box(near, radius)
	base = base.Joins("JOIN service_at_locations sal ON sal.service_id = services.id").
		Joins("JOIN locations l ON l.id = sal.location_id").
		Where("l.latitude BETWEEN ? AND ? AND l.longitude BETWEEN ? AND ?", minLat, maxLat, minLon, maxLon).
		Where("? <= ?", d2, radius*radius)
	if q.Audience == Public {
		base = base.Where("l.professionals_only = ?", false)
	}
	return nearPage(db.WithContext(ctx), base, "services.id", d2, q)
}

// searchServicePoints is SearchServicesNear on SQLite: the places in range
// come from one covering index of service_points, intersected with the
// full-text matches by rowid; the services table is read only when a filter
// other than words needs it. See migrations/sqlite/00032_service_points.sql.
func searchServicePoints(ctx context.Context, db *gorm.DB, q ServiceQuery, near geo.Point, radius float64) ([]NearbyService, int, error) {
	db = db.WithContext(ctx)
	d2 := distanceSquaredFrom("sp", near)
	minLat, maxLat, minLon, maxLon := geo.Box(near, radius)
	// Without the hint the planner walks the primary key for the GROUP
	// BY and reads every row of the table (4x slower at 100,000).
	pts := db.Table("service_points sp INDEXED BY service_points_coordinates").
		Where("sp.latitude BETWEEN ? AND ? AND sp.longitude BETWEEN ? AND ?", minLat, maxLat, minLon, maxLon).
		Where("? <= ?", d2, radius*radius).
		Where("sp.published = ?", true)
	if q.Audience == Public {
		pts = pts.Where("sp.service_professionals_only = ? AND sp.location_professionals_only = ?", false, false)
	}
	if words := searchTokens(q.Text); len(words) > 0 {
		pts = pts.Where("sp.search_rowid IN (SELECT rowid FROM service_search WHERE service_search MATCH ?)", ftsQuery(SQLite, words))
	}
	rest := q
	rest.Text = ""
	if rest.hasServiceFilters() {
		filtered, _ := filterServices(db, rest)
		pts = pts.Where("sp.service_id IN (?)", filtered.Select("services.id"))
	}
	return nearPage(db, pts, "sp.service_id", d2, q)
}

// nearPage runs a "near" query's scope for one page: the services nearest
// first (by their nearest place), with how many there are in all.
func nearPage(db, scope *gorm.DB, idCol string, d2 clause.Expr, q ServiceQuery) ([]NearbyService, int, error) {
	var rows []struct {
		ID    string
		Dist2 float64
		Total int64
	}
	err := scope.Session(&gorm.Session{}).Select(idCol+" AS id, MIN(?) AS dist2, COUNT(*) OVER () AS total", d2).
		Group(idCol).Order("dist2, " + idCol).
		Limit(q.PerPage).Offset((q.Page - 1) * q.PerPage).Scan(&rows).Error
	if err != nil {
		return nil, 0, fmt.Errorf("models: search services near: %w", err)
	}
	total := 0
	if len(rows) > 0 {
		total = int(rows[0].Total)
	} else if q.Page > 1 {
		// Past the last page the window count has no row to ride on.
		var n int64
		if err := db.Table("(?) AS near", scope.Session(&gorm.Session{}).Select(idCol).Group(idCol)).Count(&n).Error; err != nil {
			return nil, 0, fmt.Errorf("models: count services near: %w", err)
		}
		total = int(n)
	}
	out := make([]NearbyService, len(rows))
	for i, r := range rows {
		out[i] = NearbyService{ID: r.ID, Distance: math.Sqrt(r.Dist2)}
	}
	return out, total, nil
}

// hasServiceFilters reports whether a query filters on anything but words
// and visibility.
func (q ServiceQuery) hasServiceFilters() bool {
	return q.TaxonomyTermID != "" || q.TaxonomyID != "" || q.OrganizationID != "" || !q.ModifiedAfter.IsZero() ||
		q.AfterID != "" || q.TermOrChildren != "" || q.AcceptsReferrals || q.Age != nil || q.OpenOn != "" || q.FreeOnly
}

// TermChoice is a taxonomy term to filter the directory by.
type TermChoice struct {
	ID, Name string
	// Child terms are shown under their parent.
	Child bool
}

// TermChoices lists the terms that published services use, parents first
// with their children after them, for the directory's category filter.
func TermChoices(ctx context.Context, db *gorm.DB) ([]TermChoice, error) {
	var terms []TaxonomyTerm
	err := db.WithContext(ctx).Where(`id IN (SELECT a.taxonomy_term_id FROM attributes a JOIN services s ON s.id = a.link_id
		WHERE a.link_entity = 'service' AND s.visibility = ?) OR id IN (SELECT t.parent_id FROM taxonomy_terms t
		JOIN attributes a ON a.taxonomy_term_id = t.id WHERE t.parent_id IS NOT NULL)`, Published).Order("name").Find(&terms).Error
	if err != nil {
		return nil, fmt.Errorf("models: term choices: %w", err)
	}
	children := map[string][]TaxonomyTerm{}
	var tops []TaxonomyTerm
	ids := map[string]bool{}
	for _, t := range terms {
		ids[t.ID] = true
	}
	for _, t := range terms {
		if t.ParentID != nil && ids[*t.ParentID] {
			children[*t.ParentID] = append(children[*t.ParentID], t)
		} else {
			tops = append(tops, t)
		}
	}
	var out []TermChoice
	for _, t := range tops {
		out = append(out, TermChoice{ID: t.ID, Name: t.Name})
		for _, c := range children[t.ID] {
			out = append(out, TermChoice{ID: c.ID, Name: c.Name, Child: true})
		}
	}
	return out, nil
}
