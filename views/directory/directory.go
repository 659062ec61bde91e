// Package directory holds the pages of the service directory: the search
// and a service's page.
package directory

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/hsds"
	"github.com/openreferral-uk/referrals/views"
	"github.com/openreferral-uk/referrals/views/components"
)

// ResultsID is the id of the search results region that htmx swaps.
const ResultsID = "search-results"

// SearchPage is the view model of the directory search.
type SearchPage struct {
	Layout     views.Layout
	Query      string
	Filters    Filters
	Results    []Result
	Total      int
	Pagination components.Pagination
}

// Filters are the directory's filters as the person set them.
type Filters struct {
	Category      string
	Postcode      string
	Miles         int
	Accepts       bool
	Terms         []models.TermChoice
	PostcodeError string
	// Age is as typed; AgeError explains one that is not a whole number.
	Age      string
	AgeError string
	OpenOn   string
	FreeOnly bool
	// Near is set when results are sorted by distance from the postcode.
	Near bool
}

// MilesChoices are the distances people can search within.
var MilesChoices = []int{1, 2, 5, 10, 20}

// Values returns the filters as query parameters, for links that keep them.
func (f Filters) Values() url.Values {
	v := url.Values{}
	if f.Category != "" {
		v.Set("category", f.Category)
	}
	if f.Postcode != "" {
		v.Set("postcode", f.Postcode)
		v.Set("miles", strconv.Itoa(f.Miles))
	}
	if f.Accepts {
		v.Set("accepts", "true")
	}
	if f.Age != "" {
		v.Set("age", f.Age)
	}
	if f.OpenOn != "" {
		v.Set("open", f.OpenOn)
	}
	if f.FreeOnly {
		v.Set("free", "true")
	}
	return v
}

// DayChoice is a day the directory can filter on.
type DayChoice struct{ Code, Name string }

// DayChoices are the days of the week, Monday first.
var DayChoices = []DayChoice{{"MO", "Monday"}, {"TU", "Tuesday"}, {"WE", "Wednesday"}, {"TH", "Thursday"},
	{"FR", "Friday"}, {"SA", "Saturday"}, {"SU", "Sunday"}}

// Result is one service in the search results.
type Result struct {
	URL          string
	Name         string
	Organization string
	Summary      string
	Places       string
	Status       string
	Tags         []string
	// Distance is how far the nearest location is, when searching near a
	// postcode.
	Distance         string
	AcceptsReferrals bool
}

// NewSearchPage builds the search page from a page of services and, when
// searching near a postcode, their distances in metres.
func NewSearchPage(l views.Layout, query string, f Filters, page, perPage, total int, recs []models.ServiceSummary, distances map[string]float64) SearchPage {
	p := SearchPage{Layout: l, Query: query, Filters: f, Total: total}
	for _, r := range recs {
		res := newResult(r)
		if d, ok := distances[r.ID]; ok {
			res.Distance = miles(d)
		}
		p.Results = append(p.Results, res)
	}
	totalPages := (total + perPage - 1) / perPage
	base := f.Values()
	if query != "" {
		base.Set("q", query)
	}
	p.Pagination = components.Pagination{Page: page, TotalPages: totalPages, BaseQuery: base, Path: "/"}
	return p
}

func newResult(r models.ServiceSummary) Result {
	return Result{
		URL:              "/services/" + r.ID,
		Name:             r.Name,
		Summary:          summarise(r.Description, 220),
		Status:           statusLabel(r.Status),
		AcceptsReferrals: r.AcceptsReferrals,
		Organization:     r.OrganizationName,
		Places:           strings.Join(r.Cities, ", "),
		Tags:             r.Terms,
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// statusLabel words an HSDS status for people; active needs no label.
func statusLabel(status string) string {
	switch status {
	case hsds.StatusTemporarilyClosed:
		return "Temporarily closed"
	case hsds.StatusInactive:
		return "Not running"
	case hsds.StatusDefunct:
		return "Closed"
	}
	return ""
}

// summarise shortens text to about n characters at a word boundary.
func summarise(text string, n int) string {
	text = strings.Join(strings.Fields(models.StripTags(text)), " ")
	if len(text) <= n {
		return text
	}
	cut := strings.LastIndexByte(text[:n], ' ')
	if cut < n/2 {
		cut = n
	}
	return strings.TrimRight(text[:cut], ",.;: ") + "…"
}

// paragraphs splits text into paragraphs at blank lines or line breaks.
func paragraphs(text string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(models.StripTags(text), "\r\n", "\n"), "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func resultsHeading(total int, query string) string {
	noun := "services"
	if total == 1 {
		noun = "service"
	}
	if query == "" {
		return fmt.Sprintf("%d %s", total, noun)
	}
	return fmt.Sprintf("%d %s matching ‘%s’", total, noun, query)
}

// miles words a distance in metres as people in the UK read one.
func miles(m float64) string {
	mi := m / 1609.344
	switch {
	case mi < 0.1:
		return "less than 0.1 miles"
	case mi < 10:
		return strconv.FormatFloat(mi, 'f', 1, 64) + " miles"
	}
	return strconv.FormatFloat(mi, 'f', 0, 64) + " miles"
}

func milesWord(m int) string {
	if m == 1 {
		return "mile"
	}
	return "miles"
}
