package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// The two lists on /referrals: what the actor's organisations sent, and
// what their services received.
const (
	ListSent     = "sent"
	ListReceived = "received"
)

// The groups a list can be filtered to. The inbox follows DESIGN.md: new,
// awaiting a response, in progress (accepted) and closed; overdue cuts
// across the first two.
const (
	GroupAll        = ""
	GroupNew        = "new"
	GroupAwaiting   = "awaiting"
	GroupInProgress = "in_progress"
	GroupOpen       = "open"
	GroupClosed     = "closed"
	GroupOverdue    = "overdue"
)

// ReferralGroups are the groups of each list, in the order pages show them.
var ReferralGroups = map[string][]Choice{
	ListReceived: {
		{GroupNew, "New"}, {GroupAwaiting, "Awaiting a response"}, {GroupInProgress, "In progress"},
		{GroupClosed, "Closed"}, {GroupOverdue, "Overdue"},
	},
	ListSent: {
		{GroupOpen, "Waiting for a response"}, {GroupInProgress, "In progress"}, {GroupClosed, "Closed"},
	},
}

// ReferralQuery selects referrals for a list.
type ReferralQuery struct {
	List  string
	Group string
	// Mine narrows the sent list to the actor's own referrals, and the
	// received list to those assigned to them.
	Mine bool
	// Reference finds one referral; GivenName, FamilyName and DateOfBirth
	// (YYYY-MM-DD) find a person's referrals through the keyed hash.
	Reference                          string
	GivenName, FamilyName, DateOfBirth string
	Page, PerPage                      int
}

// ReferralSummary is one row of a list: no personal data, so a list can be
// shown without opening (and logging) every referral in it.
type ReferralSummary struct {
	Reference     string
	ServiceName   string
	FromOrg       string
	ToOrg         string
	Status        Status
	Urgency       string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	DueAt         time.Time
	AssignedName  string
	Overdue       bool
	AssignedToYou bool
}

// ReferralList is a page of a list, with the count of each group.
type ReferralList struct {
	Items  []ReferralSummary
	Total  int64
	Counts map[string]int64
}

func groupScope(q *gorm.DB, group string, now time.Time) *gorm.DB {
	switch group {
	case GroupNew:
		return q.Where("r.status = ?", StatusSent)
	case GroupAwaiting:
		return q.Where("r.status = ?", StatusReceived)
	case GroupOpen:
		return q.Where("r.status IN ?", []Status{StatusSent, StatusReceived})
	case GroupInProgress:
		return q.Where("r.status = ?", StatusAccepted)
	case GroupClosed:
		return q.Where("r.status IN ?", FinalStatuses)
	case GroupOverdue:
		return q.Where("r.status IN ? AND r.due_at < ?", []Status{StatusSent, StatusReceived}, now)
	}
	return q
}

// List returns a page of the actor's referrals: the sent list covers the
// organisations they are a caseworker of, the received list those they are
// a responder of.
func (r *Referrals) List(ctx context.Context, a *Actor, q ReferralQuery) (ReferralList, error) {
	if err := can(a, ListReferrals, Resource{}); err != nil {
		return ReferralList{}, err
	}
	db := r.DB.WithContext(ctx)
	now := Now()
	base := func() *gorm.DB {
		s := db.Table("referrals r")
		if q.List == ListReceived {
			// A service with named responders is answered by them alone.
			s = s.Where("r.receiving_organisation_id IN ?", orNoID(a.responderOrgs())).
				Where("(NOT EXISTS ("+activeNamedFor+") OR EXISTS ("+activeNamedFor+" AND sr.membership_id IN ?))",
					orNoID(a.membershipIDs()))
			if q.Mine {
				s = s.Where("r.assigned_user_id = ?", a.User.ID)
			}
		} else {
			s = s.Where("r.referring_organisation_id IN ?", orNoID(a.caseworkerOrgs()))
			if q.Mine {
				s = s.Where("r.referrer_user_id = ?", a.User.ID)
			}
		}
		if q.Reference != "" {
			s = s.Where("r.reference = ?", NormaliseReference(q.Reference))
		}
		if q.DateOfBirth != "" && r.Keys != nil {
			s = s.Where("r.person_hash IN ?", r.Keys.LookupHashes(personLookupValue(q.GivenName, q.FamilyName, q.DateOfBirth)))
		}
		return s
	}
	out := ReferralList{Counts: map[string]int64{}}
	for _, g := range ReferralGroups[listName(q.List)] {
		var n int64
		if err := groupScope(base(), g.Value, now).Count(&n).Error; err != nil {
			return ReferralList{}, fmt.Errorf("models: count referrals: %w", err)
		}
		out.Counts[g.Value] = n
	}
	page := groupScope(base(), q.Group, now)
	if err := page.Count(&out.Total).Error; err != nil {
		return ReferralList{}, fmt.Errorf("models: count referrals: %w", err)
	}
	perPage := q.PerPage
	if perPage <= 0 || perPage > 100 {
		perPage = 25
	}
	pageNo := max(q.Page, 1)
	var rows []struct {
		Reference, ServiceName, FromOrg, ToOrg, Urgency, AssignedName string
		AssignedUserID                                                *string
		Status                                                        Status
		CreatedAt, UpdatedAt, DueAt                                   time.Time
	}
	err := groupScope(base(), q.Group, now).
		Select("r.reference, r.service_name, f.name AS from_org, t.name AS to_org, r.urgency, r.status, r.created_at, r.updated_at, r.due_at, r.assigned_user_id, COALESCE(u.name, '') AS assigned_name").
		Joins("JOIN member_organisations f ON f.id = r.referring_organisation_id").
		Joins("JOIN member_organisations t ON t.id = r.receiving_organisation_id").
		Joins("LEFT JOIN users u ON u.id = r.assigned_user_id").
		Order("r.updated_at DESC, r.id").Limit(perPage).Offset((pageNo - 1) * perPage).Scan(&rows).Error
	if err != nil {
		return ReferralList{}, fmt.Errorf("models: list referrals: %w", err)
	}
	for _, row := range rows {
		s := ReferralSummary{Reference: row.Reference, ServiceName: row.ServiceName, FromOrg: row.FromOrg, ToOrg: row.ToOrg,
			Status: row.Status, Urgency: row.Urgency, CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt, DueAt: row.DueAt,
			AssignedName: row.AssignedName, AssignedToYou: row.AssignedUserID != nil && *row.AssignedUserID == a.User.ID}
		s.Overdue = (s.Status == StatusSent || s.Status == StatusReceived) && now.After(s.DueAt)
		out.Items = append(out.Items, s)
	}
	return out, nil
}

func listName(l string) string {
	if l == ListReceived {
		return ListReceived
	}
	return ListSent
}

// activeNamedFor is activeNamedResponders correlated with the listed
// referral's service.
const activeNamedFor = `SELECT 1 ` + namedRespondersNow + ` AND sr.service_id = r.service_id`

// orNoID keeps an IN list valid SQL when the actor has no organisations
// of that kind: no id matches the empty string.
func orNoID(ids []string) []string {
	if len(ids) == 0 {
		return []string{""}
	}
	return ids
}

// CanRefer reports whether the actor refers for some organisation.
func (a *Actor) CanRefer() bool { return len(a.caseworkerOrgs()) > 0 }

// CanRespond reports whether the actor responds for some organisation.
func (a *Actor) CanRespond() bool { return len(a.responderOrgs()) > 0 }

func (a *Actor) membershipIDs() []string {
	var out []string
	for _, m := range a.Memberships {
		if !m.Pending {
			out = append(out, m.MembershipID)
		}
	}
	return out
}
