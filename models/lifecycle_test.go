package models_test

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/openreferral-uk/referrals/models"
)

// TestLifecycleMatchesTheDocs reads the transition table in
// docs/referral-lifecycle.md and checks it says exactly what the code does.
func TestLifecycleMatchesTheDocs(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "docs", "referral-lifecycle.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var documented []models.Transition
	inTable := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "| from | to |") {
			inTable = true
			continue
		}
		if !inTable || strings.HasPrefix(line, "|---") {
			continue
		}
		if !strings.HasPrefix(line, "|") {
			if len(documented) > 0 {
				break
			}
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if len(cells) != 4 {
			t.Fatalf("bad row %q", line)
		}
		documented = append(documented, models.Transition{From: models.Status(cells[0]), To: models.Status(cells[1]),
			By: models.Side(cells[2]), ReasonRequired: cells[3] == "yes"})
	}
	if len(documented) == 0 {
		t.Fatal("no transition table in docs/referral-lifecycle.md")
	}
	for _, d := range documented {
		if !slices.Contains(models.Lifecycle, d) {
			t.Errorf("the docs allow %s -> %s by %s (reason %v), the code does not", d.From, d.To, d.By, d.ReasonRequired)
		}
	}
	for _, c := range models.Lifecycle {
		if !slices.Contains(documented, c) {
			t.Errorf("the code allows %s -> %s by %s (reason %v), the docs do not", c.From, c.To, c.By, c.ReasonRequired)
		}
	}
}

func TestLifecycleRules(t *testing.T) {
	for _, tr := range models.Lifecycle {
		if models.IsFinal(tr.From) {
			t.Errorf("%s is final but %s follows it", tr.From, tr.To)
		}
	}
	for _, final := range models.FinalStatuses {
		if final == models.StatusCompleted {
			continue
		}
		tr, ok := func() (models.Transition, bool) {
			for _, x := range models.Lifecycle {
				if x.To == final {
					return x, true
				}
			}
			return models.Transition{}, false
		}()
		if !ok || !tr.ReasonRequired {
			t.Errorf("moving to %s must require a reason", final)
		}
	}
	tests := []struct {
		from, to models.Status
		by       models.Side
		want     bool
	}{
		{models.StatusSent, models.StatusAccepted, models.Responder, true},
		{models.StatusSent, models.StatusAccepted, models.Referrer, false},
		{models.StatusAccepted, models.StatusWithdrawn, models.Referrer, true},
		{models.StatusCompleted, models.StatusWithdrawn, models.Referrer, false},
		{models.StatusDeclined, models.StatusAccepted, models.Responder, false},
		{models.StatusReceived, models.StatusCompleted, models.Responder, false},
	}
	for _, tt := range tests {
		if got := models.CanTransition(tt.from, tt.to, tt.by); got != tt.want {
			t.Errorf("CanTransition(%s, %s, %s) = %v, want %v", tt.from, tt.to, tt.by, got, tt.want)
		}
	}
}
