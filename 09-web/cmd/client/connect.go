package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"

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
// connection, verified with the CA file ca.
func connectWatch(base, ca, token string) (openWatch, func(), error) {
	pem, err := os.ReadFile(ca)
	if err != nil {
		return nil, nil, fmt.Errorf("%w (create the development CA with: go run ./cmd/devcerts)", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, nil, fmt.Errorf("%s holds no PEM certificate", ca)
	}
	transport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}
	client := catalogv1connect.NewProductCatalogServiceClient(&http.Client{Transport: transport}, base,
		connect.WithProtoJSON())
	open := func(ctx context.Context, req *catalogv1.WatchProductsRequest) (stockStream, error) {
		r := connect.NewRequest(req)
		if token != "" {
			r.Header().Set("Authorization", "Bearer "+token)
		}
		stream, err := client.WatchProducts(ctx, r)
		if err != nil {
			return nil, asStatus(err)
		}
		return connectStream{stream}, nil
	}
	return open, transport.CloseIdleConnections, nil
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
