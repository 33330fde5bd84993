package auth_test

import (
	"strings"
	"testing"

	"github.com/learn-grpc/learn-grpc/09-web/internal/auth"
	"github.com/learn-grpc/learn-grpc/09-web/internal/auth/authtest"
)

// TestAnUnknownKeyIDIsNotRepeatedInFull: the reason a token was refused
// goes to the server's log, so a caller's 11,000-character kid must not.
func TestAnUnknownKeyIDIsNotRepeatedInFull(t *testing.T) {
	keys := authtest.NewKeys(t)
	token, err := auth.Mint(keys.Private, strings.Repeat("K", 11_000), authtest.Claims("alice"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = keys.Verifier.Verify(token)
	if err == nil {
		t.Fatal("Verify accepted a token signed under an unknown key id")
	}
	if len(err.Error()) > 200 {
		t.Errorf("Verify = %d bytes of error, want a refusal of at most 200", len(err.Error()))
	}
}
