package mail_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/openreferral-uk/referrals/models/mail"
)

const (
	notifyService  = "26785a09-ab16-4eb0-8407-a37497a57506"
	notifySecret   = "3d844edf-8d35-48ac-975b-e847b4f122b0"
	notifyTemplate = "f33517ff-2a88-4f6e-b855-c550268ce08a"
)

// notifyAPI checks requests the way GOV.UK Notify's API does: a JWT signed
// with the key's secret, issued by the service, no more than 30 seconds
// old; a JSON body naming the template. GOV.UK Notify itself cannot be
// reached from here.
type notifyAPI struct {
	mu       sync.Mutex
	received []map[string]any
	status   int
}

func (a *notifyAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v2/notifications/email" {
		http.NotFound(w, r)
		return
	}
	tok, err := jwt.ParseSigned(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), []jose.SignatureAlgorithm{jose.HS256})
	var claims jwt.Claims
	if err != nil || tok.Claims([]byte(notifySecret), &claims) != nil || claims.Issuer != notifyService ||
		claims.IssuedAt == nil || time.Since(claims.IssuedAt.Time()) > 30*time.Second {
		http.Error(w, `{"errors":[{"error":"AuthError"}]}`, http.StatusForbidden)
		return
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body["template_id"] != notifyTemplate {
		http.Error(w, `{"errors":[{"error":"BadRequestError"}]}`, http.StatusBadRequest)
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.status != 0 {
		w.WriteHeader(a.status)
		return
	}
	a.received = append(a.received, body)
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write([]byte(`{"id":"740e5834-3a29-46b4-9a6f-16142fde533a"}`))
}

func TestNotifySender(t *testing.T) {
	api := &notifyAPI{}
	srv := httptest.NewServer(api)
	defer srv.Close()
	key := "referrals_live-" + notifyService + "-" + notifySecret
	s, err := mail.NewNotify(mail.NotifyConfig{APIKey: key, TemplateID: notifyTemplate, BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	m := mail.Message{To: []string{"a@example.org.uk", "b@example.org.uk"}, Subject: "New referral R-7KQ2-9M", Text: "Open it: https://x/referrals/R-7KQ2-9M"}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if len(api.received) != 2 || api.received[1]["email_address"] != "b@example.org.uk" {
		t.Fatalf("Notify received %+v", api.received)
	}
	p := api.received[0]["personalisation"].(map[string]any)
	if p["subject"] != m.Subject || p["body"] != m.Text {
		t.Errorf("personalisation: %+v", p)
	}
	// A wrong secret is refused; the error names neither address nor key.
	bad, _ := mail.NewNotify(mail.NotifyConfig{APIKey: "referrals_live-" + notifyService + "-" + notifyTemplate, TemplateID: notifyTemplate, BaseURL: srv.URL})
	err = bad.Send(context.Background(), m)
	if !errors.Is(err, mail.ErrInvalidMessage) || strings.Contains(err.Error(), "example.org.uk") || strings.Contains(err.Error(), notifyTemplate) {
		t.Errorf("a wrong key: %v", err)
	}
	// A server error is returned for the job queue to retry.
	api.status = http.StatusInternalServerError
	if err := s.Send(context.Background(), m); err == nil || errors.Is(err, mail.ErrInvalidMessage) {
		t.Errorf("a 500: %v", err)
	}
	for _, k := range []string{"", "short", "name-not-a-uuid-" + notifySecret} {
		if _, err := mail.NewNotify(mail.NotifyConfig{APIKey: k, TemplateID: notifyTemplate}); err == nil {
			t.Errorf("key %q accepted", k)
		}
	}
	if _, err := mail.NewNotify(mail.NotifyConfig{APIKey: key, TemplateID: "template"}); err == nil {
		t.Error("a template id that is not a UUID was accepted")
	}
}
