package models

import (
	"fmt"
	"net/mail"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openreferral-uk/referrals/models/geo"
)

// ReferralForm is everything the refer journey asks, as typed. The journey
// is several pages; each validates its own step, and sending validates the
// whole again, since earlier answers travel in hidden fields and may have
// been changed. The form tags are the field names on the pages.
type ReferralForm struct {
	// The basis for sharing the person's details.
	LawfulBasis          string `form:"lawful_basis"`
	PersonAgreed         string `form:"person_agreed"`
	AgreementCovers      string `form:"agreement_covers"`
	AgreementMethod      string `form:"agreement_method"`
	AgreedDay            string `form:"agreed_day"`
	AgreedMonth          string `form:"agreed_month"`
	AgreedYear           string `form:"agreed_year"`
	BasisNote            string `form:"basis_note"`
	HadCapacity          string `form:"had_capacity"`
	Under16              string `form:"under_16"`
	AgreedByName         string `form:"agreed_by_name"`
	AgreedByRelationship string `form:"agreed_by_relationship"`

	// The person.
	GivenName        string `form:"given_name"`
	FamilyName       string `form:"family_name"`
	BirthDay         string `form:"birth_day"`
	BirthMonth       string `form:"birth_month"`
	BirthYear        string `form:"birth_year"`
	Phone            string `form:"phone"`
	Email            string `form:"email"`
	PreferredContact string `form:"preferred_contact"`
	Address          string `form:"address"`
	Postcode         string `form:"postcode"`
	AccessNeeds      string `form:"access_needs"`
	Interpreter      string `form:"interpreter"`

	// Why, and how soon.
	Reason  string `form:"reason"`
	Urgency string `form:"urgency"`
}

// The steps of the refer journey, in order.
const (
	StepBasis  = "basis"
	StepPerson = "person"
	StepReason = "reason"
	StepCheck  = "check"
)

// ReferralSteps lists the journey's steps in order.
var ReferralSteps = []string{StepBasis, StepPerson, StepReason, StepCheck}

// Choice is one option of a radio or select field.
type Choice struct{ Value, Label string }

// Label returns the label of a value among choices, or the value itself.
func Label(choices []Choice, value string) string {
	for _, c := range choices {
		if c.Value == value {
			return c.Label
		}
	}
	return value
}

func isChoice(choices []Choice, value string) bool {
	for _, c := range choices {
		if c.Value == value {
			return true
		}
	}
	return false
}

// The answers the journey offers.
var (
	// LawfulBases are the UK GDPR Article 6 bases the platform records for
	// sharing; the organisation decides which applies to its work.
	LawfulBases = []Choice{
		{"consent", "Consent: the person agrees to this referral"},
		{"public_task", "Public task: the organisation's official functions (usual for councils)"},
		{"legitimate_interests", "Legitimate interests"},
		{"vital_interests", "Vital interests: to protect someone's life"},
	}
	AgreementMethods = []Choice{
		{"in_person", "In person"},
		{"phone", "By phone"},
		{"video", "By video call"},
		{"in_writing", "In writing or by email"},
	}
	ContactMethods = []Choice{
		{"phone", "Phone call"},
		{"text", "Text message"},
		{"email", "Email"},
		{"post", "Letter"},
	}
	Urgencies = []Choice{
		{"routine", "Routine"},
		{"soon", "Soon: within a few days"},
		{"urgent", "Urgent: as soon as possible (this is not an emergency service)"},
	}
)

// Field length limits: generous for what people write, small enough that
// a hostile form cannot fill the database.
const (
	maxNameLen  = 100
	maxShortLen = 200
	maxTextLen  = 5000
)

// Trim tidies every answer: surrounding space, and invalid UTF-8 replaced.
func (f *ReferralForm) Trim() {
	for _, p := range []*string{&f.LawfulBasis, &f.PersonAgreed, &f.AgreementCovers, &f.AgreementMethod, &f.AgreedDay,
		&f.AgreedMonth, &f.AgreedYear, &f.BasisNote, &f.HadCapacity, &f.Under16, &f.AgreedByName, &f.AgreedByRelationship,
		&f.GivenName, &f.FamilyName, &f.BirthDay, &f.BirthMonth, &f.BirthYear, &f.Phone, &f.Email, &f.PreferredContact,
		&f.Address, &f.Postcode, &f.AccessNeeds, &f.Interpreter, &f.Reason, &f.Urgency} {
		*p = strings.TrimSpace(strings.ToValidUTF8(*p, "\uFFFD"))
	}
}

// ValidateStep checks one step's answers.
func (f ReferralForm) ValidateStep(step string, now time.Time) *ValidationError {
	v := &ValidationError{}
	switch step {
	case StepBasis:
		f.validateBasis(v, now)
	case StepPerson:
		f.validatePerson(v, now)
	case StepReason:
		f.validateReason(v)
	case StepCheck:
		f.validateBasis(v, now)
		f.validatePerson(v, now)
		f.validateReason(v)
	}
	return v
}

func checkLen(v *ValidationError, field, value, label string, limit int) {
	if utf8.RuneCountInString(value) > limit {
		v.Add(field, fmt.Sprintf("%s must be %d characters or fewer", label, limit))
	}
}

func (f ReferralForm) validateBasis(v *ValidationError, now time.Time) {
	if !isChoice(LawfulBases, f.LawfulBasis) {
		v.Add("lawful_basis", "Select the lawful basis for sharing the person's details")
	}
	switch f.PersonAgreed {
	case "yes":
		if f.AgreementCovers == "" {
			v.Add("agreement_covers", "Enter what the person agreed to: who their details go to and what for")
		}
		if !isChoice(AgreementMethods, f.AgreementMethod) {
			v.Add("agreement_method", "Select how the person agreed")
		}
		if _, ok := f.AgreedOn(); !ok {
			v.Add("agreed_day", "Enter the date the person agreed, for example 27 3 2026")
		} else if d, _ := f.AgreedOn(); d.After(now) {
			v.Add("agreed_day", "The date the person agreed must be today or in the past")
		}
	case "no":
		// Without agreement, consent cannot be the basis; another basis
		// needs the reason written down.
		if f.LawfulBasis == "consent" {
			v.Add("person_agreed", "You cannot refer on the basis of consent without the person's agreement. Do not send this referral")
		} else if f.BasisNote == "" {
			v.Add("basis_note", "Enter why you are sharing the person's details without their agreement")
		}
	default:
		v.Add("person_agreed", "Select whether the person agreed to this referral")
	}
	if f.HadCapacity != "yes" && f.HadCapacity != "no" {
		v.Add("had_capacity", "Select whether the person had capacity to agree")
	}
	if f.Under16 != "yes" && f.Under16 != "no" {
		v.Add("under_16", "Select whether the person is under 16")
	}
	// Someone else agreeing is recorded by name: for a person without
	// capacity (an attorney, a deputy) or a child (a parent or carer).
	if f.PersonAgreed == "yes" && (f.HadCapacity == "no" || f.Under16 == "yes") {
		if f.AgreedByName == "" {
			v.Add("agreed_by_name", "Enter the name of the person who agreed on their behalf")
		}
		if f.AgreedByRelationship == "" {
			v.Add("agreed_by_relationship", "Enter their relationship to the person, for example parent or attorney")
		}
	}
	checkLen(v, "agreement_covers", f.AgreementCovers, "What the person agreed to", maxTextLen)
	checkLen(v, "basis_note", f.BasisNote, "The reason", maxTextLen)
	checkLen(v, "agreed_by_name", f.AgreedByName, "The name", maxNameLen)
	checkLen(v, "agreed_by_relationship", f.AgreedByRelationship, "The relationship", maxShortLen)
}

func (f ReferralForm) validatePerson(v *ValidationError, now time.Time) {
	if f.GivenName == "" {
		v.Add("given_name", "Enter the person's first name")
	}
	if f.FamilyName == "" {
		v.Add("family_name", "Enter the person's last name")
	}
	checkLen(v, "given_name", f.GivenName, "First name", maxNameLen)
	checkLen(v, "family_name", f.FamilyName, "Last name", maxNameLen)
	dob, ok := f.DateOfBirth()
	switch {
	case !ok:
		v.Add("birth_day", "Enter the person's date of birth, for example 31 3 1980")
	case dob.After(now):
		v.Add("birth_day", "Date of birth must be in the past")
	case dob.Before(now.AddDate(-120, 0, 0)):
		v.Add("birth_day", "Check the year of birth")
	default:
		under16 := now.Before(dob.AddDate(16, 0, 0))
		if f.Under16 == "no" && under16 {
			v.Add("birth_day", "The date of birth says the person is under 16: go back to the basis for sharing and record who agreed")
		}
		if f.Under16 == "yes" && !under16 {
			v.Add("birth_day", "The date of birth says the person is 16 or over, but the basis for sharing says under 16: check both")
		}
	}
	if !isChoice(ContactMethods, f.PreferredContact) {
		v.Add("preferred_contact", "Select how the person prefers to be contacted")
	}
	if f.Phone != "" && !validPhone(f.Phone) {
		v.Add("phone", "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192")
	}
	if f.Email != "" {
		if a, err := mail.ParseAddress(f.Email); err != nil || a.Address != f.Email || !strings.Contains(f.Email, ".") {
			v.Add("email", "Enter an email address in the correct format, like name@example.com")
		}
	}
	switch f.PreferredContact {
	case "phone", "text":
		if f.Phone == "" {
			v.Add("phone", "Enter a phone number, since the person prefers to be contacted by phone or text")
		}
	case "email":
		if f.Email == "" {
			v.Add("email", "Enter an email address, since the person prefers email")
		}
	case "post":
		if f.Address == "" {
			v.Add("address", "Enter an address, since the person prefers letters")
		}
	}
	if f.Postcode != "" {
		if _, err := geo.Normalise(f.Postcode); err != nil {
			v.Add("postcode", "Enter a full UK postcode, like LS1 4AP")
		}
	}
	checkLen(v, "phone", f.Phone, "Phone number", 30)
	checkLen(v, "email", f.Email, "Email address", 254)
	checkLen(v, "address", f.Address, "Address", maxTextLen/5)
	checkLen(v, "access_needs", f.AccessNeeds, "Access needs", maxTextLen)
	checkLen(v, "interpreter", f.Interpreter, "Interpreter language", maxShortLen)
}

func (f ReferralForm) validateReason(v *ValidationError) {
	if f.Reason == "" {
		v.Add("reason", "Enter why you are referring the person and what they need")
	}
	checkLen(v, "reason", f.Reason, "The reason", maxTextLen)
	if !isChoice(Urgencies, f.Urgency) {
		v.Add("urgency", "Select how urgent this referral is")
	}
}

// validPhone accepts what people write for UK and international numbers:
// digits with spaces, brackets, dots or dashes and an optional leading +,
// with 10 to 15 digits (a UK number without its 0 has 10).
func validPhone(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0:
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return false
		}
	}
	return digits >= 10 && digits <= 15
}

// parseDate reads a date typed as day, month and year fields.
func parseDate(day, month, year string) (time.Time, bool) {
	d, err1 := strconv.Atoi(day)
	m, err2 := strconv.Atoi(month)
	y, err3 := strconv.Atoi(year)
	if err1 != nil || err2 != nil || err3 != nil || y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // 31 February rolls into March
		return time.Time{}, false
	}
	return t, true
}

// AgreedOn is the date the person agreed, when given and valid.
func (f ReferralForm) AgreedOn() (time.Time, bool) {
	return parseDate(f.AgreedDay, f.AgreedMonth, f.AgreedYear)
}

// DateOfBirth is the person's date of birth, when given and valid.
func (f ReferralForm) DateOfBirth() (time.Time, bool) {
	return parseDate(f.BirthDay, f.BirthMonth, f.BirthYear)
}

// Form is the person's details as the referral form holds them, to correct
// them: the reverse of ReferralForm.person for the fields a correction
// changes.
func (p Person) Form() ReferralForm {
	f := ReferralForm{GivenName: p.GivenName, FamilyName: p.FamilyName, Phone: p.Phone, Email: p.Email,
		PreferredContact: p.PreferredContact, Address: p.Address, Postcode: p.Postcode, AccessNeeds: p.AccessNeeds,
		Interpreter: p.Interpreter, Reason: p.Reason}
	if dob, err := time.Parse(time.DateOnly, p.DateOfBirth); err == nil {
		f.BirthDay, f.BirthMonth, f.BirthYear = strconv.Itoa(dob.Day()), strconv.Itoa(int(dob.Month())), strconv.Itoa(dob.Year())
	}
	return f
}

// person is the sealed part of the form.
func (f ReferralForm) person() Person {
	p := Person{
		GivenName: f.GivenName, FamilyName: f.FamilyName, Phone: f.Phone, Email: f.Email,
		PreferredContact: f.PreferredContact, Address: f.Address, AccessNeeds: f.AccessNeeds,
		Interpreter: f.Interpreter, Reason: f.Reason, AgreementCovers: f.AgreementCovers, BasisNote: f.BasisNote,
		AgreedByName: f.AgreedByName, AgreedByRelationship: f.AgreedByRelationship,
	}
	if pc, err := geo.Normalise(f.Postcode); err == nil {
		p.Postcode = pc
	}
	if dob, ok := f.DateOfBirth(); ok {
		p.DateOfBirth = dob.Format(time.DateOnly)
	}
	if f.PersonAgreed != "yes" {
		p.AgreementCovers, p.AgreedByName, p.AgreedByRelationship = "", "", ""
	} else {
		p.BasisNote = ""
	}
	return p
}

// Person is everything about the person being referred. It is sealed as
// one value on the referral and is never written anywhere in the clear.
type Person struct {
	GivenName            string `json:"given_name"`
	FamilyName           string `json:"family_name"`
	DateOfBirth          string `json:"date_of_birth"`
	Phone                string `json:"phone,omitempty"`
	Email                string `json:"email,omitempty"`
	PreferredContact     string `json:"preferred_contact"`
	Address              string `json:"address,omitempty"`
	Postcode             string `json:"postcode,omitempty"`
	AccessNeeds          string `json:"access_needs,omitempty"`
	Interpreter          string `json:"interpreter,omitempty"`
	Reason               string `json:"reason"`
	AgreementCovers      string `json:"agreement_covers,omitempty"`
	BasisNote            string `json:"basis_note,omitempty"`
	AgreedByName         string `json:"agreed_by_name,omitempty"`
	AgreedByRelationship string `json:"agreed_by_relationship,omitempty"`
}

// FullName is the person's name as written.
func (p Person) FullName() string { return strings.TrimSpace(p.GivenName + " " + p.FamilyName) }

// personLookupValue is what the keyed hash covers: the name, case and
// spacing folded, and the date of birth.
func personLookupValue(given, family, dob string) string {
	fold := func(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }
	return fold(given) + "\x00" + fold(family) + "\x00" + dob
}

// referralStepFields names each step's fields, as the pages name them.
var referralStepFields = map[string][]string{
	StepBasis: {"lawful_basis", "person_agreed", "agreement_covers", "agreement_method", "agreed_day", "agreed_month",
		"agreed_year", "basis_note", "had_capacity", "under_16", "agreed_by_name", "agreed_by_relationship"},
	StepPerson: {"given_name", "family_name", "birth_day", "birth_month", "birth_year", "phone", "email",
		"preferred_contact", "address", "postcode", "access_needs", "interpreter"},
	StepReason: {"reason", "urgency"},
}

// StepFields lists the form fields of a step.
func StepFields(step string) []string { return referralStepFields[step] }

// fieldPointers maps each form name to its field.
func (f *ReferralForm) fieldPointers() map[string]*string {
	out := map[string]*string{}
	v := reflect.ValueOf(f).Elem()
	t := v.Type()
	for i := range t.NumField() {
		if name := t.Field(i).Tag.Get("form"); name != "" {
			out[name] = v.Field(i).Addr().Interface().(*string)
		}
	}
	return out
}

// ReferralFormFrom reads the form's fields by name, such as from a POST.
func ReferralFormFrom(get func(name string) string) ReferralForm {
	var f ReferralForm
	for name, p := range f.fieldPointers() {
		*p = get(name)
	}
	return f
}

// Value returns a field's value by its form name.
func (f ReferralForm) Value(name string) string {
	if p, ok := f.fieldPointers()[name]; ok {
		return *p
	}
	return ""
}

// StepOf returns the step a field belongs to.
func StepOf(field string) string {
	for _, step := range []string{StepBasis, StepPerson, StepReason} {
		if slices.Contains(referralStepFields[step], field) {
			return step
		}
	}
	return ""
}
