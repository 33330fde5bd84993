// Package devpki makes the development secrets the lab needs and never
// commits: a certificate authority, a server certificate it signs, and the
// Ed25519 key pair that signs and verifies tokens. Everything here is for a
// laptop; a real deployment gets its certificates and keys from its own
// infrastructure.
package devpki

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// The files Generate writes, relative to its folder.
const (
	CACert        = "ca.crt"
	CAKey         = "ca.key"
	ServerCert    = "server.crt"
	ServerKey     = "server.key"
	SigningKey    = "jwt-signing.key"
	SigningPubKey = "jwt-signing.pub"
)

// ServerHosts are the names the development server certificate is valid for.
var ServerHosts = []string{"localhost", "127.0.0.1", "::1"}

// Generate writes a fresh CA, server certificate and signing key pair into
// dir, replacing any there. Private keys are written readable by the owner
// only.
func Generate(dir string, now time.Time) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "learn-grpc development CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(1, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return err
	}

	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	srvTmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(0, 3, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range ServerHosts {
		if ip := net.ParseIP(h); ip != nil {
			srvTmpl.IPAddresses = append(srvTmpl.IPAddresses, ip)
		} else {
			srvTmpl.DNSNames = append(srvTmpl.DNSNames, h)
		}
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, ca, &srvKey.PublicKey, caKey)
	if err != nil {
		return err
	}

	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	files := []struct {
		name, kind string
		der        func() ([]byte, error)
		private    bool
	}{
		{CACert, "CERTIFICATE", func() ([]byte, error) { return caDER, nil }, false},
		{CAKey, "PRIVATE KEY", func() ([]byte, error) { return x509.MarshalPKCS8PrivateKey(caKey) }, true},
		{ServerCert, "CERTIFICATE", func() ([]byte, error) { return srvDER, nil }, false},
		{ServerKey, "PRIVATE KEY", func() ([]byte, error) { return x509.MarshalPKCS8PrivateKey(srvKey) }, true},
		{SigningKey, "PRIVATE KEY", func() ([]byte, error) { return x509.MarshalPKCS8PrivateKey(priv) }, true},
		{SigningPubKey, "PUBLIC KEY", func() ([]byte, error) { return x509.MarshalPKIXPublicKey(pub) }, false},
	}
	for _, f := range files {
		der, err := f.der()
		if err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if f.private {
			mode = 0o600
		}
		if err := os.WriteFile(filepath.Join(dir, f.name), pem.EncodeToMemory(&pem.Block{Type: f.kind, Bytes: der}), mode); err != nil {
			return err
		}
	}
	return nil
}

// Exists reports whether dir holds every file Generate writes.
func Exists(dir string) bool {
	for _, f := range []string{CACert, CAKey, ServerCert, ServerKey, SigningKey, SigningPubKey} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return false
		}
	}
	return true
}

// KeyID names a signing key by its public half, so a verifier holding
// several keys (during a rotation, say) knows which one a token needs.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "dev-" + hex.EncodeToString(sum[:4])
}

// LoadSigningKey reads the private signing key.
func LoadSigningKey(path string) (ed25519.PrivateKey, error) {
	key, err := loadPEM(path, "PRIVATE KEY")
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: not an Ed25519 private key", path)
	}
	return priv, nil
}

// LoadPublicKey reads a public signing key.
func LoadPublicKey(path string) (ed25519.PublicKey, error) {
	der, err := loadPEM(path, "PUBLIC KEY")
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%s: not an Ed25519 public key", path)
	}
	return pub, nil
}

func loadPEM(path, kind string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w (create the development keys with: go run ./cmd/devcerts)", err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != kind {
		return nil, errors.New(path + ": no " + kind + " PEM block")
	}
	return block.Bytes, nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return n
}
