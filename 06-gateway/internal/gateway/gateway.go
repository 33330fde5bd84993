// Package gateway serves the gRPC services as REST/JSON, through
// grpc-gateway, on an HTTP port of the same server process.
package gateway

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"

	catalogv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/catalog/v1"
	ordersv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/orders/v1"
)

// Handler translates REST requests into gRPC calls on conn, a connection to
// this same server's gRPC port. Going through a real connection (rather
// than calling the handlers in-process) is what puts every REST request
// through the gRPC interceptors: logging, authentication and authorization
// apply exactly as they do to gRPC clients. grpc-gateway passes the HTTP
// Authorization header on as the call's "authorization" metadata, and maps
// the gRPC status of a failed call to an HTTP status.
//
// It also serves the OpenAPI document at /openapi.json.
func Handler(ctx context.Context, conn *grpc.ClientConn, openAPI []byte) (http.Handler, error) {
	gw := runtime.NewServeMux(runtime.WithMarshalerOption(runtime.MIMEWildcard, &stableJSON{}))
	if err := catalogv1.RegisterProductCatalogServiceHandler(ctx, gw, conn); err != nil {
		return nil, err
	}
	if err := ordersv1.RegisterOrderManagementServiceHandler(ctx, gw, conn); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/v1/", gw)
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(openAPI)
	})
	return mux, nil
}

// Serve serves h on lis (over TLS when tlsConfig is set) until ctx ends,
// then shuts down: no new requests, and requests in flight get up to grace
// to finish. Open watch streams end sooner, since the gRPC server closes
// them as it stops.
func Serve(ctx context.Context, lis net.Listener, h http.Handler, tlsConfig *tls.Config, grace time.Duration, log *slog.Logger) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second, // a client that never finishes its headers holds nothing for long
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if tlsConfig != nil {
		lis = tls.NewListener(lis, tlsConfig)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
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

// stableJSON is protobuf's JSON mapping, indented by encoding/json. protojson
// varies its spacing from build to build on purpose, so that nobody depends
// on its exact bytes; re-indenting gives output that is the same every time,
// which people can read and transcripts can show.
type stableJSON struct{ runtime.JSONPb }

func (m *stableJSON) Marshal(v any) ([]byte, error) {
	raw, err := m.JSONPb.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
