package models

import (
	"fmt"
	"strings"

	"github.com/openreferral-uk/referrals/models/hsds"
)

var dayNames = map[string]string{
	"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday",
	"FR": "Friday", "SA": "Saturday", "SU": "Sunday",
}

var dayOrder = []string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}

// DescribeSchedule returns a readable summary of an HSDS schedule in British
// English, such as "Monday to Friday, 9:30am to 4:30pm". It falls back to the
// schedule's own description when its fields are not a simple weekly rule.
func DescribeSchedule(s hsds.Schedule) string {
	var parts []string
	if days := describeDays(s.Byday); days != "" && (s.Freq == "" || strings.EqualFold(s.Freq, "WEEKLY")) {
		if s.Interval != nil && *s.Interval == 2 {
			days = "Every other " + days
		}
		parts = append(parts, days)
	}
	if t := describeTimes(s.OpensAt, s.ClosesAt); t != "" {
		parts = append(parts, t)
	}
	if len(parts) == 0 {
		return s.Description
	}
	return strings.Join(parts, ", ")
}

// describeDays turns an iCalendar BYDAY list into words, joining runs of
// three or more consecutive days with "to".
func describeDays(byday string) string {
	set := map[string]bool{}
	for _, d := range strings.Split(strings.ToUpper(byday), ",") {
		d = strings.TrimSpace(d)
		if len(d) > 2 {
			d = d[len(d)-2:] // drop an ordinal such as 1MO
		}
		if _, ok := dayNames[d]; ok {
			set[d] = true
		}
	}
	if len(set) == 0 {
		return ""
	}
	var runs [][]string
	for _, d := range dayOrder {
		if !set[d] {
			continue
		}
		if n := len(runs); n > 0 {
			prev := runs[n-1][len(runs[n-1])-1]
			if dayIndex(prev)+1 == dayIndex(d) {
				runs[n-1] = append(runs[n-1], d)
				continue
			}
		}
		runs = append(runs, []string{d})
	}
	var words []string
	for _, r := range runs {
		switch {
		case len(r) >= 3:
			words = append(words, dayNames[r[0]]+" to "+dayNames[r[len(r)-1]])
		default:
			for _, d := range r {
				words = append(words, dayNames[d])
			}
		}
	}
	if len(words) == 1 {
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

func dayIndex(d string) int {
	for i, x := range dayOrder {
		if x == d {
			return i
		}
	}
	return -1
}

func describeTimes(opens, closes string) string {
	o, c := clockTime(opens), clockTime(closes)
	switch {
	case o != "" && c != "":
		return o + " to " + c
	case o != "":
		return "from " + o
	case c != "":
		return "until " + c
	}
	return ""
}

// clockTime turns "09:30" or "17:00:00" into "9:30am" or "5pm".
func clockTime(t string) string {
	var h, m int
	if _, err := fmt.Sscanf(t, "%d:%d", &h, &m); err != nil || h < 0 || h > 24 || m < 0 || m > 59 {
		return ""
	}
	suffix := "am"
	switch {
	case h == 0 || h == 24:
		h = 12
	case h == 12:
		suffix = "pm"
	case h > 12:
		h -= 12
		suffix = "pm"
	}
	if h == 12 && m == 0 && suffix == "pm" {
		return "midday"
	}
	if m == 0 {
		return fmt.Sprintf("%d%s", h, suffix)
	}
	return fmt.Sprintf("%d:%02d%s", h, m, suffix)
}
