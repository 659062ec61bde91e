package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/openreferral-uk/referrals/models/hsds"
)

// HTTPOptions configures how a live API is read. The zero value is polite:
// four requests at a time, at most five a second, retries with exponential
// backoff on 429 and 5xx honouring Retry-After.
type HTTPOptions struct {
	// Client makes the requests; one with a 60-second timeout when nil.
	Client *http.Client
	// UserAgent identifies the importer to the feed's operators.
	UserAgent string
	// Concurrency is how many requests may be in flight (default 4).
	Concurrency int
	// Rate is the most requests a second (default 5; negative for no limit).
	Rate float64
	// PerPage is the page size asked of /services (default 100).
	PerPage int
	// Retries is how many times a failed request is retried (default 5).
	Retries int
	// Backoff is the first wait before a retry, doubled each time
	// (default 1s); a Retry-After header overrides it, up to MaxBackoff.
	Backoff    time.Duration
	MaxBackoff time.Duration
	// ModifiedAfter, when set, asks /services only for services modified
	// at or after it (ORUK's modified_after), for incremental harvests. A
	// feed that ignores the parameter sends everything, which costs time
	// but changes nothing.
	ModifiedAfter time.Time
}

func (o *HTTPOptions) defaults() {
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 60 * time.Second}
	}
	if o.UserAgent == "" {
		o.UserAgent = "referrals-import/dev"
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.Rate == 0 {
		o.Rate = 5
	}
	if o.PerPage <= 0 {
		o.PerPage = 100
	}
	if o.Retries == 0 {
		o.Retries = 5
	}
	if o.Retries < 0 {
		o.Retries = 0
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = time.Minute
	}
}

// maxResponseBytes bounds one response.
const maxResponseBytes = 64 << 20

// maxPages stops a feed whose paging never ends.
const maxPages = 100_000

// apiSource walks a live API: the pages of /services for ids, then
// /services/{id} for each full record, in list order.
type apiSource struct {
	base    *url.URL
	format  Format
	opts    HTTPOptions
	limiter *rate.Limiter
	first   *apiPage // the page fetched to detect the format
	// firstPage is the number of the first page: 1, as ORUK and HSDS say,
	// or 0 for the feeds (Spring Data's defaults) that count from 0.
	firstPage int
	// lookups holds the taxonomies and parent terms fetched for the
	// services' terms, once each per run.
	lookups lookups
}

// lookups caches what /taxonomies/{id} and /taxonomy_terms/{id} answered,
// and bounds them: a feed cannot make a run fetch without end.
type lookups struct {
	mu         sync.Mutex
	taxonomies map[string]*lookup[hsds.Taxonomy]
	terms      map[string]*lookup[hsds.TaxonomyTerm]
	// made counts the lookups a run has made, against maxLookups.
	made atomic.Int64
	// failed counts the lookups of each endpoint that failed in a row (a
	// 404 is an answer, not a failure): after maxLookupFailures the feed is
	// taken not to offer it.
	failed [2]atomic.Int32
	// told records that the report has said a limit stopped the lookups
	// (one per endpoint, and the budget), so it says so once.
	told [3]atomic.Bool
}

// The bounds on lookups. A taxonomy and a term are small records; the
// largest UK taxonomies have a few thousand terms.
const (
	maxLookups        = 5000
	maxLookupFailures = 5
	maxLookupBytes    = 64 << 10
	lookupTaxonomy    = 0
	lookupTerm        = 1
)

type lookup[T any] struct {
	once sync.Once
	v    *T
}

// fetchOnce returns what fetch gives for id, asking it once per id however
// many goroutines want it at once.
func fetchOnce[T any](mu *sync.Mutex, m *map[string]*lookup[T], id string, fetch func() *T) *T {
	mu.Lock()
	if *m == nil {
		*m = map[string]*lookup[T]{}
	}
	l, ok := (*m)[id]
	if !ok {
		l = &lookup[T]{}
		(*m)[id] = l
	}
	mu.Unlock()
	l.once.Do(func() { l.v = fetch() })
	return l.v
}

// apiPage is one page of /services in either envelope.
type apiPage struct {
	ids        []string
	totalPages int
	last       bool
	notFirst   bool // the page says it is not the first
}

// OpenAPI returns a source for the API at rawURL: its base URL, or its
// /services URL. The format (HSDS 3.0 / ORUK 3.0, or ORUK v1) is detected
// from the first page of /services unless format names one.
func OpenAPI(ctx context.Context, rawURL string, format Format, opts HTTPOptions) (Source, error) {
	opts.defaults()
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, inputErrorf("%q is not an http(s) URL", rawURL)
	}
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/services")
	u.Fragment = ""
	lim := rate.NewLimiter(rate.Inf, 1)
	if opts.Rate > 0 {
		lim = rate.NewLimiter(rate.Limit(opts.Rate), 1)
	}
	s := &apiSource{base: u, opts: opts, limiter: lim}
	switch format {
	case FormatAuto:
	case FormatHSDSAPI, FormatHSDSJSON:
		s.format = FormatHSDSAPI
	case FormatORUKv1API, FormatORUKv1JSON:
		s.format = FormatORUKv1API
	default:
		return nil, inputErrorf("format %s cannot be read from a URL", format)
	}
	s.firstPage = 1
	page, err := s.page(ctx, 1)
	if err != nil {
		return nil, err
	}
	if page.notFirst {
		// Asked for page 1, the feed says this is not its first page: it
		// counts from 0.
		s.firstPage = 0
		if page, err = s.page(ctx, 0); err != nil {
			return nil, err
		}
	}
	s.first = page
	return s, nil
}

func (s *apiSource) Format() Format { return s.format }

func (s *apiSource) url(path string, query url.Values) string {
	u := *s.base
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	q := u.Query()
	for k, v := range query {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// recordURL is the URL of one record, path + id: the id is escaped once,
// so that an id with a space, a slash or non-ASCII letters is asked for as
// the feed listed it.
func (s *apiSource) recordURL(path, id string) string {
	u := *s.base
	u.RawQuery = ""
	base := strings.TrimSuffix(u.EscapedPath(), "/")
	u.Path = strings.TrimSuffix(u.Path, "/") + path + id
	u.RawPath = base + path + url.PathEscape(id)
	q := s.base.Query()
	u.RawQuery = q.Encode()
	return u.String()
}

// page fetches one page of /services and reads its ids and paging. The
// first page also settles the format: ORUK v1 pages have "content" and
// totalPages, HSDS 3.0 pages "contents" and total_pages.
func (s *apiSource) page(ctx context.Context, n int) (*apiPage, error) {
	q := url.Values{"page": {strconv.Itoa(n)}, "per_page": {strconv.Itoa(s.opts.PerPage)}}
	if !s.opts.ModifiedAfter.IsZero() {
		q.Set("modified_after", s.opts.ModifiedAfter.UTC().Format(time.RFC3339))
	}
	body, status, err := s.get(ctx, s.url("/services", q))
	if err != nil {
		return nil, inputErrorf("page %d of /services: %v", n, err)
	}
	if status != http.StatusOK {
		return nil, inputErrorf("page %d of /services: HTTP %d", n, status)
	}
	var env struct {
		Contents   *[]json.RawMessage `json:"contents"`
		Content    *[]json.RawMessage `json:"content"`
		TotalPages flexFloat          `json:"total_pages"`
		TotalPgs1  flexFloat          `json:"totalPages"`
		LastPage   *bool              `json:"last_page"`
		Last       *bool              `json:"last"`
		FirstPage  *bool              `json:"first_page"`
		First      *bool              `json:"first"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, inputErrorf("page %d of /services is not a paged JSON response: %v", n, err)
	}
	var items []json.RawMessage
	switch {
	case env.Contents != nil:
		if s.format == FormatAuto {
			s.format = FormatHSDSAPI
		}
		items = *env.Contents
	case env.Content != nil:
		if s.format == FormatAuto {
			s.format = FormatORUKv1API
		}
		items = *env.Content
	default:
		return nil, inputErrorf("page %d of /services has neither \"contents\" (HSDS 3.0) nor \"content\" (ORUK v1)", n)
	}
	p := &apiPage{}
	for _, tp := range []flexFloat{env.TotalPages, env.TotalPgs1} {
		if tp.V != nil && *tp.V > 0 {
			p.totalPages = int(*tp.V)
		}
	}
	for _, l := range []*bool{env.LastPage, env.Last} {
		if l != nil && *l {
			p.last = true
		}
	}
	for _, f := range []*bool{env.FirstPage, env.First} {
		if f != nil && !*f {
			p.notFirst = true
		}
	}
	for _, raw := range items {
		var it struct {
			ID flexString `json:"id"`
		}
		_ = json.Unmarshal(raw, &it)
		p.ids = append(p.ids, strings.TrimSpace(it.ID.V))
	}
	return p, nil
}

// Walk reads every page and, for each id on it, the full record, several
// at a time but yielded in list order.
func (s *apiSource) Walk(ctx context.Context, yield func(Item) error) error {
	var prev []string
	for i := 1; i <= maxPages; i++ {
		n := s.firstPage + i - 1 // the page number the feed uses
		page := s.first
		if i > 1 || page == nil {
			var err error
			if page, err = s.page(ctx, n); err != nil {
				return err
			}
		}
		s.first = nil
		if len(page.ids) == 0 {
			return nil
		}
		if i > 1 && slices.Equal(page.ids, prev) {
			return inputErrorf("page %d of /services repeats the page before: the feed ignores the page parameter", n)
		}
		prev = page.ids
		items, err := s.details(ctx, i, page.ids)
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := yield(it); err != nil {
				return err
			}
		}
		if page.last || (page.totalPages > 0 && i >= page.totalPages) {
			return nil
		}
	}
	return inputErrorf("more than %d pages", maxPages)
}

// details fetches the full records of one page's ids.
func (s *apiSource) details(ctx context.Context, page int, ids []string) ([]Item, error) {
	items := make([]Item, len(ids))
	errs := make([]error, len(ids))
	sem := make(chan struct{}, s.opts.Concurrency)
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for i, id := range ids {
		where := fmt.Sprintf("page %d item %d", page, i+1)
		if id == "" {
			items[i] = Item{Where: where, Problems: []Problem{{RecordType: recordService, Reason: "listed with no id", Action: Skipped}}}
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		wg.Go(func() {
			defer func() { <-sem }()
			items[i], errs[i] = s.detail(ctx, id)
			items[i].Where = where
			if errs[i] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	// The first error that is not the cancellation it caused.
	var first error
	for _, err := range errs {
		if err != nil && (first == nil || errors.Is(first, context.Canceled)) {
			first = err
		}
	}
	if first != nil {
		return nil, first
	}
	return items, nil
}

// detail fetches one full service. A record the feed lists but cannot
// return (404, 410, or a body that is not a service) is skipped and
// reported; a feed that stops answering fails the run.
func (s *apiSource) detail(ctx context.Context, id string) (Item, error) {
	body, status, err := s.get(ctx, s.recordURL("/services/", id))
	if err != nil {
		return Item{}, inputErrorf("/services/%s: %v", id, err)
	}
	if status != http.StatusOK {
		return Item{SourceID: id, Problems: []Problem{{RecordType: recordService, RecordID: id,
			Reason: fmt.Sprintf("listed, but /services/%s answered HTTP %d", id, status), Action: Skipped}}}, nil
	}
	var it Item
	if s.format == FormatORUKv1API {
		it = decodeV1Service(body)
	} else {
		it = decodeHSDSService(body)
		s.completeTerms(ctx, &it)
	}
	if it.Service == nil {
		it.SourceID = id
		for i := range it.Problems {
			it.Problems[i].RecordID = id
		}
	}
	return it, nil
}

// completeTerms fetches what a service's taxonomy terms name but do not
// carry, as an ORUK 3.0 feed publishes them: each term's taxonomy (a term
// gives its taxonomy_id, and taxonomy_detail only sometimes) from
// /taxonomies/{id}, and its ancestors from /taxonomy_terms/{id}, so that
// the terms keep their taxonomy and parent. What the feed cannot return is
// left out, and the run reports the reference it could not keep.
func (s *apiSource) completeTerms(ctx context.Context, it *Item) {
	if it.Service == nil {
		return
	}
	have := map[string]bool{}
	for _, t := range it.Terms {
		have[t.ID] = true
	}
	tell := func(note string) {
		if note != "" {
			it.Problems = append(it.Problems, Problem{RecordType: recordService, RecordID: it.Service.ID, Reason: note, Action: Dropped})
		}
	}
	detail := func(t *hsds.TaxonomyTerm) {
		if t.TaxonomyID != "" && t.TaxonomyDetail == nil {
			t.TaxonomyDetail = fetchOnce(&s.lookups.mu, &s.lookups.taxonomies, t.TaxonomyID, func() *hsds.Taxonomy {
				var tax hsds.Taxonomy
				ok, note := s.lookup(ctx, lookupTaxonomy, "/taxonomies/", t.TaxonomyID, &tax)
				tell(note)
				if !ok || tax.ID != t.TaxonomyID {
					return nil
				}
				return &tax
			})
		}
	}
	for i := range it.Service.Attributes {
		t := it.Service.Attributes[i].TaxonomyTerm
		if t == nil {
			continue
		}
		detail(t)
		have[t.ID] = true
		for depth, pid := 0, t.ParentID; pid != "" && !have[pid] && depth < maxTermDepth; depth++ {
			parent := fetchOnce(&s.lookups.mu, &s.lookups.terms, pid, func() *hsds.TaxonomyTerm {
				var term hsds.TaxonomyTerm
				ok, note := s.lookup(ctx, lookupTerm, "/taxonomy_terms/", pid, &term)
				tell(note)
				if !ok || term.ID != pid {
					return nil
				}
				return &term
			})
			if parent == nil {
				break
			}
			p := *parent
			detail(&p)
			it.Terms = append(it.Terms, p)
			have[pid] = true
			pid = p.ParentID
		}
	}
}

// lookup reads one taxonomy or term of the feed into v, reporting whether
// it could: within the run's budget of lookups, retried once, and not at
// all once the endpoint has failed maxLookupFailures times in a row. When a
// limit stops lookups for the first time, note says so, for the report.
func (s *apiSource) lookup(ctx context.Context, kind int, path, id string, v any) (ok bool, note string) {
	l := &s.lookups
	if l.failed[kind].Load() >= maxLookupFailures {
		return false, ""
	}
	if l.made.Add(1) > maxLookups {
		if l.told[2].CompareAndSwap(false, true) {
			note = fmt.Sprintf("the run made the most lookups of taxonomies and terms it makes (%d): later ones are not looked up", maxLookups)
		}
		return false, note
	}
	body, status, err := s.getWith(ctx, s.recordURL(path, id), min(s.opts.Retries, 1), maxLookupBytes)
	switch {
	case err == nil && status == http.StatusOK && json.Unmarshal(body, v) == nil:
		l.failed[kind].Store(0)
		return true, ""
	case err == nil && (status == http.StatusNotFound || status == http.StatusGone):
		return false, "" // an answer: the feed has no such record
	}
	if l.failed[kind].Add(1) >= maxLookupFailures && l.told[kind].CompareAndSwap(false, true) {
		note = fmt.Sprintf("%s failed %d times in a row: the run stops looking there", strings.TrimSuffix(path, "/"), maxLookupFailures)
	}
	return false, note
}

// retryable is a response worth retrying.
type retryable struct {
	status int
	after  time.Duration
}

func (e *retryable) Error() string { return fmt.Sprintf("HTTP %d", e.status) }

// get fetches a URL politely: within the rate limit, retrying network
// errors, 429 and 5xx with exponential backoff or as Retry-After says. It
// returns the body and status of the final answer.
func (s *apiSource) get(ctx context.Context, u string) ([]byte, int, error) {
	return s.getWith(ctx, u, s.opts.Retries, maxResponseBytes)
}

// getWith is get with its own number of retries and response size limit.
func (s *apiSource) getWith(ctx context.Context, u string, retries int, limit int64) ([]byte, int, error) {
	wait := s.opts.Backoff
	var lastErr error
	for attempt := 0; ; attempt++ {
		if err := s.limiter.Wait(ctx); err != nil {
			return nil, 0, err
		}
		body, status, err := s.try(ctx, u, limit)
		if err == nil {
			return body, status, nil
		}
		if ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		lastErr = err
		if attempt >= retries {
			return nil, 0, fmt.Errorf("%w (after %d attempts)", lastErr, attempt+1)
		}
		d := wait
		var re *retryable
		if errors.As(err, &re) && re.after > 0 {
			d = re.after
		}
		d = min(d, s.opts.MaxBackoff)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, 0, ctx.Err()
		case <-t.C:
		}
		wait = min(wait*2, s.opts.MaxBackoff)
	}
}

func (s *apiSource) try(ctx context.Context, u string, limit int64) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("User-Agent", s.opts.UserAgent)
	req.Header.Set("Accept", "application/json")
	res, err := s.opts.Client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500 {
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16))
		return nil, 0, &retryable{status: res.StatusCode, after: retryAfter(res.Header.Get("Retry-After"))}
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, limit+1))
	if err != nil {
		return nil, 0, err
	}
	if int64(len(body)) > limit {
		return nil, 0, fmt.Errorf("response larger than %d bytes", limit)
	}
	return body, res.StatusCode, nil
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, time.Until(t))
	}
	return 0
}
