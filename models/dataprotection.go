package models

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// The data protection lead's tools: find everything an organisation holds
// about a person, export it (a subject access request), correct it, erase
// it, and read the access log. Each works on the referrals the organisation
// is a side of, sent or received; each is itself recorded.

// PersonQuery names a person by name and date of birth (YYYY-MM-DD): the
// only way referrals can be found by person, through the keyed hash.
type PersonQuery struct {
	GivenName, FamilyName, DateOfBirth string
}

// PersonFields names the form fields a person is searched by: first name,
// last name and the day field of the date of birth.
type PersonFields struct{ Given, Family, BirthDay string }

// NewPersonQuery checks a person typed into a search form: both names and
// a real date of birth are needed, since referrals are found only through
// the keyed hash of all three. Messages are keyed by the form's fields.
func NewPersonQuery(given, family, day, month, year string, fields PersonFields) (PersonQuery, *ValidationError) {
	q := PersonQuery{GivenName: strings.TrimSpace(given), FamilyName: strings.TrimSpace(family)}
	v := &ValidationError{}
	if q.GivenName == "" {
		v.Add(fields.Given, "Enter their first name")
	}
	if q.FamilyName == "" {
		v.Add(fields.Family, "Enter their last name")
	}
	f := ReferralForm{BirthDay: day, BirthMonth: month, BirthYear: year}
	f.Trim()
	if dob, ok := f.DateOfBirth(); ok {
		q.DateOfBirth = dob.Format(time.DateOnly)
	} else {
		v.Add(fields.BirthDay, "Enter their date of birth, for example 31 3 1980")
	}
	return q, v
}

func (q PersonQuery) hashes(k *Keyring) []string {
	return k.LookupHashes(personLookupValue(q.GivenName, q.FamilyName, q.DateOfBirth))
}

// SubjectAccess is everything an organisation holds about a person.
type SubjectAccess struct {
	Organisation string            `json:"organisation"`
	Person       PersonQuery       `json:"searched_for"`
	Generated    time.Time         `json:"generated_at"`
	Referrals    []SubjectReferral `json:"referrals"`
}

// SubjectReferral is one referral in a subject access export.
type SubjectReferral struct {
	Reference        string         `json:"reference"`
	Service          string         `json:"service"`
	From             string         `json:"referred_by_organisation"`
	To               string         `json:"referred_to_organisation"`
	Status           string         `json:"status"`
	Urgency          string         `json:"urgency"`
	Created          time.Time      `json:"created_at"`
	Updated          time.Time      `json:"updated_at"`
	LawfulBasis      string         `json:"lawful_basis"`
	PersonAgreed     bool           `json:"person_agreed"`
	AgreementMethod  string         `json:"agreement_method,omitempty"`
	AgreedOn         string         `json:"agreed_on,omitempty"`
	HadCapacity      bool           `json:"had_capacity"`
	Under16          bool           `json:"under_16"`
	Person           Person         `json:"person"`
	History          []HistoryEntry `json:"history"`
	Notes            []NoteEntry    `json:"notes"`
	AccessLog        []AccessEntry  `json:"access_log"`
	Anonymised       bool           `json:"anonymised"`
	ReferrerName     string         `json:"referrer,omitempty"`
	AssignedTo       string         `json:"assigned_to,omitempty"`
	ReceivingService string         `json:"-"`
}

// AccessEntry is one line of the access log as people read it.
type AccessEntry struct {
	At           time.Time `json:"at"`
	Reference    string    `json:"reference"`
	Who          string    `json:"who"`
	Organisation string    `json:"organisation"`
	Action       string    `json:"action"`
}

// dpScope selects the referrals an organisation is a side of.
func dpScope(db *gorm.DB, orgID string) *gorm.DB {
	return db.Where("(referring_organisation_id = ? OR receiving_organisation_id = ?)", orgID, orgID)
}

func (r *Referrals) dpCheck(a *Actor, orgID string) error {
	if r.Keys == nil {
		return fmt.Errorf("models: data protection: %w", ErrNoKey)
	}
	return can(a, ProtectData, Resource{OrganisationID: orgID})
}

// FindPerson returns the references of an organisation's referrals about
// a person, newest first.
func (r *Referrals) FindPerson(ctx context.Context, a *Actor, orgID string, q PersonQuery) ([]ReferralSummary, error) {
	if err := r.dpCheck(a, orgID); err != nil {
		return nil, err
	}
	var refs []Referral
	err := dpScope(r.DB.WithContext(ctx), orgID).Where("person_hash IN ?", q.hashes(r.Keys)).
		Order("created_at DESC").Find(&refs).Error
	if err != nil {
		return nil, fmt.Errorf("models: find person: %w", err)
	}
	out := make([]ReferralSummary, len(refs))
	for i, ref := range refs {
		out[i] = ReferralSummary{Reference: ref.Reference, ServiceName: ref.ServiceName, Status: ref.Status,
			CreatedAt: ref.CreatedAt, UpdatedAt: ref.UpdatedAt}
	}
	return out, nil
}

// loadForDP finds one of the organisation's referrals by reference.
func (r *Referrals) loadForDP(tx *gorm.DB, orgID, reference string) (Referral, error) {
	var rows []Referral
	if ref := NormaliseReference(reference); ref != "" {
		if err := dpScope(tx, orgID).Where("reference = ?", ref).Limit(1).Find(&rows).Error; err != nil {
			return Referral{}, fmt.Errorf("models: data protection: %w", err)
		}
	}
	if len(rows) == 0 {
		return Referral{}, fmt.Errorf("models: data protection: referral: %w", ErrNotFound)
	}
	return rows[0], nil
}

// Export gathers everything the organisation holds about a person: each
// referral, its basis for sharing, history, notes, and who looked at it.
// The export is itself recorded in each referral's access log.
func (r *Referrals) Export(ctx context.Context, a *Actor, orgID string, q PersonQuery) (SubjectAccess, error) {
	if err := r.dpCheck(a, orgID); err != nil {
		return SubjectAccess{}, err
	}
	now := Now()
	out := SubjectAccess{Person: q, Generated: now, Referrals: []SubjectReferral{}}
	if m, ok := a.Membership(orgID); ok {
		out.Organisation = m.OrganisationName
	}
	var ids []string
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var refs []Referral
		if err := dpScope(tx, orgID).Where("person_hash IN ?", q.hashes(r.Keys)).Order("created_at").Find(&refs).Error; err != nil {
			return err
		}
		for _, ref := range refs {
			ids = append(ids, ref.ID)
			if err := logAccess(tx, a, ref, AccessExport, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return SubjectAccess{}, fmt.Errorf("models: export: %w", err)
	}
	for _, id := range ids {
		v, err := r.view(ctx, a, id, nil)
		if err != nil {
			return SubjectAccess{}, err
		}
		sr := SubjectReferral{Reference: v.Reference, Service: v.ServiceName, From: v.ReferringOrganisationName,
			To: v.ReceivingOrganisationName, Status: string(v.Status), Urgency: v.Urgency, Created: v.CreatedAt,
			Updated: v.UpdatedAt, LawfulBasis: v.LawfulBasis, PersonAgreed: v.PersonAgreed,
			AgreementMethod: v.AgreementMethod, HadCapacity: v.HadCapacity, Under16: v.Under16, Person: v.Person,
			History: v.History, Notes: v.Notes, Anonymised: v.AnonymisedAt != nil, ReferrerName: v.ReferrerName,
			AssignedTo: v.AssignedName}
		if v.AgreedOn != nil {
			sr.AgreedOn = v.AgreedOn.Format(time.DateOnly)
		}
		if sr.AccessLog, err = r.accessEntries(ctx, r.DB.WithContext(ctx).Where("l.referral_id = ?", id), 0, 0); err != nil {
			return SubjectAccess{}, err
		}
		out.Referrals = append(out.Referrals, sr)
	}
	return out, nil
}

// JSON is the export as indented JSON, for the person or another system.
func (s SubjectAccess) JSON() ([]byte, error) { return json.MarshalIndent(s, "", "  ") }

// Correct replaces a person's details on a referral with corrected ones,
// recorded as an event with who and why.
func (r *Referrals) Correct(ctx context.Context, a *Actor, orgID, reference string, version int, f ReferralForm, why string) error {
	if err := r.dpCheck(a, orgID); err != nil {
		return err
	}
	f.Trim()
	why = strings.TrimSpace(why)
	// The person step's checks all apply but the one comparing the date of
	// birth with the basis step's under-16 answer, which is not being
	// corrected: with no answer, that check has nothing to compare.
	f.Under16 = ""
	v := f.ValidateStep(StepPerson, Now())
	if f.Reason == "" {
		v.Add("reason", "Enter the reason for the referral")
	}
	checkLen(v, "reason", f.Reason, "The reason", maxTextLen)
	if why == "" {
		v.Add("why", "Enter why the details are being corrected")
	}
	checkLen(v, "why", why, "The reason for the correction", maxTextLen)
	if err := v.Err(); err != nil {
		return err
	}
	now := Now()
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		ref, err := r.loadForDP(tx, orgID, reference)
		if err != nil {
			return err
		}
		if ref.AnonymisedAt != nil {
			return fmt.Errorf("referral %s is anonymised: %w", ref.Reference, ErrInvalidTransition)
		}
		if version != ref.Version {
			return fmt.Errorf("referral %s at version %d, not %d: %w", ref.Reference, ref.Version, version, ErrConflict)
		}
		old, err := r.Keys.Open(ref.KeyID, ref.PersonSealed, personAD(ref.ID))
		if err != nil {
			return err
		}
		var p Person
		if err := json.Unmarshal(old, &p); err != nil {
			return err
		}
		corrected := f.person()
		// What the person agreed to and who agreed stay as recorded.
		corrected.AgreementCovers, corrected.BasisNote = p.AgreementCovers, p.BasisNote
		corrected.AgreedByName, corrected.AgreedByRelationship = p.AgreedByName, p.AgreedByRelationship
		plain, err := json.Marshal(corrected)
		if err != nil {
			return err
		}
		keyID, sealed := r.seal(plain, personAD(ref.ID))
		hash := r.Keys.lookupHash(keyID, personLookupValue(corrected.GivenName, corrected.FamilyName, corrected.DateOfBirth))
		res := tx.Model(&Referral{}).Where("id = ? AND version = ?", ref.ID, ref.Version).Updates(map[string]any{
			"key_id": keyID, "person_sealed": sealed, "person_hash": hash, "version": ref.Version + 1, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("referral %s changed meanwhile: %w", ref.Reference, ErrConflict)
		}
		ev := ReferralEvent{ID: uuid.NewString(), ReferralID: ref.ID, At: now, UserID: actorID(a), Side: "system",
			Kind: EventCorrected, FromStatus: ref.Status, ToStatus: ref.Status}
		ev.KeyID, ev.ReasonSealed = r.seal([]byte(why), eventAD(ev.ID))
		return tx.Create(&ev).Error
	})
	if err != nil {
		return wrapReferralErr("correct referral", err)
	}
	return nil
}

// Erase anonymises a referral in place: the person's details, every note
// and every reason's words are removed for good, while the referral's
// status, dates and organisations stay so that counts and reports still add
// up. The erasure is an event with who and why.
func (r *Referrals) Erase(ctx context.Context, a *Actor, orgID, reference, why string) error {
	if err := r.dpCheck(a, orgID); err != nil {
		return err
	}
	why = strings.TrimSpace(why)
	v := &ValidationError{}
	if why == "" {
		v.Add("why", "Enter why the person's data is being erased")
	}
	if utf8.RuneCountInString(why) > maxTextLen {
		v.Add("why", fmt.Sprintf("The reason must be %d characters or fewer", maxTextLen))
	}
	if err := v.Err(); err != nil {
		return err
	}
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		ref, err := r.loadForDP(tx, orgID, reference)
		if err != nil {
			return err
		}
		if ref.AnonymisedAt != nil {
			return nil // already erased: erasing again changes nothing
		}
		return r.anonymise(tx, a, ref, why, Now())
	})
	if err != nil {
		return wrapReferralErr("erase referral", err)
	}
	return nil
}

// anonymise removes a referral's personal data in place. a is nil when the
// retention job does it.
func (r *Referrals) anonymise(tx *gorm.DB, a *Actor, ref Referral, why string, now time.Time) error {
	res := tx.Model(&Referral{}).Where("id = ? AND anonymised_at IS NULL", ref.ID).Updates(map[string]any{
		"person_sealed": []byte{}, "person_hash": "", "key_id": "", "agreed_on": nil, "agreement_method": "",
		"anonymised_at": now, "updated_at": now, "version": gorm.Expr("version + 1")})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return nil
	}
	if err := tx.Model(&ReferralNote{}).Where("referral_id = ?", ref.ID).
		Updates(map[string]any{"body_sealed": []byte{}, "key_id": ""}).Error; err != nil {
		return err
	}
	if err := tx.Model(&ReferralEvent{}).Where("referral_id = ?", ref.ID).
		Updates(map[string]any{"reason_sealed": nil, "key_id": ""}).Error; err != nil {
		return err
	}
	ev := ReferralEvent{ID: uuid.NewString(), ReferralID: ref.ID, At: now, UserID: actorID(a), Side: "system",
		Kind: EventAnonymised, FromStatus: ref.Status, ToStatus: ref.Status}
	if why != "" {
		ev.KeyID, ev.ReasonSealed = r.seal([]byte(why), eventAD(ev.ID))
	}
	return tx.Create(&ev).Error
}

// AccessQuery filters an organisation's access log.
type AccessQuery struct {
	Reference string
	UserID    string
	From, To  time.Time
	// Person narrows the log to one person's referrals.
	Person        *PersonQuery
	Page, PerPage int
}

// AccessLog returns a page of the access log of an organisation's
// referrals, newest first.
func (r *Referrals) AccessLog(ctx context.Context, a *Actor, orgID string, q AccessQuery) ([]AccessEntry, error) {
	if err := r.dpCheck(a, orgID); err != nil {
		return nil, err
	}
	db := r.DB.WithContext(ctx)
	sub := dpScope(db.Model(&Referral{}).Select("id"), orgID)
	if q.Reference != "" {
		sub = sub.Where("reference = ?", NormaliseReference(q.Reference))
	}
	if q.Person != nil {
		sub = sub.Where("person_hash IN ?", q.Person.hashes(r.Keys))
	}
	scope := db.Where("l.referral_id IN (?)", sub)
	if q.UserID != "" {
		scope = scope.Where("l.user_id = ?", q.UserID)
	}
	if !q.From.IsZero() {
		scope = scope.Where("l.at >= ?", q.From)
	}
	if !q.To.IsZero() {
		scope = scope.Where("l.at < ?", q.To)
	}
	per := q.PerPage
	if per <= 0 || per > 200 {
		per = 50
	}
	return r.accessEntries(ctx, scope, per, (max(q.Page, 1)-1)*per)
}

func (r *Referrals) accessEntries(_ context.Context, scope *gorm.DB, limit, offset int) ([]AccessEntry, error) {
	q := scope.Table("referral_access_log l").
		Select("l.at, r.reference, COALESCE(u.name, '') AS who, COALESCE(o.name, '') AS organisation, l.action").
		Joins("JOIN referrals r ON r.id = l.referral_id").
		Joins("LEFT JOIN users u ON u.id = l.user_id").
		Joins("LEFT JOIN member_organisations o ON o.id = l.member_organisation_id").
		Order("l.at DESC, l.id")
	if limit > 0 {
		q = q.Limit(limit).Offset(offset)
	}
	out := []AccessEntry{}
	if err := q.Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("models: access log: %w", err)
	}
	return out, nil
}

// DPView shows one of the organisation's referrals to its data protection
// lead, for correcting or erasing it; the look is logged.
func (r *Referrals) DPView(ctx context.Context, a *Actor, orgID, reference string) (ReferralView, error) {
	if err := r.dpCheck(a, orgID); err != nil {
		return ReferralView{}, err
	}
	var id string
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		ref, err := r.loadForDP(tx, orgID, reference)
		if err != nil {
			return err
		}
		id = ref.ID
		return logAccess(tx, a, ref, AccessView, Now())
	})
	if err != nil {
		return ReferralView{}, wrapReferralErr("data protection view", err)
	}
	return r.view(ctx, a, id, nil)
}

// ProtectedOrganisations lists the organisations the actor is data
// protection lead of.
func (a *Actor) ProtectedOrganisations() []ActorMembership {
	var out []ActorMembership
	if a == nil {
		return nil
	}
	for _, m := range a.Memberships {
		if Can(a, ProtectData, Resource{OrganisationID: m.OrganisationID}) {
			out = append(out, m)
		}
	}
	return out
}
