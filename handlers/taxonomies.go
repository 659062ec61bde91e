package handlers

import (
	"errors"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/views/admin"
	"github.com/openreferral-uk/referrals/views/components"
)

// maxTaxonomyUpload bounds an uploaded taxonomy file (the request body
// limit, 2 MB, bounds it first).
const maxTaxonomyUpload = 2 << 20

func (h *Handler) taxonomiesPage(c echo.Context, status int, p admin.TaxonomiesPage) error {
	list, err := models.ListTaxonomies(c.Request().Context(), h.db, currentActor(c))
	if err != nil {
		return err
	}
	p.Taxonomies = list
	p.Layout = h.layout(c, "Taxonomies")
	p.Layout.Nav = "admin"
	return render(c, status, admin.Taxonomies(p), nil)
}

// adminTaxonomies is GET /admin/taxonomies.
func (h *Handler) adminTaxonomies(c echo.Context) error {
	return h.taxonomiesPage(c, http.StatusOK, admin.TaxonomiesPage{})
}

// adminTaxonomyImport is POST /admin/taxonomies: a file upload.
func (h *Handler) adminTaxonomyImport(c echo.Context) error {
	in := models.TaxonomyImport{Name: c.FormValue("name"), URI: c.FormValue("uri")}
	if fh, err := c.FormFile("file"); err == nil {
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer func() { _ = f.Close() }()
		if in.Data, err = io.ReadAll(io.LimitReader(f, maxTaxonomyUpload)); err != nil {
			return err
		}
	}
	res, err := models.ImportTaxonomy(c.Request().Context(), h.db, currentActor(c), in)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return h.taxonomiesPage(c, http.StatusUnprocessableEntity, admin.TaxonomiesPage{Name: in.Name, URI: in.URI, Errors: components.Errors(ve.Fields)})
	}
	if err != nil {
		return err
	}
	return h.taxonomiesPage(c, http.StatusOK, admin.TaxonomiesPage{Result: &res})
}
