package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/importer"
)

// Exit codes of the import command; docs/import.md documents them.
const (
	exitImported = 0 // the run committed, or a dry run finished; problems may have been reported
	exitFailed   = 1 // nothing was written: unreadable input, a database error, an interruption
	exitUsage    = 2 // the command line was wrong; nothing was read
	exitRejected = 3 // --strict and some records had to be skipped; nothing was written
)

const importUsage = `usage: referrals import [flags] SOURCE

Imports services into the directory from SOURCE: an HSDS 3.0 or ORUK v1 JSON
file, a folder or zip of them or of an HSDS tabular data package, or the URL
of a live HSDS 3.0, ORUK 3.0 or ORUK v1 API. See docs/import.md.

flags:
`

// runImport is the import command. It returns the process exit code.
func runImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		_, _ = io.WriteString(stderr, importUsage)
		fs.PrintDefaults()
	}
	dbDefault := "data/referrals.db"
	if v := getenv("REFERRALS_DATABASE_URL"); v != "" {
		dbDefault = v
	}
	var (
		databaseURL = fs.String("database-url", dbDefault, "a SQLite file path, or a postgres:// URL (env REFERRALS_DATABASE_URL)")
		dryRun      = fs.Bool("dry-run", false, "read, check and report everything, but write nothing")
		source      = fs.String("source", "", `the provenance name of the records, kept from one run of a feed to the next (default "feed:HOST/PATH" for a URL, "file:NAME" for a file)`)
		format      = fs.String("format", "", "the input format, instead of detecting it: "+formatNames())
		reportFile  = fs.String("report", "", "also write the report as JSON to this file")
		strict      = fs.Bool("strict", false, "write nothing if any record has to be skipped (exit code 3)")
		rate        = fs.Float64("rate", 5, "most requests a second to a live API (0 for no limit)")
		concurrency = fs.Int("concurrency", 4, "requests to a live API at a time")
		perPage     = fs.Int("per-page", 100, "page size asked of a live API's /services")
		httpTimeout = fs.Duration("http-timeout", 60*time.Second, "timeout of one request to a live API")
	)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitImported
		}
		return exitUsage
	}
	usageError := func(format string, a ...any) int {
		_, _ = fmt.Fprintf(stderr, "referrals import: "+format+"\n\n", a...)
		fs.Usage()
		return exitUsage
	}
	if fs.NArg() != 1 {
		return usageError("give exactly one SOURCE (a file, folder, zip or http(s) URL)")
	}
	input := fs.Arg(0)
	f := importer.Format(*format)
	if f != importer.FormatAuto && !slices.Contains(importer.Formats, f) {
		return usageError("--format %q: use one of %s", *format, formatNames())
	}
	if *rate < 0 || *concurrency < 1 || *perPage < 1 || *httpTimeout <= 0 {
		return usageError("--rate must be 0 or more, and --concurrency, --per-page and --http-timeout positive")
	}
	if *source == "" {
		*source = defaultSourceName(input)
	}
	for _, r := range importer.ReservedSources {
		if strings.EqualFold(*source, r) {
			return usageError("--source %q names records made on this platform; choose a name for the feed", *source)
		}
	}
	if err := applySetting("REFERRALS_DATABASE_URL", *databaseURL); err != nil {
		return usageError("%v", err)
	}

	fail := func(err error) int {
		_, _ = fmt.Fprintf(stderr, "referrals import: %v\n", err)
		return exitFailed
	}
	db, err := models.Open(ctx, *databaseURL)
	if err != nil {
		return fail(err)
	}
	defer func() { _ = models.Close(db) }()
	if *dryRun {
		// A dry run changes nothing, not even the schema.
		st, err := models.MigrationStatuses(ctx, db)
		if err != nil {
			return fail(err)
		}
		for _, s := range st {
			if !s.Applied {
				return fail(errors.New(`the database is not up to date: run "referrals migrate up" first, or import without --dry-run`))
			}
		}
	} else if _, err := models.MigrateUp(ctx, db); err != nil {
		return fail(err)
	}

	rate2 := *rate
	if rate2 == 0 {
		rate2 = -1 // no limit
	}
	src, closeSrc, err := importer.Open(ctx, input, importer.OpenOptions{Format: f, HTTP: importer.HTTPOptions{
		Client: &http.Client{Timeout: *httpTimeout}, UserAgent: "referrals-import/" + buildVersion(),
		Concurrency: *concurrency, Rate: rate2, PerPage: *perPage,
	}})
	if err != nil {
		return fail(err)
	}
	defer func() { _ = closeSrc() }()

	prog := newProgress(stderr)
	rep, runErr := importer.Run(ctx, db, src, importer.Options{Source: *source, Input: redactInput(input),
		DryRun: *dryRun, Strict: *strict, Progress: prog.update})
	prog.done()
	if runErr == nil && !*dryRun {
		// A large import changes the shape of the data the SQLite planner
		// works from; refresh its statistics while we are here.
		if err := models.Optimize(ctx, db); err != nil {
			_, _ = fmt.Fprintf(stderr, "referrals import: refreshing statistics: %v\n", err)
		}
	}
	if err := rep.WriteText(stdout); err != nil {
		return fail(err)
	}
	if *reportFile != "" {
		if err := writeReportFile(*reportFile, rep); err != nil {
			return fail(err)
		}
	}
	switch {
	case runErr == nil:
		return exitImported
	case errors.Is(runErr, importer.ErrRejected):
		_, _ = fmt.Fprintf(stderr, "referrals import: --strict: %d record(s) had to be skipped, so nothing was written\n", rep.Rejected)
		return exitRejected
	case errors.Is(runErr, context.Canceled):
		return fail(errors.New("interrupted; nothing was written"))
	default:
		return fail(fmt.Errorf("%w; nothing was written", runErr))
	}
}

func formatNames() string {
	names := make([]string, len(importer.Formats))
	for i, f := range importer.Formats {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}

// applySetting validates one value the way the configuration does.
func applySetting(env, value string) error {
	for _, s := range settings {
		if s.Env == env {
			var c Config
			if err := s.apply(&c, value); err != nil {
				return fmt.Errorf("%s (--%s): %w", s.Env, s.Flag, err)
			}
			return nil
		}
	}
	return fmt.Errorf("no setting %s", env)
}

// defaultSourceName names a source after where it is: the host and path of
// a URL, or the name of a file without its extension.
func defaultSourceName(input string) string {
	if u, err := url.Parse(input); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		p := strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/services")
		return "feed:" + strings.ToLower(u.Host) + strings.TrimSuffix(p, "/")
	}
	base := filepath.Base(filepath.Clean(input))
	return "file:" + strings.TrimSuffix(base, filepath.Ext(base))
}

// redactInput hides credentials in a URL: its password and query values.
func redactInput(input string) string {
	u, err := url.Parse(input)
	if err != nil || u.Host == "" {
		return input
	}
	q := u.Query()
	for k := range q {
		q.Set(k, "xxxxx")
	}
	u.RawQuery = q.Encode()
	return u.Redacted()
}

func writeReportFile(path string, rep *importer.Report) error {
	f, err := os.Create(path) //nolint:gosec // the operator names the report file
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := rep.WriteJSON(f); err != nil {
		f.Close()
		return fmt.Errorf("write report: %w", err)
	}
	return f.Close()
}

// progress shows how a long run is going on standard error: one line
// rewritten in place on a terminal, otherwise a line every ten seconds.
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	terminal bool
	start    time.Time
	last     time.Time
	shown    bool
	every    time.Duration
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, start: time.Now(), every: 10 * time.Second}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.terminal, p.every = true, 250*time.Millisecond
		}
	}
	p.last = p.start
	return p
}

func (p *progress) update(pr importer.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if now.Sub(p.last) < p.every {
		return
	}
	p.last = now
	elapsed := now.Sub(p.start).Seconds()
	line := fmt.Sprintf("%s: %d services", pr.Phase, pr.Records)
	if pr.Total > 0 {
		line = fmt.Sprintf("%s: %d of %d services", pr.Phase, pr.Records, pr.Total)
	}
	line += fmt.Sprintf(", %.0f s", elapsed)
	if pr.Phase == "reading" && elapsed > 0 {
		line += fmt.Sprintf(", %.0f a second", float64(pr.Records)/elapsed)
	}
	if p.terminal {
		_, _ = fmt.Fprintf(p.w, "\r\033[K%s", line)
		p.shown = true
	} else {
		_, _ = fmt.Fprintln(p.w, line)
	}
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		_, _ = fmt.Fprint(p.w, "\r\033[K")
	}
}
