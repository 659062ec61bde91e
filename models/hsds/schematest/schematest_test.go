package schematest

import (
	"os"
	"path/filepath"
	"testing"
)

// TestValidatorMocksPassAndFail runs the ORUK validator's own mock
// responses through the schemas the API tests use: the Default mocks must
// pass and the Fail mocks must not, so that a green API schema test means
// what the ORUK validator would say.
func TestValidatorMocksPassAndFail(t *testing.T) {
	shared := SharedDir(t)
	schemaFor := map[string]string{
		"api_details.json": "api_details.json", "service_full.json": "service.json", "service_list.json": "service_list.json",
		"organization_full.json": "organization.json", "organization_list.json": "organization_list.json",
		"service_at_location_full.json": "service_at_location.json", "service_at_location_list.json": "service_at_location_list.json",
		"taxonomy.json": "taxonomy.json", "taxonomy_list.json": "taxonomy_list.json",
		"taxonomy_term.json": "taxonomy_term.json", "taxonomy_term_list.json": "taxonomy_term_list.json",
	}
	// The Fail mocks that break the schema itself; the others break rules
	// the ORUK validator checks beyond the schema (paging, links).
	schemaInvalid := map[string]bool{"api_details.json": true, "service_full.json": true, "service_list.json": true, "taxonomy_term.json": true}
	mocks := filepath.Join(shared, "openreferral", "oruk", "validator", "mocks")
	for _, set := range []struct {
		dir   string
		valid bool
	}{{"V3.0-UK-Default", true}, {"V3.0-UK-Fail", false}} {
		checked := 0
		for file, schema := range schemaFor {
			doc, err := os.ReadFile(filepath.Join(mocks, set.dir, file))
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			checked++
			err = Check(Schema(t, ORUKPrefix, schema), doc)
			switch {
			case set.valid && err != nil:
				t.Errorf("%s/%s should pass %s: %v", set.dir, file, schema, err)
			case !set.valid && schemaInvalid[file] && err == nil:
				t.Errorf("%s/%s should fail %s (bad formats, missing required fields) but passes", set.dir, file, schema)
			case !set.valid && !schemaInvalid[file] && err != nil:
				t.Logf("%s/%s also fails %s: %v", set.dir, file, schema, err)
			}
		}
		if checked < 8 {
			t.Errorf("%s: only %d mocks checked", set.dir, checked)
		}
	}
}
