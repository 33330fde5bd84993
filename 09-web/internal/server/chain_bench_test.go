package server_test

import (
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/learn-grpc/learn-grpc/09-web/internal/auth/authtest"
	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"
	"github.com/learn-grpc/learn-grpc/09-web/internal/logging"
	"github.com/learn-grpc/learn-grpc/09-web/internal/server"
	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
)

// BenchmarkGetProduct measures what the server's chain (recovery, an access
// log line written to a file, a token verified, the policy, every limit)
// costs a call, against the same handler on a bare grpc-go server. Client
// and server share the process, so ns/op and allocs/op count both sides;
// the difference between the two is the chain's. Run it with:
//
//	go test -run '^$' -bench GetProduct ./internal/server
func BenchmarkGetProduct(b *testing.B) {
	keys := authtest.NewKeys(b)
	token := keys.Token(b, "bench")
	stock := testutil.NewStock(b)
	store := catalog.NewStore(catalog.SampleProducts(), 0)

	b.Run("bare grpc-go", func(b *testing.B) {
		// The chain's windows and stream workers, so that what differs is the chain.
		srv := grpc.NewServer(grpc.InitialWindowSize(server.StreamWindow),
			grpc.InitialConnWindowSize(server.ConnWindow), grpc.NumStreamWorkers(uint32(server.StreamWorkers)))
		catalogv1.RegisterProductCatalogServiceServer(srv, catalog.NewService(store, stock, nil))
		benchGetProduct(b, token, func(lis net.Listener) func() {
			go func() { _ = srv.Serve(lis) }()
			return srv.Stop
		})
	})
	b.Run("the full chain", func(b *testing.B) {
		file, err := os.Create(filepath.Join(b.TempDir(), "server.log"))
		if err != nil {
			b.Fatal(err)
		}
		defer file.Close()
		log, closeLog := logging.New(file, slog.LevelInfo) // as cmd/server logs
		defer closeLog()
		srv := server.New(server.Config{Log: log, Verifier: keys.Verifier})
		testutil.RegisterCatalog(srv, store, stock, log)
		benchGetProduct(b, token, func(lis net.Listener) func() {
			ctx, cancel := context.WithCancel(context.Background())
			served := make(chan error, 1)
			go func() { served <- srv.Serve(ctx, lis, server.Shutdown{Grace: time.Second}) }()
			return func() { cancel(); <-served }
		})
	})
}

// benchGetProduct serves on loopback TCP with serve, and calls GetProduct
// with token over one connection, from one caller and from 16.
func benchGetProduct(b *testing.B, token string, serve func(net.Listener) (stop func())) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	stop := serve(lis)
	defer stop()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithPerRPCCredentials(authtest.Bearer(token)))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	client := catalogv1.NewProductCatalogServiceClient(conn)
	req := &catalogv1.GetProductRequest{Id: "product-123"}
	if _, err := client.GetProduct(b.Context(), req); err != nil {
		b.Fatal(err)
	}
	b.Run("1 caller", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := client.GetProduct(context.Background(), req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("16 callers", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism((16 + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := client.GetProduct(context.Background(), req); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
