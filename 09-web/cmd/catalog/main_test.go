package main

import (
	"context"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/09-web/internal/devpki"
	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
	inventoryv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/inventory/v1"
)

func TestMain(m *testing.M) {
	if runAsReplica() {
		return
	}
	goleak.VerifyTestMain(m)
}

// flags are the catalog's flags for a test: the test's secrets, a free port
// and a store of its own.
func flags(t *testing.T, pki *testutil.PKI, extra ...string) []string {
	return append(append(pki.Flags("catalog"), "-addr=127.0.0.1:0", "-db="+filepath.Join(t.TempDir(), "catalog.db")),
		extra...)
}

func dial(t *testing.T, addr string, creds credentials.TransportCredentials) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// TestServeAndStop starts the catalog on a free port, calls it as a user
// (TLS, no certificate), then stops it the way SIGINT would.
func TestServeAndStop(t *testing.T) {
	pki := testutil.NewPKI(t)
	cat := testutil.Start(t, run, flags(t, pki)...)
	asUser, err := credentials.NewClientTLSFromFile(pki.Path(devpki.CACert), "")
	if err != nil {
		t.Fatal(err)
	}
	conn := dial(t, cat.Addr, asUser)
	health, err := healthpb.NewHealthClient(conn).Check(t.Context(),
		&healthpb.HealthCheckRequest{Service: "ecommerce.catalog.v1.ProductCatalogService"})
	if err != nil || health.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health = %v, %v; want SERVING", health.GetStatus(), err)
	}
	if _, err := catalogv1.NewProductCatalogServiceClient(conn).GetProduct(t.Context(),
		&catalogv1.GetProductRequest{Id: "product-123"}); err != nil {
		t.Fatalf("GetProduct without a certificate: %v", err)
	}
	conn.Close()
	if err := cat.Stop(); err != nil {
		t.Fatalf("run after stop = %v; logs:\n%s", err, cat.Logs)
	}
	if !strings.Contains(cat.Logs.String(), "catalog stopped") {
		t.Errorf("logs do not report the stop:\n%s", cat.Logs)
	}
}

// TestInventoryAnswersOnlyOrders calls ReserveStock as each kind of caller.
func TestInventoryAnswersOnlyOrders(t *testing.T) {
	pki := testutil.NewPKI(t)
	cat := testutil.Start(t, run, flags(t, pki)...)
	asUser, err := credentials.NewClientTLSFromFile(pki.Path(devpki.CACert), "")
	if err != nil {
		t.Fatal(err)
	}
	asGateway, err := pki.Files("gateway").ClientCreds()
	if err != nil {
		t.Fatal(err)
	}
	asOrders, err := pki.Files("orders").ClientCreds()
	if err != nil {
		t.Fatal(err)
	}
	req := &inventoryv1.ReserveStockRequest{OrderId: "order-1",
		Items: []*inventoryv1.StockItem{{ProductId: "product-123", Quantity: 1}}}
	tests := []struct {
		name  string
		creds credentials.TransportCredentials
		want  codes.Code
	}{
		{"a caller without a certificate is denied", asUser, codes.PermissionDenied},
		{"another service's certificate is denied", asGateway, codes.PermissionDenied},
		{"the orders service's certificate is served", asOrders, codes.OK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := inventoryv1.NewInventoryServiceClient(dial(t, cat.Addr, tt.creds)).ReserveStock(t.Context(), req)
			if got := status.Code(err); got != tt.want {
				t.Fatalf("ReserveStock: %v, want %v", err, tt.want)
			}
			if err == nil {
				items := resp.GetItems()
				if len(items) != 1 || items[0].GetUnitPrice().GetUnits() != 25 || items[0].GetUnitPrice().GetNanos() != 990_000_000 {
					t.Errorf("reserved %v, want product-123 priced at 25.99", items)
				}
			}
		})
	}
	if !strings.Contains(cat.Logs.String(), "peer=spiffe://learn-grpc.dev/gateway") {
		t.Errorf("the refusal of the gateway does not name it in the log:\n%s", cat.Logs)
	}
}

// TestRejectsBadArguments: a bad flag, a stray argument or missing
// certificates stop the catalog before it serves, with a way to fix it.
func TestRejectsBadArguments(t *testing.T) {
	pki := testutil.NewPKI(t)
	for _, args := range [][]string{{"-addr"}, {"-no-such-flag"}, {"stray"}, {"-update-interval=0s"}, {"-log-level=loud"}} {
		if err := run(context.Background(), flags(t, pki, args...), io.Discard, io.Discard); err == nil {
			t.Errorf("run(%q) = nil, want an error", args)
		}
	}
	err := run(context.Background(), flags(t, pki, "-tls-cert=missing.crt"), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "go run ./cmd/devcerts") {
		t.Errorf("missing certificate: %v, want an error that says how to make one", err)
	}
}

// TestABusyHealthAddressLeavesNoStreamWorkers: run fails after it built its
// server, and must not leave the stream workers New started behind.
func TestABusyHealthAddressLeavesNoStreamWorkers(t *testing.T) {
	pki := testutil.NewPKI(t)
	busy := testutil.BusyAddr(t)
	err := run(t.Context(), flags(t, pki, "-health-addr="+busy), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "-health-addr") {
		t.Fatalf("run with a busy -health-addr = %v, want its error", err)
	}
	testutil.NoStreamWorkersLeft(t)
}

// TestProbePortServesHealthAlone: the kubelet's probe speaks plaintext gRPC
// to -health-addr, which answers the health service and nothing else.
func TestProbePortServesHealthAlone(t *testing.T) {
	pki := testutil.NewPKI(t)
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	probeAddr := free.Addr().String()
	free.Close()
	testutil.Start(t, run, flags(t, pki, "-health-addr="+probeAddr)...)
	conn := dial(t, probeAddr, insecure.NewCredentials())
	health, err := healthpb.NewHealthClient(conn).Check(t.Context(),
		&healthpb.HealthCheckRequest{Service: "ecommerce.catalog.v1.ProductCatalogService"})
	if err != nil || health.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("probe = %v, %v; want SERVING", health.GetStatus(), err)
	}
	_, err = catalogv1.NewProductCatalogServiceClient(conn).GetProduct(t.Context(), &catalogv1.GetProductRequest{Id: "product-123"})
	if status.Code(err) != codes.Unimplemented {
		t.Errorf("GetProduct on the probe port = %v, want Unimplemented", err)
	}
}
