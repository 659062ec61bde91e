// Package mail sends the platform's email: one Sender interface, with an
// SMTP implementation for real delivery, a LogSender for development and
// Disabled for deployments without email.
//
// Callers must never put personal data about service users (the people
// being referred) in a subject or a body: email crosses systems the
// platform does not control and sits in mailboxes for years. Name the
// organisation, the service or a reference number, and link to the
// platform, where access is checked, for everything else. Subjects are
// also written to logs by LogSender, so they must be safe to log.
package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
)

// Message is one plain-text email, optionally with an HTML alternative.
type Message struct {
	// To are bare addresses such as name@example.org.uk.
	To      []string
	Subject string
	Text    string
	// HTML is an optional alternative to Text for mail clients that
	// prefer it; Text is always sent.
	HTML string
}

// Sender sends email. Implementations are safe for concurrent use.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrMailDisabled is returned by Disabled: the deployment sends no email,
// so the caller must give the person the information another way.
var ErrMailDisabled = errors.New("mail: sending email is turned off")

// ErrInvalidMessage is wrapped by the error a Sender returns for a message
// it refuses before trying to deliver it.
var ErrInvalidMessage = errors.New("mail: invalid message")

// maxRecipients bounds one message's recipients: the platform writes to
// people one at a time, so many recipients means a bug.
const maxRecipients = 50

// validate checks a message before it is sent. Its errors never quote an
// address, so that they are safe to log.
func (m Message) validate() error {
	switch {
	case len(m.To) == 0:
		return fmt.Errorf("%w: no recipients", ErrInvalidMessage)
	case len(m.To) > maxRecipients:
		return fmt.Errorf("%w: %d recipients, more than %d", ErrInvalidMessage, len(m.To), maxRecipients)
	case strings.TrimSpace(m.Subject) == "":
		return fmt.Errorf("%w: empty subject", ErrInvalidMessage)
	case strings.ContainsAny(m.Subject, "\r\n"):
		return fmt.Errorf("%w: line break in subject", ErrInvalidMessage)
	case strings.TrimSpace(m.Text) == "":
		return fmt.Errorf("%w: empty text", ErrInvalidMessage)
	}
	for i, to := range m.To {
		if !ValidAddress(to) {
			return fmt.Errorf("%w: recipient %d is not a bare email address", ErrInvalidMessage, i+1)
		}
	}
	return nil
}

// ValidAddress reports whether s is one bare email address (no display
// name, nothing around it): the only form the platform takes in settings,
// headers and published records.
func ValidAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s
}

// Disabled is the Sender of a deployment without email: every Send returns
// ErrMailDisabled.
type Disabled struct{}

// Send returns ErrMailDisabled.
func (Disabled) Send(context.Context, Message) error { return ErrMailDisabled }

// LogSender is a development Sender: it delivers nothing and logs one info
// line per message with the number of recipients and the subject, never
// the addresses or the body (which holds links that work as passwords).
type LogSender struct {
	log *slog.Logger
}

// NewLogSender returns a LogSender that writes to log.
func NewLogSender(log *slog.Logger) *LogSender {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &LogSender{log: log}
}

// Send checks the message as SMTPSender would and logs that it was sent.
func (s *LogSender) Send(ctx context.Context, m Message) error {
	if err := m.validate(); err != nil {
		return err
	}
	noun := "recipients"
	if len(m.To) == 1 {
		noun = "recipient"
	}
	s.log.InfoContext(ctx, fmt.Sprintf("mail sent to %d %s, subject %q", len(m.To), noun, m.Subject),
		slog.String("mail_transport", "log"), slog.Int("recipients", len(m.To)), slog.String("subject", m.Subject))
	return nil
}
