// Package importer brings HSDS 3.0 and ORUK v1 directory data into the
// platform: from HSDS JSON, HSDS tabular data packages, and live HSDS 3.0,
// ORUK 3.0 and ORUK v1 APIs.
//
// A run streams its source, cleans and validates each service (a bad field
// is dropped and reported; only a service with no usable id or name is
// skipped), decides for each record whether it is new, changed, unchanged or
// kept by someone else, and prepares the rows to write, all outside any
// transaction, spilling them to a temporary file so memory stays bounded.
// Then it writes everything in one transaction: the run commits completely
// or leaves the database as it was. docs/import.md describes the formats,
// the rules and the report.
package importer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models"
)

// ErrRejected means a --strict run found records it had to skip, and wrote
// nothing.
var ErrRejected = errors.New("importer: records were skipped and the run is strict")

// DefaultBatchSize is how many services are prepared, and written, at a time.
const DefaultBatchSize = 500

// Options configures one run.
type Options struct {
	// Source names where the records come from: it is their provenance,
	// and the id rule derives ids from it, so it must stay the same from
	// one run of a feed to the next. "local" and "demo" are refused.
	Source string
	// Input describes where the records are read from, for the report
	// (a path, or a URL without credentials).
	Input string
	// DryRun prepares and reports everything but writes nothing.
	DryRun bool
	// Strict writes nothing if any record had to be skipped as unusable.
	Strict bool
	// MarkVanished marks inactive, in the same transaction, the services
	// of this source that the run did not find: for a full read of a
	// harvested feed (see markVanished for which are left alone).
	MarkVanished bool
	// BatchSize is how many services are prepared at a time.
	BatchSize int
	// TempDir holds the spill file; os.TempDir() when empty.
	TempDir string
	// Progress, when set, is told how the run is going, from one goroutine
	// at a time.
	Progress func(Progress)
	// Now is the run's clock; models.Now when nil.
	Now func() time.Time

	// afterBatch, for tests, runs after each batch is written inside the
	// transaction; an error rolls the whole run back.
	afterBatch func(i int) error
}

// Progress is how far a run has got.
type Progress struct {
	// Phase is "reading" or "writing".
	Phase string
	// Records is how many services have been read, or written.
	Records int
	// Total is how many there are to write; 0 while reading.
	Total int
}

// ReservedSources may not be used as an import's source: they name records
// created on this platform, which imports never overwrite.
var ReservedSources = []string{"local", models.DemoSource}

// Run imports everything src holds into db. It always returns a report; the
// error says why nothing was written (ErrRejected under Strict, an error
// wrapping ErrInput when the input could not be read, or a database error).
func Run(ctx context.Context, db *gorm.DB, src Source, opts Options) (*Report, error) {
	now := models.Now
	if opts.Now != nil {
		now = opts.Now
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	start := time.Now()
	rep := &Report{Source: opts.Source, Input: opts.Input, Format: src.Format(), DryRun: opts.DryRun, Strict: opts.Strict,
		StartedAt: now(), Problems: []Problem{}}
	finish := func(outcome string, err error) (*Report, error) {
		rep.Outcome = outcome
		rep.Format = src.Format()
		if err != nil {
			rep.Error = err.Error()
		}
		rep.FinishedAt = now()
		rep.Seconds = time.Since(start).Seconds()
		return rep, err
	}
	if strings.TrimSpace(opts.Source) == "" {
		return finish(OutcomeFailed, errors.New("importer: a source name is required"))
	}
	for _, r := range ReservedSources {
		if strings.EqualFold(opts.Source, r) {
			return finish(OutcomeFailed, fmt.Errorf("importer: %q names records made on this platform and cannot be an import's source", r))
		}
	}

	var sp *spill
	if !opts.DryRun {
		var err error
		if sp, err = newSpill(opts.TempDir); err != nil {
			return finish(OutcomeFailed, err)
		}
		defer sp.close()
	}
	runAt := now()
	p := newPreparer(ctx, db, opts.Source, runAt, rep, sp, opts.BatchSize)
	progress := func(pr Progress) {
		if opts.Progress != nil {
			opts.Progress(pr)
		}
	}
	// Reading and cleaning run on one goroutine, deciding and flattening
	// on another: the two halves take about as long as each other.
	items := make(chan cleaned, 256)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(items)
		c := newCleaner(runAt)
		return src.Walk(gctx, func(it Item) error {
			select {
			case items <- cleanItem(c, it):
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		})
	})
	g.Go(func() error {
		p.ctx = gctx
		for ci := range items {
			if err := p.add(ci); err != nil {
				return err
			}
			progress(Progress{Phase: "reading", Records: rep.Services.Read})
		}
		return p.flush()
	})
	err := g.Wait()
	p.ctx = ctx
	var (
		taxRows  []models.Taxonomy
		termRows []models.TaxonomyTerm
		termRecs []models.ImportRecord
		locOrgs  []locationOrg
	)
	if err == nil {
		locOrgs = p.resolveLocationOrgs()
		taxRows, termRows, termRecs, err = p.termRows()
	}
	if err != nil {
		return finish(OutcomeFailed, err)
	}
	if opts.Strict && rep.Rejected > 0 {
		return finish(OutcomeRejected, fmt.Errorf("%w: %d record(s) skipped", ErrRejected, rep.Rejected))
	}
	if opts.DryRun {
		return finish(OutcomeDryRun, nil)
	}

	total := p.written
	written := 0
	err = inOneTransaction(ctx, db, rep, func(tx *gorm.DB) error {
		w := newWriter(ctx, tx, opts.Source, runAt, rep)
		defer w.close()
		if err := w.terms(taxRows, termRows, termRecs); err != nil {
			return fmt.Errorf("importer: write taxonomy terms: %w", err)
		}
		err := sp.each(func(i int, b *batch) error {
			if err := w.batch(b); err != nil {
				return err
			}
			if opts.afterBatch != nil {
				if err := opts.afterBatch(i); err != nil {
					return err
				}
			}
			written += len(b.Rows.Services)
			progress(Progress{Phase: "writing", Records: written, Total: total})
			return nil
		})
		if err != nil {
			return err
		}
		if err := w.seen(p.unchangedServices, p.unchangedOrgs); err != nil {
			return err
		}
		if err := w.locationOrgs(locOrgs); err != nil {
			return err
		}
		if opts.MarkVanished {
			if err := w.markVanished(rep); err != nil {
				return err
			}
		}
		return w.parents(p.orgParents)
	})
	if err != nil {
		return finish(OutcomeFailed, err)
	}
	return finish(OutcomeCommitted, nil)
}

// sqliteCacheKiB is the page cache an import's connection gets on SQLite
// (SQLite's default is 2 MiB): at 100,000 services the indexes written
// are several hundred megabytes, and a cache that holds more of them
// saves re-reading pages. It is the largest part of an import's memory.
var sqliteCacheKiB = 262144

// inOneTransaction runs fn in one transaction on one connection and records
// how long the transaction held the database.
//
// On SQLite the connection is set up for a bulk write for the length of the
// run, and put back afterwards: a larger page cache; temporary storage in
// memory; and no foreign-key enforcement. SQLite journals every statement
// that might fail on an immediate foreign key, so that it can undo that
// statement alone; at 100,000 services that journal was a third of the
// write. The importer does not need it: it has already resolved every
// reference while preparing (a reference it cannot resolve is dropped and
// reported), it deletes children explicitly, and a failure rolls back the
// whole run anyway. PostgreSQL enforces foreign keys as ever, and the tests
// check SQLite's with PRAGMA foreign_key_check after every import.
func inOneTransaction(ctx context.Context, db *gorm.DB, rep *Report, fn func(tx *gorm.DB) error) error {
	return db.WithContext(ctx).Connection(func(conn *gorm.DB) error {
		sqlite := models.DialectFor(conn) == models.SQLite
		if sqlite {
			var cache, autocheckpoint, tempStore int
			if err := conn.Raw("PRAGMA cache_size").Scan(&cache).Error; err != nil {
				return fmt.Errorf("importer: read cache size: %w", err)
			}
			if err := conn.Raw("PRAGMA temp_store").Scan(&tempStore).Error; err != nil {
				return fmt.Errorf("importer: read temp store: %w", err)
			}
			if err := conn.Raw("PRAGMA wal_autocheckpoint").Scan(&autocheckpoint).Error; err != nil {
				return fmt.Errorf("importer: read checkpoint setting: %w", err)
			}
			reset := conn.WithContext(context.WithoutCancel(ctx))
			defer func() {
				_ = reset.Exec("PRAGMA foreign_keys = ON").Error
				_ = reset.Exec(fmt.Sprintf("PRAGMA cache_size = %d", cache)).Error
				_ = reset.Exec(fmt.Sprintf("PRAGMA temp_store = %d", tempStore)).Error
				_ = reset.Exec(fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", autocheckpoint)).Error
			}()
			// The checkpoint that copies the run's pages from the WAL into
			// the database runs after the transaction, below, where it does
			// not count as holding the write lock (it does not hold it).
			for _, pragma := range []string{"PRAGMA foreign_keys = OFF", "PRAGMA temp_store = MEMORY",
				fmt.Sprintf("PRAGMA cache_size = -%d", sqliteCacheKiB), "PRAGMA wal_autocheckpoint = 0"} {
				if err := conn.Exec(pragma).Error; err != nil {
					return fmt.Errorf("importer: %s: %w", pragma, err)
				}
			}
		}
		start := time.Now()
		err := conn.Transaction(fn)
		rep.WriteSeconds = time.Since(start).Seconds()
		if sqlite && err == nil {
			// PASSIVE: copy what it can without waiting for readers; the
			// app's own checkpoints finish the job.
			_ = conn.WithContext(context.WithoutCancel(ctx)).Exec("PRAGMA wal_checkpoint(PASSIVE)").Error
		}
		return err
	})
}
