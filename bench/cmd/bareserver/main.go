// Command bareserver answers GetProduct with nothing around it: no
// interceptors, no logging, no auth. It is the baseline against which
// labbench measures what the lab's middleware costs. It serves TLS with the
// same certificate as the lab's server, so only the middleware differs.
package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/catalog/v1"
	commonv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/common/v1"
)

type catalog struct {
	catalogv1.UnimplementedProductCatalogServiceServer
	product *catalogv1.Product
}

func (c *catalog) GetProduct(_ context.Context, req *catalogv1.GetProductRequest) (*catalogv1.GetProductResponse, error) {
	if req.GetId() != c.product.GetId() {
		return nil, status.Errorf(codes.NotFound, "product %q not found", req.GetId())
	}
	return &catalogv1.GetProductResponse{Product: c.product}, nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "`host:port` to listen on")
	certFile := flag.String("tls-cert", "", "server certificate `file`")
	keyFile := flag.String("tls-key", "", "server key `file`")
	flag.Parse()
	cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bareserver:", err)
		os.Exit(2)
	}
	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bareserver:", err)
		os.Exit(2)
	}
	srv := grpc.NewServer(grpc.Creds(credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13})))
	catalogv1.RegisterProductCatalogServiceServer(srv, &catalog{product: &catalogv1.Product{
		Id: "product-123", Name: "The Rust Programming Language Book",
		Description: "The official guide to Rust, from ownership to fearless concurrency.",
		Price:       &commonv1.Money{CurrencyCode: "USD", Units: 25, Nanos: 990_000_000},
		Categories:  []string{"books", "programming"},
		CreatedAt:   timestamppb.New(time.Date(2025, 1, 15, 9, 0, 0, 0, time.UTC)),
	}})
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { <-ctx.Done(); srv.GracefulStop() }()
	fmt.Printf("gRPC server listening on %s\n", lis.Addr())
	if err := srv.Serve(lis); err != nil {
		fmt.Fprintln(os.Stderr, "bareserver:", err)
		os.Exit(1)
	}
}
