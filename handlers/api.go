package handlers

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/geo"
	"github.com/openreferral-uk/referrals/models/hsds"
	"github.com/openreferral-uk/referrals/static"
)

// API paging limits. A minimal listing (ids and times only) is cheap, and
// ORUK asks for it to return everything in one call where it can.
const (
	apiDefaultPerPage = 50
	apiMaxPerPage     = 500
	apiMaxMinimal     = 10000
	// ndjsonBatch is how many records a streamed response loads at a time.
	ndjsonBatch = 200
)

// apiCORS opens the API to every origin, as ORUK requires, and answers
// preflight requests.
func apiCORS(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Expose-Headers", "ETag, Last-Modified")
		if c.Request().Method == http.MethodOptions {
			h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Accept, If-None-Match, If-Modified-Since")
			h.Set("Access-Control-Max-Age", "86400")
			return c.NoContent(http.StatusNoContent)
		}
		return next(c)
	}
}

// apiParams parses and checks an API request's query parameters. Every
// problem is collected into one ValidationError, which errors.go answers
// with 400 naming the parameters.
type apiParams struct {
	c    echo.Context
	errs models.ValidationError
}

func newAPIParams(c echo.Context) *apiParams { return &apiParams{c: c} }

func (p *apiParams) str(name string) string {
	v := strings.TrimSpace(p.c.QueryParam(name))
	if len(v) > 500 {
		p.errs.Add(name, "is too long")
		return ""
	}
	return v
}

func (p *apiParams) boolean(name string) bool {
	switch strings.ToLower(p.str(name)) {
	case "", "false", "0":
		return false
	case "true", "1":
		return true
	}
	p.errs.Add(name, "must be true or false")
	return false
}

func (p *apiParams) positive(name string, def int) int {
	v := p.str(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		p.errs.Add(name, "must be a positive whole number")
		return def
	}
	return n
}

// id reads an id filter: ids here are UUID-shaped, so anything else can
// match nothing and is refused rather than silently giving an empty list.
func (p *apiParams) id(name string) string {
	v := p.str(name)
	if v != "" && !models.IsUUIDShaped(v) {
		p.errs.Add(name, "must be a UUID")
		return ""
	}
	return strings.ToLower(v)
}

// modifiedAfter accepts an RFC 3339 date-time, one without a zone (taken
// as UTC), or a date.
func (p *apiParams) modifiedAfter() time.Time {
	v := p.str("modified_after")
	if v == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC()
		}
	}
	p.errs.Add("modified_after", "must be a date-time such as 2026-01-31T09:00:00Z")
	return time.Time{}
}

// format reads format=json|ndjson.
func (p *apiParams) ndjson() bool {
	switch p.str("format") {
	case "", "json":
		return false
	case "ndjson":
		return true
	}
	p.errs.Add("format", "must be json or ndjson")
	return false
}

// paging reads page and per_page; per_page above the cap is clamped to it.
func (p *apiParams) paging(maxPerPage int) (page, perPage int) {
	page = p.positive("page", 1)
	perPage = min(p.positive("per_page", apiDefaultPerPage), maxPerPage)
	return page, perPage
}

func (p *apiParams) err() error { return p.errs.Err() }

// apiPage is the ORUK paging envelope.
type apiPage struct {
	TotalItems int  `json:"total_items"`
	TotalPages int  `json:"total_pages"`
	PageNumber int  `json:"page_number"`
	Size       int  `json:"size"`
	FirstPage  bool `json:"first_page"`
	LastPage   bool `json:"last_page"`
	Empty      bool `json:"empty"`
	Contents   any  `json:"contents"`
}

func newAPIPage[T any](items []T, total, page, perPage int) apiPage {
	if items == nil {
		items = []T{}
	}
	totalPages := max(1, (total+perPage-1)/perPage)
	return apiPage{
		TotalItems: total, TotalPages: totalPages, PageNumber: page, Size: len(items),
		FirstPage: page == 1, LastPage: page >= totalPages, Empty: len(items) == 0, Contents: items,
	}
}

// apiJSON writes v as JSON with an ETag of its bytes, answering 304 when the
// client already has them. lastModified, when not zero, is sent too.
func apiJSON(c echo.Context, v any, lastModified time.Time) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("handlers: encode API response: %w", err)
	}
	sum := sha256.Sum256(buf.Bytes())
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	h := c.Response().Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "public, max-age=60")
	if !lastModified.IsZero() {
		h.Set("Last-Modified", lastModified.UTC().Format(http.TimeFormat))
	}
	if notModified(c.Request(), etag, h.Get("Last-Modified")) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, buf.Bytes())
}

func etagMatches(header, etag string) bool {
	for _, part := range strings.Split(header, ",") {
		part = strings.TrimPrefix(strings.TrimSpace(part), "W/")
		if part == etag || part == "*" {
			return true
		}
	}
	return false
}

// ndjsonWriter streams one JSON document a line, flushing as it goes.
type ndjsonWriter struct {
	c   echo.Context
	enc *json.Encoder
}

func newNDJSON(c echo.Context) *ndjsonWriter {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "application/x-ndjson")
	h.Set("Cache-Control", "no-cache")
	c.Response().WriteHeader(http.StatusOK)
	enc := json.NewEncoder(c.Response())
	enc.SetEscapeHTML(false)
	return &ndjsonWriter{c: c, enc: enc}
}

func (w *ndjsonWriter) write(v any) error { return w.enc.Encode(v) }

func (w *ndjsonWriter) flush() { w.c.Response().Flush() }

// apiRoot is GET /api/: what this API is.
func (h *Handler) apiRoot(c echo.Context) error {
	return apiJSON(c, map[string]string{
		"version":     hsds.Version,
		"profile":     hsds.ProfileURL,
		"openapi_url": h.opts.BaseURL + "/api/openapi.json",
	}, time.Time{})
}

// apiOpenAPI is GET /api/openapi.json: the ORUK 3.0 OpenAPI document with
// this server as its server.
func (h *Handler) apiOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, h.openAPI)
}

// openAPIDocument fills in the server URL of the ORUK OpenAPI document.
func openAPIDocument(baseURL string) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(static.OpenAPI, &doc); err != nil {
		return nil, fmt.Errorf("handlers: read OpenAPI document: %w", err)
	}
	doc["servers"] = []map[string]string{{"url": baseURL + "/api", "description": "This directory"}}
	return json.MarshalIndent(doc, "", "  ")
}

// serviceListItem shapes a service as a list shows it.
func serviceListItem(rec models.ServiceRecord, full bool) hsds.Service {
	if full {
		return models.PublishService(rec.Service)
	}
	return models.PublishService(models.ServiceOwnFields(rec.Service))
}

type minimalService struct {
	ID           string `json:"id"`
	LastModified string `json:"last_modified"`
}

// apiServices is GET /api/services.
func (h *Handler) apiServices(c echo.Context) error {
	p := newAPIParams(c)
	minimal, full, ndjson := p.boolean("minimal"), p.boolean("full"), p.ndjson()
	maxPer := apiMaxPerPage
	if minimal {
		maxPer = apiMaxMinimal
	}
	page, perPage := p.paging(maxPer)
	if minimal && c.QueryParam("per_page") == "" {
		perPage = apiMaxMinimal
	}
	q := models.ServiceQuery{
		Text: p.str("search"), Page: page, PerPage: perPage, Audience: models.Public, ByID: true,
		TaxonomyTermID: p.id("taxonomy_term_id"), TaxonomyID: p.id("taxonomy_id"),
		OrganizationID: p.id("organization_id"), ModifiedAfter: p.modifiedAfter(),
	}
	if err := p.err(); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if ndjson {
		w := newNDJSON(c)
		q.Page, q.PerPage = 1, ndjsonBatch
		for {
			ids, _, err := models.SearchServiceIDs(ctx, h.db, q)
			if err != nil || len(ids) == 0 {
				return err
			}
			if q.Text != "" {
				// Ranked results cannot be walked by id; stream page by page.
				q.Page++
			} else {
				q.AfterID = ids[len(ids)-1]
			}
			if minimal {
				mod, err := models.ServiceModified(ctx, h.db, ids)
				if err != nil {
					return err
				}
				for _, id := range ids {
					if t, ok := mod[id]; ok {
						if err := w.write(minimalService{id, models.FormatTime(t)}); err != nil {
							return nil //nolint:nilerr // the client went away: nothing more can be sent
						}
					}
				}
			} else {
				recs, err := models.LoadServices(ctx, h.db, ids, models.Public)
				if err != nil {
					return err
				}
				for _, r := range recs {
					if err := w.write(serviceListItem(r, full)); err != nil {
						return nil //nolint:nilerr // the client went away: nothing more can be sent
					}
				}
			}
			w.flush()
		}
	}
	ids, total, err := models.SearchServiceIDs(ctx, h.db, q)
	if err != nil {
		return err
	}
	if minimal {
		mod, err := models.ServiceModified(ctx, h.db, ids)
		if err != nil {
			return err
		}
		items := make([]minimalService, 0, len(ids))
		for _, id := range ids {
			if t, ok := mod[id]; ok {
				items = append(items, minimalService{id, models.FormatTime(t)})
			}
		}
		return apiJSON(c, newAPIPage(items, total, page, perPage), time.Time{})
	}
	recs, err := models.LoadServices(ctx, h.db, ids, models.Public)
	if err != nil {
		return err
	}
	items := make([]hsds.Service, len(recs))
	for i, r := range recs {
		items[i] = serviceListItem(r, full)
	}
	return apiJSON(c, newAPIPage(items, total, page, perPage), time.Time{})
}

// apiPathID reads the :id path parameter; anything not shaped like an id
// here cannot exist.
func apiPathID(c echo.Context) (string, error) {
	id := c.Param("id")
	if !models.IsUUIDShaped(id) {
		return "", fmt.Errorf("handlers: API id %q: %w", id, models.ErrNotFound)
	}
	return strings.ToLower(id), nil
}

// apiService is GET /api/services/:id: one fully nested service.
func (h *Handler) apiService(c echo.Context) error {
	id, err := apiPathID(c)
	if err != nil {
		return err
	}
	recs, err := models.LoadServices(c.Request().Context(), h.db, []string{id}, models.Public)
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		return fmt.Errorf("handlers: service %s: %w", id, models.ErrNotFound)
	}
	lm, _ := time.Parse(time.RFC3339Nano, recs[0].LastModified)
	return apiJSON(c, models.PublishService(recs[0].Service), lm)
}

// apiServiceAtLocations is GET /api/service_at_locations, with postcode and
// proximity (metres) for "near me" searches.
func (h *Handler) apiServiceAtLocations(c echo.Context) error {
	p := newAPIParams(c)
	full, ndjson := p.boolean("full"), p.ndjson()
	page, perPage := p.paging(apiMaxPerPage)
	q := models.ServiceAtLocationQuery{ServiceQuery: models.ServiceQuery{
		Text: p.str("search"), Page: page, PerPage: perPage, Audience: models.Public, ByID: true,
		TaxonomyTermID: p.id("taxonomy_term_id"), TaxonomyID: p.id("taxonomy_id"),
		OrganizationID: p.id("organization_id"), ModifiedAfter: p.modifiedAfter(),
	}}
	postcode, proximity := p.str("postcode"), p.str("proximity")
	if proximity != "" {
		r, err := strconv.ParseFloat(proximity, 64)
		switch {
		case err != nil || r <= 0 || r != r:
			p.errs.Add("proximity", "must be a positive number of metres")
		case postcode == "":
			p.errs.Add("proximity", "needs a postcode to measure from")
		default:
			q.Radius = min(r, 1_000_000)
		}
	}
	if postcode != "" {
		place, err := h.geo.Resolve(c.Request().Context(), postcode)
		switch {
		case errors.Is(err, geo.ErrInvalidPostcode):
			p.errs.Add("postcode", "must be a UK postcode such as LS6 1AA, or an outcode such as LS6")
		case errors.Is(err, geo.ErrUnknownPostcode):
			p.errs.Add("postcode", "is not a postcode we can locate (Northern Ireland and the Crown dependencies are not covered)")
		case err != nil:
			return err
		default:
			q.Near = &place.Point
		}
	}
	if err := p.err(); err != nil {
		return err
	}
	ctx := c.Request().Context()
	load := func(hits []models.ServiceAtLocationHit) ([]hsds.ServiceAtLocation, error) {
		ids := make([]string, len(hits))
		for i, hit := range hits {
			ids[i] = hit.ID
		}
		sals, err := models.LoadServiceAtLocations(ctx, h.db, ids, models.Public, full)
		if err != nil {
			return nil, err
		}
		for i := range sals {
			sals[i] = models.PublishServiceAtLocation(sals[i])
		}
		return sals, nil
	}
	if ndjson {
		w := newNDJSON(c)
		q.Page, q.PerPage = 1, ndjsonBatch
		walkByID := q.Near == nil && q.Text == ""
		for {
			hits, _, err := models.SearchServiceAtLocations(ctx, h.db, q)
			if err != nil || len(hits) == 0 {
				return err
			}
			if walkByID {
				q.AfterSALID = hits[len(hits)-1].ID
			} else {
				q.Page++
			}
			sals, err := load(hits)
			if err != nil {
				return err
			}
			for _, s := range sals {
				if err := w.write(s); err != nil {
					return nil //nolint:nilerr // the client went away: nothing more can be sent
				}
			}
			w.flush()
		}
	}
	hits, total, err := models.SearchServiceAtLocations(ctx, h.db, q)
	if err != nil {
		return err
	}
	sals, err := load(hits)
	if err != nil {
		return err
	}
	return apiJSON(c, newAPIPage(sals, total, page, perPage), time.Time{})
}

// apiServiceAtLocation is GET /api/service_at_locations/:id, fully nested.
func (h *Handler) apiServiceAtLocation(c echo.Context) error {
	id, err := apiPathID(c)
	if err != nil {
		return err
	}
	sals, err := models.LoadServiceAtLocations(c.Request().Context(), h.db, []string{id}, models.Public, true)
	if err != nil {
		return err
	}
	if len(sals) == 0 {
		return fmt.Errorf("handlers: service at location %s: %w", id, models.ErrNotFound)
	}
	return apiJSON(c, models.PublishServiceAtLocation(sals[0]), time.Time{})
}

// apiOrganizations is GET /api/organizations.
func (h *Handler) apiOrganizations(c echo.Context) error {
	p := newAPIParams(c)
	full, fullService, ndjson := p.boolean("full"), p.boolean("full_service"), p.ndjson()
	page, perPage := p.paging(apiMaxPerPage)
	q := models.ListQuery{Text: p.str("search"), Page: page, PerPage: perPage}
	if err := p.err(); err != nil {
		return err
	}
	with := models.NoServices
	switch {
	case fullService:
		with = models.FullServices
	case full:
		with = models.ServiceSummaries
	}
	ctx := c.Request().Context()
	load := func(ids []string) ([]hsds.Organization, error) {
		orgs, err := models.LoadOrganizations(ctx, h.db, ids, with)
		for i := range orgs {
			orgs[i] = models.PublishOrganization(orgs[i])
		}
		return orgs, err
	}
	if ndjson {
		return streamPages(c, ndjsonBatch, func(page, per int) ([]hsds.Organization, error) {
			ids, _, err := models.SearchOrganizationIDs(ctx, h.db, models.ListQuery{Text: q.Text, Page: page, PerPage: per})
			if err != nil {
				return nil, err
			}
			return load(ids)
		})
	}
	ids, total, err := models.SearchOrganizationIDs(ctx, h.db, q)
	if err != nil {
		return err
	}
	orgs, err := load(ids)
	if err != nil {
		return err
	}
	return apiJSON(c, newAPIPage(orgs, total, page, perPage), time.Time{})
}

// apiOrganization is GET /api/organizations/:id with its services.
func (h *Handler) apiOrganization(c echo.Context) error {
	id, err := apiPathID(c)
	if err != nil {
		return err
	}
	p := newAPIParams(c)
	with := models.ServiceSummaries
	if p.boolean("full_service") {
		with = models.FullServices
	}
	if err := p.err(); err != nil {
		return err
	}
	orgs, err := models.LoadOrganizations(c.Request().Context(), h.db, []string{id}, with)
	if err != nil {
		return err
	}
	if len(orgs) == 0 {
		return fmt.Errorf("handlers: organization %s: %w", id, models.ErrNotFound)
	}
	return apiJSON(c, models.PublishOrganization(orgs[0]), time.Time{})
}

// apiTaxonomies is GET /api/taxonomies.
func (h *Handler) apiTaxonomies(c echo.Context) error {
	p := newAPIParams(c)
	ndjson := p.ndjson()
	page, perPage := p.paging(apiMaxPerPage)
	text := p.str("search")
	if err := p.err(); err != nil {
		return err
	}
	ctx := c.Request().Context()
	list := func(page, per int) ([]hsds.Taxonomy, int, error) {
		ts, total, err := models.SearchTaxonomies(ctx, h.db, models.ListQuery{Text: text, Page: page, PerPage: per})
		for i := range ts {
			ts[i] = models.PublishTaxonomy(ts[i])
		}
		return ts, total, err
	}
	if ndjson {
		return streamPages(c, ndjsonBatch, func(page, per int) ([]hsds.Taxonomy, error) {
			ts, _, err := list(page, per)
			return ts, err
		})
	}
	ts, total, err := list(page, perPage)
	if err != nil {
		return err
	}
	return apiJSON(c, newAPIPage(ts, total, page, perPage), time.Time{})
}

// apiTaxonomy is GET /api/taxonomies/:id.
func (h *Handler) apiTaxonomy(c echo.Context) error {
	id, err := apiPathID(c)
	if err != nil {
		return err
	}
	t, err := models.GetTaxonomy(c.Request().Context(), h.db, id)
	if err != nil {
		return err
	}
	return apiJSON(c, models.PublishTaxonomy(t), time.Time{})
}

// apiTaxonomyTerms is GET /api/taxonomy_terms.
func (h *Handler) apiTaxonomyTerms(c echo.Context) error {
	p := newAPIParams(c)
	ndjson := p.ndjson()
	page, perPage := p.paging(apiMaxPerPage)
	q := models.TermQuery{ListQuery: models.ListQuery{Text: p.str("search")},
		TaxonomyID: p.id("taxonomy_id"), ParentID: p.id("parent_id"), TopOnly: p.boolean("top_only")}
	if err := p.err(); err != nil {
		return err
	}
	ctx := c.Request().Context()
	list := func(page, per int) ([]hsds.TaxonomyTerm, int, error) {
		q.Page, q.PerPage = page, per
		ts, total, err := models.SearchTaxonomyTerms(ctx, h.db, q)
		for i := range ts {
			ts[i] = models.PublishTaxonomyTerm(ts[i])
		}
		return ts, total, err
	}
	if ndjson {
		return streamPages(c, ndjsonBatch, func(page, per int) ([]hsds.TaxonomyTerm, error) {
			ts, _, err := list(page, per)
			return ts, err
		})
	}
	ts, total, err := list(page, perPage)
	if err != nil {
		return err
	}
	return apiJSON(c, newAPIPage(ts, total, page, perPage), time.Time{})
}

// apiTaxonomyTerm is GET /api/taxonomy_terms/:id.
func (h *Handler) apiTaxonomyTerm(c echo.Context) error {
	id, err := apiPathID(c)
	if err != nil {
		return err
	}
	t, err := models.GetTaxonomyTerm(c.Request().Context(), h.db, id)
	if err != nil {
		return err
	}
	return apiJSON(c, models.PublishTaxonomyTerm(t), time.Time{})
}

// streamPages streams every item that fetch returns, page by page, as
// newline-delimited JSON.
func streamPages[T any](c echo.Context, per int, fetch func(page, per int) ([]T, error)) error {
	w := newNDJSON(c)
	for page := 1; ; page++ {
		items, err := fetch(page, per)
		if err != nil || len(items) == 0 {
			return err
		}
		for _, it := range items {
			if err := w.write(it); err != nil {
				return nil //nolint:nilerr // the client went away: nothing more can be sent
			}
		}
		w.flush()
		if len(items) < per {
			return nil
		}
	}
}
