// Package components holds templ components shared by several pages.
package components

import (
	"net/url"
	"strconv"
)

// Pagination is a page-numbered navigation for a list that keeps the rest of
// the query string.
type Pagination struct {
	Page       int
	TotalPages int
	// BaseQuery is the query without the page parameter.
	BaseQuery url.Values
	Path      string
}

// PageLink is one link of a pagination.
type PageLink struct {
	Number  int
	URL     string
	Current bool
	// Ellipsis stands for skipped page numbers.
	Ellipsis bool
}

// URL returns the link to page n.
func (p Pagination) URL(n int) string {
	q := url.Values{}
	for k, v := range p.BaseQuery {
		q[k] = v
	}
	if n > 1 {
		q.Set("page", strconv.Itoa(n))
	} else {
		q.Del("page")
	}
	if len(q) == 0 {
		return p.Path
	}
	return p.Path + "?" + q.Encode()
}

// Links lists the first, last and nearby pages, with ellipses between.
func (p Pagination) Links() []PageLink {
	var out []PageLink
	last := 0
	for n := 1; n <= p.TotalPages; n++ {
		if n != 1 && n != p.TotalPages && (n < p.Page-1 || n > p.Page+1) {
			continue
		}
		if last != 0 && n > last+1 {
			out = append(out, PageLink{Ellipsis: true})
		}
		out = append(out, PageLink{Number: n, URL: p.URL(n), Current: n == p.Page})
		last = n
	}
	return out
}
