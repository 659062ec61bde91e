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

// ExportServices writes every published service, fully nested and as the
// public API publishes it, to w as one HSDS 3.0 JSON array, a batch at a
// time. Each taxonomy term carries its taxonomy (taxonomy_detail), so that
// importing the file elsewhere rebuilds the taxonomies too. It returns how
// many services it wrote.
func ExportServices(ctx context.Context, db *gorm.DB, w io.Writer) (int, error) {
	var taxes []Taxonomy
	if err := db.WithContext(ctx).Find(&taxes).Error; err != nil {
		return 0, fmt.Errorf("models: export taxonomies: %w", err)
	}
	taxByID := map[string]hsds.Taxonomy{}
	for _, t := range taxes {
		taxByID[t.ID] = PublishTaxonomy(taxonomyToHSDS(t))
	}
	if _, err := io.WriteString(w, "["); err != nil {
		return 0, err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	n := 0
	q := ServiceQuery{Audience: Public, ByID: true, PerPage: exportBatch}
	for {
		ids, _, err := SearchServiceIDs(ctx, db, q)
		if err != nil {
			return n, err
		}
		if len(ids) == 0 {
			break
		}
		q.AfterID = ids[len(ids)-1]
		recs, err := LoadServices(ctx, db, ids, Public)
		if err != nil {
			return n, err
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
			sep := ",\n"
			if n == 0 {
				sep = "\n"
			}
			if _, err := io.WriteString(w, sep); err != nil {
				return n, err
			}
			// Encode ends each record with a newline, which JSON allows.
			if err := enc.Encode(svc); err != nil {
				return n, fmt.Errorf("models: export service %s: %w", svc.ID, err)
			}
			n++
		}
	}
	if _, err := io.WriteString(w, "]\n"); err != nil {
		return n, err
	}
	return n, nil
}
