package models

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
	// AdminOrganisations: approve, reject and link member organisations.
	AdminOrganisations Action = "admin.organisations"
	// AdminUsers: see every user and suspend or restore accounts.
	AdminUsers Action = "admin.users"
	// AdminFeeds: register, remove and run the feeds the directory harvests.
	AdminFeeds Action = "admin.feeds"
)

// Resource is what an action is done to: the member organisation that owns
// it, when there is one.
type Resource struct {
	OrganisationID string
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

// policy maps every action to its rule. An action missing here is refused.
var policy = map[Action]rule{
	ViewAccount:        signedIn,
	RequestMembership:  signedIn,
	ViewTeam:           orgAdminOf,
	ManageTeam:         orgAdminOf,
	AdminOrganisations: platformAdmin,
	AdminUsers:         platformAdmin,
	AdminFeeds:         platformAdmin,
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
