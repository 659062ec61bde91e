package importer

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/openreferral-uk/referrals/models/hsds"
)

// Format names an input format.
type Format string

// The formats the importer reads. FormatAuto detects one.
const (
	FormatAuto       Format = ""
	FormatHSDSJSON   Format = "hsds-json"
	FormatORUKv1JSON Format = "oruk-v1-json"
	FormatTabular    Format = "tabular"
	FormatHSDSAPI    Format = "hsds-api"
	FormatORUKv1API  Format = "oruk-v1-api"
)

// Formats lists every format a user may name with --format.
var Formats = []Format{FormatHSDSJSON, FormatORUKv1JSON, FormatTabular, FormatHSDSAPI, FormatORUKv1API}

// ErrInput means the input could not be read as the format it claims or was
// detected as; nothing is written when a run hits it.
var ErrInput = errors.New("importer: unreadable input")

func inputErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInput, fmt.Sprintf(format, args...))
}

// Item is one record read from a source: a service with everything nested
// beneath it (its organisation, locations and taxonomy terms), or, when the
// record could not be decoded at all, only problems.
type Item struct {
	Service *hsds.Service
	// Where locates the record in the input, for problems.
	Where string
	// Problems found while decoding, such as a field of the wrong type.
	Problems []Problem
	// SourceID is the id the source gave the record, when Service is nil.
	SourceID string
	// Terms are taxonomy terms the service's terms need, such as their
	// parents, that the source holds apart from the service.
	Terms []hsds.TaxonomyTerm
}

// Source is somewhere services come from: a file, a folder, a zip or an API.
// Walk streams its records in a stable order and stops at the first error
// yield returns; it returns an error wrapping ErrInput when the input itself
// is unreadable (a syntax error, a missing file, a feed that stops
// answering), which fails the whole run.
type Source interface {
	Format() Format
	Walk(ctx context.Context, yield func(Item) error) error
}

// OpenOptions configures how a source is opened.
type OpenOptions struct {
	// Format forces a format instead of detecting one.
	Format Format
	// HTTP configures live API sources.
	HTTP HTTPOptions
	// TempDir is where a zip is unpacked; os.TempDir() when empty.
	TempDir string
}

// Open returns the source that spec names: an http(s) URL, a folder, a zip
// or a file. Its format is detected unless opts.Format names one. Call the
// returned close function when done: it removes anything Open unpacked.
func Open(ctx context.Context, spec string, opts OpenOptions) (Source, func() error, error) {
	noop := func() error { return nil }
	if opts.Format != FormatAuto && !slices.Contains(Formats, opts.Format) {
		return nil, noop, fmt.Errorf("importer: unknown format %q", opts.Format)
	}
	if strings.HasPrefix(spec, "http://") || strings.HasPrefix(spec, "https://") {
		src, err := OpenAPI(ctx, spec, opts.Format, opts.HTTP)
		return src, noop, err
	}
	fi, err := os.Stat(spec)
	if err != nil {
		return nil, noop, inputErrorf("%v", err)
	}
	if fi.IsDir() {
		src, err := openDir(spec, opts.Format)
		return src, noop, err
	}
	if isZip(spec) {
		dir, err := os.MkdirTemp(opts.TempDir, "referrals-import-*")
		if err != nil {
			return nil, noop, fmt.Errorf("importer: unpack zip: %w", err)
		}
		cleanup := func() error { return os.RemoveAll(dir) }
		if err := unzip(spec, dir); err != nil {
			_ = cleanup()
			return nil, noop, err
		}
		src, err := openDir(dir, opts.Format)
		if err != nil {
			_ = cleanup()
			return nil, noop, err
		}
		return src, cleanup, nil
	}
	switch opts.Format {
	case FormatTabular:
		return nil, noop, inputErrorf("%s is a file: a tabular data package is a folder or a zip", spec)
	case FormatHSDSAPI, FormatORUKv1API:
		return nil, noop, inputErrorf("format %s needs an http(s) URL", opts.Format)
	}
	return &jsonFiles{paths: []string{spec}, format: opts.Format}, noop, nil
}

// openDir opens a folder: a data package when it holds datapackage.json (or
// services.csv), otherwise every *.json file in it, in name order, as saved
// API responses.
func openDir(dir string, format Format) (Source, error) {
	pkgDir, found := findDataPackage(dir)
	if format == FormatTabular || (format == FormatAuto && found) {
		if !found {
			return nil, inputErrorf("%s holds no datapackage.json or services.csv", dir)
		}
		return OpenTabular(pkgDir)
	}
	if format == FormatHSDSAPI || format == FormatORUKv1API {
		return nil, inputErrorf("format %s needs an http(s) URL", format)
	}
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".json") {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return nil, inputErrorf("%v", err)
	}
	if len(paths) == 0 {
		return nil, inputErrorf("%s holds no .json files and no datapackage.json", dir)
	}
	slices.Sort(paths)
	return &jsonFiles{paths: paths, format: format}, nil
}

// findDataPackage looks for a data package in dir or, as zips often wrap
// their files in one folder, in its only subfolder.
func findDataPackage(dir string) (string, bool) {
	has := func(d string) bool {
		for _, name := range []string{"datapackage.json", "services.csv"} {
			if _, err := os.Stat(filepath.Join(d, name)); err == nil {
				return true
			}
		}
		return false
	}
	if has(dir) {
		return dir, true
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", false
	}
	var sub []string
	for _, e := range entries {
		if e.IsDir() {
			sub = append(sub, filepath.Join(dir, e.Name()))
		}
	}
	if len(sub) == 1 && has(sub[0]) {
		return sub[0], true
	}
	return "", false
}

func isZip(path string) bool {
	f, err := os.Open(path) //nolint:gosec // the path is what the operator asked to import
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [4]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil {
		return false
	}
	return bytes.Equal(magic[:], []byte("PK\x03\x04"))
}

// maxUnzipped bounds what a zip may unpack to, against zip bombs.
const maxUnzipped = 8 << 30

// unzip unpacks the files of a zip into dir, refusing paths that would land
// outside it.
func unzip(path, dir string) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return inputErrorf("open zip %s: %v", path, err)
	}
	defer zr.Close()
	var total int64
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		name := filepath.Clean(filepath.FromSlash(f.Name))
		if filepath.IsAbs(name) || name == ".." || strings.HasPrefix(name, ".."+string(filepath.Separator)) {
			return inputErrorf("zip entry %q is outside the archive", f.Name)
		}
		dst := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return fmt.Errorf("importer: unpack zip: %w", err)
		}
		rc, err := f.Open()
		if err != nil {
			return inputErrorf("zip entry %s: %v", f.Name, err)
		}
		out, err := os.Create(dst) //nolint:gosec // dst is checked above to be inside dir
		if err != nil {
			rc.Close()
			return fmt.Errorf("importer: unpack zip: %w", err)
		}
		n, err := io.Copy(out, io.LimitReader(rc, maxUnzipped-total+1))
		rc.Close()
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return inputErrorf("zip entry %s: %v", f.Name, err)
		}
		total += n
		if total > maxUnzipped {
			return inputErrorf("zip unpacks to more than %d bytes", int64(maxUnzipped))
		}
	}
	return nil
}

// jsonFiles reads services from JSON files, one after another.
type jsonFiles struct {
	paths    []string
	format   Format
	detected Format
}

func (s *jsonFiles) Format() Format {
	if s.format != FormatAuto {
		return s.format
	}
	if s.detected != FormatAuto {
		return s.detected
	}
	return FormatHSDSJSON
}

func (s *jsonFiles) Walk(ctx context.Context, yield func(Item) error) error {
	for _, p := range s.paths {
		f, err := os.Open(p) //nolint:gosec // a file the operator asked to import
		if err != nil {
			return inputErrorf("%v", err)
		}
		base := filepath.Base(p)
		err = DecodeJSON(ctx, bufio.NewReaderSize(f, 1<<16), s.format, func(format Format) {
			if s.detected == FormatAuto {
				s.detected = format
			}
		}, func(it Item) error {
			it.Where = base + " " + it.Where
			return yield(it)
		})
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}
