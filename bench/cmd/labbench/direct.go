package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	catalogv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/catalog/v1"
)

// measureDirect compares the protocols alone, on bareserver: one lookup,
// one certificate, no middleware, no gateway. gRPC against REST/JSON served
// directly by net/http over HTTP/1.1 (keep-alive) and over HTTP/2.
func measureDirect(ctx context.Context, l *lab, window time.Duration, rep *report) error {
	conn, err := grpcConn(l, l.bare.addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	grpcCall := getProduct(catalogv1.NewProductCatalogServiceClient(conn), "")
	url := "https://" + l.bareREST + "/v1/products/product-123"
	for _, c := range concurrencies {
		h1, h1Call := restClient(l, url, c, false)
		h2, h2Call := restClient(l, url, c, true)
		row := directRow{conc: c,
			grpc: load(ctx, c, window, grpcCall),
			h1:   load(ctx, c, window, h1Call),
			h2:   load(ctx, c, window, h2Call)}
		h1.CloseIdleConnections()
		h2.CloseIdleConnections()
		if n := row.grpc.errors + row.h1.errors + row.h2.errors; n > 0 {
			return fmt.Errorf("%d calls failed at concurrency %d", n, c)
		}
		rep.direct = append(rep.direct, row)
	}
	return nil
}

// restClient is a JSON client of url: over HTTP/1.1 with keep-alive, one
// connection per concurrent caller, or over one HTTP/2 connection.
func restClient(l *lab, url string, conc int, http2 bool) (*http.Transport, func(context.Context) error) {
	return restCaller(l.pool(), conc, http2, func(ctx context.Context) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, "GET", url, nil)
	})
}

// restCaller makes a call function for load: each call sends the request
// newRequest builds, reads the whole answer, and fails unless it is 200 over
// the protocol asked for. HTTP/1.1 keeps a connection per caller.
func restCaller(pool *x509.CertPool, conc int, http2 bool,
	newRequest func(context.Context) (*http.Request, error)) (*http.Transport, func(context.Context) error) {
	transport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, MaxIdleConnsPerHost: conc,
		ForceAttemptHTTP2: http2}
	if !http2 {
		transport.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{} // HTTP/1.1 only
	}
	client := &http.Client{Transport: transport}
	return transport, func(ctx context.Context) error {
		req, err := newRequest(ctx)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK || http2 != (resp.ProtoMajor == 2) {
			return fmt.Errorf("HTTP %d over %s", resp.StatusCode, resp.Proto)
		}
		return nil
	}
}

// pool holds the lab's CA, or nothing if it cannot be read: the calls
// that use it then fail with a certificate error.
func (l *lab) pool() *x509.CertPool {
	if pool, err := caPool(l.pki); err == nil {
		return pool
	}
	return x509.NewCertPool()
}

// measureFloor times a TLS ping-pong with GetProduct's request and response
// sizes on one connection, one caller: what any protocol pays on loopback.
func measureFloor(ctx context.Context, l *lab, window time.Duration, rep *report) error {
	req, _ := proto.Marshal(&catalogv1.GetProductRequest{Id: "product-123"})
	conn, err := grpcConn(l, l.bare.addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	client := catalogv1.NewProductCatalogServiceClient(conn)
	resp, err := client.GetProduct(ctx, &catalogv1.GetProductRequest{Id: "product-123"})
	if err != nil {
		return err
	}
	answer, _ := proto.Marshal(resp)
	echo, done, err := echoCallers(l.pool(), l.bareEcho, req, len(answer), 1)
	if err != nil {
		return err
	}
	defer done()
	rep.floor = floorRow{bytesIn: len(req), bytesOut: len(answer),
		echo: load(ctx, 1, window, echo), grpc: load(ctx, 1, window, getProduct(client, ""))}
	if rep.floor.echo.errors+rep.floor.grpc.errors > 0 {
		return fmt.Errorf("calls failed")
	}
	return nil
}

// echoCallers dials conc TLS connections to the echo at addr, and makes a
// call for load that sends req and reads an answer of answerSize bytes on
// one of them, a connection per caller. done closes them.
func echoCallers(pool *x509.CertPool, addr string, req []byte, answerSize, conc int) (
	call func(context.Context) error, done func(), err error) {
	frame := make([]byte, 8+len(req))
	binary.BigEndian.PutUint32(frame[:4], uint32(len(req)))
	binary.BigEndian.PutUint32(frame[4:8], uint32(answerSize))
	copy(frame[8:], req)
	type caller struct {
		conn *tls.Conn
		back []byte
	}
	var callers []caller
	done = func() {
		for _, c := range callers {
			_ = c.conn.Close()
		}
	}
	for range conc {
		tc, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: "localhost"})
		if err != nil {
			done()
			return nil, nil, err
		}
		callers = append(callers, caller{tc, make([]byte, answerSize)})
	}
	return perCaller(callers, func(c caller) error {
		if _, err := c.conn.Write(frame); err != nil {
			return err
		}
		_, err := io.ReadFull(c.conn, c.back)
		return err
	}), done, nil
}

// perCaller makes a call for load out of one item per concurrent caller
// (a connection, a stream): each call takes an item, uses it, gives it back.
func perCaller[T any](items []T, use func(T) error) func(context.Context) error {
	free := make(chan T, len(items))
	for _, it := range items {
		free <- it
	}
	return func(context.Context) error {
		it := <-free
		defer func() { free <- it }()
		return use(it)
	}
}

// measureStreamVsUnary asks bareserver for the same product with unary
// calls, and with one bidirectional stream per caller used like unary: send
// a request, read its answer.
func measureStreamVsUnary(ctx context.Context, l *lab, window time.Duration, rep *report) error {
	conn, err := grpcConn(l, l.bare.addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	unary := getProduct(catalogv1.NewProductCatalogServiceClient(conn), "")
	for _, c := range []int{1, 16} {
		onStream, cancel, err := streamCallers(ctx, conn, c)
		if err != nil {
			return err
		}
		row := protocolRow{conc: c, grpc: load(ctx, c, window, unary), rest: load(ctx, c, window, onStream)}
		cancel()
		if row.grpc.errors+row.rest.errors > 0 {
			return fmt.Errorf("calls failed at concurrency %d", c)
		}
		rep.streamVsUnary = append(rep.streamVsUnary, row)
	}
	return nil
}

// streamCallers opens conc GetProducts streams on conn, and makes a call for
// load that uses one like unary: send a request, read its answer. cancel
// ends the streams.
func streamCallers(ctx context.Context, conn *grpc.ClientConn, conc int) (
	call func(context.Context) error, cancel context.CancelFunc, err error) {
	desc := &grpc.StreamDesc{StreamName: "GetProducts", ServerStreams: true, ClientStreams: true}
	streamCtx, cancel := context.WithCancel(ctx)
	var streams []grpc.ClientStream
	for range conc {
		s, err := conn.NewStream(streamCtx, desc, "/bench.v1.Streams/GetProducts")
		if err != nil {
			cancel()
			return nil, nil, err
		}
		streams = append(streams, s)
	}
	return perCaller(streams, func(s grpc.ClientStream) error {
		if err := s.SendMsg(&catalogv1.GetProductRequest{Id: "product-123"}); err != nil {
			return err
		}
		return s.RecvMsg(&catalogv1.GetProductResponse{})
	}), cancel, nil
}
