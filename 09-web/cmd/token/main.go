// Command token mints a development JWT for a subject, with scopes and a
// lifetime, signed with .dev/jwt-signing.key. It prints the token alone, so
// a shell can pass it on: --token=$(go run ./cmd/token --subject=alice).
package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/learn-grpc/learn-grpc/09-web/internal/auth"
	"github.com/learn-grpc/learn-grpc/09-web/internal/devpki"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "token:", err)
		}
		os.Exit(2)
	}
}

func run(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	subject := fs.String("subject", "", "who the token is for (required), for example alice")
	scopes := fs.String("scopes", "", "comma-separated `scopes`, for example "+auth.ScopeWriteOrders)
	ttl := fs.Duration("ttl", time.Hour, "how long the token is valid; negative mints an expired one, to see it refused")
	keyFile := fs.String("key", filepath.Join(".dev", devpki.SigningKey), "Ed25519 private key `file` (PEM)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: token --subject=NAME [--scopes=a,b] [--ttl=1h]\n\nPrints a development JWT.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *subject == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("--subject is required, and nothing else may follow the flags")
	}
	key, err := devpki.LoadSigningKey(*keyFile)
	if err != nil {
		return err
	}
	now := time.Now()
	claims := auth.Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    auth.DevIssuer,
			Audience:  jwt.ClaimStrings{auth.DevAudience},
			Subject:   *subject,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(*ttl)),
		},
		Scope: strings.Join(strings.FieldsFunc(*scopes, func(r rune) bool { return r == ',' || r == ' ' }), " "),
	}
	if *ttl < 0 {
		claims.IssuedAt = jwt.NewNumericDate(now.Add(2 * *ttl)) // issued before it expired
	}
	token, err := auth.Mint(key, devpki.KeyID(key.Public().(ed25519.PublicKey)), claims)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, token)
	return nil
}
