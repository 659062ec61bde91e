package static_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"html"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/openreferral-uk/referrals/static"
)

// The files the pages link to by name.
var wantFiles = []string{
	"app.css",
	"app.js",
	"htmx-2.0.11.min.js",
	"govuk-frontend-5.14.0.min.js",
	"assets/images/favicon.svg",
}

func embeddedFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := fs.WalkDir(static.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestFilesPresentAndNonEmpty(t *testing.T) {
	for _, name := range wantFiles {
		if _, err := fs.Stat(static.FS, name); err != nil {
			t.Errorf("%s is not embedded: %v", name, err)
		}
	}
	for _, name := range embeddedFiles(t) {
		b, err := fs.ReadFile(static.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) == 0 {
			t.Errorf("%s is empty", name)
		}
	}
}

func TestVersion(t *testing.T) {
	seen := make(map[string]string)
	for _, name := range embeddedFiles(t) {
		v := static.Version(name)
		b, _ := fs.ReadFile(static.FS, name)
		sum := sha256.Sum256(b)
		if want := hex.EncodeToString(sum[:])[:10]; v != want {
			t.Errorf("Version(%q) = %q, want %q", name, v, want)
		}
		if again := static.Version(name); again != v {
			t.Errorf("Version(%q) changed from %q to %q", name, v, again)
		}
		if other, ok := seen[v]; ok {
			t.Errorf("Version(%q) = Version(%q) = %q", name, other, v)
		}
		seen[v] = name
	}
	if v := static.Version("no-such-file.css"); v != "" {
		t.Errorf("Version of a missing file = %q, want empty", v)
	}
}

func TestCSSIsNotGOVUKBranded(t *testing.T) {
	b, err := fs.ReadFile(static.FS, "app.css")
	if err != nil {
		t.Fatal(err)
	}
	css := string(b)
	// Crown and crest images are caught by TestCSSURLsExist.
	for _, banned := range []string{"GDS Transport", "@font-face", "govuk-crest"} {
		if strings.Contains(css, banned) {
			t.Errorf("app.css contains %q", banned)
		}
	}
}

// Every url() in app.css must be a data: URI or a file in FS: the
// Content-Security-Policy blocks other origins, and a missing file is a 404 on
// every page that shows the rule.
func TestCSSURLsExist(t *testing.T) {
	b, err := fs.ReadFile(static.FS, "app.css")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`url\(\s*["']?([^"')]*)`).FindAllStringSubmatch(string(b), -1) {
		u := m[1]
		if strings.HasPrefix(u, "data:") {
			continue
		}
		name, ok := strings.CutPrefix(u, "/static/")
		if !ok {
			t.Errorf("app.css refers to %q, outside /static/", u)
			continue
		}
		name, _, _ = strings.Cut(name, "?")
		if strings.Contains(strings.ToLower(name), "crown") || strings.Contains(strings.ToLower(name), "crest") {
			t.Errorf("app.css refers to %q", u)
		}
		if _, err := fs.Stat(static.FS, name); err != nil {
			t.Errorf("app.css refers to %q, which is not embedded", u)
		}
	}
}

// The htmx-config meta tag in README.md is the one the pages copy: it must be
// valid JSON, and each key must be a setting of the embedded htmx, which
// ignores unknown keys without a word.
func TestHTMXConfigMetaTag(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`<meta name="htmx-config" content='([^']*)'>`).FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no htmx-config meta tag")
	}
	var config map[string]json.RawMessage
	if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &config); err != nil {
		t.Fatalf("htmx-config is not JSON: %v", err)
	}
	htmx, err := fs.ReadFile(static.FS, "htmx-2.0.11.min.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"includeIndicatorStyles", "allowEval", "responseHandling"} {
		if _, ok := config[key]; !ok {
			t.Errorf("htmx-config does not set %s", key)
		}
	}
	for key := range config {
		if !strings.Contains(string(htmx), key+":") {
			t.Errorf("htmx-config key %s is not an htmx 2.0.11 setting", key)
		}
	}
}
