package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"math/big"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/learn-grpc/learn-grpc/bench/internal/knobs"

	catalogv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/catalog/v1"
)

// BenchmarkKnobs calls GetProduct, one call at a time, over a real TCP and
// TLS loopback connection to this server, with each of step 13's knob sets:
// its allocs/op are the client's and the server's together.
//
//	go test -run '^$' -bench Knobs -benchmem ./cmd/bareserver
func BenchmarkKnobs(b *testing.B) {
	serverTLS, pool := selfSigned(b)
	for _, v := range knobs.Variants {
		b.Run(v.Name, func(b *testing.B) {
			lis, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			srv := newServer(serverTLS, v.Set)
			go func() { _ = srv.Serve(lis) }()
			defer srv.Stop()
			creds := credentials.NewTLS(&tls.Config{RootCAs: pool, ServerName: "localhost"})
			var each []func(context.Context) error
			var conn *grpc.ClientConn
			for range v.Set.Connections() {
				conn, err = grpc.NewClient(lis.Addr().String(),
					append(v.Set.DialOptions(), grpc.WithTransportCredentials(creds))...)
				if err != nil {
					b.Fatal(err)
				}
				defer conn.Close()
				each = append(each, unaryCall(conn))
			}
			call := knobs.Turns(each)
			if v.Set.Stream {
				call = streamCall(b, conn)
			}
			ctx := context.Background()
			for range 100 { // connect, and let the windows and pools settle
				if err := call(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := call(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func unaryCall(conn *grpc.ClientConn) func(context.Context) error {
	client := catalogv1.NewProductCatalogServiceClient(conn)
	return func(ctx context.Context) error {
		_, err := client.GetProduct(ctx, &catalogv1.GetProductRequest{Id: "product-123"})
		return err
	}
}

// streamCall sends each call on one GetProducts stream, as step 5 does.
func streamCall(b *testing.B, conn *grpc.ClientConn) func(context.Context) error {
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	s, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true, ClientStreams: true},
		"/bench.v1.Streams/GetProducts")
	if err != nil {
		b.Fatal(err)
	}
	return func(context.Context) error {
		if err := s.SendMsg(&catalogv1.GetProductRequest{Id: "product-123"}); err != nil {
			return err
		}
		return s.RecvMsg(&catalogv1.GetProductResponse{})
	}
}

// selfSigned makes a server certificate for localhost, and a pool that
// trusts it.
func selfSigned(b *testing.B) (*tls.Config, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		b.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		b.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	cert := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13}, pool
}
