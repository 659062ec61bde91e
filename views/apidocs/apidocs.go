// Package apidocs is the human guide to the published Open Referral UK API.
package apidocs

import (
	"net/url"

	"github.com/openreferral-uk/referrals/views"
)

// Page is the view model of the API guide.
type Page struct {
	Layout      views.Layout
	BaseURL     string
	Endpoints   []Endpoint
	Attribution string
	DefaultPer  int
	MaxPer      int
	MaxMinimal  int
	// RateLimit is requests a minute per client address; 0 is none.
	RateLimit int
}

// Endpoint is one path of the API with a live example.
type Endpoint struct {
	Path        string
	Summary     string
	Params      []Param
	ExampleURL  string
	ExampleNote string
}

// Param is a query parameter an endpoint takes.
type Param struct {
	Name, Description string
}

// Examples are real ids and values from the live directory, so that every
// example link answers with data.
type Examples struct {
	ServiceID, ServiceAtLocationID, OrganizationID, TaxonomyID, TermID, Postcode, Word string
}

// Common query parameters.
var (
	pSearch   = Param{"search", "Full-text search over name, description, organisation and categories; every word must match, as a prefix."}
	pPage     = Param{"page", "Page number, from 1."}
	pPerPage  = Param{"per_page", "Items a page; larger values are clamped to the maximum."}
	pFormat   = Param{"format", "json (default) or ndjson: one record a line, every match, no paging."}
	pTerm     = Param{"taxonomy_term_id", "Only services linked to this taxonomy term."}
	pTaxonomy = Param{"taxonomy_id", "Only services linked to any term of this taxonomy."}
	pOrg      = Param{"organization_id", "Only this organisation's services."}
	pModified = Param{"modified_after", "Only records modified at or after this time (RFC 3339, e.g. 2026-11-01T00:00:00Z); use it to keep a copy in sync."}
	pFull     = Param{"full", "true for fully nested records instead of their own fields."}
)

// NewPage builds the API guide with examples from the live data.
func NewPage(l views.Layout, baseURL string, ex Examples, attribution string, defaultPer, maxPer, maxMinimal int) Page {
	api := baseURL + "/api"
	or := func(id, fallback string) string {
		if id == "" {
			return fallback
		}
		return id
	}
	p := Page{Layout: l, BaseURL: baseURL, Attribution: attribution, DefaultPer: defaultPer, MaxPer: maxPer, MaxMinimal: maxMinimal}
	p.Endpoints = []Endpoint{
		{Path: "/api/", Summary: "What this API is: the HSDS version, the ORUK profile and where the OpenAPI document is.", ExampleURL: api + "/"},
		{Path: "/api/services", Summary: "Published services, each with its own fields (or fully nested with full=true).",
			Params:     []Param{pSearch, pPage, pPerPage, pFormat, pTerm, pTaxonomy, pOrg, pModified, {"minimal", "true for only each service's id and last_modified; returns up to the minimal maximum in one page."}, pFull},
			ExampleURL: api + "/services?search=" + url.QueryEscape(or(ex.Word, "advice")) + "&per_page=5"},
		{Path: "/api/services/{id}", Summary: "One service, fully nested: organisation, locations with addresses, opening times, contacts, phones, categories, costs, languages, areas.",
			ExampleURL: api + "/services/" + or(ex.ServiceID, "{id}")},
		{Path: "/api/service_at_locations", Summary: "Where each service is delivered, with the location and the service's own fields.",
			Params: []Param{pSearch, pPage, pPerPage, pFormat, pTerm, pTaxonomy, pOrg, pModified, pFull,
				{"postcode", "A UK postcode or outcode; results are sorted nearest first."},
				{"proximity", "With postcode: only results within this many metres of the postcode's centre."}},
			ExampleURL: api + "/service_at_locations?postcode=" + url.QueryEscape(or(ex.Postcode, "HD1 2SP")) + "&proximity=3000"},
		{Path: "/api/service_at_locations/{id}", Summary: "One service at a location, fully nested.", ExampleURL: api + "/service_at_locations/" + or(ex.ServiceAtLocationID, "{id}")},
		{Path: "/api/organizations", Summary: "Organisations that publish at least one service.",
			Params:     []Param{pSearch, pPage, pPerPage, pFormat, {"full", "true to include each organisation's services (their own fields)."}, {"full_service", "true to include each organisation's services fully nested."}},
			ExampleURL: api + "/organizations?per_page=5"},
		{Path: "/api/organizations/{id}", Summary: "One organisation with its services.", Params: []Param{{"full_service", "true for fully nested services."}},
			ExampleURL: api + "/organizations/" + or(ex.OrganizationID, "{id}")},
		{Path: "/api/taxonomies", Summary: "The category vocabularies in use.", Params: []Param{pSearch, pPage, pPerPage, pFormat}, ExampleURL: api + "/taxonomies"},
		{Path: "/api/taxonomies/{id}", Summary: "One taxonomy.", ExampleURL: api + "/taxonomies/" + or(ex.TaxonomyID, "{id}")},
		{Path: "/api/taxonomy_terms", Summary: "Category terms, with their taxonomy.",
			Params:     []Param{pSearch, pPage, pPerPage, pFormat, {"taxonomy_id", "Only terms of this taxonomy."}, {"parent_id", "Only the children of this term."}, {"top_only", "true for terms without a parent."}},
			ExampleURL: api + "/taxonomy_terms?top_only=true"},
		{Path: "/api/taxonomy_terms/{id}", Summary: "One taxonomy term.", ExampleURL: api + "/taxonomy_terms/" + or(ex.TermID, "{id}")},
	}
	return p
}
