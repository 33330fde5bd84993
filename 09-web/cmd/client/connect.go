package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"

	"connectrpc.com/connect"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/anypb"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
	"github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1/catalogv1connect"
)

// stockStream is one watch, over gRPC or over Connect: watch reads either.
type stockStream interface {
	Recv() (*catalogv1.WatchProductsResponse, error)
}

// openWatch opens one watch of req's products.
type openWatch func(ctx context.Context, req *catalogv1.WatchProductsRequest) (stockStream, error)

// grpcWatch watches straight from the server, over gRPC.
func grpcWatch(client catalogv1.ProductCatalogServiceClient) openWatch {
	return func(ctx context.Context, req *catalogv1.WatchProductsRequest) (stockStream, error) {
		return client.WatchProducts(ctx, req)
	}
}

// connectWatch watches through the gateway at base, over Connect with
// JSON, as the storefront page does: every stream on one HTTP/2
// connection, verified with the CA file cf.ca. A plaintext base (http://)
// needs --insecure-plaintext, as a plaintext server does, since the token
// would cross the wire readable; it speaks HTTP/2 too (h2c). done closes
// the connection, whatever the streams' state.
func (cf *connFlags) connectWatch(base string) (open openWatch, done func(), err error) {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, nil, fmt.Errorf("--connect: want the gateway's URL, like https://localhost:8443")
	}
	transport := &http.Transport{Protocols: new(http.Protocols)}
	switch {
	case u.Scheme == "https":
		pool, err := readCA(cf.ca)
		if err != nil {
			return nil, nil, err
		}
		transport.TLSClientConfig = &tls.Config{RootCAs: pool}
		transport.Protocols.SetHTTP2(true)
	case !cf.plaintext:
		return nil, nil, fmt.Errorf("--connect=%s is plaintext: use https, or add --insecure-plaintext", base)
	default:
		fmt.Fprintln(cf.stderr, "warning: --insecure-plaintext: no TLS; any token is sent unencrypted")
		transport.Protocols.SetUnencryptedHTTP2(true)
	}
	conns := &connSet{}
	dialer := &net.Dialer{}
	transport.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dialer.DialContext(ctx, network, addr)
		if err == nil {
			conns.add(c)
		}
		return c, err
	}
	client := catalogv1connect.NewProductCatalogServiceClient(&http.Client{Transport: transport}, base,
		connect.WithProtoJSON())
	open = func(ctx context.Context, req *catalogv1.WatchProductsRequest) (stockStream, error) {
		r := connect.NewRequest(req)
		if cf.token != "" {
			r.Header().Set("Authorization", "Bearer "+cf.token)
		}
		stream, err := client.WatchProducts(ctx, r)
		if err != nil {
			return nil, asStatus(err)
		}
		return connectStream{stream}, nil
	}
	return open, conns.closeAll, nil
}

// readCA reads the PEM certificates of file into a pool.
func readCA(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("%w (create the development CA with: go run ./cmd/devcerts)", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificate", file)
	}
	return pool, nil
}

// connSet holds the connections a transport dialled, to close them at the
// end: a stream just cancelled still holds its connection, which
// CloseIdleConnections would leave open, with its reading goroutine.
type connSet struct {
	mu    sync.Mutex
	conns []net.Conn
}

func (s *connSet) add(c net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conns = append(s.conns, c)
}

func (s *connSet) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		_ = c.Close()
	}
}

// connectStream reads a Connect stream as a gRPC one: io.EOF at an OK end,
// and a failure as the gRPC status it carries, details and all.
type connectStream struct {
	s *connect.ServerStreamForClient[catalogv1.WatchProductsResponse]
}

func (c connectStream) Recv() (*catalogv1.WatchProductsResponse, error) {
	if c.s.Receive() {
		return c.s.Msg(), nil
	}
	if err := c.s.Err(); err != nil {
		_ = c.s.Close()
		return nil, asStatus(err)
	}
	return nil, io.EOF
}

// asStatus turns a Connect error into the gRPC status it stands for, with
// the same code, message and details: Connect and gRPC share their codes.
func asStatus(err error) error {
	var ce *connect.Error
	if !errors.As(err, &ce) {
		return err
	}
	p := &spb.Status{Code: int32(ce.Code()), Message: ce.Message()}
	for _, d := range ce.Details() {
		p.Details = append(p.Details, &anypb.Any{TypeUrl: "type.googleapis.com/" + d.Type(), Value: d.Bytes()})
	}
	return status.ErrorProto(p)
}
