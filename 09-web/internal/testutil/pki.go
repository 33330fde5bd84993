package testutil

import (
	"crypto/ed25519"
	"path/filepath"
	"testing"
	"time"

	"github.com/learn-grpc/learn-grpc/09-web/internal/auth"
	"github.com/learn-grpc/learn-grpc/09-web/internal/auth/authtest"
	"github.com/learn-grpc/learn-grpc/09-web/internal/devpki"
	"github.com/learn-grpc/learn-grpc/09-web/internal/mtls"
)

// PKI is a fresh set of development secrets in a temporary folder.
type PKI struct {
	Dir  string
	Keys *authtest.Keys // signs tokens the services accept
}

// NewPKI runs devcerts' Generate into a temporary folder.
func NewPKI(t testing.TB) *PKI {
	t.Helper()
	dir := t.TempDir()
	if err := devpki.Generate(dir, time.Now()); err != nil {
		t.Fatal(err)
	}
	priv, err := devpki.LoadSigningKey(filepath.Join(dir, devpki.SigningKey))
	if err != nil {
		t.Fatal(err)
	}
	pub := priv.Public().(ed25519.PublicKey)
	kid := devpki.KeyID(pub)
	keys := &authtest.Keys{Private: priv, Public: pub, KeyID: kid,
		Verifier: auth.NewVerifier(map[string]ed25519.PublicKey{kid: pub}, time.Now)}
	return &PKI{Dir: dir, Keys: keys}
}

// Files are service's certificate, key and the CA.
func (p *PKI) Files(service string) mtls.Files {
	return mtls.Files{Cert: p.Path(devpki.Cert(service)), Key: p.Path(devpki.Key(service)), CA: p.Path(devpki.CACert)}
}

// Path is a file of the folder.
func (p *PKI) Path(name string) string { return filepath.Join(p.Dir, name) }

// Flags are the command-line flags that point service at these secrets.
func (p *PKI) Flags(service string) []string {
	f := p.Files(service)
	return []string{"-tls-cert=" + f.Cert, "-tls-key=" + f.Key, "-tls-ca=" + f.CA,
		"-jwt-public-key=" + p.Path(devpki.SigningPubKey)}
}
