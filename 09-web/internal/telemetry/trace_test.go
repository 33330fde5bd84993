package telemetry_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/learn-grpc/learn-grpc/09-web/internal/auth"
	"github.com/learn-grpc/learn-grpc/09-web/internal/catalogclient"
	"github.com/learn-grpc/learn-grpc/09-web/internal/dial"
	"github.com/learn-grpc/learn-grpc/09-web/internal/gateway"
	"github.com/learn-grpc/learn-grpc/09-web/internal/telemetry"
	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"
	"github.com/learn-grpc/learn-grpc/09-web/openapi"
)

// traced is telemetry for service whose spans all go to one exporter.
func traced(t *testing.T, spans *tracetest.InMemoryExporter, service string) *telemetry.Telemetry {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans),
		sdktrace.WithResource(resource.NewSchemaless(semconv.ServiceName(service))))
	mp := sdkmetric.NewMeterProvider()
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()); _ = mp.Shutdown(context.Background()) })
	return telemetry.New(tp, mp)
}

// TestOneOrderIsOneTrace places an order through the gateway, orders and a
// catalog, each traced as its command traces it, and reads the tree.
func TestOneOrderIsOneTrace(t *testing.T) {
	spans := tracetest.NewInMemoryExporter()
	pki := testutil.NewPKI(t)
	cat := testutil.StartCatalogTraced(t, pki, 0, traced(t, spans, "catalog"))
	ord := testutil.StartOrdersTraced(t, pki, cat.Addr, traced(t, spans, "orders"))

	gw := traced(t, spans, "gateway")
	creds, err := pki.Files("gateway").ClientCreds()
	if err != nil {
		t.Fatal(err)
	}
	catalogConn, err := catalogclient.Dial(cat.Addr, creds, gw.DialOption())
	if err != nil {
		t.Fatal(err)
	}
	defer catalogConn.Close()
	ordersConn, err := dial.Replicas(ord.Addr, "orders", `{}`, creds, gw.DialOption())
	if err != nil {
		t.Fatal(err)
	}
	defer ordersConn.Close()
	h, err := gateway.Handler(t.Context(), catalogConn, ordersConn, openapi.Document, gw)
	if err != nil {
		t.Fatal(err)
	}
	rest := httptest.NewServer(h)
	defer rest.Close()

	req, _ := http.NewRequest("POST", rest.URL+"/v1/orders", strings.NewReader(`{"items": [{"productId": "product-123", "quantity": 1}]}`))
	req.Header.Set("Authorization", "Bearer "+pki.Keys.Token(t, "alice", auth.ScopeWriteOrders))
	// A caller's trace context must not become ours at a public edge.
	req.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("POST /v1/orders = %d", resp.StatusCode)
	}
	testutil.WaitFor(t, "five spans", func() bool { return len(spans.GetSpans()) >= 5 })

	type want struct {
		service, name string
		kind          trace.SpanKind
	}
	chain := []want{
		{"gateway", "POST /v1/orders", trace.SpanKindServer},
		{"gateway", "ecommerce.orders.v1.OrderManagementService/CreateOrder", trace.SpanKindClient},
		{"orders", "ecommerce.orders.v1.OrderManagementService/CreateOrder", trace.SpanKindServer},
		{"orders", "ecommerce.inventory.v1.InventoryService/ReserveStock", trace.SpanKindClient},
		{"catalog", "ecommerce.inventory.v1.InventoryService/ReserveStock", trace.SpanKindServer},
	}
	all := spans.GetSpans().Snapshots()
	find := func(w want) sdktrace.ReadOnlySpan {
		for _, s := range all {
			if s.Name() == w.name && s.SpanKind() == w.kind && service(s) == w.service {
				return s
			}
		}
		t.Fatalf("no %s span %q (%v) among %d spans", w.service, w.name, w.kind, len(all))
		return nil
	}
	var parent sdktrace.ReadOnlySpan
	for i, w := range chain {
		s := find(w)
		switch {
		case i == 0 && s.Parent().IsValid():
			t.Errorf("the gateway's span has a parent, %v: the caller's traceparent was trusted", s.Parent().TraceID())
		case i == 0 && (len(s.Links()) != 1 || s.Links()[0].SpanContext.TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736"):
			t.Errorf("the gateway's span links %v, want the caller's trace", s.Links())
		case i > 0 && s.Parent().SpanID() != parent.SpanContext().SpanID():
			t.Errorf("%s %s: parent %v, want the %s %s span", w.service, w.name, s.Parent().SpanID(), service(parent), parent.Name())
		case i > 0 && s.SpanContext().TraceID() != parent.SpanContext().TraceID():
			t.Errorf("%s %s is in another trace", w.service, w.name)
		}
		parent = s
	}
	if !hasAttr(find(chain[2]).Attributes(), attribute.String("enduser.id", "alice")) {
		t.Errorf("the orders span does not name its caller: %v", find(chain[2]).Attributes())
	}
	for _, a := range find(chain[2]).Attributes() {
		if strings.Contains(a.Value.Emit(), "eyJ") {
			t.Errorf("a span attribute holds a token: %v", a)
		}
	}
	if !hasEvent(find(chain[4]), "stock reserved") || !hasEvent(find(chain[2]), "order stored") {
		t.Errorf("missing events: catalog %v, orders %v", find(chain[4]).Events(), find(chain[2]).Events())
	}
}

func service(s sdktrace.ReadOnlySpan) string {
	v, _ := s.Resource().Set().Value(semconv.ServiceNameKey)
	return v.AsString()
}

func hasAttr(attrs []attribute.KeyValue, want attribute.KeyValue) bool {
	for _, a := range attrs {
		if a == want {
			return true
		}
	}
	return false
}

func hasEvent(s sdktrace.ReadOnlySpan, name string) bool {
	for _, e := range s.Events() {
		if e.Name == name {
			return true
		}
	}
	return false
}
