package models

import (
	"regexp"
	"strings"

	"github.com/google/uuid"
)

// idNamespace is the UUIDv5 namespace for ids derived from a source's own
// ids. It must never change: harvests rely on deriving the same id again.
var idNamespace = uuid.MustParse("5f0c1a52-3c1e-4b8e-9a3f-2f6b0e1d7c42")

// uuidShape is an 8-4-4-4-12 hex string. Real feeds use such ids without RFC
// 4122 version bits, so the shape is checked, not the version.
var uuidShape = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// IsUUIDShaped reports whether s is an 8-4-4-4-12 hex string.
func IsUUIDShaped(s string) bool { return uuidShape.MatchString(s) }

// NewID returns a random UUID for a record created on this platform.
func NewID() string { return uuid.NewString() }

// NormaliseID applies the id rule to an id from a source: an id shaped like
// a UUID is kept (lower-cased), which lets consumers de-duplicate records
// across publishers; any other id becomes a UUIDv5 of (source, id), so the
// same record from the same source always gets the same id here.
func NormaliseID(source, raw string) string {
	raw = strings.TrimSpace(raw)
	if IsUUIDShaped(raw) {
		return strings.ToLower(raw)
	}
	return uuid.NewSHA1(idNamespace, []byte(source+"\x00"+raw)).String()
}
