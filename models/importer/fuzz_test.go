package importer

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// jsonStream reports whether b is one or more JSON values, and whether
// every one of them is an array.
func jsonStream(b []byte) (valid, allArrays bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	n := 0
	allArrays = true
	for {
		var v json.RawMessage
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return n > 0, allArrays && n > 0
		}
		if err != nil {
			return false, false
		}
		n++
		if t := bytes.TrimSpace(v); len(t) == 0 || t[0] != '[' {
			allArrays = false
		}
	}
}

// checkItem fails if an item has neither a service nor a reason it was
// skipped, and cleans the service (which must not panic either).
func checkItem(t *testing.T, it Item) {
	if it.Service == nil {
		if len(it.Problems) == 0 {
			t.Fatalf("an item with no service and no problem: %+v", it)
		}
		return
	}
	fuzzCleaner.problems = fuzzCleaner.problems[:0]
	fuzzCleaner.Service(it.Service)
}

// fuzzCleaner is shared: making one compiles the HTML policies, and a fuzz
// target runs one input at a time.
var fuzzCleaner = newCleaner(time.Now())

func FuzzDecodeServices(f *testing.F) {
	for _, s := range []string{
		`{"id":"a","name":"A"}`, `[{"id":"a","name":"A"},{"id":1,"name":null}]`,
		`{"total_items":1,"contents":[{"id":"a","name":"A","service_at_locations":[{"location":{"latitude":"x"}}]}]}`,
		`{"totalElements":1,"content":[{"id":12,"name":"A","regular_schedules":[{"weekday":"Monday"}]}]}`,
		`{"id":"a"}{"id":"b"}`, "[1, \"x\", null]", `{"contents": 5}`, `[{"id":"a","name":"A"`, ``, `null`,
	} {
		f.Add([]byte(s))
	}
	if dir := sharedDirIfPresent(); dir != "" {
		for _, p := range []string{"hsds3/3.0/examples/service_full.json", "oruk/validator/mocks/V3.0-UK-Test/service_list.json"} {
			if b, err := os.ReadFile(filepath.Join(dir, p)); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		err := DecodeJSON(context.Background(), bytes.NewReader(data), FormatAuto, nil, func(it Item) error {
			checkItem(t, it)
			return nil
		})
		valid, arrays := jsonStream(data)
		if !valid && err == nil {
			t.Fatalf("invalid JSON accepted: %q", data)
		}
		if arrays && err != nil {
			t.Fatalf("a stream of arrays refused: %v", err)
		}
		if err != nil && !errors.Is(err, ErrInput) {
			t.Fatalf("error not wrapping ErrInput: %v", err)
		}
	})
}

func FuzzORUKv1(f *testing.F) {
	for i := range 5 {
		b, _ := json.Marshal(councilService(i * 7))
		f.Add(b)
	}
	for _, s := range []string{`{"id":{"x":1},"name":["a"],"eligibilitys":{"minimum_age":"NaN"}}`,
		`{"id":"1","name":"A","service_taxonomys":[{"taxonomy":{"parent":{"id":2}}},7]}`, `[`, `"x"`, `{"regular_schedules":null}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		it := decodeV1Service(data)
		var obj map[string]json.RawMessage
		isObject := json.Unmarshal(data, &obj) == nil && obj != nil
		if isObject != (it.Service != nil) {
			t.Fatalf("object %v, service %v, for %q", isObject, it.Service != nil, data)
		}
		checkItem(t, it)
		err := DecodeJSON(context.Background(), bytes.NewReader(data), FormatORUKv1JSON, nil, func(it Item) error {
			checkItem(t, it)
			return nil
		})
		if valid, _ := jsonStream(data); !valid && err == nil {
			t.Fatalf("invalid JSON accepted: %q", data)
		}
	})
}

// csvReadable reports whether encoding/csv, as the importer configures it,
// reads b to the end and finds at least a header.
func csvReadable(b []byte) bool {
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	n := 0
	for {
		_, err := r.Read()
		if errors.Is(err, io.EOF) {
			return n > 0
		}
		if err != nil {
			return false
		}
		n++
	}
}

func FuzzTabular(f *testing.F) {
	f.Add([]byte("id,name,organization_id\na,Food bank,o\nb,\"Advice, debt\",\n"),
		[]byte("id,service_id,number\np1,a,0113 496 0000\np2,a,\"\"\"+44 1\"\"\"\n"))
	f.Add([]byte("\xef\xbb\xbfid,name\r\na,\"multi\nline\"\r\n"), []byte("id,service_id,number\n"))
	f.Add([]byte("id,name\na,b\"c\n"), []byte(""))
	f.Add([]byte(""), []byte("id\n"))
	f.Fuzz(func(t *testing.T, services, phones []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "services.csv"), services, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "phones.csv"), phones, 0o600); err != nil {
			t.Fatal(err)
		}
		src, err := OpenTabular(dir)
		if err != nil {
			t.Fatal(err)
		}
		err = src.Walk(context.Background(), func(it Item) error {
			checkItem(t, it)
			return nil
		})
		readable := csvReadable(bytes.TrimPrefix(services, []byte("\xef\xbb\xbf"))) && csvReadable(bytes.TrimPrefix(phones, []byte("\xef\xbb\xbf")))
		if readable != (err == nil) {
			t.Fatalf("CSV readable %v, walk error %v\nservices %q\nphones %q", readable, err, services, phones)
		}
	})
}

// sharedDirIfPresent is sharedDir for fuzz seeds, which may go without.
func sharedDirIfPresent() string {
	wd, _ := os.Getwd()
	for d := wd; filepath.Dir(d) != d; d = filepath.Dir(d) {
		if fi, err := os.Stat(filepath.Join(d, "shared", "openreferral")); err == nil && fi.IsDir() {
			return filepath.Join(d, "shared", "openreferral")
		}
	}
	return ""
}

// FuzzOlderTabular fuzzes the older HSDS layout's own tables: the 1.x
// package in testdata/hsds1 with its regular_schedules.csv and taxonomy.csv
// (terms, with parents that may loop) replaced by arbitrary bytes.
func FuzzOlderTabular(f *testing.F) {
	f.Add([]byte("id,service_id,weekday,opens_at\ns,7a0c2d4e-5f60-4718-9a2b-3c4d5e6f7081,7,09:00\n"),
		[]byte("id,name,parent_id,vocabulary\ndebt,Debt,debt,v\n"))
	f.Add([]byte("id,location_id,weekday\nx,9c2e4f60-7182-4930-9c4d-5e6f70819203,-1\n"),
		[]byte("id,name,parent_id\ndebt,Debt,money\nmoney,Money,debt\n"))
	f.Add([]byte(""), []byte("id\n"))
	f.Fuzz(func(t *testing.T, schedules, taxonomy []byte) {
		dir := t.TempDir()
		entries, err := os.ReadDir(filepath.Join("testdata", "hsds1"))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join("testdata", "hsds1", e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			switch e.Name() {
			case "regular_schedules.csv":
				b = schedules
			case "taxonomy.csv":
				b = taxonomy
			}
			if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		src, err := OpenTabular(dir)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		err = src.Walk(context.Background(), func(it Item) error {
			n++
			checkItem(t, it)
			return nil
		})
		readable := csvReadable(bytes.TrimPrefix(schedules, []byte("\xef\xbb\xbf"))) && csvReadable(bytes.TrimPrefix(taxonomy, []byte("\xef\xbb\xbf")))
		if readable != (err == nil) {
			t.Fatalf("CSV readable %v, walk error %v", readable, err)
		}
		if err == nil && n != 2 {
			t.Fatalf("%d services, want the package's 2", n)
		}
	})
}
