// Package manage holds the organisation admin pages.
package manage

import (
	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/views"
	"github.com/openreferral-uk/referrals/views/components"
)

// TeamPage is the view model of an organisation's team page.
type TeamPage struct {
	Layout      views.Layout
	OrgID       string
	OrgName     string
	Orgs        []components.OrgChoice
	Members     []models.TeamMember
	Invitations []models.Invitation
	InviteEmail string
	InviteRoles models.Roles
	Errors      components.Errors
	// NewInviteURL is shown once, right after an invitation is made.
	NewInviteURL string
}

// Active and Pending split the members.
func (p TeamPage) Active() []models.TeamMember { return filter(p.Members, false) }

// Pending members joined by email domain and await approval.
func (p TeamPage) Pending() []models.TeamMember { return filter(p.Members, true) }

func filter(ms []models.TeamMember, pending bool) []models.TeamMember {
	var out []models.TeamMember
	for _, m := range ms {
		if m.Pending == pending {
			out = append(out, m)
		}
	}
	return out
}

// OrganisationPage is the form for an organisation's own directory record.
type OrganisationPage struct {
	Layout  views.Layout
	OrgID   string
	OrgName string
	Details models.OrganisationDetails
	Errors  components.Errors
}
