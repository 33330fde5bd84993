package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestCachedTokenStillExpires: a token verified once is remembered, but
// never past its expiry (plus leeway), exactly as if checked afresh.
func TestCachedTokenStillExpires(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	v := NewVerifier(map[string]ed25519.PublicKey{"k": pub}, clock)
	token, err := Mint(priv, "k", Claims{RegisteredClaims: jwt.RegisteredClaims{
		Issuer: DevIssuer, Audience: jwt.ClaimStrings{DevAudience}, Subject: "alice",
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Minute)),
	}})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second time from the cache
		if id, err := v.Verify(token); err != nil || id.Subject != "alice" {
			t.Fatalf("Verify = %v, %v", id, err)
		}
	}
	if _, ok := v.cache.get(token, now); !ok {
		t.Fatal("a verified token was not cached")
	}
	if _, err := v.Verify(tampered(token)); err == nil {
		t.Fatal("a token differing from a cached one in its signature was accepted")
	}
	now = now.Add(time.Minute + Leeway - time.Second)
	if _, err := v.Verify(token); err != nil {
		t.Fatalf("within the leeway: %v", err)
	}
	now = now.Add(2 * time.Second)
	if _, err := v.Verify(token); err == nil {
		t.Fatal("a cached token was accepted after it expired")
	}
}

// tampered flips one bit of the token's signature.
func tampered(token string) string {
	b := []byte(token)
	i := len(b) - 10
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}
