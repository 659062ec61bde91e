package geo

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Remote resolves full postcodes through a postcodes.io-compatible service
// (GET {BaseURL}/postcodes/{postcode} answering {"result": {"latitude",
// "longitude"}}) and falls back to another resolver when the service fails,
// does not know the postcode, or is given only an outcode.
type Remote struct {
	BaseURL  string
	Client   *http.Client
	Fallback Resolver
}

// NewRemote returns a resolver that asks baseURL first and fallback second.
func NewRemote(baseURL string, fallback Resolver) *Remote {
	return &Remote{BaseURL: baseURL, Client: &http.Client{Timeout: 3 * time.Second}, Fallback: fallback}
}

// Resolve implements Resolver.
func (r *Remote) Resolve(ctx context.Context, postcode string) (Place, error) {
	pc, err := Normalise(postcode)
	if err != nil {
		return Place{}, err
	}
	if len(pc) > 4 { // a full postcode; outcodes go straight to the fallback
		if p, err := r.lookup(ctx, pc); err == nil {
			return p, nil
		}
	}
	return r.Fallback.Resolve(ctx, pc)
}

func (r *Remote) lookup(ctx context.Context, pc string) (Place, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.BaseURL+"/postcodes/"+url.PathEscape(pc), nil)
	if err != nil {
		return Place{}, err
	}
	req.Header.Set("Accept", "application/json")
	res, err := r.Client.Do(req)
	if err != nil {
		return Place{}, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return Place{}, fmt.Errorf("geo: lookup answered %d", res.StatusCode)
	}
	var body struct {
		Result *struct {
			Latitude  *float64 `json:"latitude"`
			Longitude *float64 `json:"longitude"`
		} `json:"result"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, res.Body, 1<<20)).Decode(&body); err != nil {
		return Place{}, err
	}
	if body.Result == nil || body.Result.Latitude == nil || body.Result.Longitude == nil {
		return Place{}, ErrUnknownPostcode
	}
	return Place{Postcode: pc, Point: Point{*body.Result.Latitude, *body.Result.Longitude}, Precision: PrecisionUnit}, nil
}
