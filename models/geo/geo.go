// Package geo resolves UK postcodes to approximate coordinates offline and
// measures distances between points.
//
// The data is the ONS National Statistics Postcode Lookup (May 2025),
// averaged per postcode sector and outcode; see SOURCES.md beside this file.
// Northern Ireland (BT), the Channel Islands and the Isle of Man are not
// covered.
package geo

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"

	_ "embed"
)

// Attribution is the notice the postcode data's licence requires wherever
// results that use it are published.
const Attribution = "Contains OS data © Crown copyright and database right 2025. " +
	"Contains Royal Mail data © Royal Mail copyright and database right 2025. " +
	"Source: Office for National Statistics licensed under the Open Government Licence v.3.0."

//go:embed outcodes.csv
var outcodesCSV string

//go:embed sectors.csv
var sectorsCSV string

// Point is a WGS84 position in decimal degrees.
type Point struct {
	Lat, Lon float64
}

// Precision says how closely a resolved point stands for a postcode.
type Precision string

// Precisions of a resolved postcode, finest first.
const (
	PrecisionUnit    Precision = "postcode"
	PrecisionSector  Precision = "sector"
	PrecisionOutcode Precision = "outcode"
)

// Place is a resolved postcode.
type Place struct {
	Postcode  string
	Point     Point
	Precision Precision
}

// ErrInvalidPostcode means the text is not shaped like a UK postcode or outcode.
var ErrInvalidPostcode = errors.New("geo: not a UK postcode")

// ErrUnknownPostcode means a well-formed postcode is not in the data.
var ErrUnknownPostcode = errors.New("geo: postcode not found")

// Resolver turns a postcode into a place.
type Resolver interface {
	Resolve(ctx context.Context, postcode string) (Place, error)
}

// Normalise upper-cases a postcode and puts one space before the inward
// code: "ls61aa" becomes "LS6 1AA", and an outcode alone ("ls6") stays as it
// is. It returns ErrInvalidPostcode for anything else.
func Normalise(postcode string) (string, error) {
	s := strings.ToUpper(strings.Join(strings.Fields(postcode), ""))
	if len(s) < 2 || len(s) > 7 {
		return "", ErrInvalidPostcode
	}
	if isOutcode(s) {
		return s, nil
	}
	if len(s) < 5 {
		return "", ErrInvalidPostcode
	}
	out, in := s[:len(s)-3], s[len(s)-3:]
	if !isOutcode(out) || !isDigit(in[0]) || !isLetter(in[1]) || !isLetter(in[2]) {
		return "", ErrInvalidPostcode
	}
	return out + " " + in, nil
}

// isOutcode matches the outward code shapes: A9, A99, AA9, AA99, A9A, AA9A.
func isOutcode(s string) bool {
	if len(s) < 2 || len(s) > 4 || !isLetter(s[0]) {
		return false
	}
	rest := s[1:]
	if isLetter(rest[0]) {
		rest = rest[1:]
	}
	if len(rest) == 0 || !isDigit(rest[0]) {
		return false
	}
	rest = rest[1:]
	switch len(rest) {
	case 0:
		return true
	case 1:
		return isDigit(rest[0]) || isLetter(rest[0])
	}
	return false
}

func isDigit(b byte) bool  { return b >= '0' && b <= '9' }
func isLetter(b byte) bool { return b >= 'A' && b <= 'Z' }

// Offline resolves postcodes from the embedded sector and outcode centroids:
// a full postcode resolves to its sector, or else its outcode.
type Offline struct {
	once     sync.Once
	sectors  map[string]Point
	outcodes map[string]Point
	err      error
}

// NewOffline returns a resolver over the embedded data; it is parsed on
// first use.
func NewOffline() *Offline { return &Offline{} }

func (o *Offline) load() {
	o.once.Do(func() {
		if o.sectors, o.err = parseCentroids(sectorsCSV); o.err != nil {
			return
		}
		o.outcodes, o.err = parseCentroids(outcodesCSV)
	})
}

func parseCentroids(data string) (map[string]Point, error) {
	r := csv.NewReader(strings.NewReader(data))
	if _, err := r.Read(); err != nil {
		return nil, fmt.Errorf("geo: read header: %w", err)
	}
	m := map[string]Point{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return m, nil
		}
		if err != nil {
			return nil, fmt.Errorf("geo: read centroids: %w", err)
		}
		lat, err1 := strconv.ParseFloat(rec[1], 64)
		lon, err2 := strconv.ParseFloat(rec[2], 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("geo: bad coordinates for %s", rec[0])
		}
		m[rec[0]] = Point{lat, lon}
	}
}

// Resolve implements Resolver.
func (o *Offline) Resolve(_ context.Context, postcode string) (Place, error) {
	pc, err := Normalise(postcode)
	if err != nil {
		return Place{}, err
	}
	o.load()
	if o.err != nil {
		return Place{}, o.err
	}
	if out, in, full := strings.Cut(pc, " "); full {
		if p, ok := o.sectors[out+" "+in[:1]]; ok {
			return Place{Postcode: pc, Point: p, Precision: PrecisionSector}, nil
		}
		pc = out
	}
	if p, ok := o.outcodes[pc]; ok {
		return Place{Postcode: pc, Point: p, Precision: PrecisionOutcode}, nil
	}
	return Place{}, ErrUnknownPostcode
}

// earthRadius is the mean radius of the Earth in metres.
const earthRadius = 6371008.8

// Distance returns the great-circle distance between two points in metres.
func Distance(a, b Point) float64 {
	la1, la2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
	dLat := la2 - la1
	dLon := (b.Lon - a.Lon) * math.Pi / 180
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(h)))
}

// MetresPerDegreeLat is the length of one degree of latitude, near enough
// everywhere in the UK.
const MetresPerDegreeLat = 111_195.0

// Box returns the latitude and longitude bounds that contain every point
// within radius metres of p, for an index-friendly first filter.
func Box(p Point, radius float64) (minLat, maxLat, minLon, maxLon float64) {
	dLat := radius / MetresPerDegreeLat
	cos := math.Cos(p.Lat * math.Pi / 180)
	if cos < 0.01 {
		cos = 0.01
	}
	dLon := radius / (MetresPerDegreeLat * cos)
	return p.Lat - dLat, p.Lat + dLat, p.Lon - dLon, p.Lon + dLon
}
