package mail

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// GOV.UK Notify is how many councils must send email. The platform sends
// every message through one Notify email template whose subject is
// ((subject)) and whose body is ((body)), so the wording stays in the
// platform's code, as it does for SMTP.

// DefaultNotifyURL is GOV.UK Notify's API.
const DefaultNotifyURL = "https://api.notifications.service.gov.uk"

// NotifyConfig configures the GOV.UK Notify sender.
type NotifyConfig struct {
	// APIKey is the key Notify issues: key name, service id and secret
	// joined by dashes.
	APIKey string
	// TemplateID is the email template with ((subject)) and ((body)).
	TemplateID string
	// BaseURL is DefaultNotifyURL unless testing.
	BaseURL string
	Timeout time.Duration
}

// NotifySender sends email through GOV.UK Notify's API.
type NotifySender struct {
	serviceID, secret, templateID, baseURL string
	client                                 *http.Client
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// NewNotify checks the configuration and returns a sender.
func NewNotify(c NotifyConfig) (*NotifySender, error) {
	key := strings.TrimSpace(c.APIKey)
	// A key ends with the service id and the secret, 36 characters each.
	if len(key) < 74 || key[len(key)-37] != '-' || key[len(key)-74] != '-' {
		return nil, errors.New("mail: the Notify API key is not in Notify's form (name-serviceid-secret)")
	}
	serviceID, secret := key[len(key)-73:len(key)-37], key[len(key)-36:]
	if !uuidPattern.MatchString(serviceID) || !uuidPattern.MatchString(secret) {
		return nil, errors.New("mail: the Notify API key is not in Notify's form (name-serviceid-secret)")
	}
	if !uuidPattern.MatchString(strings.TrimSpace(c.TemplateID)) {
		return nil, errors.New("mail: the Notify template id must be the template's UUID")
	}
	if c.BaseURL == "" {
		c.BaseURL = DefaultNotifyURL
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	return &NotifySender{serviceID: serviceID, secret: secret, templateID: strings.TrimSpace(c.TemplateID),
		baseURL: strings.TrimRight(c.BaseURL, "/"), client: &http.Client{Timeout: c.Timeout}}, nil
}

// token is the JWT Notify wants with each request: HS256 over the secret,
// issued by the service id, at the current time (Notify allows 30 s of
// clock skew).
func (n *NotifySender) token() (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(n.secret)},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	return jwt.Signed(signer).Claims(jwt.Claims{Issuer: n.serviceID, IssuedAt: jwt.NewNumericDate(time.Now())}).Serialize()
}

// Send sends a message to each recipient, one Notify request each.
func (n *NotifySender) Send(ctx context.Context, m Message) error {
	if err := m.validate(); err != nil {
		return err
	}
	for _, to := range m.To {
		if err := n.send(ctx, to, m); err != nil {
			return err
		}
	}
	return nil
}

func (n *NotifySender) send(ctx context.Context, to string, m Message) error {
	body, err := json.Marshal(map[string]any{
		"email_address": to,
		"template_id":   n.templateID,
		"personalisation": map[string]string{
			"subject": m.Subject,
			"body":    m.Text,
		},
	})
	if err != nil {
		return err
	}
	tok, err := n.token()
	if err != nil {
		return fmt.Errorf("mail: Notify token: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.baseURL+"/v2/notifications/email", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("User-Agent", "community-referrals")
	res, err := n.client.Do(req)
	if err != nil {
		return fmt.Errorf("mail: Notify: %w", err)
	}
	defer func() { _ = res.Body.Close() }()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	switch res.StatusCode {
	case http.StatusCreated, http.StatusOK:
		return nil
	case http.StatusBadRequest, http.StatusForbidden:
		// Notify's own message may quote the address: it is left out, so
		// that the error is safe to log. A key or template that is wrong
		// needs the operator; retrying will not help, but is harmless.
		return fmt.Errorf("%w: Notify refused the message (%d): check the API key, the template id and that the recipient is allowed in trial mode", ErrInvalidMessage, res.StatusCode)
	default:
		return fmt.Errorf("mail: Notify answered %d", res.StatusCode)
	}
}
