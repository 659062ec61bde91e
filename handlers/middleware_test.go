package handlers

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestIPExtractorTrustsOnlyConfiguredProxies(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	tests := []struct {
		name    string
		trusted []netip.Prefix
		peer    string
		xff     string
		want    string
	}{
		{"no proxies configured: header ignored", nil, "203.0.113.9:1234", "198.51.100.1", "203.0.113.9"},
		{"untrusted peer: header ignored", proxies, "203.0.113.9:1234", "198.51.100.1", "203.0.113.9"},
		{"trusted peer: client from header", proxies, "10.1.2.3:1234", "198.51.100.1", "198.51.100.1"},
		{"spoofed left-most entry ignored", proxies, "10.1.2.3:1234", "1.1.1.1, 198.51.100.1", "198.51.100.1"},
		{"chain of trusted proxies walked", proxies, "10.1.2.3:1234", "198.51.100.1, 10.9.9.9", "198.51.100.1"},
		{"garbage header: the proxy itself", proxies, "10.1.2.3:1234", "not-an-ip", "10.1.2.3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.peer
			r.Header.Set("X-Forwarded-For", tt.xff)
			if got := ipExtractor(tt.trusted)(r); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
