package auth

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// FuzzVerify feeds the verifier arbitrary tokens, starting from valid and
// nearly valid ones. Whatever it accepts must carry an EdDSA signature by
// our key over exactly its header and payload, checked here with the
// standard library alone, independently of the JWT library under test.
//
//	go test -fuzz=FuzzVerify -fuzztime=30s ./internal/auth
func FuzzVerify(f *testing.F) {
	pub, priv, _ := ed25519.GenerateKey(strings.NewReader(strings.Repeat("lab fuzz seed ", 8)))
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	v := NewVerifier(map[string]ed25519.PublicKey{"k1": pub}, func() time.Time { return now })
	claims := Claims{RegisteredClaims: jwt.RegisteredClaims{
		Issuer: DevIssuer, Audience: jwt.ClaimStrings{DevAudience}, Subject: "alice",
		IssuedAt: jwt.NewNumericDate(now.Add(-time.Minute)), ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
	}, Scope: ScopeWriteOrders}
	valid, err := Mint(priv, "k1", claims)
	if err != nil {
		f.Fatal(err)
	}
	if _, err := v.Verify(valid); err != nil {
		f.Fatalf("the seed token is refused: %v", err)
	}
	f.Add(valid)
	f.Add(valid + "x")
	f.Add(strings.Replace(valid, ".", "..", 1))
	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	hs.Header["kid"] = "k1"
	if s, err := hs.SignedString([]byte(pub)); err == nil {
		f.Add(s)
	}
	f.Add("eyJhbGciOiJub25lIiwia2lkIjoiazEifQ.e30.")
	f.Add("")

	f.Fuzz(func(t *testing.T, token string) {
		id, err := v.Verify(token)
		if err != nil {
			return
		}
		parts := strings.Split(token, ".")
		if len(parts) != 3 {
			t.Fatalf("accepted a token of %d parts: %q", len(parts), token)
		}
		header, err := base64.RawURLEncoding.DecodeString(parts[0])
		if err != nil {
			t.Fatalf("accepted a token whose header is not base64url: %q", token)
		}
		var h struct {
			Alg string `json:"alg"`
		}
		if json.Unmarshal(header, &h) != nil || h.Alg != "EdDSA" {
			t.Fatalf("accepted a token with alg %q: %q", h.Alg, token)
		}
		sig, err := base64.RawURLEncoding.DecodeString(parts[2])
		if err != nil || !ed25519.Verify(pub, []byte(parts[0]+"."+parts[1]), sig) {
			t.Fatalf("accepted a token not signed by our key: %q", token)
		}
		if id.Subject == "" {
			t.Fatalf("accepted a token without a subject: %q", token)
		}
	})
}
