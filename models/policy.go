package models

import "slices"

// The one authorization policy. Every handler, job and command asks Can;
// nothing else decides who may do what. docs/permissions.md is the same
// policy written by hand, route by route, and a test walks every route with
// every role against it.

// Action is something an actor may try to do.
type Action string

// The actions the platform knows.
const (
	// ViewAccount: see one's own account page.
	ViewAccount Action = "account.view"
	// RequestMembership: ask for a new member organisation.
	RequestMembership Action = "organisation.request"
	// ViewTeam: see an organisation's members.
	ViewTeam Action = "team.view"
	// ManageTeam: invite, change roles, approve and remove members.
	ManageTeam Action = "team.manage"
	// ManageListings: create and edit the organisation's services, their
	// referral settings, confirm and claim them.
	ManageListings Action = "listings.manage"
	// AdminOrganisations: approve, reject and link member organisations.
	AdminOrganisations Action = "admin.organisations"
	// AdminUsers: see every user and suspend or restore accounts.
	AdminUsers Action = "admin.users"
	// ReferPerson: make a referral on behalf of an organisation.
	ReferPerson Action = "referral.create"
	// ListReferrals: see the referrals page (My referrals and the inbox).
	ListReferrals Action = "referral.list"
	// ViewReferral: see one referral, the person's details included.
	ViewReferral Action = "referral.view"
	// ActAsReferrer: withdraw, add notes from the referring side.
	ActAsReferrer Action = "referral.referrer"
	// ActAsResponder: receive, accept, decline, complete, assign, add notes
	// from the receiving side.
	ActAsResponder Action = "referral.responder"
	// ProtectData: find, export, correct and erase a person's data held by
	// an organisation, and read its access log.
	ProtectData Action = "data_protection"
	// AdminFeeds: register, remove and run the feeds the directory harvests.
	AdminFeeds Action = "admin.feeds"
	// AdminTaxonomies: import taxonomies and see them all.
	AdminTaxonomies Action = "admin.taxonomies"
)

// Resource is what an action is done to: the member organisation that owns
// it, when there is one.
type Resource struct {
	OrganisationID string
	// A referral has two organisations: the one that referred and the
	// member organisation that responds for the service.
	ReferringOrganisationID string
	ReceivingOrganisationID string
	// ServiceResponders are the memberships named to respond for the
	// referral's service; empty means every responder of the receiving
	// organisation.
	ServiceResponders []string
}

// rule decides one action.
type rule func(a *Actor, r Resource) bool

func signedIn(a *Actor, _ Resource) bool { return a != nil }

func platformAdmin(a *Actor, _ Resource) bool { return a != nil && a.User.PlatformAdmin }

// orgAdminOf allows the organisation admins of the resource's organisation.
func orgAdminOf(a *Actor, r Resource) bool {
	m, ok := a.Membership(r.OrganisationID)
	return ok && m.Roles.OrgAdmin
}

// caseworkerOf allows the caseworkers of the resource's organisation.
func caseworkerOf(a *Actor, r Resource) bool {
	m, ok := a.Membership(r.OrganisationID)
	return ok && m.Roles.Caseworker
}

// caseworkerOrResponder allows anyone who refers or responds somewhere.
func caseworkerOrResponder(a *Actor, _ Resource) bool {
	if a == nil {
		return false
	}
	for _, m := range a.Memberships {
		if !m.Pending && (m.Roles.Caseworker || m.Roles.Responder) {
			return true
		}
	}
	return false
}

// referrerSide allows the caseworkers of the referring organisation: a
// referral belongs to the organisation, so a colleague can pick it up.
func referrerSide(a *Actor, r Resource) bool {
	m, ok := a.Membership(r.ReferringOrganisationID)
	return ok && m.Roles.Caseworker
}

// responderSide allows the responders of the receiving organisation.
func responderSide(a *Actor, r Resource) bool {
	m, ok := a.Membership(r.ReceivingOrganisationID)
	return ok && m.Roles.Responder && (len(r.ServiceResponders) == 0 || slices.Contains(r.ServiceResponders, m.MembershipID))
}

// eitherSide allows both sides of a referral, and nobody else: org admins
// and platform admins get no access to a person's details from their role.
func eitherSide(a *Actor, r Resource) bool { return referrerSide(a, r) || responderSide(a, r) }

// dataProtectionLeadOf allows the organisation's data protection leads.
func dataProtectionLeadOf(a *Actor, r Resource) bool {
	m, ok := a.Membership(r.OrganisationID)
	return ok && m.Roles.DataProtectionLead
}

// policy maps every action to its rule. An action missing here is refused.
var policy = map[Action]rule{
	ViewAccount:        signedIn,
	RequestMembership:  signedIn,
	ViewTeam:           orgAdminOf,
	ManageTeam:         orgAdminOf,
	ManageListings:     orgAdminOf,
	AdminOrganisations: platformAdmin,
	AdminUsers:         platformAdmin,
	ReferPerson:        caseworkerOf,
	ListReferrals:      caseworkerOrResponder,
	ViewReferral:       eitherSide,
	ActAsReferrer:      referrerSide,
	ActAsResponder:     responderSide,
	ProtectData:        dataProtectionLeadOf,
	AdminFeeds:         platformAdmin,
	AdminTaxonomies:    platformAdmin,
}

// Can reports whether an actor (nil for the public) may do an action to a
// resource.
func Can(a *Actor, action Action, r Resource) bool {
	rule, ok := policy[action]
	return ok && rule(a, r)
}

// Actions lists every action the policy knows, for tests and docs.
func Actions() []Action {
	out := make([]Action, 0, len(policy))
	for a := range policy {
		out = append(out, a)
	}
	return out
}
