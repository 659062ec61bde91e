// Package dataprotection holds the data protection lead's pages: find a
// person's referrals, export them, correct or erase them, and the access
// log.
package dataprotection

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/views"
	"github.com/openreferral-uk/referrals/views/components"
)

// Person is a person's name and date of birth as typed.
type Person struct {
	Given, Family, Day, Month, Year string
}

// HomePage is /manage/data-protection and its search results.
type HomePage struct {
	Layout   views.Layout
	OrgID    string
	OrgName  string
	Orgs     []components.OrgChoice
	Person   Person
	Errors   components.Errors
	Searched bool
	Results  []models.ReferralSummary
}

// ExportPage is a subject access export as a readable page.
type ExportPage struct {
	Layout views.Layout
	Export models.SubjectAccess
}

// ReferralPage is one referral for correcting or erasing.
type ReferralPage struct {
	Layout   views.Layout
	OrgID    string
	R        models.ReferralView
	Form     models.ReferralForm
	Why      string
	EraseWhy string
	Errors   components.Errors
}

// AccessLogPage is the organisation's access log.
type AccessLogPage struct {
	Layout    views.Layout
	OrgID     string
	OrgName   string
	Reference string
	From, To  string
	Entries   []models.AccessEntry
	Page      int
	ForPerson bool
	// More says a full page came back, so there may be a next one.
	More   bool
	Errors components.Errors
}

// NextURL links to the next page of the log with the same filters.
func (p AccessLogPage) NextURL() string {
	q := url.Values{"org": {p.OrgID}, "page": {itoa(p.Page + 1)}}
	for k, v := range map[string]string{"reference": p.Reference, "from": p.From, "to": p.To} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return "/manage/data-protection/access-log?" + q.Encode()
}

func itoa(n int) string { return strconv.Itoa(n) }

// ActionLabel says what a look at a referral was.
func ActionLabel(action string) string {
	switch action {
	case models.AccessView:
		return "Viewed"
	case models.AccessPrint:
		return "Printed"
	case models.AccessExport:
		return "Exported (subject access)"
	}
	return action
}

func agreedHow(r models.SubjectReferral) string {
	if !r.PersonAgreed {
		return ""
	}
	return strings.TrimSuffix(models.Label(models.AgreementMethods, r.AgreementMethod)+", "+r.AgreedOn, ", ")
}

func agreedBy(p models.Person) string {
	if p.AgreedByName == "" {
		return ""
	}
	return p.AgreedByName + " (" + p.AgreedByRelationship + ")"
}
