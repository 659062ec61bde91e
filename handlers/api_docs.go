package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/geo"
	"github.com/openreferral-uk/referrals/views/apidocs"
)

// apiDocs is GET /api/docs: the API guide, with examples from live data.
func (h *Handler) apiDocs(c echo.Context) error {
	ex, err := models.APIExamples(c.Request().Context(), h.db)
	if err != nil {
		return err
	}
	l := h.layout(c, "Open Referral UK API")
	l.Nav = "api"
	vm := apidocs.NewPage(l, h.opts.BaseURL, apidocs.Examples(ex), geo.Attribution, apiDefaultPerPage, apiMaxPerPage, apiMaxMinimal)
	vm.RateLimit = h.opts.APIRateLimit
	return render(c, http.StatusOK, apidocs.Docs(vm), nil)
}
