// Package mtls loads a service's certificate for mutual TLS: the service
// proves who it is to its callers, and to the services it calls.
package mtls

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"google.golang.org/grpc/credentials"
)

// Files names a service's certificate, its key, and the CA it trusts.
type Files struct {
	Cert, Key, CA string
}

// ServerConfig serves TLS with the service's certificate and asks callers
// for theirs. A certificate is verified when sent, not required: users call
// with a token and no certificate, and the methods that need a service's
// identity check it per call (auth.Rule.Peer).
func (f Files) ServerConfig() (*tls.Config, error) {
	cert, pool, err := f.load()
	if err != nil {
		return nil, err
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientCAs:    pool,
		ClientAuth:   tls.VerifyClientCertIfGiven,
		MinVersion:   tls.VersionTLS13,
	}, nil
}

// ClientCreds trusts the CA and presents the service's certificate: the
// transport for one service calling another.
func (f Files) ClientCreds() (credentials.TransportCredentials, error) {
	cert, pool, err := f.load()
	if err != nil {
		return nil, err
	}
	return credentials.NewTLS(&tls.Config{
		Certificates: []tls.Certificate{cert},
		RootCAs:      pool,
		MinVersion:   tls.VersionTLS13,
	}), nil
}

func (f Files) load() (tls.Certificate, *x509.CertPool, error) {
	const fix = "create the development certificates with: go run ./cmd/devcerts"
	cert, err := tls.LoadX509KeyPair(f.Cert, f.Key)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("%w (%s)", err, fix)
	}
	pem, err := os.ReadFile(f.CA)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("%w (%s)", err, fix)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return tls.Certificate{}, nil, errors.New(f.CA + ": no CA certificate")
	}
	return cert, pool, nil
}
