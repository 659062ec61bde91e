package models

import (
	"errors"
	"sort"
	"strings"
)

// Sentinel errors that handlers, the API and commands map to responses. They
// are wrapped with context (fmt.Errorf("models: ...: %w", ErrNotFound)) and
// matched with errors.Is, never by their text.
var (
	// ErrNotFound means the record does not exist or is not visible to the actor.
	ErrNotFound = errors.New("not found")
	// ErrForbidden means the actor may not do this to a record they can see.
	ErrForbidden = errors.New("forbidden")
	// ErrInvalidTransition means the lifecycle does not allow the change.
	ErrInvalidTransition = errors.New("invalid transition")
	// ErrConflict means someone else changed the record first.
	ErrConflict = errors.New("conflict")
)

// ValidationError carries a message per field for a user's mistake. It is
// not a failure of the system: forms show the messages beside the fields.
type ValidationError struct {
	Fields map[string]string
}

// Add records a message for a field; the first message for a field wins.
func (v *ValidationError) Add(field, message string) {
	if v.Fields == nil {
		v.Fields = map[string]string{}
	}
	if _, ok := v.Fields[field]; !ok {
		v.Fields[field] = message
	}
}

// Err returns v as an error when it holds a message, and nil otherwise.
func (v *ValidationError) Err() error {
	if v == nil || len(v.Fields) == 0 {
		return nil
	}
	return v
}

// Error lists the fields in a stable order; it is for logs, not for users.
func (v *ValidationError) Error() string {
	names := make([]string, 0, len(v.Fields))
	for k := range v.Fields {
		names = append(names, k)
	}
	sort.Strings(names)
	return "models: invalid " + strings.Join(names, ", ")
}
