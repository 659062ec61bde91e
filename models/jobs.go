package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"gorm.io/gorm"
)

// Background work (emails, reminders, harvests, retention) runs as River
// jobs in the platform's own database. A job is inserted in the same
// transaction as the change that calls for it, so a referral is never
// saved without its notification, nor a notification sent for a change
// that rolled back. Any number of replicas can work jobs; River elects one
// leader for periodic jobs.

// Jobs is the platform's job queue.
type Jobs struct {
	client *river.Client[*sql.Tx]
}

// JobsConfig says what a Jobs client does.
type JobsConfig struct {
	// Workers are the job kinds this process can work. Nil makes an
	// insert-only client, for commands that enqueue but never work.
	Workers *river.Workers
	// Periodic jobs are enqueued by the elected leader on their schedule.
	Periodic []*river.PeriodicJob
	// MaxWorkers bounds how many jobs run at once in this process.
	MaxWorkers int
	// PollInterval is how often idle workers look for new jobs: on both
	// databases the platform polls, since database/sql has no LISTEN.
	PollInterval time.Duration
	Logger       *slog.Logger
}

func jobsDriver(db *gorm.DB) (riverdriver.Driver[*sql.Tx], error) {
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("models: jobs: %w", err)
	}
	if DialectFor(db) == Postgres {
		return riverdatabasesql.New(sqlDB), nil
	}
	return riversqlite.New(sqlDB), nil
}

// NewJobs makes a River client on the platform's database.
func NewJobs(db *gorm.DB, cfg JobsConfig) (*Jobs, error) {
	driver, err := jobsDriver(db)
	if err != nil {
		return nil, err
	}
	rc := &river.Config{
		Logger:            cfg.Logger,
		FetchPollInterval: cfg.PollInterval,
		PeriodicJobs:      cfg.Periodic,
		// A job that is given no timeout of its own gets a minute, River's
		// default; long jobs (harvests) set Timeout on their worker.
		JobTimeout: time.Minute,
	}
	if rc.Logger == nil {
		rc.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Workers != nil {
		rc.Workers = cfg.Workers
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: max(cfg.MaxWorkers, 1)}}
		if rc.FetchPollInterval == 0 {
			rc.FetchPollInterval = time.Second
		}
		// River's cooldown must not exceed the poll interval.
		rc.FetchCooldown = min(rc.FetchPollInterval, 100*time.Millisecond)
	}
	client, err := river.NewClient(driver, rc)
	if err != nil {
		return nil, fmt.Errorf("models: jobs: %w", err)
	}
	return &Jobs{client: client}, nil
}

// Start begins working jobs until ctx ends or Stop is called.
func (j *Jobs) Start(ctx context.Context) error {
	if err := j.client.Start(ctx); err != nil {
		return fmt.Errorf("models: start jobs: %w", err)
	}
	return nil
}

// Stop lets running jobs finish (until ctx ends) and stops.
func (j *Jobs) Stop(ctx context.Context) error {
	if err := j.client.Stop(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("models: stop jobs: %w", err)
	}
	return nil
}

// Client is the River client, for tests and commands that inspect jobs.
func (j *Jobs) Client() *river.Client[*sql.Tx] { return j.client }

// enqueueTx inserts a job inside a GORM transaction: the job exists if and
// only if the transaction commits.
func (j *Jobs) enqueueTx(ctx context.Context, tx *gorm.DB, args river.JobArgs, opts *river.InsertOpts) error {
	if j == nil {
		return nil
	}
	sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return fmt.Errorf("models: enqueue %s: not inside a transaction", args.Kind())
	}
	if _, err := j.client.InsertTx(ctx, sqlTx, args, opts); err != nil {
		return fmt.Errorf("models: enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

// Enqueue inserts a job on its own, outside any transaction: for commands
// and admin buttons ("run this feed now").
func (j *Jobs) Enqueue(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	if _, err := j.client.Insert(ctx, args, opts); err != nil {
		return fmt.Errorf("models: enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

// migrateJobs brings River's own tables up to date. River versions its
// schema itself, apart from the platform's goose migrations, so upgrading
// River never needs a platform migration.
func migrateJobs(ctx context.Context, db *gorm.DB) error {
	driver, err := jobsDriver(db)
	if err != nil {
		return err
	}
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fmt.Errorf("models: job queue schema: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("models: job queue schema: %w", err)
	}
	return nil
}
