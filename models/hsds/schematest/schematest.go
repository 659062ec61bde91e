// Package schematest validates JSON against the official HSDS 3.0 and Open
// Referral UK 3.0 schemas, resolved offline from the project's shared
// reference folder (../shared/openreferral beside the repository).
package schematest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The URL prefixes the schemas' $ref values use, and the folders under
// shared/openreferral that hold the same files.
const (
	ORUKPrefix = "https://openreferraluk.org/specifications/3.0/schema/"
	HSDSPrefix = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
	// ORUKv1Prefix names the ORUK 1.0 schemas (draft-07, self-contained),
	// which the files themselves give no address for.
	ORUKv1Prefix = "https://openreferraluk.org/specifications/1.0/schema/"
)

// SharedDir finds the shared reference folder by walking up from the
// working directory. Without it the test skips, or fails when CI=true.
func SharedDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		candidate := filepath.Join(dir, "shared", "openreferral")
		if st, err := os.Stat(candidate); err == nil && st.IsDir() {
			return filepath.Join(dir, "shared")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true but the shared reference folder (shared/openreferral) was not found above the working directory")
	}
	t.Skip("the shared reference folder (shared/openreferral) is not beside the repository; schema tests skipped")
	return ""
}

type dirLoader map[string]string

func (l dirLoader) Load(url string) (any, error) {
	for prefix, dir := range l {
		if name, ok := strings.CutPrefix(url, prefix); ok {
			f, err := os.Open(filepath.Join(dir, filepath.FromSlash(name))) //nolint:gosec // schema files named by the schemas' own $refs, in the reference folder
			if err != nil {
				return nil, err
			}
			defer f.Close()
			return jsonschema.UnmarshalJSON(f)
		}
	}
	return nil, fmt.Errorf("schematest: no local copy of %s", url)
}

var (
	mu       sync.Mutex
	compiled = map[string]*jsonschema.Schema{}
)

// Schema compiles (once) the schema at prefix+name.
func Schema(t testing.TB, prefix, name string) *jsonschema.Schema {
	t.Helper()
	shared := SharedDir(t)
	mu.Lock()
	defer mu.Unlock()
	if s, ok := compiled[prefix+name]; ok {
		return s
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.UseLoader(dirLoader{
		ORUKPrefix:   filepath.Join(shared, "openreferral", "oruk", "specifications", "3.0", "schema"),
		HSDSPrefix:   filepath.Join(shared, "openreferral", "hsds3", "3.0", "schema"),
		ORUKv1Prefix: filepath.Join(shared, "openreferral", "oruk", "specifications", "1.0", "schema"),
	})
	s, err := c.Compile(prefix + name)
	if err != nil {
		t.Fatalf("compile %s: %v", name, err)
	}
	compiled[prefix+name] = s
	return s
}

// Check validates a JSON document against a schema.
func Check(s *jsonschema.Schema, doc []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return s.Validate(v)
}

// Validate checks a JSON document against a schema and reports every error.
func Validate(t testing.TB, s *jsonschema.Schema, what string, doc []byte) bool {
	t.Helper()
	if err := Check(s, doc); err != nil {
		msg := err.Error()
		if len(msg) > 1500 {
			msg = msg[:1500] + "…"
		}
		t.Errorf("%s does not validate against %s:\n%s", what, s.Location, msg)
		return false
	}
	return true
}
