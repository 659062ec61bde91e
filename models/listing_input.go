package models

import (
	"fmt"
	"math"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"

	"github.com/openreferral-uk/referrals/models/geo"
	"github.com/openreferral-uk/referrals/models/hsds"
)

// ListingState is what an organisation admin chooses for a service: it sets
// both the local visibility and the published HSDS status.
type ListingState string

// The states of a listing. Closing for good publishes the service as
// defunct rather than removing it, so that consumers following
// modified_after learn of the closure.
const (
	StateDraft             ListingState = "draft"
	StateOpen              ListingState = "open"
	StateTemporarilyClosed ListingState = "temporarily_closed"
	StateClosed            ListingState = "closed"
)

// ListingStates lists the states in the order forms offer them.
func ListingStates() []ListingState {
	return []ListingState{StateDraft, StateOpen, StateTemporarilyClosed, StateClosed}
}

// Label is how pages name a state.
func (s ListingState) Label() string {
	switch s {
	case StateDraft:
		return "Draft: not shown in the directory or the API"
	case StateOpen:
		return "Published and open"
	case StateTemporarilyClosed:
		return "Published, temporarily closed"
	case StateClosed:
		return "Closed for good"
	}
	return string(s)
}

// visibilityAndStatus maps a state to the stored columns.
func (s ListingState) visibilityAndStatus() (Visibility, string) {
	switch s {
	case StateOpen:
		return Published, hsds.StatusActive
	case StateTemporarilyClosed:
		return Published, hsds.StatusTemporarilyClosed
	case StateClosed:
		return Published, hsds.StatusDefunct
	}
	return Draft, hsds.StatusActive
}

// stateOf reads a state back from the stored columns.
func stateOf(v Visibility, status string) ListingState {
	switch {
	case v == Draft:
		return StateDraft
	case status == hsds.StatusTemporarilyClosed:
		return StateTemporarilyClosed
	case status == hsds.StatusInactive || status == hsds.StatusDefunct:
		return StateClosed
	}
	return StateOpen
}

// ListingInput is a service listing as an organisation admin types it:
// every value is kept as typed so that a form with mistakes comes back
// exactly as it was sent.
type ListingInput struct {
	Name        string
	Description string
	State       string
	Categories  []string // taxonomy term ids
	MinimumAge  string
	MaximumAge  string
	Eligibility string
	Fees        string
	// Prices are the service's structured prices (HSDS cost options).
	Prices []PriceInput
	// Areas are the places the service covers, separated by commas
	// (HSDS service areas), such as "Kirklees, Calderdale".
	Areas              string
	Languages          string // names, separated by commas
	ApplicationProcess string
	Email              string
	Website            string
	Phones             []PhoneInput
	Contacts           []ContactInput
	Schedules          []ScheduleInput
	Locations          []LocationInput

	// Version is the listing's version when the form was loaded; a save
	// from an older version is refused (ErrConflict) so nobody overwrites
	// a change they did not see. Empty skips the check.
	Version string

	// Referral settings: local, never published.
	AcceptsReferrals   bool
	Responders         []string // membership ids; none means every responder
	ReferralEmail      string
	ResponseTargetDays string
	Capacity           string
	// BankHolidays is the nation whose bank holidays the response target
	// skips, or empty for the platform's.
	BankHolidays string
}

// PhoneInput is one phone number of a service.
type PhoneInput struct {
	ID, Number, Description string
	ProfessionalsOnly       bool
}

// PriceInput is one price of a service: an amount in pounds ("5.50"), what
// it is for ("per session"), and more about it ("Concessions free"). A price
// needs an amount or the more about it; imported prices without an amount
// often have only that.
type PriceInput struct {
	ID, Amount, For, Details string
}

// ContactInput is a named person or role to contact.
type ContactInput struct {
	ID, Name, Title, Email string
}

// ScheduleInput is one weekly opening time: the days, the hours and notes
// for exceptions such as bank holidays.
type ScheduleInput struct {
	ID     string
	Days   []string // MO ... SU
	Opens  string   // HH:MM, Europe/London
	Closes string
	Notes  string
}

// LocationInput is one place where the service is delivered.
type LocationInput struct {
	ID            string
	Name          string
	Address1      string
	Address2      string
	City          string
	Postcode      string
	Accessibility string
	// Latitude and Longitude are precise coordinates, optional; without
	// them the postcode's centroid is used and marked approximate.
	Latitude, Longitude string
	ProfessionalsOnly   bool
	// Approximate is shown, not typed: the stored coordinates came from
	// the postcode.
	Approximate bool
}

// Blank reports whether a phone row was left empty (a row to drop).
func (p PhoneInput) Blank() bool { return blank(p.Number, p.Description) }

// Blank reports whether a price row was left empty.
func (p PriceInput) Blank() bool { return blank(p.Amount, p.For, p.Details) }

// Blank reports whether a contact row was left empty.
func (c ContactInput) Blank() bool { return blank(c.Name, c.Title, c.Email) }

// Blank reports whether an opening-time row was left empty.
func (s ScheduleInput) Blank() bool { return len(s.Days) == 0 && blank(s.Opens, s.Closes, s.Notes) }

// Blank reports whether a location row was left empty.
func (l LocationInput) Blank() bool {
	return blank(l.Name, l.Address1, l.Address2, l.City, l.Postcode, l.Accessibility, l.Latitude, l.Longitude)
}

func blank(vals ...string) bool {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// WithoutBlankRows drops the rows left empty, which is how a form removes
// one and how the spare "add another" rows are ignored.
func (in ListingInput) WithoutBlankRows() ListingInput {
	in.Phones = slices.DeleteFunc(slices.Clone(in.Phones), PhoneInput.Blank)
	in.Prices = slices.DeleteFunc(slices.Clone(in.Prices), PriceInput.Blank)
	in.Contacts = slices.DeleteFunc(slices.Clone(in.Contacts), ContactInput.Blank)
	in.Schedules = slices.DeleteFunc(slices.Clone(in.Schedules), ScheduleInput.Blank)
	in.Locations = slices.DeleteFunc(slices.Clone(in.Locations), LocationInput.Blank)
	return in
}

// Field length limits. They are generous for people and tight enough that
// a pasted document or an attack does not end up in every API response.
const (
	maxShortText = 255
	maxLongText  = 10000
	maxMidText   = 2000
	maxEmail     = 254
	maxURL       = 2000
	maxRows      = 50
)

// markup finds the start of an HTML tag, comment or declaration. Listings
// are plain text: consumers of the API may render fields as HTML, so a tag
// typed here could run in someone else's page.
var markup = regexp.MustCompile(`<\s*[a-zA-Z/!?]`)

var clock = regexp.MustCompile(`^([01]?[0-9]|2[0-3]):([0-5][0-9])$`)

// checkText validates a free-text field: its length, no markup and no
// control characters (newlines only where multiline).
func checkText(v *ValidationError, field, label, s string, limit int, multiline bool) {
	if n := len([]rune(s)); n > limit {
		v.Add(field, fmt.Sprintf("%s must be %s characters or fewer (it has %s)", label, thousands(limit), thousands(n)))
		return
	}
	if markup.MatchString(s) {
		v.Add(field, label+" must be plain text: remove the HTML tags (text in angle brackets)")
		return
	}
	for _, r := range s {
		if unicode.IsControl(r) && (!multiline || (r != '\n' && r != '\r' && r != '\t')) {
			v.Add(field, label+" must not contain control characters")
			return
		}
	}
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// normaliseEmail checks an email address and returns it bare.
func normaliseEmail(v *ValidationError, field, label, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if len(s) > maxEmail {
		v.Add(field, label+" must be 254 characters or fewer")
		return s
	}
	a, err := mail.ParseAddress(s)
	at := strings.LastIndex(s, "@")
	if err != nil || a.Address != s || at < 1 || !strings.Contains(s[at+1:], ".") || strings.ContainsAny(s, " <>\"") {
		v.Add(field, "Enter "+strings.ToLower(label[:1])+label[1:]+" in the correct format, like name@example.org.uk")
	}
	return s
}

// normaliseURL checks a web address, adding https:// when it was left off.
func normaliseURL(v *ValidationError, field, label, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	switch {
	case len(s) > maxURL:
		v.Add(field, label+" must be 2,000 characters or fewer")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		!strings.Contains(u.Hostname(), ".") || strings.ContainsAny(s, " <>\"'`"):
		v.Add(field, "Enter "+strings.ToLower(label[:1])+label[1:]+" starting with https://, like https://www.example.org.uk")
	}
	return s
}

// NormalisePhone checks a phone number, UK or international, and returns it
// formatted as people write it: national format for UK numbers,
// international format (+33 1 ...) for others.
func NormalisePhone(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 40 {
		return s, false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789 +()-.", r) {
			return s, false
		}
	}
	n, err := phonenumbers.Parse(s, "GB")
	if err != nil || (!phonenumbers.IsValidNumber(n) && !isDramaNumber(n)) {
		return s, false
	}
	if n.GetCountryCode() == 44 { // the UK and the Crown Dependencies dial alike
		return phonenumbers.Format(n, phonenumbers.NATIONAL), true
	}
	return phonenumbers.Format(n, phonenumbers.INTERNATIONAL), true
}

// dramaRanges are Ofcom's UK number ranges kept for drama and examples
// (national significant number prefixes, each followed by three digits).
// They never reach a real line, which is why the demo directory and
// training sites use them; libphonenumber does not count some as valid.
var dramaRanges = []string{"1134960", "1144960", "1154960", "1164960", "1174960", "1184960", "1214960", "1314960",
	"1414960", "1514960", "1614960", "1632960", "2079460", "2890180", "2920180", "7700900", "8081570", "9098790", "3069990"}

func isDramaNumber(n *phonenumbers.PhoneNumber) bool {
	if n.GetCountryCode() != 44 {
		return false
	}
	nsn := phonenumbers.GetNationalSignificantNumber(n)
	for _, r := range dramaRanges {
		if len(nsn) == len(r)+3 && strings.HasPrefix(nsn, r) {
			return true
		}
	}
	return false
}

func parseAge(v *ValidationError, field, label, s string) *float64 {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 120 {
		v.Add(field, label+" must be a whole number of years from 0 to 120")
		return nil
	}
	f := float64(n)
	return &f
}

// validDays are the iCalendar day codes in week order.
var validDays = []string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}

// Validate checks a listing as typed and returns it normalised (trimmed,
// phone numbers and postcodes formatted, blank rows dropped), with a
// message per field for every mistake. It needs no database: checks that
// do (categories, responders) are in SaveListing.
func (in ListingInput) Validate() (ListingInput, *ValidationError) {
	v := &ValidationError{}
	out := in.WithoutBlankRows()
	trim := func(p *string) { *p = strings.TrimSpace(*p) }
	for _, p := range []*string{&out.Name, &out.Description, &out.Eligibility, &out.Fees, &out.Languages,
		&out.ApplicationProcess, &out.MinimumAge, &out.MaximumAge, &out.ResponseTargetDays, &out.Areas} {
		trim(p)
	}
	if out.Name == "" {
		v.Add("name", "Enter the name of the service")
	} else {
		checkText(v, "name", "Name", out.Name, maxShortText, false)
	}
	if out.Description == "" {
		v.Add("description", "Describe what the service does")
	} else {
		checkText(v, "description", "Description", out.Description, maxLongText, true)
	}
	if !slices.Contains(ListingStates(), ListingState(out.State)) {
		v.Add("state", "Choose whether the service is a draft, open or closed")
	}
	checkText(v, "eligibility", "Who it is for", out.Eligibility, maxMidText, true)
	checkText(v, "fees", "Cost", out.Fees, maxMidText, true)
	checkText(v, "languages", "Languages", out.Languages, maxMidText, false)
	checkText(v, "areas", "Areas covered", out.Areas, maxMidText, false)
	if len(languageNames(out.Areas)) > maxRows {
		v.Add("areas", fmt.Sprintf("List %d areas or fewer", maxRows))
	}
	for i := range out.Prices {
		p := &out.Prices[i]
		f := fmt.Sprintf("prices-%d-", i)
		trim(&p.Amount)
		trim(&p.For)
		trim(&p.Details)
		checkText(v, f+"for", "What the price is for", p.For, maxShortText, false)
		checkText(v, f+"details", "More about the price", p.Details, maxMidText, false)
		if p.Amount != "" {
			if _, ok := parsePrice(p.Amount); !ok {
				v.Add(f+"amount", "Enter a price in pounds, like 5 or 12.50")
			}
		} else if p.Details == "" {
			v.Add(f+"amount", "Enter the price or say more about it, or clear what it is for to remove this price")
		}
	}
	checkText(v, "application_process", "How to access it", out.ApplicationProcess, maxMidText, true)
	lo := parseAge(v, "minimum_age", "Minimum age", out.MinimumAge)
	hi := parseAge(v, "maximum_age", "Maximum age", out.MaximumAge)
	if lo != nil && hi != nil && *lo > *hi {
		v.Add("maximum_age", "Maximum age must be the same as or more than the minimum age")
	}
	out.Email = normaliseEmail(v, "email", "Email address", out.Email)
	out.Website = normaliseURL(v, "website", "Website", out.Website)
	if len(out.Categories) > maxRows {
		v.Add("categories", "Choose 50 categories or fewer")
	}

	for _, rows := range []struct {
		n    int
		name string
	}{{len(out.Phones), "phones"}, {len(out.Prices), "prices"}, {len(out.Contacts), "contacts"}, {len(out.Schedules), "schedules"}, {len(out.Locations), "locations"}} {
		if rows.n > maxRows {
			v.Add(rows.name, "Add 50 or fewer")
		}
	}
	for i := range out.Phones {
		p := &out.Phones[i]
		f := fmt.Sprintf("phones-%d-", i)
		if strings.TrimSpace(p.Number) == "" {
			v.Add(f+"number", "Enter a phone number, or clear the description to remove this phone")
		} else if n, ok := NormalisePhone(p.Number); ok {
			p.Number = n
		} else {
			v.Add(f+"number", "Enter a real phone number, like 0113 496 0000 or +33 1 23 45 67 89")
		}
		p.Description = strings.TrimSpace(p.Description)
		checkText(v, f+"description", "Phone description", p.Description, maxShortText, false)
	}
	for i := range out.Contacts {
		c := &out.Contacts[i]
		f := fmt.Sprintf("contacts-%d-", i)
		trim(&c.Name)
		trim(&c.Title)
		if c.Name == "" && c.Title == "" {
			v.Add(f+"name", "Enter the contact's name or role")
		}
		checkText(v, f+"name", "Contact name", c.Name, maxShortText, false)
		checkText(v, f+"title", "Contact role", c.Title, maxShortText, false)
		c.Email = normaliseEmail(v, f+"email", "Contact email address", c.Email)
	}
	for i := range out.Schedules {
		s := &out.Schedules[i]
		f := fmt.Sprintf("schedules-%d-", i)
		var days []string
		for _, d := range validDays {
			if slices.Contains(s.Days, d) {
				days = append(days, d)
			}
		}
		if len(days) != len(uniq(s.Days)) {
			v.Add(f+"days", "Choose days of the week from the list")
		} else if len(days) == 0 {
			v.Add(f+"days", "Choose the days it is open")
		}
		s.Days = days
		trim(&s.Opens)
		trim(&s.Closes)
		for _, t := range []struct {
			p          *string
			name, what string
		}{{&s.Opens, "opens", "Opening time"}, {&s.Closes, "closes", "Closing time"}} {
			m := clock.FindStringSubmatch(*t.p)
			switch {
			case *t.p == "":
				v.Add(f+t.name, "Enter the "+strings.ToLower(t.what)+", like 09:30")
			case m == nil:
				v.Add(f+t.name, t.what+" must be a 24-hour time, like 09:30 or 17:00")
			default:
				h, _ := strconv.Atoi(m[1])
				*t.p = fmt.Sprintf("%02d:%s", h, m[2])
			}
		}
		if clock.MatchString(s.Opens) && clock.MatchString(s.Closes) && s.Opens >= s.Closes {
			v.Add(f+"closes", "Closing time must be after the opening time")
		}
		trim(&s.Notes)
		checkText(v, f+"notes", "Notes", s.Notes, maxMidText, true)
	}
	for i := range out.Locations {
		l := &out.Locations[i]
		f := fmt.Sprintf("locations-%d-", i)
		for _, p := range []*string{&l.Name, &l.Address1, &l.Address2, &l.City, &l.Postcode, &l.Accessibility, &l.Latitude, &l.Longitude} {
			trim(p)
		}
		checkText(v, f+"name", "Location name", l.Name, maxShortText, false)
		if l.Address1 == "" {
			v.Add(f+"address1", "Enter the first line of the address")
		}
		checkText(v, f+"address1", "Address line 1", l.Address1, maxShortText, false)
		checkText(v, f+"address2", "Address line 2", l.Address2, maxShortText, false)
		checkText(v, f+"city", "Town or city", l.City, maxShortText, false)
		checkText(v, f+"accessibility", "Accessibility", l.Accessibility, maxMidText, true)
		pc, err := geo.Normalise(l.Postcode)
		switch {
		case l.Postcode == "":
			v.Add(f+"postcode", "Enter the postcode")
		case err != nil || !strings.Contains(pc, " "):
			v.Add(f+"postcode", "Enter a full UK postcode, like LS1 4AP")
		default:
			l.Postcode = pc
		}
		if l.Latitude != "" || l.Longitude != "" {
			lat, errLat := strconv.ParseFloat(l.Latitude, 64)
			lon, errLon := strconv.ParseFloat(l.Longitude, 64)
			if errLat != nil || lat < 49 || lat > 61 {
				v.Add(f+"latitude", "Latitude must be a number between 49 and 61, like 53.7996")
			}
			if errLon != nil || lon < -9 || lon > 2.5 {
				v.Add(f+"longitude", "Longitude must be a number between -9 and 2.5, like -1.5491")
			}
		}
	}

	out.ReferralEmail = normaliseEmail(v, "referral_email", "Referral email address", out.ReferralEmail)
	if out.AcceptsReferrals && out.ReferralEmail == "" {
		v.Add("referral_email", "Enter the email address referrals should be sent to")
	}
	if out.ResponseTargetDays == "" {
		out.ResponseTargetDays = "5"
	}
	if n, err := strconv.Atoi(out.ResponseTargetDays); err != nil || n < 1 || n > 60 {
		v.Add("response_target_days", "Response target must be a whole number of working days from 1 to 60")
	}
	if out.BankHolidays != "" && !slices.Contains(Nations(), out.BankHolidays) {
		v.Add("bank_holidays", "Choose whose bank holidays the response target skips")
	}
	if !slices.Contains([]CapacityStatus{CapacityOpen, CapacityWaitingList, CapacityFull}, CapacityStatus(out.Capacity)) {
		v.Add("capacity", "Choose whether the service has space, a waiting list, or is full")
	}
	if len(v.Fields) == 0 {
		return out, nil
	}
	return out, v
}

// languageNames splits the typed list of languages.
func languageNames(s string) []string {
	var out []string
	for _, n := range strings.Split(s, ",") {
		if n = strings.TrimSpace(n); n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// ScheduleSummary is the readable form of an opening time row, as the
// service page will show it.
func (s ScheduleInput) Summary() string {
	text := DescribeSchedule(hsds.Schedule{Freq: "WEEKLY", Byday: strings.Join(s.Days, ","), OpensAt: s.Opens, ClosesAt: s.Closes})
	if s.Notes != "" {
		if text != "" {
			text += ". "
		}
		text += s.Notes
	}
	return text
}

// parsePrice reads a price in pounds as people type it: "5", "£12.50",
// "1,200". It refuses negatives and anything over a million.
func parsePrice(s string) (float64, bool) {
	s = strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(s), "£"), ",", "")
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > 1_000_000 {
		return 0, false
	}
	return math.Round(f*100) / 100, true
}
