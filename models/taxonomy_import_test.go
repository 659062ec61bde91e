package models_test

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
)

func TestImportTaxonomy(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newReferralWorld(t, db)
		csvFile := "\xef\xbb\xbfIdentifier,Label,Description,Parent\n" +
			"1,Advice and benefits,Help with money,\n" +
			"2,Debt advice,,1\n" +
			"3,Orphan,,99\n" +
			",No id,,\n" +
			"4,\"Housing, and homelessness\",<b>Somewhere</b> to live,\n"
		res, err := models.ImportTaxonomy(ctx, db, w.platformAdmin, models.TaxonomyImport{Name: "LGA service list", Data: []byte(csvFile)})
		if err != nil {
			t.Fatal(err)
		}
		if res.Terms != 4 || len(res.Problems) != 2 {
			t.Errorf("CSV import: %d terms, problems %v", res.Terms, res.Problems)
		}
		var terms []models.TaxonomyTerm
		db.Where("taxonomy_id = ?", res.TaxonomyID).Order("name").Find(&terms)
		byName := map[string]models.TaxonomyTerm{}
		for _, tt := range terms {
			byName[tt.Name] = tt
		}
		debt, advice := byName["Debt advice"], byName["Advice and benefits"]
		if debt.ParentID == nil || *debt.ParentID != advice.ID || byName["Orphan"].ParentID != nil {
			t.Errorf("parents: debt %v, advice %s, orphan %v", debt.ParentID, advice.ID, byName["Orphan"].ParentID)
		}
		if byName["Housing, and homelessness"].Description != "Somewhere to live" {
			t.Errorf("description not cleaned: %q", byName["Housing, and homelessness"].Description)
		}
		// The same file again changes nothing; JSON works too.
		if again, err := models.ImportTaxonomy(ctx, db, w.platformAdmin, models.TaxonomyImport{Name: "LGA service list", Data: []byte(csvFile)}); err != nil || again.TaxonomyID != res.TaxonomyID {
			t.Errorf("again: %v %+v", err, again)
		}
		jsonFile := `{"terms": [{"id": "a", "name": "Food"}, {"id": "b", "label": "Food banks", "parent_id": "a"}, {"code": 7, "name": "Seven"}]}`
		jr, err := models.ImportTaxonomy(ctx, db, w.platformAdmin, models.TaxonomyImport{Name: "Local needs", Data: []byte(jsonFile)})
		if err != nil || jr.Terms != 3 {
			t.Errorf("JSON import: %v %+v", err, jr)
		}
		list, err := models.ListTaxonomies(ctx, db, w.platformAdmin)
		if err != nil || len(list) < 2 {
			t.Errorf("list: %v %+v", err, list)
		}
		// Refused: not a platform admin; no name; not a file of terms.
		if _, err := models.ImportTaxonomy(ctx, db, w.admin, models.TaxonomyImport{Name: "x", Data: []byte(csvFile)}); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("an org admin imported a taxonomy: %v", err)
		}
		for name, in := range map[string]models.TaxonomyImport{
			"no name":      {Data: []byte(csvFile)},
			"empty file":   {Name: "x"},
			"no columns":   {Name: "x", Data: []byte("foo,bar\n1,2\n")},
			"bad JSON":     {Name: "x", Data: []byte(`[{"id": 1,`)},
			"not UTF-8":    {Name: "x", Data: []byte("id,name\n1,\xff\xfe\n")},
			"only headers": {Name: "x", Data: []byte("id,name\n")},
		} {
			var ve *models.ValidationError
			if _, err := models.ImportTaxonomy(ctx, db, w.platformAdmin, in); !errors.As(err, &ve) {
				t.Errorf("%s: %v, want a validation error", name, err)
			}
		}
	})
}
