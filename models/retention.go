package models

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"
)

// Retention: a referral that reached a final status keeps the person's
// details for a period set per final status, then the retention job
// anonymises it in place (as an erasure does), leaving its status, dates
// and organisations for counts and reports. docs/data-protection.md gives
// the defaults and the reasoning.

// Retention is how long personal data is kept after each final status.
type Retention map[Status]time.Duration

// DefaultRetention keeps declined and withdrawn referrals six months and
// completed and unsuccessful ones a year after they closed.
func DefaultRetention() Retention {
	return Retention{
		StatusDeclined:     180 * 24 * time.Hour,
		StatusWithdrawn:    180 * 24 * time.Hour,
		StatusCompleted:    365 * 24 * time.Hour,
		StatusUnsuccessful: 365 * 24 * time.Hour,
	}
}

// ParseRetention reads "status=days" pairs separated by commas, such as
// "declined=180,withdrawn=180,completed=365,unsuccessful=365"; statuses
// left out keep their default.
func ParseRetention(spec string) (Retention, error) {
	r := DefaultRetention()
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, days, ok := strings.Cut(part, "=")
		st := Status(strings.TrimSpace(name))
		n, err := strconv.Atoi(strings.TrimSpace(days))
		if !ok || !IsFinal(st) || err != nil || n < 1 {
			return nil, fmt.Errorf("models: retention %q: write status=days for declined, withdrawn, completed or unsuccessful, with at least 1 day", part)
		}
		r[st] = time.Duration(n) * 24 * time.Hour
	}
	return r, nil
}

// String writes the retention as ParseRetention reads it.
func (r Retention) String() string {
	var parts []string
	for _, st := range FinalStatuses {
		parts = append(parts, fmt.Sprintf("%s=%d", st, int(r[st].Hours()/24)))
	}
	return strings.Join(parts, ",")
}

// RetentionResult counts the referrals a retention run anonymised (or, in
// a dry run, would anonymise), by final status. It never names anyone.
type RetentionResult struct {
	DryRun bool
	Counts map[Status]int
}

// Total is the number of referrals in the result.
func (r RetentionResult) Total() int {
	n := 0
	for _, c := range r.Counts {
		n += c
	}
	return n
}

// retentionBatch bounds one transaction, so that on SQLite a large first
// run does not hold the write lock for long.
const retentionBatch = 200

// ApplyRetention anonymises every referral past its retention period, in
// batches, or with dryRun only counts them.
func (r *Referrals) ApplyRetention(ctx context.Context, ret Retention, now time.Time, dryRun bool) (RetentionResult, error) {
	out := RetentionResult{DryRun: dryRun, Counts: map[Status]int{}}
	for _, st := range FinalStatuses {
		period, ok := ret[st]
		if !ok {
			continue
		}
		cutoff := now.Add(-period)
		due := func(db *gorm.DB) *gorm.DB {
			return db.Model(&Referral{}).Where("status = ? AND anonymised_at IS NULL AND closed_at < ?", st, cutoff)
		}
		if dryRun {
			var n int64
			if err := due(r.DB.WithContext(ctx)).Count(&n).Error; err != nil {
				return out, fmt.Errorf("models: retention: %w", err)
			}
			out.Counts[st] = int(n)
			continue
		}
		for {
			var batch []Referral
			if err := due(r.DB.WithContext(ctx)).Order("closed_at").Limit(retentionBatch).Find(&batch).Error; err != nil {
				return out, fmt.Errorf("models: retention: %w", err)
			}
			if len(batch) == 0 {
				break
			}
			err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
				for _, ref := range batch {
					if err := r.anonymise(tx, nil, ref, "", now); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return out, fmt.Errorf("models: retention: %w", err)
			}
			out.Counts[st] += len(batch)
		}
	}
	return out, nil
}

// RetentionArgs is the daily retention job.
type RetentionArgs struct{}

// Kind implements river.JobArgs.
func (RetentionArgs) Kind() string { return "referral_retention" }

// RetentionWorker runs retention once a day and logs counts, never names.
type RetentionWorker struct {
	river.WorkerDefaults[RetentionArgs]
	Referrals *Referrals
	Retention Retention
	Logger    *slog.Logger
}

// Timeout gives a first run over years of referrals room to finish; it
// works in batches, so a run cut short resumes the next day.
func (w *RetentionWorker) Timeout(*river.Job[RetentionArgs]) time.Duration { return 30 * time.Minute }

// Work applies retention.
func (w *RetentionWorker) Work(ctx context.Context, _ *river.Job[RetentionArgs]) error {
	res, err := w.Referrals.ApplyRetention(ctx, w.Retention, Now(), false)
	if w.Logger != nil {
		attrs := []any{slog.Int("anonymised", res.Total())}
		for _, st := range FinalStatuses {
			attrs = append(attrs, slog.Int(string(st), res.Counts[st]))
		}
		w.Logger.Info("retention run", attrs...)
	}
	return err
}

// RetentionJobs registers the retention worker and returns its daily
// schedule (2am UK time, when nobody is working).
func RetentionJobs(workers *river.Workers, refs *Referrals, ret Retention, log *slog.Logger) []*river.PeriodicJob {
	river.AddWorker(workers, &RetentionWorker{Referrals: refs, Retention: ret, Logger: log})
	return []*river.PeriodicJob{
		river.NewPeriodicJob(DailyAt{Hour: 2}, func() (river.JobArgs, *river.InsertOpts) {
			return RetentionArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: 20 * time.Hour}}
		}, nil),
	}
}

// RotationResult counts the values re-encrypted under the current key.
type RotationResult struct {
	Referrals, Events, Notes int
	// Remaining lists key ids still in use after the run (none when done).
	Remaining []string
}

// RotateKeys re-encrypts every sealed value that is not under the current
// key, in small batches each committed on its own: it is safe to stop at
// any point and run again, and it carries on where it stopped.
func (r *Referrals) RotateKeys(ctx context.Context) (RotationResult, error) {
	var out RotationResult
	cur := r.Keys.Current()
	db := r.DB.WithContext(ctx)
	var err error
	out.Referrals, err = rotateBatches(db, db.Model(&Referral{}).Where("key_id <> ? AND key_id <> '' AND anonymised_at IS NULL", cur),
		func(tx *gorm.DB, ref Referral) error {
			plain, err := r.Keys.Open(ref.KeyID, ref.PersonSealed, personAD(ref.ID))
			if err != nil {
				return err
			}
			var p Person
			if err := json.Unmarshal(plain, &p); err != nil {
				return err
			}
			keyID, sealed := r.seal(plain, personAD(ref.ID))
			// The lookup hash is per key too: rehash with the new one.
			hash := r.Keys.lookupHash(keyID, personLookupValue(p.GivenName, p.FamilyName, p.DateOfBirth))
			return tx.Model(&Referral{}).Where("id = ? AND key_id = ?", ref.ID, ref.KeyID).
				Updates(map[string]any{"key_id": keyID, "person_sealed": sealed, "person_hash": hash}).Error
		})
	if err != nil {
		return out, err
	}
	out.Events, err = rotateBatches(db, db.Model(&ReferralEvent{}).Where("key_id <> ? AND key_id <> ''", cur),
		func(tx *gorm.DB, ev ReferralEvent) error {
			plain, err := r.Keys.Open(ev.KeyID, ev.ReasonSealed, eventAD(ev.ID))
			if err != nil {
				return err
			}
			keyID, sealed := r.seal(plain, eventAD(ev.ID))
			return tx.Model(&ReferralEvent{}).Where("id = ? AND key_id = ?", ev.ID, ev.KeyID).
				Updates(map[string]any{"key_id": keyID, "reason_sealed": sealed}).Error
		})
	if err != nil {
		return out, err
	}
	out.Notes, err = rotateBatches(db, db.Model(&ReferralNote{}).Where("key_id <> ? AND key_id <> ''", cur),
		func(tx *gorm.DB, n ReferralNote) error {
			plain, err := r.Keys.Open(n.KeyID, n.BodySealed, noteAD(n.ID))
			if err != nil {
				return err
			}
			keyID, sealed := r.seal(plain, noteAD(n.ID))
			return tx.Model(&ReferralNote{}).Where("id = ? AND key_id = ?", n.ID, n.KeyID).
				Updates(map[string]any{"key_id": keyID, "body_sealed": sealed}).Error
		})
	if err != nil {
		return out, err
	}
	var ids []string
	err = db.Raw(`SELECT key_id FROM referrals WHERE key_id <> ''
		UNION SELECT key_id FROM referral_events WHERE key_id <> ''
		UNION SELECT key_id FROM referral_notes WHERE key_id <> ''`).Scan(&ids).Error
	if err != nil {
		return out, fmt.Errorf("models: rotate keys: %w", err)
	}
	sort.Strings(ids)
	out.Remaining = ids
	return out, nil
}

// rotateBatches re-seals the rows a query selects, a batch per
// transaction, until the query selects none; each re-sealed row leaves the
// query's selection, so the loop ends.
func rotateBatches[T any](db, pending *gorm.DB, reseal func(tx *gorm.DB, row T) error) (int, error) {
	done := 0
	for {
		var batch []T
		if err := pending.Session(&gorm.Session{}).Limit(retentionBatch).Find(&batch).Error; err != nil {
			return done, fmt.Errorf("models: rotate keys: %w", err)
		}
		if len(batch) == 0 {
			return done, nil
		}
		err := db.Transaction(func(tx *gorm.DB) error {
			for _, row := range batch {
				if err := reseal(tx, row); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return done, fmt.Errorf("models: rotate keys: %w", err)
		}
		done += len(batch)
	}
}
