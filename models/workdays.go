package models

import (
	"fmt"
	"sync"
	"time"
	// Embedded so that working days follow UK time on images without a
	// zoneinfo database (distroless static).
	_ "time/tzdata"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/gb"
)

// Response targets are counted in working days: a referral sent on a Friday
// before a bank holiday Monday is not overdue on Tuesday. The UK's nations
// keep different bank holidays, so the deployment says whose it follows
// (REFERRALS_BANK_HOLIDAYS); rickar/cal carries the dates, including moved
// and one-off holidays, for England and Wales, and the few that differ are
// added here for Scotland and Northern Ireland.

// The nations whose bank holidays a deployment may follow.
const (
	EnglandAndWales = "england-and-wales"
	Scotland        = "scotland"
	NorthernIreland = "northern-ireland"
)

// substituteWeekend moves a holiday on a weekend to the next Monday.
var substituteWeekend = []cal.AltDay{{Day: time.Saturday, Offset: 2}, {Day: time.Sunday, Offset: 1}}

var (
	scotland2January = &cal.Holiday{Name: "2 January", Type: cal.ObservanceBank, Month: time.January, Day: 2,
		Func: cal.CalcDayOfMonth, Observed: []cal.AltDay{{Day: time.Saturday, Offset: 2}, {Day: time.Sunday, Offset: 2}, {Day: time.Monday, Offset: 1}}}
	stAndrewsDay = &cal.Holiday{Name: "St Andrew's Day", Type: cal.ObservanceBank, Month: time.November, Day: 30,
		Func: cal.CalcDayOfMonth, Observed: substituteWeekend}
	stPatricksDay = &cal.Holiday{Name: "St Patrick's Day", Type: cal.ObservanceBank, Month: time.March, Day: 17,
		Func: cal.CalcDayOfMonth, Observed: substituteWeekend}
	battleOfTheBoyne = &cal.Holiday{Name: "Battle of the Boyne", Type: cal.ObservanceBank, Month: time.July, Day: 12,
		Func: cal.CalcDayOfMonth, Observed: substituteWeekend}
)

// Nations are the nations whose bank holidays a deployment, or a service,
// may follow.
func Nations() []string { return []string{EnglandAndWales, Scotland, NorthernIreland} }

// Workdays counts working days: Monday to Friday, less a nation's bank
// holidays.
type Workdays struct {
	nation string
	cal    *cal.BusinessCalendar
}

// NationLabel names a nation whose bank holidays a service may follow, as
// people read it; empty (the platform's own) reads "The platform's".
func NationLabel(nation string) string {
	switch nation {
	case EnglandAndWales:
		return "England and Wales"
	case Scotland:
		return "Scotland"
	case NorthernIreland:
		return "Northern Ireland"
	case "":
		return "The platform's"
	}
	return nation
}

// Nation is the nation whose bank holidays w skips.
func (w *Workdays) Nation() string { return w.nation }

// nationCalendars are the calendars WorkdaysOf made, one per nation: they
// never change once built.
var nationCalendars sync.Map // nation -> *Workdays

// WorkdaysOf returns the shared working-day calendar of a nation.
func WorkdaysOf(nation string) (*Workdays, error) {
	if w, ok := nationCalendars.Load(nation); ok {
		return w.(*Workdays), nil
	}
	w, err := NewWorkdays(nation)
	if err != nil {
		return nil, err
	}
	actual, _ := nationCalendars.LoadOrStore(nation, w)
	return actual.(*Workdays), nil
}

// NewWorkdays returns the working-day calendar of a nation.
func NewWorkdays(nation string) (*Workdays, error) {
	c := cal.NewBusinessCalendar()
	switch nation {
	case EnglandAndWales, "":
		c.AddHoliday(gb.Holidays...)
	case Scotland:
		c.AddHoliday(gb.NewYear, scotland2January, gb.GoodFriday, gb.EarlyMay, gb.VEDay, gb.CoronationDay,
			gb.SpringHoliday, gb.SpringHoliday2022, gb.PlatinumJubilee, gb.SummerHolidayScotland, stAndrewsDay,
			gb.ChristmasDay, gb.BoxingDay)
	case NorthernIreland:
		c.AddHoliday(gb.Holidays...)
		c.AddHoliday(stPatricksDay, battleOfTheBoyne)
	default:
		return nil, fmt.Errorf("models: unknown bank holidays %q: use %s, %s or %s", nation, EnglandAndWales, Scotland, NorthernIreland)
	}
	if nation == "" {
		nation = EnglandAndWales
	}
	return &Workdays{nation: nation, cal: c}, nil
}

// Add returns the moment n working days after t: the same time of day on
// the nth working day that follows.
func (w *Workdays) Add(t time.Time, n int) time.Time {
	local := t.In(ukTime)
	day := w.cal.WorkdaysFrom(local, n)
	return day.UTC()
}

// IsWorkday reports whether a day is a working day.
func (w *Workdays) IsWorkday(t time.Time) bool { return w.cal.IsWorkday(t.In(ukTime)) }

// ukTime is the clock the UK's working days follow.
var ukTime = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return loc
}()
