package importer

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestOpenDetectsFormats opens each kind of input and checks the format it
// is read as and the services it holds.
func TestOpenDetectsFormats(t *testing.T) {
	ex := filepath.Join(sharedDir(t), "hsds3", "3.0", "examples")
	dir := t.TempDir()
	write := func(name string, v any) string {
		p := filepath.Join(dir, name)
		_ = os.MkdirAll(filepath.Dir(p), 0o750)
		b, _ := json.Marshal(v)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	v1Page := map[string]any{"totalElements": 2, "totalPages": 1, "number": 1, "first": true, "last": true,
		"content": []any{councilService(2), councilService(3)}}
	write("pages/1.json", map[string]any{"total_items": 2, "total_pages": 2, "page_number": 1, "contents": []any{map[string]any{"id": "a", "name": "A"}}})
	write("pages/2.json", map[string]any{"total_items": 2, "total_pages": 2, "page_number": 2, "contents": []any{map[string]any{"id": "b", "name": "B"}}})

	// A zip of the data package, wrapped in one folder as zips often are.
	zipPath := filepath.Join(dir, "package.zip")
	zf, _ := os.Create(zipPath)
	zw := zip.NewWriter(zf)
	entries, _ := os.ReadDir(filepath.Join(ex, "csv"))
	for _, e := range entries {
		w, _ := zw.Create("hsds-example/" + e.Name())
		f, _ := os.Open(filepath.Join(ex, "csv", e.Name()))
		_, _ = io.Copy(w, f)
		f.Close()
	}
	_ = zw.Close()
	_ = zf.Close()

	for _, c := range []struct {
		input  string
		format Format
		want   int
	}{
		{filepath.Join(ex, "service_full.json"), FormatHSDSJSON, 1},
		{write("v1.json", v1Page), FormatORUKv1JSON, 2},
		{write("v1-array.json", []any{councilService(4)}), FormatORUKv1JSON, 1},
		{filepath.Join(dir, "pages"), FormatHSDSJSON, 2},
		{filepath.Join(ex, "csv"), FormatTabular, 1},
		{zipPath, FormatTabular, 1},
	} {
		src, closeSrc, err := Open(context.Background(), c.input, OpenOptions{})
		if err != nil {
			t.Fatalf("%s: %v", c.input, err)
		}
		items, err := walk(t, src)
		_ = closeSrc()
		if err != nil {
			t.Fatalf("%s: %v", c.input, err)
		}
		if src.Format() != c.format || len(items) != c.want {
			t.Errorf("%s: format %s with %d items, want %s with %d", c.input, src.Format(), len(items), c.format, c.want)
		}
	}

	// --format overrides detection, and refuses what cannot be.
	src, _, err := Open(context.Background(), filepath.Join(dir, "v1.json"), OpenOptions{Format: FormatHSDSJSON})
	if err != nil || src.Format() != FormatHSDSJSON {
		t.Errorf("forced format: %v %v", err, src)
	}
	if _, _, err := Open(context.Background(), filepath.Join(dir, "v1.json"), OpenOptions{Format: FormatTabular}); !errors.Is(err, ErrInput) {
		t.Errorf("a JSON file as a data package: %v", err)
	}
	if _, _, err := Open(context.Background(), filepath.Join(dir, "missing.json"), OpenOptions{}); !errors.Is(err, ErrInput) {
		t.Errorf("a missing file: %v", err)
	}
}

// TestZipRefusesPathsOutside: a zip entry may not land outside the folder
// it is unpacked into.
func TestZipRefusesPathsOutside(t *testing.T) {
	p := filepath.Join(t.TempDir(), "evil.zip")
	f, _ := os.Create(p)
	zw := zip.NewWriter(f)
	w, _ := zw.Create("../outside.csv")
	_, _ = w.Write([]byte("id\n"))
	_ = zw.Close()
	_ = f.Close()
	if _, _, err := Open(context.Background(), p, OpenOptions{}); !errors.Is(err, ErrInput) {
		t.Fatalf("err %v", err)
	}
}
