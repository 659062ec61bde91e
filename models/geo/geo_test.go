package geo

import (
	"context"
	"errors"
	"math"
	"testing"
)

func TestNormalise(t *testing.T) {
	good := map[string]string{
		"ls61aa": "LS6 1AA", "LS6 1AA": "LS6 1AA", " sw1a  1aa ": "SW1A 1AA", "m1 1ae": "M1 1AE",
		"ls6": "LS6", "W1A": "W1A", "hd1 2sp": "HD1 2SP", "EC1A1BB": "EC1A 1BB",
	}
	for in, want := range good {
		got, err := Normalise(in)
		if err != nil || got != want {
			t.Errorf("Normalise(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "1", "12345", "LS6 1A", "LS6 AAA", "ZZZZZ ZZZ", "LS6-1AA", "LS61AAA1", "'; DROP", "SW1A 1A1"} {
		if got, err := Normalise(bad); !errors.Is(err, ErrInvalidPostcode) {
			t.Errorf("Normalise(%q) = %q, %v; want ErrInvalidPostcode", bad, got, err)
		}
	}
}

func TestOfflineResolve(t *testing.T) {
	r := NewOffline()
	ctx := context.Background()
	p, err := r.Resolve(ctx, "ls6 1aa")
	if err != nil {
		t.Fatal(err)
	}
	// SOURCES.md spot check: sector LS6 1 is at 53.81128, -1.56742.
	if p.Precision != PrecisionSector || math.Abs(p.Point.Lat-53.81128) > 1e-6 || math.Abs(p.Point.Lon+1.56742) > 1e-6 {
		t.Errorf("LS6 1AA resolved to %+v", p)
	}
	p, err = r.Resolve(ctx, "M1")
	if err != nil || p.Precision != PrecisionOutcode || math.Abs(p.Point.Lat-53.47768) > 1e-6 {
		t.Errorf("M1 resolved to %+v, %v", p, err)
	}
	if _, err := r.Resolve(ctx, "BT1 1AA"); !errors.Is(err, ErrUnknownPostcode) {
		t.Errorf("a Northern Ireland postcode gave %v; the data leaves BT out", err)
	}
	if _, err := r.Resolve(ctx, "nonsense"); !errors.Is(err, ErrInvalidPostcode) {
		t.Errorf("nonsense gave %v", err)
	}
}

func TestDistanceAndBox(t *testing.T) {
	leeds := Point{53.7997, -1.5492}
	london := Point{51.5072, -0.1276}
	d := Distance(leeds, london)
	if d < 268_000 || d > 275_000 {
		t.Errorf("Leeds to London = %.0f m, want about 271 km", d)
	}
	minLat, maxLat, minLon, maxLon := Box(leeds, 10_000)
	for _, p := range []Point{{minLat, leeds.Lon}, {maxLat, leeds.Lon}, {leeds.Lat, minLon}, {leeds.Lat, maxLon}} {
		if got := Distance(leeds, p); math.Abs(got-10_000) > 50 {
			t.Errorf("box edge %+v is %.0f m away, want 10 km", p, got)
		}
	}
}

func FuzzNormalise(f *testing.F) {
	for _, s := range []string{"LS6 1AA", "ls61aa", "W1A", "", "ZZ99 9ZZ", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Normalise(s)
		if err != nil {
			return
		}
		again, err := Normalise(got)
		if err != nil || again != got {
			t.Errorf("Normalise is not idempotent: %q -> %q -> %q (%v)", s, got, again, err)
		}
	})
}
