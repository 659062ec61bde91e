package importer

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
	"github.com/openreferral-uk/referrals/models/hsds"
)

// sliceSource serves services from memory.
type sliceSource struct {
	format Format
	items  []hsds.Service
}

func (s *sliceSource) Format() Format {
	if s.format == FormatAuto {
		return FormatHSDSJSON
	}
	return s.format
}

func (s *sliceSource) Walk(ctx context.Context, yield func(Item) error) error {
	for i := range s.items {
		// Each run gets its own copy: cleaning changes what it is given.
		b, _ := json.Marshal(s.items[i])
		var svc hsds.Service
		_ = json.Unmarshal(b, &svc)
		if err := yield(Item{Service: &svc, Where: "item " + strconv.Itoa(i+1)}); err != nil {
			return err
		}
	}
	return nil
}

// sharedDir finds ../shared/openreferral above the repository. Without it
// the test skips, or fails in CI.
func sharedDir(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		p := filepath.Join(d, "shared", "openreferral")
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			return p
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	dbtest.SkipOrFail(t, "shared/openreferral (the Open Referral examples and mocks) was not found above the repository")
	return ""
}

// run imports src and fails the test on an error.
func run(t *testing.T, db *gorm.DB, src Source, opts Options) *Report {
	t.Helper()
	if opts.Source == "" {
		opts.Source = "feed:test"
	}
	rep, err := Run(context.Background(), db, src, opts)
	if err != nil {
		t.Fatalf("import: %v\nproblems: %+v", err, rep.Problems)
	}
	checkForeignKeys(t, db)
	return rep
}

// checkForeignKeys fails the test if any row of the database refers to a
// row that does not exist. SQLite imports run without foreign-key
// enforcement (PostgreSQL's enforces them as ever), so this is what proves
// the importer resolves every reference itself.
func checkForeignKeys(t *testing.T, db *gorm.DB) {
	t.Helper()
	if models.DialectFor(db) != models.SQLite {
		return
	}
	var bad []map[string]any
	if err := db.Raw("PRAGMA foreign_key_check").Scan(&bad).Error; err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Fatalf("foreign keys broken after import: %v", bad)
	}
}

// counts returns the number of rows of every directory table.
func counts(t *testing.T, db *gorm.DB) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, table := range []string{"organizations", "organization_identifiers", "services", "locations", "addresses",
		"accessibilities", "service_at_locations", "contacts", "phones", "schedules", "taxonomies", "taxonomy_terms",
		"attributes", "service_areas", "languages", "cost_options", "fundings", "required_documents", "import_records"} {
		var n int64
		if err := db.Table(table).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

// dump returns every directory row as text, for comparing whole databases:
// all columns but last_seen_at, which every run moves, and those named.
func dump(t *testing.T, db *gorm.DB, without ...string) string {
	without = append(without, "last_seen_at")
	t.Helper()
	var b strings.Builder
	for table := range counts(t, db) {
		dumpTable(t, db, table, without, &b)
	}
	lines := strings.Split(b.String(), "\n")
	slicesSort(lines)
	return strings.Join(lines, "\n")
}

func dumpTable(t *testing.T, db *gorm.DB, table string, without []string, b *strings.Builder) {
	t.Helper()
	rows, err := db.Table(table).Order(orderOf(table)).Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(b, "%s:", table)
		for i, c := range cols {
			if slices.Contains(without, c) {
				continue
			}
			fmt.Fprintf(b, " %s=%v", c, vals[i])
		}
		b.WriteByte('\n')
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

func orderOf(table string) string {
	if table == "import_records" {
		return "source, record_type, record_id"
	}
	return "id"
}

// v1Feed is a realistic ORUK v1 council feed: n services, paged as ORUK v1
// APIs page them, with the faults real feeds have (see councilService).
type v1Feed struct {
	n, perPage int
	zeroBased  bool // pages count from 0, as Spring Data's do
	services   []map[string]any
	requests   atomic.Int64
	agents     atomic.Value
	// fail, when set with setFail, decides the status of a request before
	// it is served.
	fail func(r *http.Request) (int, string)
	// edit changes a service as a later version of the feed would; set it
	// with setEdit.
	edit    func(i int, s map[string]any)
	mu      sync.Mutex
	built   []map[string]any
	encoded map[string][]byte
}

func (f *v1Feed) setFail(fail func(r *http.Request) (int, string)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = fail
}

func (f *v1Feed) setEdit(edit func(i int, s map[string]any)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.edit, f.built = edit, nil
}

// current returns the services as the feed now publishes them, and each
// one's JSON by id.
func (f *v1Feed) current() ([]map[string]any, map[string][]byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.built == nil {
		f.encoded = map[string][]byte{}
		for i, s := range f.services {
			b, _ := json.Marshal(s)
			var c map[string]any
			_ = json.Unmarshal(b, &c)
			if f.edit != nil {
				f.edit(i, c)
			}
			f.built = append(f.built, c)
			if _, dup := f.encoded[fmt.Sprint(s["id"])]; !dup {
				f.encoded[fmt.Sprint(s["id"])], _ = json.Marshal(c)
			}
		}
	}
	return f.built, f.encoded
}

func newV1Feed(n, perPage int) *v1Feed {
	f := &v1Feed{n: n, perPage: perPage}
	for i := range n {
		f.services = append(f.services, councilService(i))
	}
	return f
}

func (f *v1Feed) serve(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.requests.Add(1)
		f.agents.Store(r.UserAgent())
		f.mu.Lock()
		fail := f.fail
		f.mu.Unlock()
		if fail != nil {
			if status, after := fail(r); status != 0 {
				if after != "" {
					w.Header().Set("Retry-After", after)
				}
				http.Error(w, "try later", status)
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		services, byID := f.current()
		if id, ok := strings.CutPrefix(r.URL.Path, "/api/services/"); ok {
			if b, ok := byID[id]; ok {
				_, _ = w.Write(b)
				return
			}
			http.NotFound(w, r)
			return
		}
		if r.URL.Path != "/api/services" {
			http.NotFound(w, r)
			return
		}
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if f.zeroBased {
			page++ // the rest of this handler counts from 1
		}
		if page < 1 {
			page = 1
		}
		per := f.perPage
		total := (len(services) + per - 1) / per
		content := []map[string]any{} // an empty page says [], not null
		for i := (page - 1) * per; i < min(page*per, len(services)); i++ {
			s := services[i]
			// List items carry a subset of the record, as v1 APIs do.
			content = append(content, map[string]any{"id": s["id"], "name": s["name"], "organization": s["organization"]})
		}
		number := page
		if f.zeroBased {
			number--
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"totalElements": len(services), "totalPages": total,
			"number": number, "size": len(content), "first": page == 1, "last": page >= total, "empty": len(content) == 0,
			"content": content})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// councilID is the id the council feed gives service i.
func councilID(i int) any {
	switch i % 10 {
	case 0:
		return 1500 + i // a number, as many v1 feeds send
	case 1:
		return fmt.Sprintf("00000000-0000-0000-0000-%012d", i) // UUID-shaped, not RFC 4122
	}
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", 0x5a000000+i, i%0xffff, i%0xfff, (i*7)%0xfff, i*7919)
}

// councilService is service i of a realistic council feed. Most are clean; some
// have the faults real v1 feeds have: numeric ids, UUID-shaped ids that are
// not RFC 4122, "" and null for empty fields, HTML in descriptions, web
// addresses without a scheme, invalid emails, coordinates of 0,0, ages the
// wrong way round, amounts as text, shared schedule ids, and no status at
// all (v1 has none). Every 41st has no name and every 43rd repeats an
// earlier id: those two are skipped.
func councilService(i int) map[string]any {
	id := councilID(i)
	if councilFault(i) == "repeats an id" {
		id = councilID(i - 1)
	}
	org := i % 12
	desc := fmt.Sprintf("Support with housing, money and wellbeing for residents of Kirklees (service %d).", i)
	if i%7 == 0 {
		desc = fmt.Sprintf("<p>Drop-in <strong>advice</strong> sessions &amp; support.</p><script>alert(%d)</script>", i)
	}
	s := map[string]any{
		"id": id, "name": fmt.Sprintf("Community support service %d", i), "description": desc,
		"url": fmt.Sprintf("https://www.kirklees.gov.uk/services/%d", i), "email": fmt.Sprintf("service%d@kirklees.gov.uk", i),
		"fees": "Free", "accreditations": nil, "deliverable_type": "Advice", "attending_type": "venue", "attending_access": "drop-in",
		"assured_date": "2024-03-01",
		"organization": map[string]any{"id": fmt.Sprintf("%08x-1111-4111-8111-%012d", org, org), "name": fmt.Sprintf("Kirklees Voluntary Group %d", org),
			"description": "A local charity.", "url": fmt.Sprintf("https://group%d.example.org.uk", org),
			"email": fmt.Sprintf("hello@group%d.example.org.uk", org), "logo": nil, "uri": fmt.Sprintf("https://group%d.example.org.uk/", org)},
		"contacts": []any{map[string]any{"id": fmt.Sprintf("c-%d", i), "name": "Duty officer", "title": "Adviser",
			"phones": []any{map[string]any{"id": fmt.Sprintf("p-%d", i), "number": "01484 221000"}}}},
		"cost_options":      []any{},
		"eligibilitys":      []any{map[string]any{"id": fmt.Sprintf("e-%d", i), "eligibility": "Adults", "minimum_age": 18, "maximum_age": 99}},
		"fundings":          []any{map[string]any{"id": fmt.Sprintf("f-%d", i), "source": "Kirklees Council"}},
		"holiday_schedules": []any{},
		"languages":         []any{map[string]any{"id": fmt.Sprintf("l-%d", i), "language": "English"}},
		"regular_schedules": []any{map[string]any{"id": strconv.Itoa(i % 5), // ids shared between services
			"opens_at": "09:00:00", "closes_at": "17:00:00", "freq": "WEEKLY", "byday": "MO,TU,WE"}},
		"service_areas": []any{map[string]any{"id": fmt.Sprintf("a-%d", i), "service_area": "Kirklees", "uri": "http://statistics.data.gov.uk/id/statistical-geography/E08000034"}},
		"service_at_locations": []any{map[string]any{"id": fmt.Sprintf("sal-%d", i), "location": map[string]any{
			"id": fmt.Sprintf("loc-%d", i/2), "name": fmt.Sprintf("Town Hall annexe %d", i/2), "description": "",
			"latitude": 53.645 + float64(i%50)*0.001, "longitude": -1.78 - float64(i%40)*0.001,
			"physical_addresses": []any{map[string]any{"id": fmt.Sprintf("addr-%d", i/2), "address_1": fmt.Sprintf("%d High Street", i/2+1),
				"city": "Huddersfield", "state_province": "West Yorkshire", "postal_code": "HD1 2TA", "country": "GB"}},
			"accessibility_for_disabilities": []any{map[string]any{"id": fmt.Sprintf("acc-%d", i/2), "accessibility": "Wheelchair access"}}}}},
		"service_taxonomys": []any{map[string]any{"id": fmt.Sprintf("st-%d", i), "taxonomy": map[string]any{
			"id": fmt.Sprintf("esd:%d", 100+i%6), "name": []string{"Debt advice", "Housing", "Food banks", "Benefits", "Carers", "Mental health"}[i%6],
			"vocabulary": "esdServiceTypes", "parent": nil}}},
	}
	if org%3 == 0 { // "" for empty fields
		o := s["organization"].(map[string]any)
		o["email"], o["uri"] = "", ""
	}
	switch councilFault(i) {
	case "no name":
		s["name"] = ""
	case "bad email":
		s["email"] = "not an email"
	case "url without a scheme":
		s["url"] = "www.kirklees.gov.uk/advice" // no scheme
	case "url not a url":
		s["url"] = "n/a"
	case "status in capitals":
		s["status"] = "Temporarily Closed"
	case "status not HSDS":
		s["status"] = "closed" // not an HSDS status
	case "no organisation":
		delete(s, "organization")
	case "null island":
		loc := s["service_at_locations"].([]any)[0].(map[string]any)["location"].(map[string]any)
		loc["latitude"], loc["longitude"] = 0, 0
	case "ages the wrong way round":
		s["eligibilitys"] = []any{map[string]any{"id": "e", "eligibility": "Older people", "minimum_age": 65, "maximum_age": 18}}
	case "amount as text":
		s["cost_options"] = []any{map[string]any{"id": fmt.Sprintf("co-%d", i), "option": "Session", "amount": "£5"}}
	}
	return s
}

// councilFault names the fault, if any, that councilService gives service i
// beyond those every record may have (a numeric or non-RFC 4122 id, HTML in
// its description, "" for its organisation's empty fields, shared schedule
// ids).
func councilFault(i int) string {
	switch {
	case i%41 == 40:
		return "no name"
	case i%43 == 42:
		return "repeats an id"
	case i%11 == 3:
		return "bad email"
	case i%13 == 4:
		return "url without a scheme"
	case i%17 == 5:
		return "url not a url"
	case i%19 == 6:
		return "status in capitals"
	case i%23 == 7:
		return "status not HSDS"
	case i%29 == 8:
		return "no organisation"
	case i%31 == 9:
		return "null island"
	case i%37 == 10:
		return "ages the wrong way round"
	case i%47 == 11:
		return "amount as text"
	}
	return ""
}

func slicesSort(s []string) { slices.Sort(s) }

// httptestServer serves h for the length of the test and returns its URL.
func httptestServer(t *testing.T, h http.HandlerFunc) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
