package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/handlers"
	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/importer"
	"github.com/openreferral-uk/referrals/models/mail"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// buildVersion reports the version stamped at build time, or the module
// version and VCS revision Go recorded.
func buildVersion() string {
	if version != "dev" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return version
}

const usage = `usage: referrals [command] [flags]

commands:
  serve                  serve the web app and API (the default)
  migrate up             apply pending database migrations
  migrate down           roll back the most recent migration
  migrate status         list migrations and whether each is applied
  import [flags] SOURCE  import services from a file, folder, zip or API (docs/import.md)
  export [--format json|datapackage] OUT
                         every published service as HSDS 3.0 JSON or a data
                         package zip (- for stdout)
  feeds add|list|remove|run
                         the feeds the directory harvests (docs/import.md)
  admin create --email E make the first person to sign in with the verified
                         email E a platform admin
  keys new               print a new encryption key for REFERRALS_ENCRYPTION_KEYS
  keys rotate            re-encrypt personal data under the current (first) key;
                         safe to stop and run again
  retention [--dry-run]  anonymise referrals past their retention period now
                         (--dry-run: only count them)
  backup OUT             copy the SQLite database to the new file OUT while it runs
                         (PostgreSQL: pg_dump); keep REFERRALS_ENCRYPTION_KEYS apart
  version                print the version

Every flag has a REFERRALS_* environment variable; see docs/configuration.md
or run "referrals serve -h".
`

// run is the whole program: it returns the process exit code. Everything it
// needs from the outside world is passed in, so tests can run it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = runServe(ctx, args, getenv, stdout, stderr)
	case "migrate":
		err = runMigrate(ctx, args, getenv, stdout, stderr)
	case "import":
		return runImport(ctx, args, getenv, stdout, stderr)
	case "export":
		err = runExport(ctx, args, getenv, stdout, stderr)
	case "feeds":
		return runFeeds(ctx, args, getenv, stdout, stderr)
	case "admin":
		err = runAdmin(ctx, args, getenv, stdout, stderr)
	case "keys":
		err = runKeys(ctx, args, getenv, stdout, stderr)
	case "retention":
		err = runRetention(ctx, args, getenv, stdout, stderr)
	case "backup":
		err = runBackup(ctx, args, getenv, stdout, stderr)
	case "version":
		_, err = fmt.Fprintln(stdout, buildVersion())
	case "help", "-h", "--help":
		_, _ = io.WriteString(stdout, usage)
	default:
		_, _ = fmt.Fprintf(stderr, "referrals: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		_, _ = fmt.Fprintf(stderr, "referrals %s: %v\n", cmd, err)
		return 1
	}
	return 0
}

func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, rest, err := loadConfig("serve", args, getenv, stderr)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(rest, " "))
	}
	log := newLogger(stdout, cfg.LogLevel)
	log.Info("starting", append([]any{slog.String("version", buildVersion())}, cfg.logAttrs()...)...)

	db, err := models.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer func() { _ = models.Close(db) }()
	applied, err := models.MigrateUp(ctx, db)
	if err != nil {
		return err
	}
	log.Info("database ready", slog.String("dialect", string(models.DialectFor(db))), slog.Int("migrations_applied", applied))
	if cfg.Demo {
		loaded, err := models.LoadDemoDirectory(ctx, db)
		if err != nil {
			return err
		}
		if err := models.LoadDemoAccounts(ctx, db); err != nil {
			return err
		}
		log.Info("demo mode", slog.Bool("demo_directory_loaded", loaded))
	}
	if err := models.Optimize(ctx, db); err != nil {
		return err
	}
	keys := cfg.EncryptionKeys
	if keys == nil && cfg.Demo {
		if keys, err = demoKeyring(cfg.DatabaseURL); err != nil {
			return err
		}
		log.Info("demo mode: referrals are encrypted with a development key kept beside the database")
	}
	if err := models.CheckKeys(ctx, db, keys); err != nil {
		return err
	}
	if keys == nil {
		log.Warn("referrals are turned off: set REFERRALS_ENCRYPTION_KEYS (make a key with: referrals keys new)")
	}
	var oidcProvider *handlers.OIDC
	if cfg.OIDCIssuer != "" {
		// Discovery happens once, here: a misconfigured issuer stops the
		// start with a clear error rather than failing every sign-in.
		discoverCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
		oidcProvider, err = handlers.NewOIDC(discoverCtx, cfg.OIDCIssuer, cfg.OIDCClientID, cfg.OIDCClientSecret,
			cfg.BaseURL+"/auth/callback", cfg.OIDCScopes, cfg.OIDCTenants...)
		cancel()
		if err != nil {
			return err
		}
		log.Info("OpenID Provider discovered", slog.String("issuer", cfg.OIDCIssuer))
	}

	// Without a relay, mail is off: pages that would have emailed a link
	// (an invitation) show it to the person instead, which is what a demo
	// needs. make mailpit runs a real local sink for trying email itself.
	var sender mail.Sender = mail.Disabled{}
	switch {
	case cfg.Notify.APIKey != "":
		if sender, err = mail.NewNotify(cfg.Notify); err != nil {
			return err
		}
	case cfg.SMTP.Host != "":
		if sender, err = mail.NewSMTP(cfg.SMTP); err != nil {
			return err
		}
	}
	workdays, err := models.NewWorkdays(cfg.BankHolidays)
	if err != nil {
		return err
	}
	// River logs its own housekeeping at info; only its warnings are ours.
	jobLog := newLogger(stdout, max(cfg.LogLevel, slog.LevelWarn))
	workers := river.NewWorkers()
	periodic := models.ReferralWorkers(workers, db, sender, cfg.BaseURL, log)
	// Referrals exist only with keys; retention runs whenever they do.
	retention := &models.Referrals{DB: db, Keys: keys}
	periodic = append(periodic, models.RetentionJobs(workers, retention, cfg.Retention, log)...)
	periodic = append(periodic, models.ListingReviewJobs(workers, db, sender, cfg.BaseURL,
		time.Duration(cfg.ListingReviewDays)*24*time.Hour, log)...)
	// Registered feeds are harvested when due: the leader looks every
	// minute (docs/import.md, Harvesting).
	river.AddWorker(workers, importer.NewHarvestWorker(db, importer.HarvestOptions{HTTP: harvestHTTP()}, log))
	periodic = append(periodic, importer.HarvestPeriodicJob())
	jobs, err := models.NewJobs(db, models.JobsConfig{Workers: workers, Periodic: periodic, MaxWorkers: 4, Logger: jobLog})
	if err != nil {
		return err
	}
	if err := jobs.Start(ctx); err != nil {
		return err
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
		defer cancel()
		if err := jobs.Stop(stopCtx); err != nil {
			log.Warn("stopping background jobs", slog.String("error", err.Error()))
		}
	}()
	var referrals *models.Referrals
	if keys != nil {
		referrals = &models.Referrals{DB: db, Keys: keys, Jobs: jobs, Workdays: workdays}
	}
	if cfg.Demo && referrals != nil {
		if err := models.LoadDemoReferrals(ctx, referrals); err != nil {
			return err
		}
	}
	h, err := handlers.New(handlers.Options{
		Referrals:           referrals,
		Jobs:                jobs,
		Mail:                sender,
		DB:                  db,
		Logger:              log,
		BaseURL:             cfg.BaseURL,
		Production:          cfg.Production(),
		Demo:                cfg.Demo,
		Version:             buildVersion(),
		TrustedProxies:      cfg.TrustedProxies,
		PostcodeLookupURL:   cfg.PostcodeLookupURL,
		APICacheBytes:       cfg.APICacheMB << 20,
		APICacheMaxStale:    cfg.APICacheMaxStale,
		ListingReviewPeriod: time.Duration(cfg.ListingReviewDays) * 24 * time.Hour,
		OIDC:                oidcProvider,
		SessionIdleTimeout:  cfg.SessionIdleTimeout,
		SessionLifetime:     cfg.SessionLifetime,
		SignInRateLimit:     cfg.SignInRateLimit,
		APIRateLimit:        cfg.APIRateLimit,
		Notices:             cfg.Notices,
	})
	if err != nil {
		return err
	}
	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	go housekeeping(ctx, db, log)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	log.Info("listening", slog.String("addr", ln.Addr().String()), slog.String("url", cfg.BaseURL))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", slog.Duration("timeout", cfg.ShutdownTimeout))
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	sub := "up"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	if sub != "up" && sub != "down" && sub != "status" {
		return fmt.Errorf("unknown migrate command %q: use up, down or status", sub)
	}
	cfg, rest, err := loadConfig("migrate "+sub, args, getenv, stderr)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(rest, " "))
	}
	db, err := models.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer func() { _ = models.Close(db) }()
	switch sub {
	case "up":
		n, err := models.MigrateUp(ctx, db)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "applied %d migration(s)\n", n)
		return err
	case "down":
		rolled, err := models.MigrateDown(ctx, db)
		if err != nil {
			return err
		}
		if !rolled {
			_, err = fmt.Fprintln(stdout, "nothing to roll back")
			return err
		}
		_, err = fmt.Fprintln(stdout, "rolled back 1 migration")
		return err
	case "status":
		st, err := models.MigrationStatuses(ctx, db)
		if err != nil {
			return err
		}
		for _, s := range st {
			state := "pending"
			if s.Applied {
				state = "applied"
			}
			if _, err := fmt.Fprintf(stdout, "%05d  %-8s %s\n", s.Version, state, s.Name); err != nil {
				return err
			}
		}
		return nil
	default:
		return fmt.Errorf("unknown migrate command %q: use up, down or status", sub)
	}
}

// runAdmin is `referrals admin create --email ...`: the way to make the
// first platform admin. It leaves a grant that the first sign-in with that
// email, verified by the OpenID Provider, takes up; an existing user with
// that verified email becomes an admin at once.
func runAdmin(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: referrals admin create --email someone@example.org.uk")
	}
	email, rest := cutFlag(args[1:], "email", "")
	if email == "" {
		return errors.New("usage: referrals admin create --email someone@example.org.uk")
	}
	cfg, extra, err := loadConfig("admin create", rest, getenv, stderr)
	if err != nil {
		return err
	}
	if len(extra) > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(extra, " "))
	}
	db, err := models.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer func() { _ = models.Close(db) }()
	if _, err := models.MigrateUp(ctx, db); err != nil {
		return err
	}
	if err := models.CreateAdminGrant(ctx, db, email); err != nil {
		var ve *models.ValidationError
		if errors.As(err, &ve) {
			return fmt.Errorf("%q is not an email address", email)
		}
		return err
	}
	_, err = fmt.Fprintf(stdout, "The first person to sign in with the verified email %s will be a platform admin.\n", strings.ToLower(email))
	return err
}

// housekeeping removes expired sessions and old rate-limit counters every
// ten minutes until ctx ends. Every replica does it; the deletes are
// idempotent. (Background work moves to River jobs when they arrive.)
func housekeeping(ctx context.Context, db *gorm.DB, log *slog.Logger) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	store := models.NewSessionStore(db)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n, err := store.DeleteExpired(ctx); err != nil {
			log.Warn("housekeeping: sessions", slog.Any("error", err))
		} else if n > 0 {
			log.Info("housekeeping: expired sessions removed", slog.Int64("count", n))
		}
		if err := models.DeleteOldRateLimits(ctx, db, time.Now().Add(-time.Hour)); err != nil {
			log.Warn("housekeeping: rate limits", slog.Any("error", err))
		}
	}
}

// cutFlag takes a command's own string flag (--name value or --name=value)
// out of args and returns its value (def when absent) and the rest, which
// go on to loadConfig's shared flags.
func cutFlag(args []string, name, def string) (string, []string) {
	value := def
	var rest []string
	for i := 0; i < len(args); i++ {
		switch {
		case args[i] == "--"+name && i+1 < len(args):
			value = args[i+1]
			i++
		case strings.HasPrefix(args[i], "--"+name+"="):
			value = strings.TrimPrefix(args[i], "--"+name+"=")
		default:
			rest = append(rest, args[i])
		}
	}
	return value, rest
}

// openMigrated opens the configured database and brings its schema up to
// date, for commands that work on it.
func openMigrated(ctx context.Context, cfg Config) (*gorm.DB, error) {
	db, err := models.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if _, err := models.MigrateUp(ctx, db); err != nil {
		_ = models.Close(db)
		return nil, err
	}
	return db, nil
}

// runKeys prints a new key, named by the day, for REFERRALS_ENCRYPTION_KEYS,
// or re-encrypts everything under the current key.
func runKeys(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	const usage = "usage: referrals keys new | referrals keys rotate"
	if len(args) == 0 {
		return errors.New(usage)
	}
	switch args[0] {
	case "new":
		if len(args) != 1 {
			return errors.New(usage)
		}
		_, err := fmt.Fprintf(stdout, "k%s:%s\n", time.Now().UTC().Format("20060102"), models.NewKey())
		return err
	case "rotate":
	default:
		return errors.New(usage)
	}
	cfg, extra, err := loadConfig("keys rotate", args[1:], getenv, stderr)
	if err != nil {
		return err
	}
	if len(extra) > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(extra, " "))
	}
	keys := cfg.EncryptionKeys
	if keys == nil && cfg.Demo {
		if keys, err = demoKeyring(cfg.DatabaseURL); err != nil {
			return err
		}
	}
	if keys == nil {
		return errors.New("REFERRALS_ENCRYPTION_KEYS is not set: list the new key first, then the old ones")
	}
	db, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() { _ = models.Close(db) }()
	res, err := (&models.Referrals{DB: db, Keys: keys}).RotateKeys(ctx)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "re-encrypted under %s: %d referrals, %d history entries, %d notes\nkey ids in use: %s\n",
		keys.Current(), res.Referrals, res.Events, res.Notes, strings.Join(res.Remaining, ", "))
	if err == nil && len(res.Remaining) <= 1 {
		_, err = fmt.Fprintln(stdout, "Every key but the current one can now be removed from REFERRALS_ENCRYPTION_KEYS (keep copies while backups made with them exist).")
	}
	return err
}

// runRetention anonymises referrals past their retention period now, as
// the daily job does, or with --dry-run counts them.
func runRetention(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	dry := false
	var rest []string
	for _, a := range args {
		if a == "--dry-run" || a == "-dry-run" {
			dry = true
			continue
		}
		rest = append(rest, a)
	}
	cfg, extra, err := loadConfig("retention", rest, getenv, stderr)
	if err != nil {
		return err
	}
	if len(extra) > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(extra, " "))
	}
	db, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() { _ = models.Close(db) }()
	res, err := (&models.Referrals{DB: db}).ApplyRetention(ctx, cfg.Retention, models.Now(), dry)
	if err != nil {
		return err
	}
	verb := "anonymised"
	if dry {
		verb = "would anonymise"
	}
	_, err = fmt.Fprintf(stdout, "retention (%s): %s %d referral(s)\n", cfg.Retention, verb, res.Total())
	for _, st := range models.FinalStatuses {
		if err == nil {
			_, err = fmt.Fprintf(stdout, "  %-13s %d\n", st, res.Counts[st])
		}
	}
	return err
}

// demoKeyring returns the demo's development key, kept in a file beside the
// SQLite database (or in ./data for PostgreSQL) so that referrals made in
// one run still open in the next. It is for demonstrations only: a real
// deployment's keys come from REFERRALS_ENCRYPTION_KEYS, and production
// refuses demo mode.
func demoKeyring(databaseURL string) (*models.Keyring, error) {
	dir := "data"
	if models.DialectOf(databaseURL) == models.SQLite {
		p := models.SQLitePath(databaseURL)
		if p == ":memory:" {
			return models.ParseKeyring("demo:" + models.NewKey())
		}
		dir = filepath.Dir(p)
	}
	path := filepath.Join(dir, "demo-encryption.keys")
	b, err := os.ReadFile(path) // #nosec G304 -- the path is the operator's own data folder
	if errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("demo encryption key: %w", err)
		}
		b = []byte("demo:" + models.NewKey() + "\n")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return nil, fmt.Errorf("demo encryption key: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("demo encryption key: %w", err)
	}
	return models.ParseKeyring(strings.TrimSpace(string(b)))
}
