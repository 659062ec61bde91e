package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/importer"
)

const feedsUsage = `usage: referrals feeds add|list|remove|run [flags]

  feeds add --name NAME --url URL [--format F] [--incremental-minutes M] [--full-hours H]
        register a feed to harvest; its records get the source feed:NAME
  feeds list
        every feed with its last run, status and counts
  feeds remove NAME
        stop harvesting NAME (its records stay in the directory)
  feeds run [--full] NAME...
        harvest the feeds named now, whatever their schedule
  feeds run --due
        harvest every feed that is due (what the scheduler does)

Exit codes: 0 done; 1 a run failed or the database could not be used; 2 the
command line was wrong. See docs/import.md.

flags:
`

// runFeeds is the feeds command; it returns the process exit code.
func runFeeds(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		_, _ = io.WriteString(stderr, feedsUsage)
		return exitUsage
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("feeds "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		_, _ = io.WriteString(stderr, feedsUsage)
		fs.PrintDefaults()
	}
	dbDefault := "data/referrals.db"
	if v := getenv("REFERRALS_DATABASE_URL"); v != "" {
		dbDefault = v
	}
	var (
		databaseURL = fs.String("database-url", dbDefault, "a SQLite file path, or a postgres:// URL (env REFERRALS_DATABASE_URL)")
		name        = fs.String("name", "", "add: the feed's short name (lower-case letters, digits, . _ -)")
		url         = fs.String("url", "", "add: the feed's API URL (its base or its /services URL)")
		format      = fs.String("format", "", "add: hsds-api or oruk-v1-api, instead of detecting it")
		incremental = fs.Int("incremental-minutes", models.DefaultIncrementalMinutes, "add: minutes between incremental harvests")
		fullHours   = fs.Int("full-hours", models.DefaultFullHours, "add: hours between full harvests")
		full        = fs.Bool("full", false, "run: read the feeds in full")
		due         = fs.Bool("due", false, "run: harvest every feed that is due")
	)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return exitUsage
	}
	usageError := func(format string, a ...any) int {
		_, _ = fmt.Fprintf(stderr, "referrals feeds %s: "+format+"\n\n", append([]any{sub}, a...)...)
		fs.Usage()
		return exitUsage
	}
	switch sub {
	case "add":
		if fs.NArg() != 0 || *name == "" || *url == "" {
			return usageError("give --name and --url")
		}
	case "list":
		if fs.NArg() != 0 {
			return usageError("takes no arguments")
		}
	case "remove":
		if fs.NArg() != 1 {
			return usageError("give the NAME of one feed")
		}
	case "run":
		if *due == (fs.NArg() > 0) {
			return usageError("give NAME... or --due")
		}
	default:
		return usageError("unknown subcommand")
	}
	if err := applySetting("REFERRALS_DATABASE_URL", *databaseURL); err != nil {
		return usageError("%v", err)
	}
	fail := func(err error) int {
		var ve *models.ValidationError
		if errors.As(err, &ve) {
			for field, msg := range ve.Fields {
				_, _ = fmt.Fprintf(stderr, "referrals feeds %s: --%s: %s\n", sub, strings.ReplaceAll(field, "_", "-"), msg)
			}
			return exitUsage
		}
		_, _ = fmt.Fprintf(stderr, "referrals feeds %s: %v\n", sub, err)
		return exitFailed
	}
	db, err := models.Open(ctx, *databaseURL)
	if err != nil {
		return fail(err)
	}
	defer func() { _ = models.Close(db) }()
	if _, err := models.MigrateUp(ctx, db); err != nil {
		return fail(err)
	}
	op := models.OperatorActor()
	switch sub {
	case "add":
		f, err := models.AddFeed(ctx, db, op, models.FeedInput{Name: *name, URL: *url, Format: *format,
			IncrementalMinutes: *incremental, FullHours: *fullHours})
		if err != nil {
			return fail(err)
		}
		_, _ = fmt.Fprintf(stdout, "added feed %s (source %s): incremental every %d minutes, in full every %d hours\n",
			f.Name, f.Source(), f.IncrementalMinutes, f.FullHours)
	case "list":
		feeds, err := models.ListFeeds(ctx, db, op)
		if err != nil {
			return fail(err)
		}
		writeFeeds(stdout, feeds)
	case "remove":
		f, err := models.RemoveFeed(ctx, db, op, fs.Arg(0))
		if err != nil {
			return fail(err)
		}
		_, _ = fmt.Fprintf(stdout, "removed feed %s; its records stay in the directory with source %s\n", f.Name, f.Source())
	case "run":
		opts := importer.HarvestOptions{Full: *full, HTTP: harvestHTTP()}
		if *due {
			results, err := importer.HarvestDue(ctx, db, opts)
			if err != nil {
				return fail(err)
			}
			code := 0
			for name, err := range results {
				if err != nil {
					_, _ = fmt.Fprintf(stderr, "referrals feeds run: %s: %v\n", name, err)
					code = exitFailed
				} else {
					_, _ = fmt.Fprintf(stdout, "harvested %s\n", name)
				}
			}
			return code
		}
		code := 0
		for _, n := range fs.Args() {
			f, err := models.GetFeed(ctx, db, op, n)
			if err != nil {
				return fail(err)
			}
			rep, err := importer.Harvest(ctx, db, f, opts)
			if rep != nil {
				_ = rep.WriteText(stdout)
			}
			if err != nil {
				_, _ = fmt.Fprintf(stderr, "referrals feeds run: %s: %v\n", f.Name, err)
				code = exitFailed
			}
		}
		return code
	}
	return 0
}

// writeFeeds prints the feeds as a table.
func writeFeeds(w io.Writer, feeds []models.Feed) {
	if len(feeds) == 0 {
		_, _ = io.WriteString(w, "no feeds: add one with referrals feeds add --name NAME --url URL\n")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	_, _ = fmt.Fprintln(tw, "NAME\tSTATUS\tLAST RUN\tKIND\tSERVICES (read/created/updated/unchanged/skipped/inactive)\tPROBLEMS\tURL")
	for _, f := range feeds {
		last, kind := "never", ""
		if f.LastRunAt != nil {
			last = f.LastRunAt.UTC().Format("2006-01-02 15:04")
			kind = "incremental"
			if f.LastRunFull {
				kind = "full"
			}
		}
		r := importer.ParseFeedReport(f.LastReport)
		c := r.Services
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d/%d/%d/%d/%d/%d\t%d\t%s\n", f.Name, f.Status, last, kind,
			c.Read, c.Created, c.Updated, c.Unchanged, c.Skipped, c.MarkedInactive, r.ProblemCount, f.URL)
	}
	_ = tw.Flush()
	for _, f := range feeds {
		if f.LastError != "" {
			_, _ = fmt.Fprintf(w, "%s: last error: %s\n", f.Name, f.LastError)
		}
	}
}

// harvestHTTP is how harvests reach feeds, from the scheduler and from
// "referrals feeds run" alike: the importer's polite defaults, a minute's
// timeout a request, and a User-Agent that names this build.
func harvestHTTP() importer.HTTPOptions {
	return importer.HTTPOptions{Client: &http.Client{Timeout: 60 * time.Second}, UserAgent: "referrals-harvest/" + buildVersion()}
}
