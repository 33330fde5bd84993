package telemetry_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/learn-grpc/learn-grpc/08-observability/internal/auth"
	"github.com/learn-grpc/learn-grpc/08-observability/internal/auth/authtest"
	"github.com/learn-grpc/learn-grpc/08-observability/internal/devpki"
	"github.com/learn-grpc/learn-grpc/08-observability/internal/telemetry"
	"github.com/learn-grpc/learn-grpc/08-observability/internal/testutil"

	ordersv1 "github.com/learn-grpc/learn-grpc/08-observability/gen/ecommerce/orders/v1"
)

// discard is an exporter that drops what it is given: the cost of
// recording and batching spans, without that of a network.
type discard struct{}

func (discard) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discard) Shutdown(context.Context) error                             { return nil }

// BenchmarkCreateOrder places orders with orders and a catalog in this
// process, over real TCP and mutual TLS: with telemetry off; traced (every
// call sampled, spans batched to a discarding exporter, metrics recorded);
// and sampled, one trace in ten as the parent-based ratio sampler decides.
// allocs/op counts both services' allocations and the client's.
func BenchmarkCreateOrder(b *testing.B) {
	samplers := map[string]sdktrace.Sampler{
		"traced":  sdktrace.AlwaysSample(),
		"sampled": sdktrace.ParentBased(sdktrace.TraceIDRatioBased(0.1)),
	}
	for _, mode := range []string{"off", "traced", "sampled"} {
		b.Run(mode, func(b *testing.B) {
			tel := func() *telemetry.Telemetry {
				if mode == "off" {
					return telemetry.Off()
				}
				tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(discard{}), sdktrace.WithSampler(samplers[mode]))
				mp := metric.NewMeterProvider()
				b.Cleanup(func() { _ = tp.Shutdown(context.Background()); _ = mp.Shutdown(context.Background()) })
				return telemetry.New(tp, mp)
			}
			pki := testutil.NewPKI(b)
			cat := testutil.StartDeepCatalog(b, pki, tel())
			ord := testutil.StartOrdersTraced(b, pki, cat.Addr, tel())
			creds, err := credentials.NewClientTLSFromFile(pki.Path(devpki.CACert), "")
			if err != nil {
				b.Fatal(err)
			}
			conn, err := grpc.NewClient(ord.Addr, grpc.WithTransportCredentials(creds),
				grpc.WithPerRPCCredentials(authtest.Bearer(pki.Keys.Token(b, "alice", auth.ScopeWriteOrders))))
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close()
			client := ordersv1.NewOrderManagementServiceClient(conn)
			req := &ordersv1.CreateOrderRequest{Items: []*ordersv1.OrderItem{{ProductId: "product-321", Quantity: 1}}}
			if _, err := client.CreateOrder(b.Context(), req); err != nil { // connect before timing
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := client.CreateOrder(b.Context(), req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
