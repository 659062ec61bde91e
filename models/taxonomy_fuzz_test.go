package models

import (
	"testing"
	"unicode/utf8"
)

// FuzzParseTaxonomyTerms: no upload crashes the parser, and every term it
// returns has an id and a name in valid UTF-8.
func FuzzParseTaxonomyTerms(f *testing.F) {
	f.Add([]byte("Identifier,Label,Parent\n1,Advice,\n2,Debt,1\n"))
	f.Add([]byte(`[{"id":"a","name":"Food"},{"id":"b","label":"Banks","parent_id":"a"}]`))
	f.Add([]byte(`{"terms":[{"code":7,"name":"Seven"}]}`))
	f.Add([]byte("id,name\n\"unterminated,x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		terms, _, err := parseTaxonomyTerms(data)
		if err != nil {
			return
		}
		for _, term := range terms {
			if term.ID == "" || term.Name == "" || !utf8.ValidString(term.ID+term.Name+term.Description) {
				t.Fatalf("bad term %+v", term)
			}
		}
	})
}
