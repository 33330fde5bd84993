// Package gateway serves the gRPC services as REST/JSON, through
// grpc-gateway: the edge in front of the catalog and orders services.
package gateway

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"
	"github.com/learn-grpc/learn-grpc/09-web/internal/telemetry"
	"github.com/learn-grpc/learn-grpc/09-web/internal/watchhub"
	"github.com/learn-grpc/learn-grpc/09-web/web"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
	ordersv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1"
)

// Handler translates REST requests into gRPC calls to the catalog and the
// orders services, over their connections, and serves both services over
// Connect, gRPC-Web and gRPC too (see connect.go). Every REST request passes the
// services' interceptors: logging, authentication and authorization apply
// exactly as they do to gRPC clients. grpc-gateway passes the HTTP
// Authorization header on, once, as the call's "authorization" metadata,
// the client's address as "x-forwarded-for", and no other header (see
// headers.go); it maps the gRPC status of a failed call to an HTTP status,
// error details included.
//
// Every request passes the limits in limits.go and headers.go before
// anything is parsed; CORS wraps them for the RPC routes (see corsForRPC).
// It also serves the OpenAPI document at /openapi.json.
//
// tel traces each request (see telemetry.Handler), naming its span by the
// route it took, and the gRPC calls it makes continue that trace.
func Handler(ctx context.Context, catalogConn, ordersConn *grpc.ClientConn, openAPI []byte,
	tel *telemetry.Telemetry, opts ...Option) (http.Handler, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	// Two muxes over the same connections: unary answers are indented for
	// people, while the watch stream sends exactly one JSON object a line,
	// which is what a client reading it line by line needs.
	indented, err := gatewayMux(ctx, catalogConn, ordersConn, &stableJSON{JSONPb: defaultJSON, indent: true})
	if err != nil {
		return nil, err
	}
	lines, err := gatewayMux(ctx, catalogConn, ordersConn, &stableJSON{JSONPb: defaultJSON})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/v1/", withDeadline(indented))
	mux.Handle("GET /v1/products:watch", streaming(ctx, lines,
		catalog.NewWatchLimitOf("gateway", "client address", MaxRESTWatchers, MaxRESTWatchersPerClient)))
	// Browsers' stock watches share a few upstream watches (watchhub), so
	// thousands of viewers fit in the catalog's 32 watchers a connection.
	hub := watchhub.New(catalogv1.NewProductCatalogServiceClient(catalogConn), o.log, o.viewersPerAddress)
	context.AfterFunc(ctx, hub.Close)
	mountConnectServices(ctx, mux, catalogConn, ordersConn, hub)
	// The storefront, at "/" with no method: "GET /" would conflict with the
	// method-less routes above. It answers 404 for paths it does not know.
	mux.Handle("/", web.Handler())
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(openAPI)
	})
	// Liveness for an orchestrator: the process answers HTTP. Whether the
	// services behind it are up is theirs to report.
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok\n")
	})
	limited := limitHeaders(limitBody(mux, MaxRequestBody), MaxRequestHeaderBytes)
	return tel.Handler(corsForRPC(limited, o.corsOrigins), "gateway"), nil
}

func gatewayMux(ctx context.Context, catalogConn, ordersConn *grpc.ClientConn, m runtime.Marshaler) (*runtime.ServeMux, error) {
	gw := runtime.NewServeMux(runtime.WithMarshalerOption(runtime.MIMEWildcard, m),
		runtime.WithStreamErrorHandler(streamError), runtime.WithErrorHandler(mapHeaderListErrors),
		runtime.WithIncomingHeaderMatcher(forwardNoHeaders), runtime.WithMiddlewares(nameSpan))
	if err := catalogv1.RegisterProductCatalogServiceHandler(ctx, gw, catalogConn); err != nil {
		return nil, err
	}
	if err := ordersv1.RegisterOrderManagementServiceHandler(ctx, gw, ordersConn); err != nil {
		return nil, err
	}
	return gw, nil
}

// Serve serves h on lis (over TLS when tlsConfig is set, offering HTTP/2
// and HTTP/1.1) until ctx ends, then shuts down: no new requests, and
// requests in flight get up to grace to finish. The server's timeouts bound
// what a slow or silent client can hold (see limits.go).
func Serve(ctx context.Context, lis net.Listener, h http.Handler, tlsConfig *tls.Config, grace time.Duration, log *slog.Logger) error {
	srv := newHTTPServer(h, tlsConfig, log)
	served := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			served <- srv.ServeTLS(lis, "", "")
		} else {
			served <- srv.Serve(lis)
		}
	}()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn("REST requests still running after the grace period; closing them", "err", err)
		_ = srv.Close()
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// nameSpan names the request's span after its route, "POST /v1/orders",
// rather than its path, which holds ids: a span name is a label to group by.
func nameSpan(next runtime.HandlerFunc) runtime.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, params map[string]string) {
		if route, ok := runtime.HTTPPattern(r.Context()); ok {
			telemetry.SetRoute(r, route.String())
		}
		next(w, r, params)
	}
}

// stableJSON is protobuf's JSON mapping with grpc-gateway's defaults
// (every field shown, a sold-out quantity of 0 included; unknown fields in
// a request ignored), its spacing fixed by encoding/json. protojson varies
// its spacing from build to build on purpose, so that nobody depends on its
// exact bytes; re-spacing gives output that is the same every time, which
// people can read and transcripts can show. Indented for unary answers,
// compact (one object, one line) for streams.
type stableJSON struct {
	runtime.JSONPb
	indent bool
}

// defaultJSON is what runtime.NewServeMux would use on its own.
var defaultJSON = runtime.JSONPb{
	MarshalOptions:   protojson.MarshalOptions{EmitUnpopulated: true},
	UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: true},
}

// maxDecodeError is how much of protojson's error a refused body's message
// keeps: enough to name the field, never the caller's whole value.
const maxDecodeError = 100

// NewDecoder reads a request body as grpc-gateway's own JSON decoder does,
// but its errors keep only the start of protojson's message, which quotes
// the offending value whatever its size.
func (m *stableJSON) NewDecoder(r io.Reader) runtime.Decoder {
	d := m.JSONPb.NewDecoder(r)
	return runtime.DecoderFunc(func(v any) error {
		err := d.Decode(v)
		var tooLarge *http.MaxBytesError
		if err == nil || errors.Is(err, io.EOF) || errors.As(err, &tooLarge) {
			return err
		}
		return shortDecodeError(err)
	})
}

func (m *stableJSON) Marshal(v any) ([]byte, error) {
	raw, err := m.JSONPb.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if m.indent {
		err = json.Indent(&out, raw, "", "  ")
	} else {
		err = json.Compact(&out, raw)
	}
	if err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
