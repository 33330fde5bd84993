package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/09-web/internal/auth"
	"github.com/learn-grpc/learn-grpc/09-web/internal/auth/authtest"
	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"
	"github.com/learn-grpc/learn-grpc/09-web/internal/devpki"
	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"

	ordersv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// ordersClient starts orders in front of the replicas and calls it as alice.
func ordersClient(t *testing.T, pki *testutil.PKI, replicas ...*testutil.Service) (ordersv1.OrderManagementServiceClient, *testutil.Running) {
	t.Helper()
	var addrs []string
	for _, r := range replicas {
		addrs = append(addrs, r.Addr)
	}
	orders := testutil.Start(t, run, append(pki.Flags("orders"),
		"-addr=127.0.0.1:0", "-catalog="+strings.Join(addrs, ","), "-db="+filepath.Join(t.TempDir(), "orders.db"))...)
	return dialAsAlice(t, pki, orders.Addr), orders
}

// dialAsAlice calls the orders service at addr over TLS with alice's token.
func dialAsAlice(t *testing.T, pki *testutil.PKI, addr string, opts ...grpc.DialOption) ordersv1.OrderManagementServiceClient {
	t.Helper()
	creds, err := credentials.NewClientTLSFromFile(pki.Path(devpki.CACert), "")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient(addr, append(opts, grpc.WithTransportCredentials(creds),
		grpc.WithPerRPCCredentials(authtest.Bearer(pki.Keys.Token(t, "alice", auth.ScopeWriteOrders))))...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return ordersv1.NewOrderManagementServiceClient(conn)
}

func order(id string, quantity int32) *ordersv1.CreateOrderRequest {
	return &ordersv1.CreateOrderRequest{Items: []*ordersv1.OrderItem{{ProductId: id, Quantity: quantity}}}
}

func held(t *testing.T, id string, replicas ...*testutil.Service) int32 {
	t.Helper()
	var sum int32
	for _, r := range replicas {
		l, _ := r.Stock.Level(id)
		sum += catalog.SampleStock()[id] - l.Quantity
	}
	return sum
}

func TestAnOrderReservesItsStockInTheCatalog(t *testing.T) {
	pki := testutil.NewPKI(t)
	a, b := testutil.StartCatalog(t, pki, 0), testutil.StartCatalog(t, pki, 0)
	client, orders := ordersClient(t, pki, a, b)
	if _, err := client.CreateOrder(t.Context(), order("product-123", 2)); err != nil {
		t.Fatal(err)
	}
	if got := held(t, "product-123", a, b); got != 2 {
		t.Errorf("the replicas hold %d units of product-123, want 2", got)
	}
	_, err := client.CreateOrder(t.Context(), order("product-123", 1000))
	if status.Code(err) != codes.FailedPrecondition || held(t, "product-123", a, b) != 2 {
		t.Errorf("an order beyond the stock: %v, %d held; want FailedPrecondition, 2 held", err, held(t, "product-123", a, b))
	}
	if err := orders.Stop(); err != nil {
		t.Fatal(err)
	}
}

// TestAReplicaKilledUnderLoadFailsNoCall: calls in flight on a replica that
// dies are retried on the other, and new calls go there.
func TestAReplicaKilledUnderLoadFailsNoCall(t *testing.T) {
	pki := testutil.NewPKI(t)
	a, b := testutil.StartCatalog(t, pki, 0), testutil.StartCatalog(t, pki, 0)
	client, _ := ordersClient(t, pki, a, b)
	const total, killAt = 120, 30
	var (
		mu             sync.Mutex
		placed, failed int
		wg             sync.WaitGroup
		next           = make(chan int)
	)
	for range 4 {
		wg.Go(func() {
			for range next {
				_, err := client.CreateOrder(t.Context(), order("product-321", 1))
				mu.Lock()
				if err != nil {
					failed++
					t.Errorf("CreateOrder: %v", err)
				} else if placed++; placed == killAt {
					a.Srv.Close() // as a crash would
				}
				mu.Unlock()
			}
		})
	}
	for i := range total {
		next <- i
	}
	close(next)
	wg.Wait()
	if failed > 0 {
		t.Fatalf("%d of %d calls failed after a replica was killed", failed, total)
	}
	if !strings.Contains(b.Logs.String(), "reserved stock") {
		t.Errorf("the surviving replica reserved nothing:\n%s", b.Logs)
	}
}

// TestAReplicaNotServingGetsNoCalls: a replica whose health turns
// NOT_SERVING (it is draining before it stops) gets no new calls, though it
// still answers them.
func TestAReplicaNotServingGetsNoCalls(t *testing.T) {
	pki := testutil.NewPKI(t)
	leaving := testutil.StartDrainingCatalog(t, pki, 2*time.Second)
	staying := testutil.StartCatalog(t, pki, 0)
	client, _ := ordersClient(t, pki, leaving, staying)
	for range 4 { // both replicas ready, and in turn
		if _, err := client.CreateOrder(t.Context(), order("product-321", 1)); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(leaving.Logs.String(), "reserved stock") {
		t.Fatalf("the replica served nothing before its stop; the test proves nothing:\n%s", leaving.Logs)
	}
	leaving.Stop()
	testutil.WaitFor(t, "the replica to say it is shutting down", func() bool {
		return strings.Contains(leaving.Logs.String(), "shutting down")
	})
	// The client hears of it on its health Watch stream, a moment later:
	// from then on, ten orders in a row must all go to the other replica.
	// round_robin without health checks would send every other one there.
	inARow := 0
	for n := 0; inARow < 10; n++ {
		if n == 200 {
			t.Fatal("the NOT_SERVING replica still takes orders after 200 of them")
		}
		before := strings.Count(leaving.Logs.String(), "reserved stock")
		if _, err := client.CreateOrder(t.Context(), order("product-321", 1)); err != nil {
			t.Fatal(err)
		}
		inARow++
		if strings.Count(leaving.Logs.String(), "reserved stock") != before {
			inARow = 0
		}
	}
}

// TestTheDeadlineTravels: a caller's deadline cancels the catalog's work
// too, and leaves its stock as it was.
func TestTheDeadlineTravels(t *testing.T) {
	pki := testutil.NewPKI(t)
	slow := testutil.StartCatalog(t, pki, time.Minute)
	client, _ := ordersClient(t, pki, slow)
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	if _, err := client.CreateOrder(ctx, order("product-123", 1)); status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("CreateOrder = %v, want DeadlineExceeded", err)
	}
	testutil.WaitFor(t, "the catalog's handler to end", func() bool {
		logs := slow.Logs.String()
		return strings.Contains(logs, "ReserveStock code=Canceled") || strings.Contains(logs, "ReserveStock code=DeadlineExceeded")
	})
	if got := held(t, "product-123", slow); got != 0 {
		t.Errorf("%d units held after a call that timed out, want 0", got)
	}
}

// TestABusyHealthAddressLeavesNoStreamWorkers: run fails after it built its
// server, and must not leave the stream workers New started behind.
func TestABusyHealthAddressLeavesNoStreamWorkers(t *testing.T) {
	pki := testutil.NewPKI(t)
	busy := testutil.BusyAddr(t)
	err := run(t.Context(), append(pki.Flags("orders"), "-addr=127.0.0.1:0", "-catalog="+busy,
		"-db="+filepath.Join(t.TempDir(), "orders.db"), "-health-addr="+busy), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "-health-addr") {
		t.Fatalf("run with a busy -health-addr = %v, want its error", err)
	}
	testutil.NoStreamWorkersLeft(t)
}

func TestRejectsBadArguments(t *testing.T) {
	pki := testutil.NewPKI(t)
	for _, args := range [][]string{{"-addr"}, {"stray"}, {"-track-interval=0s"}, {"-catalog=a:1,,b:2"}, {"-db="}} {
		if err := run(context.Background(), append(pki.Flags("orders"), args...), io.Discard, io.Discard); err == nil {
			t.Errorf("run(%q) = nil, want an error", args)
		}
	}
}
