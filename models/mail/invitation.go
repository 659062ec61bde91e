package mail

import (
	"fmt"
	"strings"
	"time"
	// Embedded so that Europe/London works in containers without
	// /usr/share/zoneinfo.
	_ "time/tzdata"
)

// PlatformName is how email names the platform; it matches views.SiteName.
const PlatformName = "Community Referrals"

// london is where the platform's people are, whatever the server's zone.
var london = mustLoadLocation("Europe/London")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // unreachable: time/tzdata is embedded
	}
	return loc
}

// UKTime formats t as people in the UK read it, in Europe/London time, such
// as "3:04pm on Monday 9 June 2025".
func UKTime(t time.Time) string {
	t = t.In(london)
	clock := t.Format("3:04pm")
	if t.Hour() == 12 && t.Minute() == 0 {
		clock = "midday"
	}
	return clock + " on " + t.Format("Monday 2 January 2006")
}

// oneLine collapses line breaks and runs of spaces, so that names typed into
// forms cannot reshape a subject or a message.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// InvitationMessage is the email that invites someone to join an
// organisation's team. link is the one-time invitation URL, expires when it
// stops working, to the invited address.
func InvitationMessage(orgName, inviterName, link string, expires time.Time, to string) Message {
	org, inviter := oneLine(orgName), oneLine(inviterName)
	who := inviter
	if who == "" {
		who = "An administrator at " + org
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Hello,\n\n")
	fmt.Fprintf(&b, "%s has invited you to join %s on %s.\n\n", who, org, PlatformName)
	fmt.Fprintf(&b, "%s is where charities, councils and other organisations refer people to each other's services and keep their listings in the local directory up to date.\n\n", PlatformName)
	fmt.Fprintf(&b, "To accept, open this link and sign in with the account for this email address (%s):\n\n", to)
	fmt.Fprintf(&b, "%s\n\n", link)
	fmt.Fprintf(&b, "The link works once. It expires at %s (UK time). After that, ask %s to invite you again.\n\n", UKTime(expires), askAgain(inviter, org))
	fmt.Fprintf(&b, "If you were not expecting this invitation, you can ignore this email: nothing happens unless you open the link and sign in. Do not forward it: it only works for you.\n\n")
	fmt.Fprintf(&b, "%s\n", PlatformName)
	return Message{
		To:      []string{to},
		Subject: "You have been invited to join " + org + " on " + PlatformName,
		Text:    b.String(),
	}
}

func askAgain(inviter, org string) string {
	if inviter == "" {
		return "an administrator at " + org
	}
	return inviter + " or another administrator at " + org
}
