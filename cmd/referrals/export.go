package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/openreferral-uk/referrals/models"
)

// runExport is `referrals export [--format json|datapackage] OUT`: every
// published service as an HSDS 3.0 JSON array, or as an HSDS 3.0 tabular
// data package in a zip, to a file (written beside it and renamed into
// place, so a failed export never leaves half a file) or to standard output
// with "-".
func runExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	format, rest := cutFlag(args, "format", models.ExportFormatJSON)
	if format != models.ExportFormatJSON && format != models.ExportFormatDataPackage {
		return fmt.Errorf("--format %s is not supported: use json or datapackage", format)
	}
	cfg, extra, err := loadConfig("export", rest, getenv, stderr)
	if err != nil {
		return err
	}
	if len(extra) != 1 {
		return errors.New("usage: referrals export [--format json|datapackage] OUT (a file, or - for standard output)")
	}
	db, err := models.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer func() { _ = models.Close(db) }()
	if _, err := models.MigrateUp(ctx, db); err != nil {
		return err
	}
	out := extra[0]
	// A data package's tables are built beside the output, where there is
	// room for the output itself.
	dir := ""
	if out != "-" {
		dir = filepath.Dir(out)
	}
	export := func(w io.Writer) (int, error) { return models.Export(ctx, db, format, w, dir) }
	if out == "-" {
		bw := bufio.NewWriter(stdout)
		if _, err := export(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".export-*")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }() //nolint:gosec // the operator names the output path on the command line
	bw := bufio.NewWriter(tmp)
	n, err := export(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), out); err != nil { //nolint:gosec // the operator names the output path on the command line
		return err
	}
	_, err = fmt.Fprintf(stderr, "exported %d services to %s\n", n, out)
	return err
}
