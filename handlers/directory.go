package handlers

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/geo"
	"github.com/openreferral-uk/referrals/views/directory"
)

// directoryPerPage is how many services a page of search results shows.
const directoryPerPage = 20

// maxQueryLength bounds the search text in characters; longer input is
// cut, not refused.
const maxQueryLength = 200

// audience says what directory data the current visitor may see: members
// of an organisation see what is marked for professionals.
func (h *Handler) audience(c echo.Context) models.Audience { return currentActor(c).Audience() }

// directorySearch is the directory search page: GET / with ?q= (words),
// ?category=, ?postcode= and ?miles= (near a postcode, nearest first),
// ?open= (a day), ?age=, ?free=true, ?accepts=true and ?page=. Every filter is in the URL, so a search can be
// shared and works without JavaScript.
func (h *Handler) directorySearch(c echo.Context) error {
	ctx := c.Request().Context()
	q := strings.TrimSpace(c.QueryParam("q"))
	if r := []rune(q); len(r) > maxQueryLength {
		q = string(r[:maxQueryLength])
	}
	page := 1
	if v := c.QueryParam("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return echo.NewHTTPError(http.StatusBadRequest)
		}
		page = n
	}
	f := directory.Filters{Postcode: strings.TrimSpace(c.QueryParam("postcode")), Miles: 5, Accepts: c.QueryParam("accepts") == "true"}
	if cat := c.QueryParam("category"); models.IsUUIDShaped(cat) {
		f.Category = strings.ToLower(cat)
	}
	if m, err := strconv.Atoi(c.QueryParam("miles")); err == nil && slices.Contains(directory.MilesChoices, m) {
		f.Miles = m
	}
	var age *int
	if f.Age = strings.TrimSpace(c.QueryParam("age")); f.Age != "" {
		if n, err := strconv.Atoi(f.Age); err == nil && n >= 0 && n <= 120 {
			age = &n
		} else {
			f.AgeError = "Enter an age in whole years, like 16"
		}
	}
	if d := strings.ToUpper(c.QueryParam("open")); slices.Contains(models.Days, d) {
		f.OpenOn = d
	}
	f.FreeOnly = c.QueryParam("free") == "true"
	terms, err := h.terms.get(ctx, h.db)
	if err != nil {
		return err
	}
	f.Terms = terms
	query := models.ServiceQuery{Text: q, Page: page, PerPage: directoryPerPage, Audience: h.audience(c),
		TermOrChildren: f.Category, AcceptsReferrals: f.Accepts, Age: age, OpenOn: f.OpenOn, FreeOnly: f.FreeOnly}

	var recs []models.ServiceSummary
	var total int
	var distances map[string]float64
	var near *geo.Point
	if f.Postcode != "" {
		place, err := h.geo.Resolve(ctx, f.Postcode)
		switch {
		case errors.Is(err, geo.ErrInvalidPostcode):
			f.PostcodeError = "Enter a UK postcode, like HD1 2SP, or the first half of one, like HD1"
		case errors.Is(err, geo.ErrUnknownPostcode):
			f.PostcodeError = "We cannot find that postcode (Northern Ireland, the Channel Islands and the Isle of Man are not covered)"
		case err != nil:
			return err
		default:
			near = &place.Point
			f.Near = true
		}
	}
	var ids []string
	if near != nil {
		hits, n, err := models.SearchServicesNear(ctx, h.db, query, *near, float64(f.Miles)*1609.344)
		if err != nil {
			return err
		}
		ids = make([]string, len(hits))
		distances = make(map[string]float64, len(hits))
		for i, hit := range hits {
			ids[i], distances[hit.ID] = hit.ID, hit.Distance
		}
		total = n
	} else if ids, total, err = models.SearchServiceIDs(ctx, h.db, query); err != nil {
		return err
	}
	if recs, err = models.LoadServiceSummaries(ctx, h.db, ids, query.Audience); err != nil {
		return err
	}
	l := h.layout(c, "Find a service")
	l.Nav = "directory"
	if q != "" {
		l.Title = "‘" + q + "’ – Find a service"
	}
	vm := directory.NewSearchPage(l, q, f, page, directoryPerPage, total, recs, distances)
	return render(c, http.StatusOK, directory.Search(vm), directory.Results(vm))
}

// serviceShow is a service's page: GET /services/:id.
func (h *Handler) serviceShow(c echo.Context) error {
	id := c.Param("id")
	if !models.IsUUIDShaped(id) {
		return models.ErrNotFound
	}
	recs, err := models.LoadServices(c.Request().Context(), h.db, []string{strings.ToLower(id)}, h.audience(c))
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		return models.ErrNotFound
	}
	l := h.layout(c, "")
	l.Nav = "directory"
	page := directory.NewServicePage(l, recs[0])
	page.PossiblyOutOfDate = models.NeedsReview(recs[0].AssuredDate, models.Now(), h.opts.ListingReviewPeriod)
	if a := currentActor(c); h.opts.Referrals != nil && page.AcceptsReferrals && len(referringOrgs(a)) > 0 {
		target, err := h.opts.Referrals.Target(c.Request().Context(), page.ID)
		switch {
		case err != nil:
			return err
		case target.Referable():
			page.ReferURL = "/services/" + page.ID + "/refer"
		default:
			page.ReferNote = "Nobody at " + target.OrganizationName + " can answer referrals on this platform yet, so contact the service directly."
		}
	}
	return render(c, http.StatusOK, directory.Service(page), nil)
}

// termCache keeps the category filter's choices until the directory
// changes: listing them reads every service's categories (300 ms at
// 100,000 services), while the directory version is one row.
type termCache struct {
	mu      sync.Mutex
	version int64
	terms   []models.TermChoice
}

func (tc *termCache) get(ctx context.Context, db *gorm.DB) ([]models.TermChoice, error) {
	v, err := models.DirectoryVersion(ctx, db)
	if err != nil {
		return nil, err
	}
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.terms != nil && tc.version == v {
		return tc.terms, nil
	}
	terms, err := models.TermChoices(ctx, db)
	if err != nil {
		return nil, err
	}
	if terms == nil {
		terms = []models.TermChoice{}
	}
	tc.version, tc.terms = v, terms
	return terms, nil
}
