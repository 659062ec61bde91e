package models

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"gorm.io/gorm"
)

// Personal data about the people being referred is sealed with AES-256-GCM
// before it reaches the database, so a stolen backup or a misdirected
// database dump shows nothing about them without the key, which lives in
// configuration, never in the database. Each sealed value records the id of
// its key, so keys can be rotated: new data uses the current key, old data
// stays readable while its key is configured, and re-encryption moves it on.

// ErrNoKey means sealed data names a key id that is not configured.
var ErrNoKey = errors.New("models: encryption key not configured")

// keyIDPattern keeps key ids short and safe to store and print.
var keyIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// Keyring holds the encryption keys by id; Current seals new data.
type Keyring struct {
	current string
	keys    map[string]cipher.AEAD
	lookup  map[string][]byte
}

// ParseKeyring reads keys written as "id:base64key" separated by commas,
// the first being the current one. Each key is 32 random bytes (AES-256),
// in standard or URL-safe base64.
func ParseKeyring(spec string) (*Keyring, error) {
	k := &Keyring{keys: map[string]cipher.AEAD{}, lookup: map[string][]byte{}}
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, encoded, ok := strings.Cut(part, ":")
		if !ok || !keyIDPattern.MatchString(id) {
			return nil, fmt.Errorf("models: encryption keys: each key is written id:base64 with an id of letters, digits, - or _")
		}
		raw, err := decodeKey(encoded)
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("models: encryption key %q: want 32 bytes in base64 (openssl rand -base64 32)", id)
		}
		if _, dup := k.keys[id]; dup {
			return nil, fmt.Errorf("models: encryption key %q is listed twice", id)
		}
		if err := k.add(id, raw); err != nil {
			return nil, err
		}
		if k.current == "" {
			k.current = id
		}
	}
	if k.current == "" {
		return nil, fmt.Errorf("models: encryption keys: none given")
	}
	return k, nil
}

func decodeKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}

func (k *Keyring) add(id string, raw []byte) error {
	block, err := aes.NewCipher(raw)
	if err != nil {
		return fmt.Errorf("models: encryption key %q: %w", id, err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return fmt.Errorf("models: encryption key %q: %w", id, err)
	}
	// The lookup key is derived, not the key itself: a keyed hash must not
	// leak anything about the key used for encryption.
	lk, err := hkdf.Key(sha256.New, raw, nil, "referrals person lookup v1", 32)
	if err != nil {
		return fmt.Errorf("models: encryption key %q: %w", id, err)
	}
	k.keys[id] = aead
	k.lookup[id] = lk
	return nil
}

// NewKey returns a fresh key, base64 encoded, for a keyring spec.
func NewKey() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// Current is the id of the key that seals new data.
func (k *Keyring) Current() string { return k.current }

// Has reports whether a key id is configured.
func (k *Keyring) Has(id string) bool { _, ok := k.keys[id]; return ok }

// IDs lists the configured key ids, the current one first.
func (k *Keyring) IDs() []string {
	out := []string{k.current}
	for id := range k.keys {
		if id != k.current {
			out = append(out, id)
		}
	}
	return out
}

// Seal encrypts plaintext under the current key. The associated data binds
// the ciphertext to its row (a referral id and column), so a sealed value
// copied onto another row does not open.
func (k *Keyring) Seal(plaintext []byte, associated string) (keyID string, sealed []byte) {
	aead := k.keys[k.current]
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	return k.current, aead.Seal(nonce, nonce, plaintext, []byte(associated))
}

// Open decrypts a value sealed under keyID.
func (k *Keyring) Open(keyID string, sealed []byte, associated string) ([]byte, error) {
	aead, ok := k.keys[keyID]
	if !ok {
		return nil, fmt.Errorf("%w: key id %q", ErrNoKey, keyID)
	}
	if len(sealed) < aead.NonceSize() {
		return nil, fmt.Errorf("models: open sealed data: too short")
	}
	nonce, ct := sealed[:aead.NonceSize()], sealed[aead.NonceSize():]
	out, err := aead.Open(nil, nonce, ct, []byte(associated))
	if err != nil {
		return nil, fmt.Errorf("models: open sealed data under key %q: %w", keyID, err)
	}
	return out, nil
}

// LookupHashes returns the keyed hash of a value under every configured key,
// the current key's first. Stored hashes are made with the current key;
// looking up under all keys finds rows written before a rotation.
func (k *Keyring) LookupHashes(value string) []string {
	out := make([]string, 0, len(k.keys))
	for _, id := range k.IDs() {
		out = append(out, k.lookupHash(id, value))
	}
	return out
}

func (k *Keyring) lookupHash(id, value string) string {
	m := hmac.New(sha256.New, k.lookup[id])
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}

// CheckKeys refuses to go on when sealed data names a key that is not
// configured: starting anyway would show caseworkers errors on every
// referral instead of telling the operator at once.
func CheckKeys(ctx context.Context, db *gorm.DB, k *Keyring) error {
	var ids []string
	err := db.WithContext(ctx).Raw(`SELECT key_id FROM referrals WHERE anonymised_at IS NULL
		UNION SELECT key_id FROM referral_events WHERE key_id <> ''
		UNION SELECT key_id FROM referral_notes`).Scan(&ids).Error
	if err != nil {
		return fmt.Errorf("models: check encryption keys: %w", err)
	}
	var missing []string
	for _, id := range ids {
		if k == nil || !k.Has(id) {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: personal data is encrypted with key id(s) %s; add them to REFERRALS_ENCRYPTION_KEYS", ErrNoKey, strings.Join(missing, ", "))
	}
	return nil
}
