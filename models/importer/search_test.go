package importer

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/openreferral-uk/referrals/models"
)

// TestSearch checks the interpolation search against a plain binary search,
// on evenly spread keys and on keys bunched at one end.
func TestSearch(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 65, 1000, 50000} {
		for _, spread := range []bool{true, false} {
			refs := make([]ref, n)
			for i := range refs {
				if spread {
					refs[i].key = key{r.Uint64(), r.Uint64()}
				} else {
					refs[i].key = keyOf(fmt.Sprintf("00000000-0000-0000-0000-%012d", r.IntN(n/3+1)))
				}
			}
			slices.SortFunc(refs, func(a, b ref) int { return a.key.compare(b.key) })
			probes := []key{{0, 0}, {^uint64(0), ^uint64(0)}, {r.Uint64(), 0}}
			for i := 0; i < n; i += max(1, n/500) {
				probes = append(probes, refs[i].key, key{refs[i].key.hi, refs[i].key.lo + 1})
			}
			for _, k := range probes {
				want, _ := slices.BinarySearchFunc(refs, k, func(r ref, k key) int { return r.key.compare(k) })
				if got := search(refs, k); got != want {
					t.Fatalf("n=%d spread=%v: search(%v) = %d, want %d", n, spread, k, got, want)
				}
			}
		}
	}
}

// TestIDFastPath: the preparer's shortcut gives the same id as the id rule.
func TestIDFastPath(t *testing.T) {
	p := &preparer{source: "feed:test"}
	for _, id := range []string{"ac148810-d857-441c-9679-408f346de14b", "AC148810-D857-441C-9679-408F346DE14B",
		"00000000-0000-0000-0000-000000000041", "1502", "", "ac148810-d857-441c-9679-408f346de14", "zc148810-d857-441c-9679-408f346de14b",
		"ac148810_d857-441c-9679-408f346de14b"} {
		if got, want := p.id(id), models.NormaliseID("feed:test", id); got != want {
			t.Errorf("id(%q) = %q, NormaliseID gives %q", id, got, want)
		}
	}
}
