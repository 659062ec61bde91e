// Package admin holds the platform admin pages.
package admin

import (
	"strconv"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/views"
)

// HSDSChoice is a directory organisation a member organisation may be linked to.
type HSDSChoice struct{ ID, Name string }

// OrganisationsPage lists member organisations for approval and linking.
type OrganisationsPage struct {
	Layout        views.Layout
	Organisations []models.OrganisationSummary
	Directory     []HSDSChoice
	// Domains are each organisation's verified email domains, by id.
	Domains map[string][]string
}

// UsersPage lists every user.
type UsersPage struct {
	Layout views.Layout
	Users  []models.UserSummary
	SelfID string
}

func itoa(n int) string { return strconv.Itoa(n) }
