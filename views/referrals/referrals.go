// Package referrals holds the referral pages: the refer journey, the
// lists, one referral and its printable copy.
package referrals

import (
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/views"
	"github.com/openreferral-uk/referrals/views/components"
)

// OrgChoice is an organisation a caseworker may refer for.
type OrgChoice struct{ ID, Name string }

// JourneyPage is the view model of every page of the refer journey.
type JourneyPage struct {
	Layout views.Layout
	Target models.ReferralTarget
	// Step is the page shown: "start", or one of models.ReferralSteps.
	Step   string
	Form   models.ReferralForm
	Errors components.Errors
	// FromOrg is the organisation referring; Orgs are the choices when
	// the caseworker refers for more than one.
	FromOrg     string
	FromOrgName string
	Orgs        []OrgChoice
	// ReturnToCheck is set when a step was opened from the check page.
	ReturnToCheck bool
	// Duplicates counts open referrals of the same person to the service.
	Duplicates int64
}

// Action is the form's URL.
func (p JourneyPage) Action() string { return "/services/" + p.Target.ServiceID + "/refer" }

// Hidden are the answers of the other steps, carried through this page.
func (p JourneyPage) Hidden() []Field {
	var out []Field
	for _, step := range []string{models.StepBasis, models.StepPerson, models.StepReason} {
		if step == p.Step && p.Step != models.StepCheck {
			continue
		}
		for _, name := range models.StepFields(step) {
			out = append(out, Field{name, p.Form.Value(name)})
		}
	}
	return out
}

// Field is a named value.
type Field struct{ Name, Value string }

// StepNumber is the page's position, for "Step 2 of 4".
func (p JourneyPage) StepNumber() int {
	for i, s := range models.ReferralSteps {
		if s == p.Step {
			return i + 1
		}
	}
	return 0
}

// Yes renders a yes/no answer.
func Yes(v string) string {
	switch v {
	case "yes":
		return "Yes"
	case "no":
		return "No"
	}
	return ""
}

// DateAnswer renders a three-field date, or what was typed.
func DateAnswer(d, m, y string) string {
	t, err := time.Parse("2 1 2006", fmt.Sprintf("%s %s %s", d, m, y))
	if err != nil {
		return ""
	}
	return t.Format("2 January 2006")
}

// ListPage is the view model of /referrals.
type ListPage struct {
	Layout views.Layout
	// List is models.ListSent or models.ListReceived; Lists are the ones
	// the user has (a responder who also refers has both).
	List         string
	Lists        []models.Choice
	Group        string
	Mine         bool
	Reference    string
	Result       models.ReferralList
	Page         int
	PerPage      int
	Errors       components.Errors
	FindGiven    string
	FindFamily   string
	FindDay      string
	FindMonth    string
	FindYear     string
	FoundByName  bool
	ReferralsOff bool
}

// GroupURL links to a group of the current list.
func (p ListPage) GroupURL(group string) string {
	u := "/referrals?list=" + p.List
	if group != "" {
		u += "&group=" + group
	}
	if p.Mine {
		u += "&mine=1"
	}
	return u
}

// Pagination pages through the list, keeping its filters.
func (p ListPage) Pagination() components.Pagination {
	q := url.Values{"list": {p.List}}
	if p.Group != "" {
		q.Set("group", p.Group)
	}
	if p.Mine {
		q.Set("mine", "1")
	}
	per := max(p.PerPage, 1)
	return components.Pagination{Page: max(p.Page, 1), TotalPages: int((p.Result.Total + int64(per) - 1) / int64(per)),
		BaseQuery: q, Path: "/referrals"}
}

// ShowPage is the view model of one referral.
type ShowPage struct {
	Layout views.Layout
	R      models.ReferralView
	// Sent is set right after the referral was sent, for the confirmation.
	Sent bool
	// Conflict explains that someone else changed the referral first;
	// the form values the person typed are kept in Move and Note.
	Conflict string
	Errors   components.Errors
	Move     models.MoveInput
	Note     string
}

// URL is the referral's address.
func (p ShowPage) URL() string { return "/referrals/" + p.R.Reference }

// Reasons are the reasons offered for a move.
func Reasons(to models.Status) []models.Choice { return models.Reasons[to] }

// MoveLabel is a move's button label.
func MoveLabel(to models.Status) string {
	switch to {
	case models.StatusAccepted:
		return "Accept referral"
	case models.StatusDeclined:
		return "Decline referral"
	case models.StatusWithdrawn:
		return "Withdraw referral"
	case models.StatusCompleted:
		return "Record as completed"
	case models.StatusUnsuccessful:
		return "Record as unsuccessful"
	}
	return string(to)
}

// StatusTag is the GOV.UK tag colour of a status.
func StatusTag(s models.Status) string {
	switch s {
	case models.StatusSent:
		return "govuk-tag--blue"
	case models.StatusReceived:
		return "govuk-tag--light-blue"
	case models.StatusAccepted:
		return "govuk-tag--green"
	case models.StatusDeclined, models.StatusUnsuccessful:
		return "govuk-tag--red"
	case models.StatusWithdrawn:
		return "govuk-tag--grey"
	case models.StatusCompleted:
		return "govuk-tag--turquoise"
	}
	return ""
}

// Day formats a date as people read it.
func Day(t time.Time) string { return t.In(london).Format("2 Jan 2006") }

// When formats a moment as people read it.
func When(t time.Time) string { return t.In(london).Format("2 Jan 2006, 3:04pm") }

var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// HistoryText says what an event was.
func HistoryText(h models.HistoryEntry) string {
	switch h.Kind {
	case models.EventAssigned:
		if h.Side == string(models.Referrer) {
			return "Handed over to " + h.AssignedTo
		}
		if h.AssignedTo == "" {
			return "Unassigned"
		}
		return "Assigned to " + h.AssignedTo
	case models.EventCorrected:
		return "Person's details corrected"
	case models.EventAnonymised:
		return "Personal data erased"
	}
	if h.From == "" {
		return "Referral sent"
	}
	return models.StatusLabel(h.To)
}

// PrintPage is the printable copy of a referral.
type PrintPage struct {
	Layout views.Layout
	R      models.ReferralView
	Now    time.Time
}

// radioID names the nth radio of a group; the first takes the group's
// name, so an error summary link lands on it.
func radioID(name string, i int) string {
	if i == 0 {
		return name
	}
	return fmt.Sprintf("%s-%d", name, i+1)
}

func dateWidth(w int) string { return fmt.Sprintf("govuk-input--width-%d", w) }

func orgChoices(orgs []OrgChoice) []models.Choice {
	out := make([]models.Choice, len(orgs))
	for i, o := range orgs {
		out[i] = models.Choice{Value: o.ID, Label: o.Name}
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

func byline(who string) string {
	if who == "" {
		return ""
	}
	return ", by " + who
}

func orNobody(s string) string {
	if s == "" {
		return "Nobody yet"
	}
	return s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// YesNoText is a yes or no answer as pages show it.
func YesNoText(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

func birthDate(iso string) string {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return ""
	}
	return t.Format("2 January 2006")
}

func agreedWhen(r models.ReferralView) string {
	s := models.Label(models.AgreementMethods, r.AgreementMethod)
	if r.AgreedOn != nil {
		s += ", " + r.AgreedOn.Format("2 January 2006")
	}
	return s
}

func sideLabel(side string) string {
	if side == string(models.Responder) {
		return "receiving service"
	}
	return "referrer"
}

// fieldFor names a move form's field uniquely on the page, since several
// move forms share it.
func fieldFor(to models.Status, field string) string { return string(to) + "_" + field }

// moveValue keeps what was typed into the form that failed.
func moveValue(p ShowPage, to models.Status, v string) string {
	if p.Move.To != to {
		return ""
	}
	return v
}

func moveError(p ShowPage, to models.Status, field string) string {
	if p.Move.To != to {
		return ""
	}
	return p.Errors[fieldFor(to, field)]
}

func reasonLegend(to models.Status) string {
	if to == models.StatusCompleted {
		return "Outcome"
	}
	return "Reason"
}

func detailHint(to models.Status) string {
	if to == models.StatusCompleted {
		return "Optional. The referrer sees this."
	}
	return "Needed if you chose another reason. The referrer sees this."
}

func responderChoices(rs []models.UserChoice) []models.Choice {
	out := []models.Choice{{Value: "", Label: "Nobody"}}
	for _, r := range rs {
		out = append(out, models.Choice{Value: r.ID, Label: r.Name})
	}
	return out
}

func userChoices(us []models.UserChoice) []models.Choice {
	out := make([]models.Choice, 0, len(us))
	for _, u := range us {
		out = append(out, models.Choice{Value: u.ID, Label: u.Name})
	}
	return out
}
