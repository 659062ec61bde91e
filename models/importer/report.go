package importer

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Action says what the importer did about a problem it found.
type Action string

// The actions the importer takes on a problem.
const (
	// Dropped means the field (or a child record such as a phone) was left out.
	Dropped Action = "dropped"
	// Defaulted means a documented default replaced a missing or invalid value.
	Defaulted Action = "defaulted"
	// Fixed means the value was corrected, such as HTML made safe.
	Fixed Action = "fixed"
	// Skipped means the whole record was not imported.
	Skipped Action = "skipped"
)

// Problem is one thing wrong with one record of the input.
type Problem struct {
	// RecordType is service, organization, taxonomy or taxonomy_term.
	RecordType string `json:"record_type"`
	// RecordID is the id the source gave the record ("" when it had none).
	RecordID string `json:"record_id"`
	// Where locates the record in the input when that helps, such as
	// "services.csv row 12" or "page 3 item 4".
	Where string `json:"where,omitempty"`
	// Field is the path of the field inside the record, such as
	// "service_at_locations[0].location.latitude"; empty for the record.
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
	Action Action `json:"action"`
}

// Counts says what happened to the records of one type.
type Counts struct {
	Read      int `json:"read"`
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Skipped   int `json:"skipped"`
	// MarkedInactive counts services that a full harvest no longer found
	// in their feed, and marked inactive.
	MarkedInactive int `json:"marked_inactive,omitempty"`
}

// Outcomes of a run.
const (
	OutcomeCommitted = "committed"
	OutcomeDryRun    = "dry_run"
	OutcomeRejected  = "rejected"
	OutcomeFailed    = "failed"
)

// Report is the result of one import run. It is written to the terminal and,
// with --report, as JSON; docs/import.md documents the JSON shape.
type Report struct {
	Source     string    `json:"source"`
	Input      string    `json:"input"`
	Format     Format    `json:"format"`
	DryRun     bool      `json:"dry_run"`
	Strict     bool      `json:"strict"`
	Outcome    string    `json:"outcome"`
	Error      string    `json:"error,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// Seconds is the whole run; WriteSeconds is how long the one write
	// transaction held the database (on SQLite, how long other writers
	// waited).
	Seconds      float64 `json:"seconds"`
	WriteSeconds float64 `json:"write_seconds"`
	// Rejected counts records skipped because they were unusable (no id or
	// name, a duplicate, or not fetchable): under --strict any makes the run
	// write nothing. Records skipped to protect local edits are not rejected.
	Rejected      int       `json:"rejected"`
	Services      Counts    `json:"services"`
	Organizations Counts    `json:"organizations"`
	Taxonomies    Counts    `json:"taxonomies"`
	TaxonomyTerms Counts    `json:"taxonomy_terms"`
	Problems      []Problem `json:"problems"`
}

// counts returns the counts of a record type.
func (r *Report) counts(recordType string) *Counts {
	switch recordType {
	case recordOrganization:
		return &r.Organizations
	case recordTaxonomy:
		return &r.Taxonomies
	case recordTerm:
		return &r.TaxonomyTerms
	default:
		return &r.Services
	}
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	if r.Problems == nil {
		r.Problems = []Problem{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// maxListed bounds the problems the terminal summary lists one by one; the
// JSON report always has all of them.
const maxListed = 30

// WriteText writes a summary for a person at a terminal: the counts, the
// problems grouped by reason, and the first problems in full.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	verb := map[string]string{OutcomeCommitted: "Imported", OutcomeDryRun: "Dry run (nothing written) of",
		OutcomeRejected: "Rejected (nothing written)", OutcomeFailed: "Failed (nothing written)"}[r.Outcome]
	fmt.Fprintf(&b, "%s %s as %q (format %s) in %.1fs", verb, r.Input, r.Source, r.Format, r.Seconds)
	if r.Outcome == OutcomeCommitted {
		fmt.Fprintf(&b, "; the write held the database for %.2fs", r.WriteSeconds)
	}
	b.WriteString("\n\n")
	fmt.Fprintf(&b, "  %-15s %8s %8s %8s %9s %8s\n", "", "read", "created", "updated", "unchanged", "skipped")
	for _, row := range []struct {
		name string
		c    Counts
	}{{"services", r.Services}, {"organisations", r.Organizations}, {"taxonomies", r.Taxonomies}, {"taxonomy terms", r.TaxonomyTerms}} {
		if row.c == (Counts{}) {
			continue
		}
		fmt.Fprintf(&b, "  %-15s %8d %8d %8d %9d %8d\n", row.name, row.c.Read, row.c.Created, row.c.Updated, row.c.Unchanged, row.c.Skipped)
	}
	if r.Error != "" {
		fmt.Fprintf(&b, "\nError: %s\n", r.Error)
	}
	if len(r.Problems) > 0 {
		type group struct {
			key   string
			n     int
			first Problem
		}
		groups := map[string]*group{}
		for _, p := range r.Problems {
			k := string(p.Action) + ": " + p.RecordType + " " + genericField(p.Field) + ": " + p.Reason
			if g, ok := groups[k]; ok {
				g.n++
			} else {
				groups[k] = &group{key: k, n: 1, first: p}
			}
		}
		list := make([]*group, 0, len(groups))
		for _, g := range groups {
			list = append(list, g)
		}
		slices.SortFunc(list, func(a, b *group) int {
			if c := cmp.Compare(b.n, a.n); c != 0 {
				return c
			}
			return strings.Compare(a.key, b.key)
		})
		fmt.Fprintf(&b, "\n%d problem(s), by kind:\n", len(r.Problems))
		for _, g := range list {
			fmt.Fprintf(&b, "  %6d  %s (first: %s %s)\n", g.n, g.key, g.first.RecordType, g.first.RecordID)
		}
		fmt.Fprintf(&b, "\nProblems one by one")
		if len(r.Problems) > maxListed {
			fmt.Fprintf(&b, " (the first %d; --report FILE writes all of them)", maxListed)
		}
		b.WriteString(":\n")
		for _, p := range r.Problems[:min(len(r.Problems), maxListed)] {
			fmt.Fprintf(&b, "  %s %s", p.RecordType, quoteID(p.RecordID))
			if p.Where != "" {
				fmt.Fprintf(&b, " (%s)", p.Where)
			}
			if p.Field != "" {
				fmt.Fprintf(&b, " %s", p.Field)
			}
			fmt.Fprintf(&b, ": %s [%s]\n", p.Reason, p.Action)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func quoteID(id string) string {
	if id == "" {
		return "(no id)"
	}
	return id
}

// genericField drops list indexes from a field path so that the same
// problem in many list items groups together.
func genericField(field string) string {
	if !strings.Contains(field, "[") {
		return field
	}
	var b strings.Builder
	skip := false
	for _, r := range field {
		switch {
		case r == '[':
			skip = true
			b.WriteString("[]")
		case r == ']':
			skip = false
		case !skip:
			b.WriteRune(r)
		}
	}
	return b.String()
}
