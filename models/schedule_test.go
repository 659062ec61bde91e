package models

import (
	"testing"

	"github.com/openreferral-uk/referrals/models/hsds"
)

func TestDescribeSchedule(t *testing.T) {
	two := 2.0
	tests := []struct {
		in   hsds.Schedule
		want string
	}{
		{hsds.Schedule{Freq: "WEEKLY", Byday: "MO,TU,WE,TH,FR", OpensAt: "09:30", ClosesAt: "16:30"}, "Monday to Friday, 9:30am to 4:30pm"},
		{hsds.Schedule{Freq: "WEEKLY", Byday: "TU", OpensAt: "10:00", ClosesAt: "12:00"}, "Tuesday, 10am to midday"},
		{hsds.Schedule{Freq: "WEEKLY", Byday: "MO,WE", OpensAt: "13:00:00", ClosesAt: "17:00:00"}, "Monday and Wednesday, 1pm to 5pm"},
		{hsds.Schedule{Freq: "WEEKLY", Byday: "SA,MO,TU,WE", OpensAt: "09:00"}, "Monday to Wednesday and Saturday, from 9am"},
		{hsds.Schedule{Freq: "WEEKLY", Interval: &two, Byday: "TH", OpensAt: "18:30", ClosesAt: "20:00"}, "Every other Thursday, 6:30pm to 8pm"},
		{hsds.Schedule{Description: "By appointment"}, "By appointment"},
		{hsds.Schedule{OpensAt: "nonsense", Description: "Ring first"}, "Ring first"},
	}
	for _, tt := range tests {
		if got := DescribeSchedule(tt.in); got != tt.want {
			t.Errorf("DescribeSchedule(%+v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
