package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models/mail"
)

// Referral email says that something happened and links to the referral;
// it never carries the person's details, which stay behind sign-in. The
// email is a job enqueued in the same transaction as the change, so it is
// sent (and retried with backoff until the relay takes it) exactly when the
// change is saved.

// What a notification is about.
const (
	NotifyCreated = "created"
	NotifyStatus  = "status"
	NotifyNote    = "note"
)

// NotifyArgs is a referral notification job: ids only, no personal data,
// since job arguments are stored in the database in the clear.
type NotifyArgs struct {
	ReferralID string `json:"referral_id"`
	What       string `json:"what"`
	EventID    string `json:"event_id,omitempty"`
	// Side is who wrote a note, so the other side is told.
	Side string `json:"side,omitempty"`
	// To is set on the job for one recipient that a notification to
	// several is split into, so that a retry resends to nobody twice. It
	// holds a staff address, never anything about the person referred.
	To string `json:"to,omitempty"`
}

// Kind implements river.JobArgs.
func (NotifyArgs) Kind() string { return "referral_notify" }

// InsertOpts gives email jobs more attempts than River's default: a mail
// relay can be down for an hour.
func (NotifyArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 15} }

// NotifyWorker sends referral notifications.
type NotifyWorker struct {
	river.WorkerDefaults[NotifyArgs]
	DB      *gorm.DB
	Mail    mail.Sender
	BaseURL string
	Logger  *slog.Logger
}

// Work sends one notification.
func (w *NotifyWorker) Work(ctx context.Context, job *river.Job[NotifyArgs]) error {
	db := w.DB.WithContext(ctx)
	var ref Referral
	if err := db.Where("id = ?", job.Args.ReferralID).Take(&ref).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil // erased since; nothing to say
		}
		return fmt.Errorf("models: notify: %w", err)
	}
	msg, to, err := w.message(db, ref, job.Args)
	if err != nil {
		return err
	}
	if len(to) == 0 {
		w.log().Info("referral notification has no recipients", slog.String("referral", ref.Reference), slog.String("what", job.Args.What))
		return nil
	}
	if job.Args.To != "" {
		to = []string{job.Args.To}
	} else if len(to) > 1 {
		// One job per recipient: each is retried on its own, and a relay
		// that refuses one address does not resend to the others. They are
		// inserted in the same transaction that completes this job, so a
		// crash in between cannot run the split twice and send twice.
		client := river.ClientFromContext[*sql.Tx](ctx)
		params := make([]river.InsertManyParams, len(to))
		for i, addr := range to {
			one := job.Args
			one.To = addr
			params[i] = river.InsertManyParams{Args: one}
		}
		err := db.Transaction(func(gtx *gorm.DB) error {
			tx, ok := gtx.Statement.ConnPool.(*sql.Tx)
			if !ok {
				return errors.New("not inside a transaction")
			}
			if _, err := client.InsertManyTx(ctx, tx, params); err != nil {
				return err
			}
			_, err := river.JobCompleteTx[*riverdatabasesql.Driver](ctx, tx, job)
			return err
		})
		if err != nil {
			return fmt.Errorf("models: notify %s: %w", ref.Reference, err)
		}
		return nil
	}
	_, err = sendEach(ctx, w.Mail, msg, to)
	if errors.Is(err, mail.ErrMailDisabled) {
		w.log().Info("email is off; referral notification not sent", slog.String("referral", ref.Reference))
		return nil
	}
	if err != nil {
		return fmt.Errorf("models: notify %s: %w", ref.Reference, err)
	}
	return nil
}

// sendEach sends a message to each address on its own, so that addresses
// of one organisation are never shown to another, and says how many went.
func sendEach(ctx context.Context, sender mail.Sender, msg mail.Message, to []string) (int, error) {
	sent := 0
	for _, addr := range dedupe(to) {
		msg.To = []string{addr}
		if err := sender.Send(ctx, msg); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}

func (w *NotifyWorker) log() *slog.Logger {
	if w.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Logger
}

func (w *NotifyWorker) link(ref Referral) string {
	return strings.TrimRight(w.BaseURL, "/") + "/referrals/" + ref.Reference
}

const noPersonalData = "This email does not include the person's details. Sign in to see them."

// message builds a notification and says who receives it.
func (w *NotifyWorker) message(db *gorm.DB, ref Referral, args NotifyArgs) (mail.Message, []string, error) {
	var b strings.Builder
	var subject string
	var to []string
	var err error
	service := oneLine(ref.ServiceName)
	switch args.What {
	case NotifyCreated:
		subject = fmt.Sprintf("New referral %s to %s", ref.Reference, service)
		fmt.Fprintf(&b, "Hello,\n\nYour organisation has a new referral, %s, to %s.\n\n", ref.Reference, service)
		to, err = w.receivers(db, ref, true)
	case NotifyStatus:
		var ev ReferralEvent
		if err := db.Where("id = ?", args.EventID).Take(&ev).Error; err != nil {
			return mail.Message{}, nil, fmt.Errorf("models: notify: %w", err)
		}
		subject = fmt.Sprintf("Referral %s: %s", ref.Reference, StatusLabel(ev.ToStatus))
		fmt.Fprintf(&b, "Hello,\n\nThe referral %s to %s is now %s.\n\n", ref.Reference, service, strings.ToLower(StatusLabel(ev.ToStatus)))
		if ev.Side == string(Responder) {
			to, err = w.referrer(db, ref)
		} else {
			to, err = w.receivers(db, ref, false)
		}
	case NotifyNote:
		subject = fmt.Sprintf("New note on referral %s", ref.Reference)
		fmt.Fprintf(&b, "Hello,\n\nThere is a new note on the referral %s to %s.\n\n", ref.Reference, service)
		if args.Side == string(Responder) {
			to, err = w.referrer(db, ref)
		} else {
			to, err = w.receivers(db, ref, false)
		}
	default:
		return mail.Message{}, nil, fmt.Errorf("models: notify: unknown notification %q", args.What)
	}
	if err != nil {
		return mail.Message{}, nil, err
	}
	fmt.Fprintf(&b, "Open the referral:\n\n%s\n\n%s\n\n%s\n", w.link(ref), noPersonalData, mail.PlatformName)
	return mail.Message{Subject: subject, Text: b.String()}, dedupe(to), nil
}

// referrer is the address of the person who made the referral.
func (w *NotifyWorker) referrer(db *gorm.DB, ref Referral) ([]string, error) {
	if ref.ReferrerUserID == nil {
		return nil, nil
	}
	var emails []string
	err := db.Model(&User{}).Where("id = ? AND suspended_at IS NULL AND email <> ''", *ref.ReferrerUserID).Pluck("email", &emails).Error
	if err != nil {
		return nil, fmt.Errorf("models: notify: %w", err)
	}
	return emails, nil
}

// receivers are the receiving side: the assigned responder if there is
// one, otherwise every responder of the organisation; for a new referral
// also the service's referral address.
func (w *NotifyWorker) receivers(db *gorm.DB, ref Referral, includeServiceAddress bool) ([]string, error) {
	var emails []string
	q := serviceResponders(db, ref.ReceivingOrganisationID, ref.ServiceID).Where("u.email <> ''")
	if ref.AssignedUserID != nil && !includeServiceAddress {
		q = q.Where("u.id = ?", *ref.AssignedUserID)
	}
	if err := q.Pluck("u.email", &emails).Error; err != nil {
		return nil, fmt.Errorf("models: notify: %w", err)
	}
	if includeServiceAddress {
		var addr []string
		if err := db.Model(&Service{}).Where("id = ? AND referral_email <> ''", ref.ServiceID).Pluck("referral_email", &addr).Error; err != nil {
			return nil, fmt.Errorf("models: notify: %w", err)
		}
		emails = append(addr, emails...)
	}
	return emails, nil
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		k := strings.ToLower(strings.TrimSpace(s))
		if k != "" && !seen[k] {
			seen[k] = true
			out = append(out, strings.TrimSpace(s))
		}
	}
	return out
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// StatusLabel is a status as people read it.
func StatusLabel(s Status) string {
	switch s {
	case StatusSent:
		return "Sent"
	case StatusReceived:
		return "Received"
	case StatusAccepted:
		return "Accepted"
	case StatusDeclined:
		return "Declined"
	case StatusWithdrawn:
		return "Withdrawn"
	case StatusCompleted:
		return "Completed"
	case StatusUnsuccessful:
		return "Unsuccessful"
	}
	return string(s)
}

// OverdueArgs is the daily reminder of overdue referrals.
type OverdueArgs struct{}

// Kind implements river.JobArgs.
func (OverdueArgs) Kind() string { return "referral_overdue_reminder" }

// OverdueWorker emails each receiving organisation's responders a count of
// their overdue referrals, once a day.
type OverdueWorker struct {
	river.WorkerDefaults[OverdueArgs]
	DB      *gorm.DB
	Mail    mail.Sender
	BaseURL string
	Logger  *slog.Logger
}

// Work sends the reminders.
func (w *OverdueWorker) Work(ctx context.Context, _ *river.Job[OverdueArgs]) error {
	db := w.DB.WithContext(ctx)
	var rows []struct {
		OrgID string
		N     int64
	}
	err := db.Model(&Referral{}).Select("receiving_organisation_id AS org_id, COUNT(*) AS n").
		Where("status IN ? AND due_at < ? AND anonymised_at IS NULL", []Status{StatusSent, StatusReceived}, Now()).
		Group("receiving_organisation_id").Scan(&rows).Error
	if err != nil {
		return fmt.Errorf("models: overdue reminders: %w", err)
	}
	sent := 0
	for _, row := range rows {
		var emails []string
		if err := activeResponders(db, row.OrgID).Where("u.email <> ''").Pluck("u.email", &emails).Error; err != nil {
			return fmt.Errorf("models: overdue reminders: %w", err)
		}
		link := strings.TrimRight(w.BaseURL, "/") + "/referrals?list=received&group=overdue"
		what := "1 referral to your organisation's services is"
		if row.N != 1 {
			what = fmt.Sprintf("%d referrals to your organisation's services are", row.N)
		}
		msg := mail.Message{
			Subject: "Overdue referrals: " + fmt.Sprint(row.N),
			Text: fmt.Sprintf("Hello,\n\n%s past the response target and waiting for a response.\n\nSee them:\n\n%s\n\n%s\n\n%s\n",
				what, link, noPersonalData, mail.PlatformName),
		}
		n, err := sendEach(ctx, w.Mail, msg, emails)
		sent += n
		if errors.Is(err, mail.ErrMailDisabled) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("models: overdue reminders: %w", err)
		}
	}
	if w.Logger != nil {
		w.Logger.Info("overdue reminders sent", slog.Int("organisations", len(rows)), slog.Int("emails", sent))
	}
	return nil
}

// DailyAt is a schedule for once a day at a UK clock time.
type DailyAt struct{ Hour, Minute int }

// Next implements river.PeriodicSchedule.
func (d DailyAt) Next(now time.Time) time.Time {
	local := now.In(ukTime)
	next := time.Date(local.Year(), local.Month(), local.Day(), d.Hour, d.Minute, 0, 0, ukTime)
	if !next.After(local) {
		next = time.Date(local.Year(), local.Month(), local.Day()+1, d.Hour, d.Minute, 0, 0, ukTime)
	}
	return next.UTC()
}

// ReferralWorkers registers the referral jobs and returns the periodic ones.
func ReferralWorkers(workers *river.Workers, db *gorm.DB, sender mail.Sender, baseURL string, log *slog.Logger) []*river.PeriodicJob {
	river.AddWorker(workers, &NotifyWorker{DB: db, Mail: sender, BaseURL: baseURL, Logger: log})
	river.AddWorker(workers, &OverdueWorker{DB: db, Mail: sender, BaseURL: baseURL, Logger: log})
	return []*river.PeriodicJob{
		river.NewPeriodicJob(DailyAt{Hour: 8}, func() (river.JobArgs, *river.InsertOpts) {
			// Unique by day: a new leader elected mid-morning does not
			// send the reminder twice.
			return OverdueArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: 20 * time.Hour}}
		}, nil),
	}
}
