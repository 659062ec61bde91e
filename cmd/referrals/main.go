// Command referrals runs the referral platform: the web app, the published
// Open Referral UK API and the commands that look after its database.
//
// Usage:
//
//	referrals [serve] [flags]      serve the app (the default)
//	referrals migrate up|down|status
//	referrals import [flags] SOURCE
//	referrals export [--format json] OUT
//	referrals admin create --email ADDRESS
//	referrals version
//
// Configuration comes from REFERRALS_* environment variables and matching
// flags; docs/configuration.md lists them all.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
