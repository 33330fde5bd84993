// Package authtest mints keys and tokens for tests, so every test goes
// through the real verifier and interceptors instead of faking an identity.
package authtest

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/learn-grpc/learn-grpc/09-web/internal/auth"
	"github.com/learn-grpc/learn-grpc/09-web/internal/devpki"
)

// Keys is a signing key pair and the verifier that trusts it.
type Keys struct {
	Private  ed25519.PrivateKey
	Public   ed25519.PublicKey
	KeyID    string
	Verifier *auth.Verifier
}

// NewKeys makes a fresh key pair.
func NewKeys(t testing.TB) *Keys {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	kid := devpki.KeyID(pub)
	return &Keys{Private: priv, Public: pub, KeyID: kid,
		Verifier: auth.NewVerifier(map[string]ed25519.PublicKey{kid: pub}, time.Now)}
}

// Claims returns valid claims for subject with scopes, for tests to alter.
func Claims(subject string, scopes ...string) auth.Claims {
	now := time.Now()
	return auth.Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    auth.DevIssuer,
			Audience:  jwt.ClaimStrings{auth.DevAudience},
			Subject:   subject,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
		},
		Scope: strings.Join(scopes, " "),
	}
}

// Token mints a valid token for subject with scopes.
func (k *Keys) Token(t testing.TB, subject string, scopes ...string) string {
	t.Helper()
	return k.Sign(t, Claims(subject, scopes...))
}

// Sign mints a token with the given claims.
func (k *Keys) Sign(t testing.TB, c auth.Claims) string {
	t.Helper()
	token, err := auth.Mint(k.Private, k.KeyID, c)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// Bearer attaches a token to calls over an in-process connection, which has
// no TLS; real clients require it (see cmd/client).
type Bearer string

// GetRequestMetadata implements credentials.PerRPCCredentials.
func (b Bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(b)}, nil
}

// RequireTransportSecurity implements credentials.PerRPCCredentials.
func (Bearer) RequireTransportSecurity() bool { return false }
