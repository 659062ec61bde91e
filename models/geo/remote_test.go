package geo

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestRemoteResolveWithFallback(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/postcodes/LS6 1AA":
			_, _ = w.Write([]byte(`{"status":200,"result":{"postcode":"LS6 1AA","latitude":53.8201,"longitude":-1.5702}}`))
		case "/postcodes/HD1 2SP":
			w.WriteHeader(http.StatusInternalServerError)
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"status":404,"error":"Postcode not found"}`))
		}
	}))
	defer srv.Close()
	r := NewRemote(srv.URL, NewOffline())
	ctx := context.Background()
	p, err := r.Resolve(ctx, "ls61aa")
	if err != nil || p.Precision != PrecisionUnit || p.Point.Lat != 53.8201 {
		t.Errorf("remote lookup gave %+v, %v", p, err)
	}
	p, err = r.Resolve(ctx, "HD1 2SP")
	if err != nil || p.Precision != PrecisionSector {
		t.Errorf("a failing service should fall back to the sector: %+v, %v", p, err)
	}
	p, err = r.Resolve(ctx, "LS6")
	if err != nil || p.Precision != PrecisionOutcode {
		t.Errorf("an outcode should use the fallback: %+v, %v", p, err)
	}
}
