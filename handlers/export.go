package handlers

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/openreferral-uk/referrals/models"
)

// The whole published directory as one download, for consumers that want a
// copy rather than the paged API: HSDS 3.0 JSON, or an HSDS 3.0 tabular data
// package. Making one reads every published service, so each download is
// built at most once per directory version and kept in a temporary file;
// every request for that version is served from the file (with ETag, ranges
// and HEAD from http.ServeContent). They are not in the API's response cache,
// which holds bodies in memory.

// exportFormat is one download.
type exportFormat struct {
	name        string // file name offered to the browser
	contentType string
	format      string // models.ExportFormat…
}

var (
	exportJSONFormat    = exportFormat{name: "hsds-services.json", contentType: "application/json", format: models.ExportFormatJSON}
	exportPackageFormat = exportFormat{name: "hsds-datapackage.zip", contentType: "application/zip", format: models.ExportFormatDataPackage}
)

// exportBuildTimeout bounds building one download. A directory of 100,000
// services takes about a minute on a small machine; the server's usual
// write timeout is shorter, so it is lifted for these requests.
const exportBuildTimeout = 10 * time.Minute

// exportFile is the latest download of one format.
type exportFile struct {
	mu      sync.Mutex // held while building, so one request builds and the others wait
	path    string
	version int64
	builtAt time.Time
}

// exportFiles are the downloads this process has built.
type exportFiles struct {
	mu    sync.Mutex
	dir   string
	files map[string]*exportFile
}

func (ef *exportFiles) file(name string) (*exportFile, string, error) {
	ef.mu.Lock()
	defer ef.mu.Unlock()
	if ef.dir == "" {
		dir, err := os.MkdirTemp("", "referrals-exports-*")
		if err != nil {
			return nil, "", err
		}
		ef.dir = dir
	}
	if ef.files == nil {
		ef.files = map[string]*exportFile{}
	}
	f, ok := ef.files[name]
	if !ok {
		f = &exportFile{}
		ef.files[name] = f
	}
	return f, ef.dir, nil
}

func (h *Handler) exportJSON(c echo.Context) error { return h.exportDownload(c, exportJSONFormat) }

func (h *Handler) exportDataPackage(c echo.Context) error {
	return h.exportDownload(c, exportPackageFormat)
}

// exportDownload serves the download of one format for the current
// directory version, building it first if it is missing or stale.
func (h *Handler) exportDownload(c echo.Context, format exportFormat) error {
	ctx := c.Request().Context()
	version, err := models.DirectoryVersion(ctx, h.db)
	if err != nil {
		return err
	}
	ef, dir, err := h.exports.file(format.name)
	if err != nil {
		return err
	}
	ef.mu.Lock()
	if ef.path == "" || ef.version != version {
		// A build can outlast the server's write timeout; a failed
		// deadline change (a writer that does not support it) only means
		// the usual timeout applies.
		_ = http.NewResponseController(c.Response().Writer).SetWriteDeadline(time.Now().Add(exportBuildTimeout))
		if err := h.buildExport(ctx, ef, dir, format, version); err != nil {
			ef.mu.Unlock()
			return err
		}
	}
	// Opened under the lock, so that a newer build cannot remove the file
	// first; once open, it stays readable after its removal.
	f, err := os.Open(ef.path)
	builtAt, etag := ef.builtAt, fmt.Sprintf(`"export-%d"`, ef.version)
	ef.mu.Unlock()
	if err != nil {
		return err
	}
	defer f.Close()
	hd := c.Response().Header()
	hd.Set(echo.HeaderContentType, format.contentType)
	hd.Set(echo.HeaderContentDisposition, `attachment; filename="`+format.name+`"`)
	hd.Set("ETag", etag)
	hd.Set("Cache-Control", "public, max-age=300")
	http.ServeContent(c.Response(), c.Request(), format.name, builtAt, f)
	return nil
}

func (h *Handler) buildExport(ctx context.Context, ef *exportFile, dir string, format exportFormat, version int64) error {
	ctx, cancel := context.WithTimeout(ctx, exportBuildTimeout)
	defer cancel()
	tmp, err := os.CreateTemp(dir, "build-*")
	if err != nil {
		return err
	}
	n, err := models.Export(ctx, h.db, format.format, tmp, dir)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("handlers: build %s: %w", format.name, err)
	}
	if ef.path != "" {
		_ = os.Remove(ef.path)
	}
	ef.path, ef.version, ef.builtAt = tmp.Name(), version, time.Now().UTC().Truncate(time.Second)
	h.log.InfoContext(ctx, "export built", "format", format.name, "services", n, "directory_version", version)
	return nil
}
