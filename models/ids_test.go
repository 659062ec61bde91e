package models

import "testing"

func TestNormaliseID(t *testing.T) {
	tests := []struct {
		name, source, raw, want string
	}{
		{"RFC 4122 UUID kept", "feed:a", "ac148810-d857-441c-9679-408f346de14b", "ac148810-d857-441c-9679-408f346de14b"},
		{"non-RFC hex id kept", "feed:a", "00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000001"},
		{"upper case lowered", "feed:a", "AC148810-D857-441C-9679-408F346DE14B", "ac148810-d857-441c-9679-408f346de14b"},
		{"spaces trimmed", "feed:a", " ac148810-d857-441c-9679-408f346de14b ", "ac148810-d857-441c-9679-408f346de14b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NormaliseID(tt.source, tt.raw); got != tt.want {
				t.Errorf("NormaliseID(%q, %q) = %q, want %q", tt.source, tt.raw, got, tt.want)
			}
		})
	}
	t.Run("other ids become a stable UUIDv5 per source", func(t *testing.T) {
		a1 := NormaliseID("feed:a", "1234")
		a2 := NormaliseID("feed:a", "1234")
		b := NormaliseID("feed:b", "1234")
		if a1 != a2 {
			t.Errorf("same source and id gave %s and %s", a1, a2)
		}
		if a1 == b {
			t.Errorf("different sources gave the same id %s", a1)
		}
		if !IsUUIDShaped(a1) || a1[14] != '5' {
			t.Errorf("%s is not a version 5 UUID", a1)
		}
	})
	t.Run("near-UUIDs are not kept", func(t *testing.T) {
		for _, raw := range []string{"ac148810-d857-441c-9679-408f346de14", "ac148810d857441c9679408f346de14b", "zc148810-d857-441c-9679-408f346de14b"} {
			if got := NormaliseID("s", raw); got == raw {
				t.Errorf("%q was kept as is", raw)
			}
		}
	})
}
