package handlers

import (
	"errors"
	"fmt"
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

// adminTaxonomyDeletion is GET /admin/taxonomies/:id/delete: what deleting
// the taxonomy would take with it, and the button that does it.
func (h *Handler) adminTaxonomyDeletion(c echo.Context) error {
	im, err := models.TaxonomyDeletion(c.Request().Context(), h.db, currentActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return h.taxonomyDeletionPage(c, http.StatusOK, admin.TaxonomyDeletePage{Impact: im})
}

func (h *Handler) taxonomyDeletionPage(c echo.Context, status int, p admin.TaxonomyDeletePage) error {
	p.Layout = h.layout(c, "Delete "+p.Impact.Name)
	p.Layout.Nav = "admin"
	noStore(c)
	return render(c, status, admin.TaxonomyDelete(p), nil)
}

// adminTaxonomyDelete is POST /admin/taxonomies/:id/delete.
func (h *Handler) adminTaxonomyDelete(c echo.Context) error {
	ctx := c.Request().Context()
	im, err := models.DeleteTaxonomy(ctx, h.db, currentActor(c), c.Param("id"))
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return h.taxonomyDeletionPage(c, http.StatusUnprocessableEntity, admin.TaxonomyDeletePage{Impact: im, Errors: components.Errors(ve.Fields)})
	}
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("%s deleted with its %d terms.", im.Name, im.Terms)
	if im.Services > 0 {
		msg += fmt.Sprintf(" %d services are no longer filed under them.", im.Services)
	}
	h.flash(c, msg)
	return c.Redirect(http.StatusSeeOther, "/admin/taxonomies")
}
