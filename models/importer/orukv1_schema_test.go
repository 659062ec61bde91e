package importer

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/openreferral-uk/referrals/models/hsds/schematest"
)

// TestCouncilFeedIsORUKv1 holds the test council feed (councilService,
// v1Feed) to the official ORUK 1.0 schemas, so that the feed the importer
// is tested against is ORUK v1 as councils publish it: every record
// without a named fault is valid ORUK 1.0 (apart from "" where a format is
// expected, the fault real feeds have most), each named fault the schema
// can see is invalid (ORUK 1.0 has no cost options, so an amount as text
// is not one), and so is a numeric id; the list pages are ORUK 1.0 pages
// whose items lack nothing the schema requires.
func TestCouncilFeedIsORUKv1(t *testing.T) {
	svc := schematest.Schema(t, schematest.ORUKv1Prefix, "service.json")
	// Where the schema must find each fault it can see.
	visible := map[string]string{"bad email": "/email", "url without a scheme": "/url", "url not a url": "/url",
		"status in capitals": "/status", "status not HSDS": "/status", "no organisation": "/"}
	checked := map[string]int{}
	for i := range 400 {
		s := councilService(i)
		b, _ := json.Marshal(s)
		fault := councilFault(i)
		_, numeric := s["id"].(int)
		err := schematest.Check(svc, b)
		switch {
		case visible[fault] != "" || numeric:
			at := leafErrors(err)
			if want := visible[fault]; want != "" && !slices.Contains(at, want) {
				t.Errorf("service %d (%q): the schema finds faults at %v, not at %s, so the test feed lacks the fault", i, fault, at, want)
			}
			if numeric && !slices.Contains(at, "/id") {
				t.Errorf("service %d: a numeric id is not a fault by the schema (faults at %v)", i, at)
			}
			checked["faulty"]++
		case fault == "":
			// "" for an organisation's email and uri is allowed here: the
			// schema's pattern for uri allows "" but its format does not.
			for _, at := range leafErrors(err) {
				if at != "/organization/email" && at != "/organization/uri" {
					t.Errorf("service %d is not valid ORUK 1.0 at %s:\n%v", i, at, err)
				}
			}
			checked["clean"]++
		}
	}
	if checked["clean"] < 200 || checked["faulty"] < 50 {
		t.Fatalf("checked %v: the feed's mix changed", checked)
	}

	list := schematest.Schema(t, schematest.ORUKv1Prefix, "service_list.json")
	srv := newV1Feed(120, 50).serve(t)
	for _, page := range []string{"1", "3"} {
		res, err := http.Get(srv.URL + "/api/services?page=" + page)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		_ = res.Body.Close()
		// The items' own faults (ids, organisations) are the records'
		// faults, checked above; anything else is the page's.
		for _, at := range leafErrors(schematest.Check(list, b)) {
			if parts := strings.Split(at, "/"); len(parts) < 4 || parts[1] != "content" {
				t.Errorf("page %s of the council feed is not an ORUK 1.0 page at %s", page, at)
			}
		}
	}
}

// leafErrors lists where a validation error's innermost causes are.
func leafErrors(err error) []string {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		if err != nil {
			return []string{err.Error()}
		}
		return nil
	}
	var out []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			out = append(out, "/"+strings.Join(e.InstanceLocation, "/"))
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return out
}
