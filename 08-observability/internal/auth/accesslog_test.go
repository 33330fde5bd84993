package auth_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/08-observability/internal/auth"
	"github.com/learn-grpc/learn-grpc/08-observability/internal/auth/authtest"
	"github.com/learn-grpc/learn-grpc/08-observability/internal/testutil"

	catalogv1 "github.com/learn-grpc/learn-grpc/08-observability/gen/ecommerce/catalog/v1"
)

const getProduct = "/ecommerce.catalog.v1.ProductCatalogService/GetProduct"

// lateCatalog answers GetProduct once the call's context has ended, as a
// handler that finishes its work whatever the caller does: it succeeds,
// but its answer can no longer be sent.
type lateCatalog struct {
	catalogv1.UnimplementedProductCatalogServiceServer
	entered chan struct{}
	answer  error // returned at once instead, if set
}

func (c lateCatalog) GetProduct(ctx context.Context, _ *catalogv1.GetProductRequest) (*catalogv1.GetProductResponse, error) {
	if c.answer != nil {
		return nil, c.answer
	}
	close(c.entered)
	<-ctx.Done()
	return &catalogv1.GetProductResponse{}, nil
}

// logged serves c behind the interceptors, logging at level, and returns
// a client, the server and the log.
func logged(t *testing.T, c lateCatalog, level slog.Level) (catalogv1.ProductCatalogServiceClient,
	healthgrpc.HealthClient, *grpc.Server, *testutil.LockedBuffer) {
	t.Helper()
	logs := &testutil.LockedBuffer{}
	in := &auth.Interceptors{Verifier: authtest.NewKeys(t).Verifier, Policy: auth.Policy,
		Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: level}))}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(in.ServerOptions()...)
	catalogv1.RegisterProductCatalogServiceServer(srv, c)
	healthgrpc.RegisterHealthServer(srv, healthpb.NewServer())
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecureCreds()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return catalogv1.NewProductCatalogServiceClient(conn), healthgrpc.NewHealthClient(conn), srv, logs
}

// TestTheLogSaysWhatTheCallerReceived: the code logged is the code the
// caller got, also when the handler succeeded too late to be heard.
func TestTheLogSaysWhatTheCallerReceived(t *testing.T) {
	for _, tt := range []struct {
		name   string
		answer error
		end    func(cancel context.CancelFunc, srv *grpc.Server)
		want   codes.Code
	}{
		{name: "a caller that went away is logged Canceled", want: codes.Canceled,
			end: func(cancel context.CancelFunc, _ *grpc.Server) { cancel() }},
		{name: "a call cut off by a server stopping is logged Unavailable", want: codes.Unavailable,
			end: func(_ context.CancelFunc, srv *grpc.Server) { srv.Stop() }},
		{name: "a bare context error is logged as the code grpc-go sends", want: codes.Canceled,
			answer: context.Canceled},
		{name: "any other error is logged Unknown", want: codes.Unknown, answer: errors.New("a bug")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			entered := make(chan struct{})
			client, _, srv, logs := logged(t, lateCatalog{entered: entered, answer: tt.answer}, slog.LevelInfo)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			got := make(chan error, 1)
			go func() {
				_, err := client.GetProduct(ctx, &catalogv1.GetProductRequest{Id: "product-123"})
				got <- err
			}()
			if tt.end != nil {
				<-entered
				tt.end(cancel, srv)
			}
			if code := status.Code(<-got); code != tt.want {
				t.Errorf("the caller received %v, want %v", code, tt.want)
			}
			want := "msg=rpc method=" + getProduct + " code=" + tt.want.String() + " "
			testutil.WaitFor(t, "the call's log line", func() bool { return strings.Contains(logs.String(), "msg=rpc") })
			if !strings.Contains(logs.String(), want) {
				t.Errorf("log lacks %q:\n%s", want, logs.String())
			}
		})
	}
}

// TestHealthChecksAreLoggedAtDebugOnly: probes every few seconds would bury
// the calls worth reading.
func TestHealthChecksAreLoggedAtDebugOnly(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
		_, health, _, logs := logged(t, lateCatalog{answer: errors.New("unused")}, level)
		if _, err := health.Check(t.Context(), &healthgrpc.HealthCheckRequest{}); err != nil {
			t.Fatal(err)
		}
		logged := strings.Contains(logs.String(), "level=DEBUG msg=rpc method=/grpc.health.v1.Health/Check code=OK")
		if want := level == slog.LevelDebug; logged != want {
			t.Errorf("at %v, the health check logged = %v, want %v:\n%s", level, logged, want, logs.String())
		}
	}
}
