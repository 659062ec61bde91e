package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/openreferral-uk/referrals/models"
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

// directorySearch is the directory search page: GET / with ?q= and ?page=.
func (h *Handler) directorySearch(c echo.Context) error {
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
	recs, total, err := models.SearchServices(c.Request().Context(), h.db, models.ServiceQuery{
		Text: q, Page: page, PerPage: directoryPerPage, Audience: h.audience(c),
	})
	if err != nil {
		return err
	}
	l := h.layout(c, "Find a service")
	l.Nav = "directory"
	if q != "" {
		l.Title = "‘" + q + "’ – Find a service"
	}
	vm := directory.NewSearchPage(l, q, page, directoryPerPage, total, recs)
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
	return render(c, http.StatusOK, directory.Service(directory.NewServicePage(l, recs[0])), nil)
}
