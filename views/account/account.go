// Package account holds the pages about signing in and one's own account:
// sign-in problems, the demo accounts, the account page, asking to join the
// platform and accepting an invitation.
package account

import (
	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/views"
	"github.com/openreferral-uk/referrals/views/components"
)

// SignInUnavailablePage is shown when no way of signing in is configured.
type SignInUnavailablePage struct{ Layout views.Layout }

// SignInFailedPage is shown when the provider's answer did not check out.
type SignInFailedPage struct{ Layout views.Layout }

// DemoPage lists the demo accounts.
type DemoPage struct {
	Layout   views.Layout
	Accounts []models.DemoAccount
	Next     string
}

// Page is the account page.
type Page struct {
	Layout      views.Layout
	Name        string
	Email       string
	Memberships []models.ActorMembership
	// Pending are organisations the user asked for, awaiting approval.
	Pending []string
}

// JoinPage is the form to ask for a new member organisation.
type JoinPage struct {
	Layout views.Layout
	Name   string
	Note   string
	Errors components.Errors
}

// InvitationPage shows an invitation to accept.
type InvitationPage struct {
	Layout       views.Layout
	Organisation string
	Email        string
	Roles        []string
	Token        string
	// WrongAccount is set when the signed-in email is not the invited one.
	WrongAccount bool
	SignedInAs   string
}
