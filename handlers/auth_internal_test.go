package handlers

import "testing"

func TestTenantAllowed(t *testing.T) {
	allowed := []string{"11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"}
	iss := func(tid string) string { return "https://login.microsoftonline.com/" + tid + "/v2.0" }
	tests := []struct {
		name, issuer, tid string
		want              bool
	}{
		{"allowed tenant", iss(allowed[0]), allowed[0], true},
		{"case of the id does not matter", iss(allowed[1]), "22222222-2222-2222-2222-222222222222", true},
		{"tenant not on the list", iss("33333333-3333-3333-3333-333333333333"), "33333333-3333-3333-3333-333333333333", false},
		{"issuer of another tenant than tid", iss(allowed[0]), allowed[1], false},
		{"no tid", iss(allowed[0]), "", false},
		{"v1 issuer", "https://sts.windows.net/" + allowed[0] + "/", allowed[0], false},
		{"placeholder issuer", entraTenantIssuer, allowed[0], false},
	}
	for _, tt := range tests {
		if got := tenantAllowed(tt.issuer, tt.tid, allowed); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}
