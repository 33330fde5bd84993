package telemetry_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.uber.org/goleak"
	"google.golang.org/grpc"

	"github.com/learn-grpc/learn-grpc/09-web/internal/telemetry"
	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
	inventoryv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/inventory/v1"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestNothingIsExportedUnlessAsked(t *testing.T) {
	t.Setenv("OTEL_TRACES_EXPORTER", "")
	t.Setenv("OTEL_METRICS_EXPORTER", "")
	tel, err := telemetry.Setup(t.Context(), "catalog", quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Shutdown(context.Background())
	_, span := tel.Tracer.Tracer("test").Start(t.Context(), "work")
	defer span.End()
	if span.IsRecording() {
		t.Error("a span records with OTEL_TRACES_EXPORTER unset")
	}
}

// otlpReceiver counts the trace exports it receives, as a collector would.
func otlpReceiver(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var got atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.URL.Path == "/v1/traces" {
			got.Add(1)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &got
}

func otlpTo(t *testing.T, endpoint string) {
	t.Setenv("OTEL_TRACES_EXPORTER", "otlp")
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
}

// TestShutdownFlushesSpans: with a batch delay of an hour, spans reach the
// collector only because Shutdown sends them.
func TestShutdownFlushesSpans(t *testing.T) {
	srv, got := otlpReceiver(t)
	otlpTo(t, srv.URL)
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "3600000")
	tel, err := telemetry.Setup(t.Context(), "orders", quiet())
	if err != nil {
		t.Fatal(err)
	}
	_, span := tel.Tracer.Tracer("test").Start(t.Context(), "work")
	span.End()
	if n := got.Load(); n != 0 {
		t.Fatalf("%d exports before shutdown, want 0 with a batch delay of an hour", n)
	}
	if err := tel.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := got.Load(); n != 1 {
		t.Errorf("%d exports after shutdown, want 1", n)
	}
}

// TestAStalledExporterHoldsUpNoCall points OTLP at a collector that takes
// the export requests and answers none until the calls are done. Spans end
// inside each call (the client's when the call returns), so an exporter on
// the calls' path would hold every call until the collector answers.
func TestAStalledExporterHoldsUpNoCall(t *testing.T) {
	answer := make(chan struct{})
	var answered sync.Once
	release := func() { answered.Do(func() { close(answer) }) }
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		<-answer
	}))
	t.Cleanup(collector.Close)
	t.Cleanup(release) // before the collector closes: it waits for its handlers
	otlpTo(t, collector.URL)
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "10")
	t.Setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "600000") // a stalled export waits ten minutes
	tel, err := telemetry.Setup(t.Context(), "catalog", quiet())
	if err != nil {
		t.Fatal(err)
	}
	pki := testutil.NewPKI(t)
	cat := testutil.StartCatalogTraced(t, pki, 0, tel)
	catalog := catalogv1.NewProductCatalogServiceClient(dialCatalog(t, pki, cat.Addr, tel.DialOption()))

	done := make(chan error, 1)
	go func() {
		for range 50 {
			if _, err := catalog.GetProduct(t.Context(), &catalogv1.GetProductRequest{Id: "product-123"}); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("GetProduct with the collector stalled: %v", err)
		}
	case <-time.After(30 * time.Second): // a hang, not a speed limit: the export waits 10 min
		release()
		<-done
		t.Fatal("the calls waited for the stalled collector")
	}
	release()
	if err := tel.Shutdown(t.Context()); err != nil {
		t.Errorf("Shutdown once the collector answers: %v", err)
	}
}

func dialCatalog(t *testing.T, pki *testutil.PKI, addr string, opts ...grpc.DialOption) *grpc.ClientConn {
	t.Helper()
	creds, err := pki.Files("orders").ClientCreds()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient(addr, append(opts, grpc.WithTransportCredentials(creds))...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func TestMetricsReportTheCallsServed(t *testing.T) {
	t.Setenv("OTEL_TRACES_EXPORTER", "")
	t.Setenv("OTEL_METRICS_EXPORTER", "")
	tel, err := telemetry.Setup(t.Context(), "catalog", quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Shutdown(context.Background())
	pki := testutil.NewPKI(t)
	cat := testutil.StartCatalogTraced(t, pki, 0, tel)
	inv := inventoryv1.NewInventoryServiceClient(dialCatalog(t, pki, cat.Addr))
	req := &inventoryv1.ReserveStockRequest{OrderId: "order-1",
		Items: []*inventoryv1.StockItem{{ProductId: "product-123", Quantity: 1}}}
	for range 2 { // reserved, then repeated
		if _, err := inv.ReserveStock(t.Context(), req); err != nil {
			t.Fatal(err)
		}
	}
	wants := []string{
		`rpc_method="ecommerce.inventory.v1.InventoryService/ReserveStock",rpc_response_status_code="OK",rpc_system_name="grpc"} 2`,
		`outcome="reserved"} 1`,
		`outcome="repeated"} 1`,
		`learn_grpc_watchers_open{`,
	}
	// The server records a call's duration as the call ends on its side,
	// which may come just after the client has its answer: wait for it.
	testutil.WaitFor(t, "/metrics to hold "+strings.Join(wants, " and "), func() bool {
		rec := httptest.NewRecorder()
		tel.Metrics.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		for _, want := range wants {
			if !strings.Contains(rec.Body.String(), want) {
				return false
			}
		}
		return true
	})
}

func TestALogLineCarriesItsSpan(t *testing.T) {
	tp := sdktrace.NewTracerProvider()
	defer tp.Shutdown(context.Background())
	var out bytes.Buffer
	log := slog.New(telemetry.LogHandler(slog.NewTextHandler(&out, nil)))
	ctx, span := tp.Tracer("test").Start(t.Context(), "work")
	log.InfoContext(ctx, "inside")
	span.End()
	log.InfoContext(t.Context(), "outside")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	sc := span.SpanContext()
	if want := "trace_id=" + sc.TraceID().String() + " span_id=" + sc.SpanID().String(); !strings.Contains(lines[0], want) {
		t.Errorf("inside a span: %q, want it to hold %q", lines[0], want)
	}
	if strings.Contains(lines[1], "trace_id") {
		t.Errorf("outside a span: %q holds a trace id", lines[1])
	}
}
