package models

import "time"

// The kinds of record an import keeps provenance for.
const (
	RecordService      = "service"
	RecordOrganization = "organization"
	RecordTaxonomy     = "taxonomy"
	RecordTaxonomyTerm = "taxonomy_term"
)

// ImportRecord is the provenance of one record an import brought in from a
// source: the hash of its content as last prepared, when the source first
// and last had it, and when the import last changed it here.
//
// A record whose own last_modified is later than LastChangedAt was edited on
// this platform after the import wrote it, and imports leave it alone (see
// docs/import.md).
type ImportRecord struct {
	Source         string    `gorm:"column:source;primaryKey"`
	RecordType     string    `gorm:"column:record_type;primaryKey"`
	RecordID       string    `gorm:"column:record_id;primaryKey"`
	SourceRecordID string    `gorm:"column:source_record_id;not null;default:''"`
	ContentHash    string    `gorm:"column:content_hash;not null"`
	FirstSeenAt    time.Time `gorm:"column:first_seen_at;not null"`
	LastSeenAt     time.Time `gorm:"column:last_seen_at;not null"`
	LastChangedAt  time.Time `gorm:"column:last_changed_at;not null"`
}

// TableName implements gorm's Tabler.
func (ImportRecord) TableName() string { return "import_records" }
