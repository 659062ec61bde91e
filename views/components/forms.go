package components

import "sort"

// Errors are a form's messages by field name.
type Errors map[string]string

// FieldError is one message in the error summary, linking to its field.
type FieldError struct {
	Field, Message string
}

// List orders a form's errors for the error summary, in the order of
// fields given (others after, by name).
func (e Errors) List(order ...string) []FieldError {
	var out []FieldError
	seen := map[string]bool{}
	for _, f := range order {
		if m, ok := e[f]; ok {
			out = append(out, FieldError{f, m})
			seen[f] = true
		}
	}
	var rest []string
	for f := range e {
		if !seen[f] {
			rest = append(rest, f)
		}
	}
	sort.Strings(rest)
	for _, f := range rest {
		out = append(out, FieldError{f, e[f]})
	}
	return out
}

// DescribedBy is a field's or fieldset's aria-describedby, as the GOV.UK
// Design System has it: its hint (id-hint) when it has one and its error
// message (id-error) when there is one; empty when neither.
func DescribedBy(id, hint, errMsg string) string {
	var s string
	if hint != "" {
		s = id + "-hint"
	}
	if errMsg != "" {
		if s != "" {
			s += " "
		}
		s += id + "-error"
	}
	return s
}

// OrgChoice is an organisation the signed-in member may switch a page to.
type OrgChoice struct {
	ID, Name string
	Current  bool
}
