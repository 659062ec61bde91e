// Package public holds the pages every visitor may read about the service
// itself: the privacy notice, the accessibility statement and the cookies
// page.
package public

import (
	"fmt"
	"time"

	"github.com/a-h/templ"

	"github.com/openreferral-uk/referrals/views"
)

// Placeholder stands where the organisation running the service has not
// filled a setting in, so that a gap is plain to see before going live.
const Placeholder = "[the organisation running this service has not filled this in]"

// Operator is what the organisation running the service filled in.
type Operator struct {
	Name, Email, DPO, ICO, Hosting, AccessibilityEmail string
	Reviewed                                           time.Time
	// ShowGaps shows Placeholder for empty settings (outside production);
	// in production optional sentences are left out or say something
	// true but general instead.
	ShowGaps bool
	// BaseURL is the address the statements apply to.
	BaseURL string
	// PostcodeLookup is set when search postcodes go to an outside
	// lookup service.
	PostcodeLookup bool
}

// ReviewedOn is the date the accessibility statement was last reviewed, as
// people read it; empty when it is not set.
func (o Operator) ReviewedOn() string {
	if o.Reviewed.IsZero() {
		return ""
	}
	return o.Reviewed.Format("2 January 2006")
}

// Cookie is one cookie the service sets.
type Cookie struct {
	Name, Purpose, Expiry string
}

// Page is the view model of each public page.
type Page struct {
	views.Layout
	Operator Operator
	// Cookies are listed on the cookies page.
	Cookies []Cookie
}

// Duration says a duration in words: "2 hours", "24 hours", "30 minutes".
func Duration(d time.Duration) string {
	plural := func(n int64, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int64(d/time.Hour), "hour")
	case d >= time.Minute && d%time.Minute == 0:
		return plural(int64(d/time.Minute), "minute")
	default:
		return plural(int64(d/time.Second), "second")
	}
}

func mailto(email string) templ.SafeURL { return templ.SafeURL("mailto:" + email) }
