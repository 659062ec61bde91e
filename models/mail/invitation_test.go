package mail_test

import (
	"strings"
	"testing"
	"time"

	"github.com/openreferral-uk/referrals/models/mail"
)

func TestUKTime(t *testing.T) {
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2025, 6, 9, 14, 4, 0, 0, time.UTC), "3:04pm on Monday 9 June 2025"},       // BST
		{time.Date(2025, 1, 9, 14, 4, 0, 0, time.UTC), "2:04pm on Thursday 9 January 2025"},  // GMT
		{time.Date(2025, 3, 30, 23, 30, 0, 0, time.UTC), "12:30am on Monday 31 March 2025"},  // BST starts: next day in London
		{time.Date(2025, 10, 26, 12, 0, 0, 0, time.UTC), "midday on Sunday 26 October 2025"}, // GMT again
		{time.Date(2025, 7, 1, 9, 0, 0, 0, time.FixedZone("EDT", -4*3600)), "2:00pm on Tuesday 1 July 2025"},
	}
	for _, tt := range tests {
		if got := mail.UKTime(tt.in); got != tt.want {
			t.Errorf("UKTime(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestInvitationMessage(t *testing.T) {
	link := "https://referrals.example.org.uk/invitations/abc123"
	expires := time.Date(2025, 6, 16, 8, 30, 0, 0, time.UTC)
	m := mail.InvitationMessage("Leeds\nFood  Bank", "Priya Shah", link, expires, "alex@example.org.uk")

	if len(m.To) != 1 || m.To[0] != "alex@example.org.uk" {
		t.Errorf("To = %q, want the invited address only", m.To)
	}
	if want := "You have been invited to join Leeds Food Bank on Community Referrals"; m.Subject != want {
		t.Errorf("Subject = %q, want %q", m.Subject, want)
	}
	for _, want := range []string{
		"Priya Shah has invited you to join Leeds Food Bank on Community Referrals.",
		"refer people to each other's services",
		"\n" + link + "\n",
		"sign in with the account for this email address (alex@example.org.uk)",
		"The link works once. It expires at 9:30am on Monday 16 June 2025 (UK time).",
		"ask Priya Shah or another administrator at Leeds Food Bank",
		"If you were not expecting this invitation, you can ignore this email",
	} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("Text does not contain %q:\n%s", want, m.Text)
		}
	}
	if m.HTML != "" {
		t.Errorf("HTML = %q, want plain text only", m.HTML)
	}
}

func TestInvitationMessageWithoutInviterName(t *testing.T) {
	m := mail.InvitationMessage("Leeds Food Bank", " ", "https://x.example/invitations/t", time.Now(), "alex@example.org.uk")
	for _, want := range []string{"An administrator at Leeds Food Bank has invited you", "ask an administrator at Leeds Food Bank"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("Text does not contain %q:\n%s", want, m.Text)
		}
	}
}
