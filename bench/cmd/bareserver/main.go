// Command bareserver is the baseline labbench measures the lab against: the
// same GetProduct with nothing around it (no interceptors, no logging, no
// auth, no limits), served the ways labbench compares, each over TLS with
// the lab's certificate:
//   - gRPC unary, and a bidirectional stream used like unary (stream.go);
//   - a server stream that only holds, for memory per open stream;
//   - REST/JSON served directly by net/http, with no gateway (rest.go);
//   - a TLS echo of the same sizes, the floor under any protocol (echo.go).
//
// Its flags set grpc-go's knobs (package knobs): one by one for step 13, and
// stage 05's server settings for step 6's control.
package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/learn-grpc/learn-grpc/bench/internal/cli"
	"github.com/learn-grpc/learn-grpc/bench/internal/knobs"

	catalogv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/catalog/v1"
	commonv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/common/v1"
)

// product is the one product every protocol serves: the lab's product-123.
var product = &catalogv1.Product{
	Id: "product-123", Name: "The Rust Programming Language Book",
	Description: "The official guide to Rust, from ownership to fearless concurrency.",
	Price:       &commonv1.Money{CurrencyCode: "USD", Units: 25, Nanos: 990_000_000},
	Categories:  []string{"books", "programming"},
	CreatedAt:   timestamppb.New(time.Date(2025, 1, 15, 9, 0, 0, 0, time.UTC)),
}

type catalog struct {
	catalogv1.UnimplementedProductCatalogServiceServer
}

func (catalog) GetProduct(_ context.Context, req *catalogv1.GetProductRequest) (*catalogv1.GetProductResponse, error) {
	return lookup(req.GetId())
}

// lookup is the whole "store": what every protocol calls. It hands out a
// copy, as the lab's store does, so that step 6 does not charge it to the chain.
func lookup(id string) (*catalogv1.GetProductResponse, error) {
	if id != product.GetId() {
		return nil, status.Errorf(codes.NotFound, "product %q not found", id)
	}
	return &catalogv1.GetProductResponse{Product: proto.CloneOf(product)}, nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cli.Exit("bareserver", run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run serves until ctx ends, as its flags say.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bareserver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "`host:port` of the gRPC server")
	httpAddr := fs.String("http-addr", "127.0.0.1:0", "`host:port` of the direct REST server")
	echoAddr := fs.String("echo-addr", "127.0.0.1:0", "`host:port` of the TLS echo")
	certFile := fs.String("tls-cert", "", "server certificate `file`")
	keyFile := fs.String("tls-key", "", "server key `file`")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to `file`")
	var set knobs.Set
	set.Flags(fs)
	if err := fs.Parse(args); err != nil {
		return cli.ParseError(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, "bareserver: want no arguments")
		fs.Usage()
		return cli.ErrUsage
	}
	return serve(ctx, stdout, *addr, *httpAddr, *echoAddr, *certFile, *keyFile, *profile, set)
}

// newServer is the bare gRPC server with set's knobs: what run serves, and
// what the allocation benchmark measures.
func newServer(tlsConfig *tls.Config, set knobs.Set) *grpc.Server {
	srv := grpc.NewServer(append(set.ServerOptions(), grpc.Creds(credentials.NewTLS(tlsConfig)))...)
	catalogv1.RegisterProductCatalogServiceServer(srv, catalog{})
	srv.RegisterService(&streamDesc, nil)
	return srv
}

// serve is the servers' lives: listening, serving until ctx ends, stopping.
func serve(ctx context.Context, stdout io.Writer, addr, httpAddr, echoAddr, certFile, keyFile, profile string,
	set knobs.Set) error {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return err
	}
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	httpLis, err := net.Listen("tcp", httpAddr)
	if err != nil {
		return err
	}
	echoLis, err := net.Listen("tcp", echoAddr)
	if err != nil {
		return err
	}
	if profile != "" {
		stop, err := cpuProfile(profile)
		if err != nil {
			return err
		}
		defer stop()
	}
	srv := newServer(tlsConfig, set)
	rest := restServer(tlsConfig)
	go func() { <-ctx.Done(); srv.Stop(); _ = rest.Close(); _ = echoLis.Close() }()
	go func() { _ = rest.ServeTLS(httpLis, "", "") }()
	go echo(tls.NewListener(echoLis, tlsConfig))
	fmt.Fprintf(stdout, "gRPC server listening on %s\n", lis.Addr())
	fmt.Fprintf(stdout, "REST listening on %s\n", httpLis.Addr())
	fmt.Fprintf(stdout, "echo listening on %s\n", echoLis.Addr())
	if err := srv.Serve(lis); err != nil && ctx.Err() == nil {
		return err
	}
	return nil
}

// cpuProfile profiles the process into file until stop is called.
func cpuProfile(file string) (stop func(), err error) {
	f, err := os.Create(file)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); _ = f.Close() }, nil
}
