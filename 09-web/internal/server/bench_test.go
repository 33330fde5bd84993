package server_test

import (
	"context"
	"flag"
	"log/slog"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/learn-grpc/learn-grpc/09-web/internal/auth/authtest"
	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"
	"github.com/learn-grpc/learn-grpc/09-web/internal/server"
	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
)

var watchers = flag.Int("watchers", 5000, "concurrent WatchProducts streams in BenchmarkFanOut")

// streamsPerConn spreads the watchers over several client connections, as
// many separate clients would, instead of one connection carrying them all.
const streamsPerConn = catalog.MaxWatchersPerConn

// BenchmarkFanOut opens -watchers streams on one server over loopback TCP,
// all watching the same product, then measures one change reaching every
// one of them: ns/op is the time from Adjust until the last watcher has
// received the new level. It also reports the memory (heap and goroutine
// stacks) and the goroutines each open stream costs, client and server side
// together, since both run in this process. Run it with:
//
//	go test -run '^$' -bench FanOut -benchmem ./internal/server -watchers=5000
func BenchmarkFanOut(b *testing.B) {
	n := *watchers
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	stock := testutil.NewStock(b)
	log := slog.New(slog.DiscardHandler)
	srv := server.New(server.Config{Log: log, Verifier: authtest.NewKeys(b).Verifier})
	testutil.RegisterCatalog(srv, catalog.NewStore(catalog.SampleProducts(), 0), stock, log)
	srvCtx, stopServer := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(srvCtx, lis, server.Shutdown{Grace: 10 * time.Second}) }()

	before := heapAndGoroutines()
	var (
		target  atomic.Int32 // the level every watcher must reach
		reached atomic.Int64 // watchers that reached it
		allIn   = make(chan struct{}, 1)
		wg      sync.WaitGroup
		conns   []*grpc.ClientConn
	)
	watchCtx, stopWatching := context.WithCancel(context.Background())
	start, _ := stock.Level("product-123")
	target.Store(start.Quantity)
	for i := range n {
		if i%streamsPerConn == 0 {
			conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
			if err != nil {
				b.Fatal(err)
			}
			conns = append(conns, conn)
		}
		stream, err := catalogv1.NewProductCatalogServiceClient(conns[len(conns)-1]).WatchProducts(watchCtx,
			&catalogv1.WatchProductsRequest{ProductIds: []string{"product-123"}})
		if err != nil {
			b.Fatal(err)
		}
		wg.Go(func() {
			counted := int32(-1)
			for {
				resp, err := stream.Recv()
				if err != nil {
					return
				}
				if t := target.Load(); resp.GetInventory().GetQuantity() >= t && counted < t {
					counted = t
					if reached.Add(1) == int64(n) {
						allIn <- struct{}{}
					}
				}
			}
		})
	}
	<-allIn // every watcher has its first message: all streams are open
	after := heapAndGoroutines()

	b.ResetTimer()
	for i := range b.N {
		reached.Store(0)
		target.Store(start.Quantity + int32(i) + 1)
		if _, err := stock.Adjust(b.Context(), "product-123", 1); err != nil {
			b.Fatal(err)
		}
		<-allIn
	}
	b.StopTimer()
	// Reported after the timed loop: ResetTimer discards earlier metrics.
	b.ReportMetric(float64(after.heap-before.heap)/float64(n), "B/stream")
	b.ReportMetric(float64(after.goroutines-before.goroutines)/float64(n), "goroutines/stream")
	b.ReportMetric(float64(n), "watchers")

	stopWatching()
	wg.Wait()
	for _, c := range conns {
		_ = c.Close()
	}
	stopServer()
	if err := <-served; err != nil {
		b.Fatal(err)
	}
}

type usage struct {
	heap       uint64
	goroutines int
}

func heapAndGoroutines() usage {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return usage{heap: m.HeapInuse + m.StackInuse, goroutines: runtime.NumGoroutine()}
}
