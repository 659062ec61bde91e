package models

import "slices"

// The referral lifecycle is data: this table is the only place that says
// which status may follow which, who may make the move and whether a
// reason is required. docs/referral-lifecycle.md mirrors it and a test
// keeps the two in agreement.

// Status is where a referral is in its lifecycle.
type Status string

// The statuses of a referral.
const (
	StatusSent         Status = "sent"
	StatusReceived     Status = "received"
	StatusAccepted     Status = "accepted"
	StatusDeclined     Status = "declined"
	StatusWithdrawn    Status = "withdrawn"
	StatusCompleted    Status = "completed"
	StatusUnsuccessful Status = "unsuccessful"
)

// Side is who may move a referral: the referring side or the receiving one.
type Side string

// The sides of a referral.
const (
	// Referrer is the referrer and their organisation's caseworkers.
	Referrer Side = "referrer"
	// Responder is a responder of the receiving service.
	Responder Side = "responder"
)

// Transition is one allowed move.
type Transition struct {
	From, To Status
	By       Side
	// ReasonRequired means the move must say why.
	ReasonRequired bool
}

// Lifecycle lists every allowed move. A new referral starts as sent; any
// move not listed here is refused with ErrInvalidTransition.
var Lifecycle = []Transition{
	{StatusSent, StatusReceived, Responder, false},
	{StatusSent, StatusAccepted, Responder, false},
	{StatusReceived, StatusAccepted, Responder, false},
	{StatusSent, StatusDeclined, Responder, true},
	{StatusReceived, StatusDeclined, Responder, true},
	{StatusSent, StatusWithdrawn, Referrer, true},
	{StatusReceived, StatusWithdrawn, Referrer, true},
	{StatusAccepted, StatusWithdrawn, Referrer, true},
	{StatusAccepted, StatusCompleted, Responder, false},
	{StatusAccepted, StatusUnsuccessful, Responder, true},
}

// FinalStatuses end a referral: nothing follows them.
var FinalStatuses = []Status{StatusDeclined, StatusWithdrawn, StatusCompleted, StatusUnsuccessful}

// IsFinal reports whether a status ends the referral.
func IsFinal(s Status) bool { return slices.Contains(FinalStatuses, s) }

// FindTransition returns the move from one status to another, if allowed.
func FindTransition(from, to Status) (Transition, bool) {
	for _, t := range Lifecycle {
		if t.From == from && t.To == to {
			return t, true
		}
	}
	return Transition{}, false
}

// CanTransition reports whether a side may move a referral from one status
// to another.
func CanTransition(from, to Status, by Side) bool {
	t, ok := FindTransition(from, to)
	return ok && t.By == by
}

// Reasons lists the reasons offered for a move, by the status moved to. A
// move whose transition requires a reason must give one of these codes;
// "other" needs words as well. A completed referral records its outcome
// the same way.
var Reasons = map[Status][]Choice{
	StatusDeclined: {
		{"not_eligible", "The person is not eligible for this service"},
		{"no_capacity", "The service has no capacity at the moment"},
		{ReasonBetterServedElsewhere, "The person would be better served elsewhere"},
		{"person_declined", "The person did not want the service"},
		{"other", "Another reason"},
	},
	StatusWithdrawn: {
		{"no_longer_needed", "The person no longer needs the service"},
		{"agreement_withdrawn", "The person withdrew their agreement"},
		{"referred_elsewhere", "The person was referred elsewhere"},
		{"made_in_error", "The referral was made in error"},
		{"other", "Another reason"},
	},
	StatusUnsuccessful: {
		{"not_contactable", "The person could not be contacted"},
		{"did_not_attend", "The person did not attend"},
		{"support_declined", "The person declined the support offered"},
		{"circumstances_changed", "The person's circumstances changed"},
		{"other", "Another reason"},
	},
	StatusCompleted: {
		{"support_given", "Support given"},
		{"support_given_partly", "Some of the support needed was given"},
		{"signposted", "Signposted to other help"},
		{"other", "Another outcome"},
	},
}

// ReasonBetterServedElsewhere is the decline reason that may suggest
// another service for the person.
const ReasonBetterServedElsewhere = "better_served_elsewhere"
