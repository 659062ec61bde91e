package models

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models/hsds"
)

// exportBatch is how many services an export loads at a time: never one
// query over every row.
const exportBatch = 500

// The formats Export writes.
const (
	ExportFormatJSON        = "json"
	ExportFormatDataPackage = "datapackage"
)

// Export writes every published service to w in a format:
// ExportFormatJSON (ExportServices) or ExportFormatDataPackage
// (ExportDataPackage, whose tables are built in tempDir). The web downloads and "referrals export" both use it.
func Export(ctx context.Context, db *gorm.DB, format string, w io.Writer, tempDir string) (int, error) {
	switch format {
	case ExportFormatJSON:
		return ExportServices(ctx, db, w)
	case ExportFormatDataPackage:
		return ExportDataPackage(ctx, db, w, tempDir)
	}
	return 0, fmt.Errorf("models: export format %q: use %s or %s", format, ExportFormatJSON, ExportFormatDataPackage)
}

// ExportServices writes every published service, fully nested and as the
// public API publishes it, to w as one HSDS 3.0 JSON array, a batch at a
// time. Each taxonomy term carries its taxonomy (taxonomy_detail), so that
// importing the file elsewhere rebuilds the taxonomies too. It returns how
// many services it wrote.
func ExportServices(ctx context.Context, db *gorm.DB, w io.Writer) (int, error) {
	if _, err := io.WriteString(w, "["); err != nil {
		return 0, err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	n := 0
	err := eachPublishedService(ctx, db, func(svc hsds.Service) error {
		sep := ",\n"
		if n == 0 {
			sep = "\n"
		}
		if _, err := io.WriteString(w, sep); err != nil {
			return err
		}
		// Encode ends each record with a newline, which JSON allows.
		if err := enc.Encode(svc); err != nil {
			return fmt.Errorf("models: export service %s: %w", svc.ID, err)
		}
		n++
		return nil
	})
	if err != nil {
		return n, err
	}
	if _, err := io.WriteString(w, "]\n"); err != nil {
		return n, err
	}
	return n, nil
}

// ExportDataPackage writes every published service, with the directory's
// taxonomies and taxonomy terms (all of which the API publishes), to w as
// an HSDS 3.0 tabular data package in a zip: datapackage.json and one CSV
// file per table. The tables are built in temporary files under tempDir
// (os.TempDir() when empty) a batch of services at a time, so memory does
// not grow with the directory beyond the ids of shared records. It returns
// how many services it wrote.
func ExportDataPackage(ctx context.Context, db *gorm.DB, w io.Writer, tempDir string) (int, error) {
	tw, err := hsds.NewTabularWriter(tempDir)
	if err != nil {
		return 0, fmt.Errorf("models: export data package: %w", err)
	}
	defer func() { _ = tw.Close() }()
	if err := keyset(ctx, db, func(after string, out *[]Taxonomy) *gorm.DB {
		return db.WithContext(ctx).Where("id > ?", after).Order("id").Limit(exportBatch).Find(out)
	}, func(t Taxonomy) (string, error) {
		return t.ID, tw.AddTaxonomy(PublishTaxonomy(taxonomyToHSDS(t)))
	}); err != nil {
		return 0, fmt.Errorf("models: export taxonomies: %w", err)
	}
	if err := keyset(ctx, db, func(after string, out *[]TaxonomyTerm) *gorm.DB {
		return db.WithContext(ctx).Where("id > ?", after).Order("id").Limit(exportBatch).Find(out)
	}, func(t TaxonomyTerm) (string, error) {
		return t.ID, tw.AddTerm(PublishTaxonomyTerm(taxonomyTermToHSDS(t)))
	}); err != nil {
		return 0, fmt.Errorf("models: export taxonomy terms: %w", err)
	}
	n := 0
	err = eachPublishedService(ctx, db, func(svc hsds.Service) error {
		n++
		return tw.AddService(svc)
	})
	if err != nil {
		return n, err
	}
	if err := tw.WriteZip(w); err != nil {
		return n, fmt.Errorf("models: export data package: %w", err)
	}
	return n, nil
}

// keyset reads a table a page at a time in id order, never in one query,
// and hands each row to fn, which returns the row's id.
func keyset[T any](ctx context.Context, db *gorm.DB, page func(after string, out *[]T) *gorm.DB, fn func(T) (string, error)) error {
	after := ""
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var rows []T
		if err := page(after, &rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		for _, r := range rows {
			id, err := fn(r)
			if err != nil {
				return err
			}
			after = id
		}
	}
}

// eachPublishedService hands fn every published service, fully nested and
// as the public API publishes it, in id order, loading exportBatch services
// at a time. Each taxonomy term carries its taxonomy (taxonomy_detail).
func eachPublishedService(ctx context.Context, db *gorm.DB, fn func(hsds.Service) error) error {
	var taxes []Taxonomy
	if err := db.WithContext(ctx).Find(&taxes).Error; err != nil {
		return fmt.Errorf("models: export taxonomies: %w", err)
	}
	taxByID := map[string]hsds.Taxonomy{}
	for _, t := range taxes {
		taxByID[t.ID] = PublishTaxonomy(taxonomyToHSDS(t))
	}
	q := ServiceQuery{Audience: Public, ByID: true, PerPage: exportBatch}
	for {
		ids, _, err := SearchServiceIDs(ctx, db, q)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		q.AfterID = ids[len(ids)-1]
		recs, err := LoadServices(ctx, db, ids, Public)
		if err != nil {
			return err
		}
		for _, r := range recs {
			svc := PublishService(r.Service)
			for i, a := range svc.Attributes {
				if a.TaxonomyTerm == nil {
					continue
				}
				if tax, ok := taxByID[a.TaxonomyTerm.TaxonomyID]; ok {
					term := *a.TaxonomyTerm
					term.TaxonomyDetail = &tax
					svc.Attributes[i].TaxonomyTerm = &term
				}
			}
			if err := fn(svc); err != nil {
				return err
			}
		}
	}
}
