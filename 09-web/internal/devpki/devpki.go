// Package devpki makes the development secrets the lab needs and never
// commits: a certificate authority, a certificate it signs for each service,
// and the Ed25519 key pair that signs and verifies tokens. Everything here is for a
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
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// The files Generate writes, relative to its folder.
const (
	CACert        = "ca.crt"
	CAKey         = "ca.key"
	SigningKey    = "jwt-signing.key"
	SigningPubKey = "jwt-signing.pub"
)

// Services are the services that get a certificate, SERVICE.crt with its
// SERVICE.key. Each serves TLS with it and presents it when it calls another.
var Services = []string{"catalog", "orders", "gateway"}

// Cert and Key name a service's certificate and key files.
func Cert(service string) string { return service + ".crt" }
func Key(service string) string  { return service + ".key" }

// TrustDomain is the SPIFFE trust domain of the lab's service identities.
const TrustDomain = "learn-grpc.dev"

// SPIFFEID is the identity a service's certificate names in its URI SAN,
// the name a server's policy allows or refuses.
func SPIFFEID(service string) string { return "spiffe://" + TrustDomain + "/" + service }

// Hosts are the names every service certificate is valid for besides the
// service's own name, which is its host name in a cluster.
var Hosts = []string{"localhost", "127.0.0.1", "::1"}

// Generate writes a fresh CA, the services' certificates and a signing key pair into
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

	type keyPair struct {
		name string
		der  []byte
		key  *ecdsa.PrivateKey
	}
	var services []keyPair
	for _, name := range Services {
		der, key, err := serviceCert(name, ca, caKey, now)
		if err != nil {
			return err
		}
		services = append(services, keyPair{name, der, key})
	}

	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	type file struct {
		name, kind string
		der        func() ([]byte, error)
		private    bool
	}
	files := []file{
		{CACert, "CERTIFICATE", func() ([]byte, error) { return caDER, nil }, false},
		{CAKey, "PRIVATE KEY", func() ([]byte, error) { return x509.MarshalPKCS8PrivateKey(caKey) }, true},
		{SigningKey, "PRIVATE KEY", func() ([]byte, error) { return x509.MarshalPKCS8PrivateKey(priv) }, true},
		{SigningPubKey, "PUBLIC KEY", func() ([]byte, error) { return x509.MarshalPKIXPublicKey(pub) }, false},
	}
	for _, sv := range services {
		files = append(files,
			file{Cert(sv.name), "CERTIFICATE", func() ([]byte, error) { return sv.der, nil }, false},
			file{Key(sv.name), "PRIVATE KEY", func() ([]byte, error) { return x509.MarshalPKCS8PrivateKey(sv.key) }, true})
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

// serviceCert issues the certificate of one service: valid as a server (for
// its name and Hosts) and as a client, naming the service in a URI SAN.
func serviceCert(name string, ca *x509.Certificate, caKey *ecdsa.PrivateKey, now time.Time) ([]byte, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	id, err := url.Parse(SPIFFEID(name))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(0, 3, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		DNSNames:     []string{name},
		URIs:         []*url.URL{id},
	}
	for _, h := range Hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	return der, key, err
}

// Exists reports whether dir holds every file Generate writes.
func Exists(dir string) bool {
	names := []string{CACert, CAKey, SigningKey, SigningPubKey}
	for _, s := range Services {
		names = append(names, Cert(s), Key(s))
	}
	for _, f := range names {
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
