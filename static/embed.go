// Package static holds the site's CSS, JavaScript and images, embedded in the
// binary so that one file is the whole deployment: no asset directory to copy
// next to it, and no Node or npm at build or run time. The vendored files are
// rebuilt from npm by build.sh (make assets) and committed; see README.md.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"sync"
)

// FS holds the files served under /static/. Vendored files carry their
// upstream version in their names.
//
//go:embed app.css app.js htmx-2.0.11.min.js govuk-frontend-5.14.0.min.js assets
var FS embed.FS

var (
	versionsOnce sync.Once
	versions     map[string]string
)

// Version returns a short content hash of the embedded file at name (a path in
// FS such as "app.css"), for cache-busting URLs like /static/app.css?v=3f2a9c01be.
// It returns "" if there is no such file. The hashes are computed on first use.
func Version(name string) string {
	versionsOnce.Do(func() { versions = hashAll(FS) })
	return versions[name]
}

// hashAll returns the first 10 hex digits of the SHA-256 of every file in fsys.
func hashAll(fsys fs.FS) map[string]string {
	m := make(map[string]string)
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		m[path] = hex.EncodeToString(sum[:])[:10]
		return nil
	})
	if err != nil {
		// An embed.FS is read-only memory: walking it cannot fail.
		panic("static: hashing embedded files: " + err.Error())
	}
	return m
}

// OpenAPI is the Open Referral UK 3.0 OpenAPI document (from
// openreferraluk.org, CC BY-SA 4.0), which the API serves with this
// server's URL filled in.
//
//go:embed oruk/openapi-3.0.json
var OpenAPI []byte
