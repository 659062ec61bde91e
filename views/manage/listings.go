package manage

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/views"
	"github.com/openreferral-uk/referrals/views/components"
)

// ListingsPage is the view model of an organisation's list of services.
type ListingsPage struct {
	Layout   views.Layout
	OrgID    string
	OrgName  string
	Orgs     []components.OrgChoice
	Listings models.OrgListings
}

// StaleCount is how many listings need confirming.
func (p ListingsPage) StaleCount() int {
	n := 0
	for _, s := range p.Listings.Services {
		if s.NeedsReview {
			n++
		}
	}
	return n
}

// ListingPage is the view model of the form that creates or edits a
// service, with its history.
type ListingPage struct {
	Layout    views.Layout
	OrgID     string
	ServiceID string // empty for a new service
	Input     models.ListingInput
	Errors    components.Errors
	// Categories and Responders are the choices the form offers.
	Categories []models.CategoryChoice
	Responders []models.ResponderChoice
	History    []models.ListingChange
	ReadOnly   bool
	Claimed    bool
	Assured    string
	// NeedsReview flags a listing not confirmed within the review period.
	NeedsReview  bool
	LastModified time.Time
	// DefaultBankHolidays is the deployment's nation, which a service that
	// names none follows.
	DefaultBankHolidays string
}

// FormID is the constant id of the form, which htmx swaps to add a row.
const FormID = "listing-form"

// Action is where the form posts.
func (p ListingPage) Action() string {
	if p.ServiceID == "" {
		return "/manage/services/new"
	}
	return "/manage/services/" + p.ServiceID + "/edit"
}

// Heading is the page's h1.
func (p ListingPage) Heading() string {
	if p.ServiceID == "" {
		return "Add a service"
	}
	return "Edit " + p.Input.Name
}

// ErrorOrder lists the form's fields in page order, for the error summary.
func (p ListingPage) ErrorOrder() []string {
	order := []string{"history", "name", "description", "state", "categories", "minimum_age", "maximum_age", "eligibility", "fees", "prices"}
	for i := range p.Input.Prices {
		order = append(order, field("prices", i, "amount"), field("prices", i, "for"), field("prices", i, "details"))
	}
	order = append(order, "areas", "languages", "application_process", "email", "website", "phones")
	for i := range p.Input.Phones {
		order = append(order, field("phones", i, "number"), field("phones", i, "description"))
	}
	order = append(order, "contacts")
	for i := range p.Input.Contacts {
		order = append(order, field("contacts", i, "name"), field("contacts", i, "title"), field("contacts", i, "email"))
	}
	order = append(order, "schedules")
	for i := range p.Input.Schedules {
		order = append(order, field("schedules", i, "days"), field("schedules", i, "opens"), field("schedules", i, "closes"), field("schedules", i, "notes"))
	}
	order = append(order, "locations")
	for i := range p.Input.Locations {
		for _, f := range []string{"name", "address1", "address2", "city", "postcode", "latitude", "longitude", "accessibility"} {
			order = append(order, field("locations", i, f))
		}
	}
	return append(order, "referral_email", "response_target_days", "bank_holidays", "capacity", "responders")
}

func field(kind string, i int, name string) string { return fmt.Sprintf("%s-%d-%s", kind, i, name) }

// Day is a day of the week as the opening-times checkboxes offer it.
type Day struct{ Code, Name string }

// Days are the days of the week, Monday first.
var Days = []Day{{"MO", "Monday"}, {"TU", "Tuesday"}, {"WE", "Wednesday"}, {"TH", "Thursday"}, {"FR", "Friday"},
	{"SA", "Saturday"}, {"SU", "Sunday"}}

// CapacityChoices are the capacity statuses with their labels.
var CapacityChoices = []struct {
	Value models.CapacityStatus
	Label string
}{
	{models.CapacityOpen, "Open: taking people now"},
	{models.CapacityWaitingList, "Waiting list"},
	{models.CapacityFull, "Full: not taking anyone for now"},
}

// CapacityLabel names a capacity status.
func CapacityLabel(c models.CapacityStatus) string {
	for _, x := range CapacityChoices {
		if x.Value == c {
			return x.Label
		}
	}
	return string(c)
}

// StateTag is the coloured tag of a listing's state.
func StateTag(s models.ListingState) (label, class string) {
	switch s {
	case models.StateDraft:
		return "Draft", "govuk-tag--grey"
	case models.StateTemporarilyClosed:
		return "Temporarily closed", "govuk-tag--yellow"
	case models.StateClosed:
		return "Closed", "govuk-tag--red"
	}
	return "Published", "govuk-tag--green"
}

func has(xs []string, x string) bool { return slices.Contains(xs, x) }

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func formatDay(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return "never"
	}
	return t.Format("2 January 2006")
}

func formatTime(t time.Time) string {
	return t.Format("2 January 2006 at 15:04 UTC")
}

// radioID gives the first of a group the group's own name, so that the
// error summary's link to the field lands on it.
func radioID(name string, i int) string {
	if i == 0 {
		return name
	}
	return fmt.Sprintf("%s-%d", name, i)
}

func dayID(row, day int) string {
	if day == 0 {
		return field("schedules", row, "days")
	}
	return fmt.Sprintf("schedules-%d-days-%d", row, day)
}
