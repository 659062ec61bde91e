package models

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models/hsds"
)

// A platform admin imports a taxonomy (such as the LGA/esd service list)
// for organisations to file their services under. The file is CSV with a
// header row, or JSON: an array of terms, or an object with "terms". The
// column and field names publishers use vary, so each is recognised by
// several names.

// TaxonomyImport is what a platform admin uploads.
type TaxonomyImport struct {
	// Name names the taxonomy, such as "LGA service list".
	Name string
	URI  string
	// Data is the file, CSV or JSON (told apart by its first character).
	Data []byte
}

// TaxonomyImportResult says what the import did.
type TaxonomyImportResult struct {
	TaxonomyID string
	Terms      int
	// Problems lists rows left out, by line or position, with why.
	Problems []string
}

// maxTaxonomyTerms bounds an upload: the largest UK lists have a few
// thousand terms.
const maxTaxonomyTerms = 50_000

var (
	termIDNames     = []string{"id", "identifier", "code", "term_id", "term id"}
	termNameNames   = []string{"name", "label", "term", "title", "preferred label"}
	termParentNames = []string{"parent_id", "parent", "parent id", "parent identifier", "broader"}
	termDescNames   = []string{"description", "definition", "scope note", "scopenote"}
)

// ImportTaxonomy reads a taxonomy file and saves it with its terms, all or
// nothing. Rows without an id or a name are left out and reported; parents
// that are not in the file are dropped and reported.
func ImportTaxonomy(ctx context.Context, db *gorm.DB, a *Actor, in TaxonomyImport) (TaxonomyImportResult, error) {
	if err := can(a, AdminTaxonomies, Resource{}); err != nil {
		return TaxonomyImportResult{}, err
	}
	v := &ValidationError{}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		v.Add("name", "Enter the taxonomy's name, such as LGA service list")
	}
	checkLen(v, "name", in.Name, "The name", maxShortLen)
	if len(bytes.TrimSpace(in.Data)) == 0 {
		v.Add("file", "Choose a CSV or JSON file of terms")
	}
	if err := v.Err(); err != nil {
		return TaxonomyImportResult{}, err
	}
	terms, problems, err := parseTaxonomyTerms(in.Data)
	if err != nil {
		v.Add("file", err.Error())
		return TaxonomyImportResult{}, v
	}
	if len(terms) == 0 {
		v.Add("file", "The file has no terms with an id and a name")
		return TaxonomyImportResult{}, v
	}
	ids := map[string]bool{}
	for _, t := range terms {
		ids[t.ID] = true
	}
	for i := range terms {
		if terms[i].ParentID != "" && !ids[terms[i].ParentID] {
			problems = append(problems, fmt.Sprintf("term %q: parent %q is not in the file, so the term is kept at the top", terms[i].ID, terms[i].ParentID))
			terms[i].ParentID = ""
		}
	}
	source := "taxonomy:" + NormaliseID("taxonomy-name", strings.ToLower(in.Name))
	tax := hsds.Taxonomy{ID: strings.ToLower(in.Name), Name: in.Name, URI: strings.TrimSpace(in.URI)}
	if err := SaveTaxonomy(ctx, db, source, tax, terms); err != nil {
		return TaxonomyImportResult{}, err
	}
	return TaxonomyImportResult{TaxonomyID: NormaliseID(source, tax.ID), Terms: len(terms), Problems: problems}, nil
}

// parseTaxonomyTerms reads terms from CSV or JSON.
func parseTaxonomyTerms(data []byte) ([]hsds.TaxonomyTerm, []string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a spreadsheet's byte order mark
	if !utf8.Valid(data) {
		return nil, nil, uploadProblem("The file is not UTF-8 text: save it as CSV UTF-8 or JSON")
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && (trimmed[0] == '[' || trimmed[0] == '{') {
		return parseTaxonomyJSON(trimmed)
	}
	return parseTaxonomyCSV(data)
}

func parseTaxonomyJSON(data []byte) ([]hsds.TaxonomyTerm, []string, error) {
	var raw []map[string]any
	if data[0] == '{' {
		var wrapped struct {
			Terms         []map[string]any `json:"terms"`
			TaxonomyTerms []map[string]any `json:"taxonomy_terms"`
			Contents      []map[string]any `json:"contents"`
		}
		if err := json.Unmarshal(data, &wrapped); err != nil {
			return nil, nil, uploadProblem("The JSON could not be read: it must be an array of terms or an object with \"terms\"")
		}
		raw = append(append(wrapped.Terms, wrapped.TaxonomyTerms...), wrapped.Contents...)
	} else if err := json.Unmarshal(data, &raw); err != nil {
		return nil, nil, uploadProblem("The JSON could not be read: it must be an array of terms or an object with \"terms\"")
	}
	var rows [][2][]string
	for _, obj := range raw {
		var keys, vals []string
		for k, v := range obj {
			keys = append(keys, k)
			vals = append(vals, jsonText(v))
		}
		rows = append(rows, [2][]string{keys, vals})
	}
	var terms []hsds.TaxonomyTerm
	var problems []string
	for i, r := range rows {
		t, ok := termFrom(r[0], r[1])
		if !ok {
			problems = append(problems, fmt.Sprintf("item %d: no id or no name, left out", i+1))
			continue
		}
		terms = append(terms, t)
		if len(terms) > maxTaxonomyTerms {
			return nil, nil, uploadProblem(fmt.Sprintf("The file has more than %d terms", maxTaxonomyTerms))
		}
	}
	return terms, problems, nil
}

func jsonText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%f", x), "0"), ".")
	case nil:
		return ""
	}
	return ""
}

func parseTaxonomyCSV(data []byte) ([]hsds.TaxonomyTerm, []string, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	header, err := r.Read()
	if err != nil {
		return nil, nil, uploadProblem("The CSV has no header row")
	}
	var terms []hsds.TaxonomyTerm
	var problems []string
	line := 1
	for {
		rec, err := r.Read()
		line++
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, uploadProblem(fmt.Sprintf("The CSV could not be read at line %d", line))
		}
		t, ok := termFrom(header, rec)
		if !ok {
			if strings.TrimSpace(strings.Join(rec, "")) != "" {
				problems = append(problems, fmt.Sprintf("line %d: no id or no name, left out", line))
			}
			continue
		}
		terms = append(terms, t)
		if len(terms) > maxTaxonomyTerms {
			return nil, nil, uploadProblem(fmt.Sprintf("The file has more than %d terms", maxTaxonomyTerms))
		}
	}
	if len(terms) == 0 && !hasColumn(header, termIDNames) {
		return nil, nil, uploadProblem("The CSV needs an id (or identifier, or code) column and a name (or label) column")
	}
	return terms, problems, nil
}

func hasColumn(header, names []string) bool {
	for _, h := range header {
		for _, n := range names {
			if strings.EqualFold(strings.TrimSpace(h), n) {
				return true
			}
		}
	}
	return false
}

// termFrom builds a term from named values, by the first name matching.
func termFrom(keys, vals []string) (hsds.TaxonomyTerm, bool) {
	get := func(names []string) string {
		for _, n := range names {
			for i, k := range keys {
				if i < len(vals) && strings.EqualFold(strings.TrimSpace(k), n) {
					if v := strings.Join(strings.Fields(StripTags(vals[i])), " "); v != "" {
						return v
					}
				}
			}
		}
		return ""
	}
	t := hsds.TaxonomyTerm{ID: get(termIDNames), Name: get(termNameNames), ParentID: get(termParentNames), Description: get(termDescNames)}
	t.Code = t.ID
	if utf8.RuneCountInString(t.Name) > 500 || utf8.RuneCountInString(t.ID) > 200 {
		return hsds.TaxonomyTerm{}, false
	}
	if utf8.RuneCountInString(t.Description) > maxTextLen {
		t.Description = string([]rune(t.Description)[:maxTextLen])
	}
	return t, t.ID != "" && t.Name != ""
}

// TaxonomySummary is a taxonomy in the platform admin's list.
type TaxonomySummary struct {
	ID, Name, Source string
	Terms            int64
}

// ListTaxonomies lists every taxonomy with its number of terms.
func ListTaxonomies(ctx context.Context, db *gorm.DB, a *Actor) ([]TaxonomySummary, error) {
	if err := can(a, AdminTaxonomies, Resource{}); err != nil {
		return nil, err
	}
	var out []TaxonomySummary
	err := db.WithContext(ctx).Table("taxonomies t").
		Select("t.id, t.name, t.source, (SELECT COUNT(*) FROM taxonomy_terms tt WHERE tt.taxonomy_id = t.id) AS terms").
		Order("t.name").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: list taxonomies: %w", err)
	}
	return out, nil
}

// uploadProblem is what is wrong with an uploaded file, worded for the
// person who uploaded it (it is shown beside the file field).
type uploadProblem string

func (p uploadProblem) Error() string { return string(p) }
