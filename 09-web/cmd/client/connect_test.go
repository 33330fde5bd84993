package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"
	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
	"github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1/catalogv1connect"
)

// cappedWatches is a Connect catalog whose WatchProducts sends one level,
// then holds the stream; it refuses a watch past max with the catalog's
// own ResourceExhausted and its details.
type cappedWatches struct {
	catalogv1connect.UnimplementedProductCatalogServiceHandler
	limit *catalog.WatchLimit
}

func (c cappedWatches) WatchProducts(ctx context.Context, _ *connect.Request[catalogv1.WatchProductsRequest],
	stream *connect.ServerStream[catalogv1.WatchProductsResponse]) error {
	release, err := c.limit.Acquire("one client")
	if err != nil {
		st := status.Convert(err)
		ce := connect.NewError(connect.Code(st.Code()), errors.New(st.Message()))
		for _, d := range st.Proto().GetDetails() {
			detail, _ := connect.NewErrorDetail(d)
			ce.AddDetail(detail)
		}
		return ce
	}
	defer release()
	level := &catalogv1.WatchProductsResponse{Inventory: &catalogv1.ProductInventory{ProductId: "product-123", Quantity: 7}}
	if err := stream.Send(level); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}

// TestWatchThroughConnect: --connect watches over Connect, on one HTTP/2
// connection, and reports a refusal exactly as a gRPC one, details and all.
func TestWatchThroughConnect(t *testing.T) {
	limit := catalog.NewWatchLimitOf("gateway", "client address", 100, 2)
	path, h := catalogv1connect.NewProductCatalogServiceHandler(cappedWatches{limit: limit})
	mux := http.NewServeMux()
	mux.Handle(path, h)
	srv := httptest.NewUnstartedServer(mux)
	srv.EnableHTTP2 = true
	var conns sync.Map // each connection's last state
	srv.Config.ConnState = func(c net.Conn, st http.ConnState) { conns.Store(c, st) }
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.crt")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	err := run(t.Context(), []string{"watch", "--ids=product-123", "--streams=3", "--connect=" + srv.URL, "--ca=" + ca},
		&stdout, &stderr)
	if err == nil {
		t.Fatal("watch --streams=3 past a cap of 2 succeeded")
	}
	if got, want := stdout.String(), "Opened 2 watch streams on one connection.\n"; got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}
	wantErr := "Error opening stream 3: rpc error: code = ResourceExhausted desc = a client address may hold at most 2 watch streams\n" +
		"  quota watchers per client address: a client address may hold at most 2 watch streams\n" +
		"  retry after 5s\n"
	if got := stderr.String(); got != wantErr {
		t.Errorf("stderr = %q, want %q", got, wantErr)
	}
	testutil.WaitFor(t, "every stream to be closed", func() bool { return limit.Open() == 0 })
	n := 0
	conns.Range(func(any, any) bool { n++; return true })
	if n != 1 {
		t.Errorf("the watches used %d connections, want 1", n)
	}
	testutil.WaitFor(t, "the client to close its connection", func() bool {
		closed := true
		conns.Range(func(_, st any) bool { closed = st == http.StateClosed; return closed })
		return closed
	})
	t.Run("a plaintext URL is refused without --insecure-plaintext, and sends no token", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		err := run(t.Context(), []string{"watch", "--ids=product-123", "--token=secret",
			"--connect=http://" + srv.Listener.Addr().String()}, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), "--insecure-plaintext") {
			t.Errorf("watch over http = %v, want a refusal naming --insecure-plaintext", err)
		}
	})
}
