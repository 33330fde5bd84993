// Package auth authenticates callers with JWTs and authorizes each RPC
// against one written-down policy, through interceptors that cover unary
// and streaming calls alike.
package auth

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The lab's tokens name this issuer and audience. A verifier rejects tokens
// minted for anything else, even when signed by a key it trusts.
const (
	DevIssuer   = "learn-grpc-dev"
	DevAudience = "learn-grpc"
)

// Leeway absorbs small clock differences between the machine that mints a
// token and the one that checks it.
const Leeway = 30 * time.Second

// Claims is what a lab token says: the registered claims (typed, so "exp"
// cannot hold a string) plus the caller's scopes, space-separated as OAuth 2
// does it.
type Claims struct {
	jwt.RegisteredClaims
	Scope string `json:"scope,omitempty"`
}

// Mint signs a token. cmd/token and the tests use it; the server never does,
// since it holds no private key.
func Mint(key ed25519.PrivateKey, kid string, c Claims) (string, error) {
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	t.Header["kid"] = kid
	return t.SignedString(key)
}

// Verifier checks tokens against a set of public keys.
type Verifier struct {
	keys   map[string]ed25519.PublicKey // by kid
	parser *jwt.Parser
	now    func() time.Time
	cache  verified
}

// NewVerifier returns a verifier trusting keys (by kid). Every option is
// explicit, because each closes a known hole:
//   - WithValidMethods: only EdDSA. golang-jwt v5 already refuses "none"
//     (it needs a special key) and an HMAC keyed with our public key (HMAC
//     needs a []byte key), so this is defence in depth: the key lookup below
//     may change, and the list says in one place what we accept.
//   - WithExpirationRequired: a token without "exp" would never expire.
//   - WithIssuer, WithAudience: a token from another issuer, or minted for
//     another service, is not for us, even if signed by a key we know.
//   - WithIssuedAt: a token "issued" in the future is forged or from a
//     broken clock.
//   - WithLeeway: a little slack for clock skew, and no more.
func NewVerifier(keys map[string]ed25519.PublicKey, now func() time.Time) *Verifier {
	return &Verifier{
		keys:  keys,
		now:   now,
		cache: verified{tokens: map[string]cachedIdentity{}},
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
			jwt.WithExpirationRequired(),
			jwt.WithIssuer(DevIssuer),
			jwt.WithAudience(DevAudience),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(Leeway),
			jwt.WithTimeFunc(now),
		),
	}
}

// Verify returns the token's identity, or an error saying why it was
// refused. The reason is for the server's log, never for the caller.
func (v *Verifier) Verify(token string) (Identity, error) {
	id, err := v.verify(token)
	if err != nil {
		return Identity{}, err
	}
	return *id, nil
}

// verify is Verify returning the identity the cache shares, which no one
// may change: the interceptors put it in the call's context as it is,
// sparing a copy per call.
func (v *Verifier) verify(token string) (*Identity, error) {
	if id, ok := v.cache.get(token, v.now()); ok {
		return id, nil
	}
	claims := &Claims{}
	_, err := v.parser.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		key, ok := v.keys[kid]
		if !ok {
			return nil, fmt.Errorf("unknown key id %.32q", kid) // the caller wrote it: keep the log line short
		}
		return key, nil
	})
	if err != nil {
		return nil, err
	}
	if claims.Subject == "" {
		return nil, errors.New("token has no subject")
	}
	id := &Identity{Subject: claims.Subject, Scopes: strings.Fields(claims.Scope), Expires: claims.ExpiresAt.Add(Leeway)}
	v.cache.put(token, id, id.Expires)
	return id, nil
}

// maxCachedTokens bounds the cache. Only tokens that passed every check are
// cached, so a caller cannot fill it with forgeries; at the bound it starts
// over, which costs a few verifications and nothing else.
const maxCachedTokens = 10_000

// verified remembers tokens that passed verification, until they expire.
// Clients send the same token with every call, and checking an Ed25519
// signature and parsing the JWT again each time was most of the cost of
// the auth interceptor (see bench/ at the lab's root). The key is the whole
// token, signature included: a token that differs by one bit is a
// different key, verified from scratch.
type verified struct {
	mu     sync.Mutex
	tokens map[string]cachedIdentity
}

type cachedIdentity struct {
	id       *Identity
	notAfter time.Time // exp plus the leeway: when Verify would start refusing it
}

func (c *verified) get(token string, now time.Time) (*Identity, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.tokens[token]
	if !ok {
		return nil, false
	}
	if now.After(e.notAfter) {
		delete(c.tokens, token)
		return nil, false
	}
	return e.id, true
}

func (c *verified) put(token string, id *Identity, notAfter time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.tokens) >= maxCachedTokens {
		clear(c.tokens)
	}
	c.tokens[token] = cachedIdentity{id: id, notAfter: notAfter}
}

// Identity is the authenticated caller.
type Identity struct {
	Subject string
	Scopes  []string
	// Expires is when the token stops being accepted (its exp plus the
	// leeway): a stream opened with it ends then.
	Expires time.Time
}

// HasScope reports whether the caller was granted scope.
func (id Identity) HasScope(scope string) bool { return slices.Contains(id.Scopes, scope) }
