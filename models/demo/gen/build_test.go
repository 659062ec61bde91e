package main

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestBuildIsDeterministic(t *testing.T) {
	first, err := Build()
	if err != nil {
		t.Fatal(err)
	}
	second, err := Build()
	if err != nil {
		t.Fatal(err)
	}
	names := slices.Sorted(maps.Keys(first))
	if want := []string{servicesFile, settingsFile, taxonomyFile}; !slices.Equal(names, want) {
		t.Fatalf("Build wrote %v, want %v", names, want)
	}
	for _, name := range names {
		if !bytes.Equal(first[name], second[name]) {
			t.Errorf("%s differs between two runs", name)
		}
	}
}

// TestCommittedFilesAreFresh fails when the JSON in models/demo no longer
// matches what the generator builds.
func TestCommittedFilesAreFresh(t *testing.T) {
	files, err := Build()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join("..", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("models/demo/%s is stale: run go generate ./models/demo", name)
		}
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		in   sched
		want string
	}{
		{sched{days: "TU", opens: "10:00", closes: "12:00", label: "Drop-in"}, "Drop-in, Tuesdays 10am to 12pm"},
		{sched{days: "TU,TH", opens: "09:30", closes: "16:30", label: "Open"}, "Open, Tuesdays and Thursdays 9:30am to 4:30pm"},
		{sched{days: "MO,WE,FR", opens: "13:00", closes: "15:45", label: "Appointments"}, "Appointments, Mondays, Wednesdays and Fridays 1pm to 3:45pm"},
		{sched{days: "MO,TU,WE,TH,FR", opens: "08:30", closes: "17:00", label: "Open"}, "Open, Monday to Friday 8:30am to 5pm"},
		{sched{days: "FR,SA,SU", opens: "18:00", closes: "23:00", label: "Open"}, "Open, Friday to Sunday 6pm to 11pm"},
		{sched{days: "MO,TU,WE,TH,FR,SA,SU", opens: "00:00", closes: "23:59", label: "Helpline"}, "Helpline, every day, 24 hours"},
	}
	for _, tt := range tests {
		if got := describe(tt.in); got != tt.want {
			t.Errorf("describe(%+v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSector(t *testing.T) {
	for in, want := range map[string]string{"HD1 2SP": "HD1 2", "WF13 3JB": "WF13 3", "HD1": ""} {
		if got := sector(in); got != want {
			t.Errorf("sector(%q) = %q, want %q", in, got, want)
		}
	}
}
