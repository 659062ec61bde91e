package importer

import (
	"encoding/json"

	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models"
)

// inChunk bounds the ids of one IN list.
const inChunk = 5000

// inIDs returns SQL for "IN (the ids)" that takes the ids as one JSON
// parameter, and that parameter. Binding thousands of parameters is slow on
// SQLite's driver (quadratic in their number) and each distinct IN list is
// a new statement to parse; one JSON array is neither.
func inIDs(db *gorm.DB, ids []string) (string, any) {
	b, err := json.Marshal(ids)
	if err != nil {
		panic(err) // strings always marshal
	}
	if models.DialectFor(db) == models.Postgres {
		return "IN (SELECT jsonb_array_elements_text(CAST(? AS jsonb)))", string(b)
	}
	return "IN (SELECT value FROM json_each(?))", string(b)
}

// chunks calls fn with ids in chunks of inChunk.
func chunks(ids []string, fn func([]string) error) error {
	for start := 0; start < len(ids); start += inChunk {
		if err := fn(ids[start:min(start+inChunk, len(ids))]); err != nil {
			return err
		}
	}
	return nil
}
