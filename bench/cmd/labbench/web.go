package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	catalogv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/catalog/v1"
)

// webResult is step 12: what a browser's protocols cost through stage 09's
// gateway, and what a viewer of the storefront holds in it.
type webResult struct {
	rows    []webRow
	viewers int
	// gatewayKB and catalogKB: growth of each process's resident memory per
	// open viewer, with the catalog's one shared upstream watch.
	gatewayKB, catalogKB float64
}

// webRow is one concurrency: GetProduct over gRPC straight to a catalog
// replica, then through the gateway over each protocol a browser can speak.
type webRow struct {
	conc                                       int
	grpc, connectJSON, connectProto, web, rest loadResult
}

const getProductPath = "/ecommerce.catalog.v1.ProductCatalogService/GetProduct"

// measureWeb starts stage 09 and runs GetProduct at 1 and 16 callers: gRPC
// to the catalog, then Connect (JSON and binary), gRPC-Web and REST through
// the gateway, all over HTTP/2 on one connection; then it opens viewers.
// With baseline, a lab checkout of another commit, Connect JSON through its
// stage 09 is measured beside this one's: the price of a change to stage 09.
func measureWeb(ctx context.Context, root, baseline string, l *lab, window time.Duration, viewers int,
	rep *report) error {
	t, err := startStage(ctx, root, l.tmp, "09-web", "09", true, nil)
	if err != nil {
		return err
	}
	defer t.stop()
	conn, err := grpcConnCA(filepath.Join(t.pki, "ca.crt"), t.catalogs[0].addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	direct := getProduct(catalogv1.NewProductCatalogServiceClient(conn), "")
	pool, err := caPool(t.pki)
	if err != nil {
		return err
	}
	base := "https://" + t.restAddr
	body, _ := proto.Marshal(&catalogv1.GetProductRequest{Id: "product-123"})
	callers := []func(int) (func(context.Context) error, func()){
		func(c int) (func(context.Context) error, func()) {
			return post(pool, c, base+getProductPath, "application/json", []byte(`{"id":"product-123"}`), nil)
		},
		func(c int) (func(context.Context) error, func()) {
			return post(pool, c, base+getProductPath, "application/proto", body, nil)
		},
		func(c int) (func(context.Context) error, func()) {
			return post(pool, c, base+getProductPath, "application/grpc-web+proto", envelope(body), grpcWebOK)
		},
		func(c int) (func(context.Context) error, func()) {
			tr, call := restCaller(pool, c, true, func(ctx context.Context) (*http.Request, error) {
				return http.NewRequestWithContext(ctx, "GET", base+"/v1/products/product-123", nil)
			})
			return call, tr.CloseIdleConnections
		},
	}
	res := webResult{}
	for _, c := range []int{1, 16} {
		row := webRow{conc: c, grpc: load(ctx, c, window, direct)}
		for i, into := range []*loadResult{&row.connectJSON, &row.connectProto, &row.web, &row.rest} {
			call, stop := callers[i](c)
			*into = load(ctx, c, window, call)
			stop()
			if into.errors > 0 {
				return fmt.Errorf("protocol %d of 4 failed %d times at concurrency %d", i+1, into.errors, c)
			}
		}
		if row.grpc.errors > 0 {
			return fmt.Errorf("gRPC to the catalog failed %d times at concurrency %d", row.grpc.errors, c)
		}
		res.rows = append(res.rows, row)
	}
	res.viewers = viewers
	if res.gatewayKB, res.catalogKB, err = perViewer(ctx, t, pool, viewers); err != nil {
		return err
	}
	rep.web = res
	if baseline != "" {
		rep.webBefore, err = measureWebBefore(ctx, baseline, l, window, pool, base)
	}
	return err
}

// measureWebBefore starts the stage 09 of baseline and runs Connect JSON's
// GetProduct through its gateway and through this one's (at base), in turn:
// the baseline first with one caller, this one first with 16.
func measureWebBefore(ctx context.Context, baseline string, l *lab, window time.Duration, pool *x509.CertPool,
	base string) ([]protocolRow, error) {
	before, err := startStage(ctx, baseline, l.tmp, "09-web", "09before", true, nil)
	if err != nil {
		return nil, fmt.Errorf("stage 09 of %s: %w", baseline, err)
	}
	defer before.stop()
	beforePool, err := caPool(before.pki)
	if err != nil {
		return nil, err
	}
	json := []byte(`{"id":"product-123"}`)
	var rows []protocolRow
	for i, c := range []int{1, 16} {
		row := protocolRow{conc: c}
		type target struct {
			into *loadResult
			pool *x509.CertPool
			base string
		}
		runs := []target{{&row.grpc, beforePool, "https://" + before.restAddr}, {&row.rest, pool, base}}
		if i%2 == 1 {
			runs[0], runs[1] = runs[1], runs[0]
		}
		for _, run := range runs {
			call, stop := post(run.pool, c, run.base+getProductPath, "application/json", json, nil)
			*run.into = load(ctx, c, window, call)
			stop()
			if run.into.errors > 0 {
				return nil, fmt.Errorf("Connect JSON through %s failed %d times at concurrency %d",
					run.base, run.into.errors, c)
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// caPool holds the CA certificate of the PKI in dir.
func caPool(dir string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(filepath.Join(dir, "ca.crt"))
	if err != nil {
		return nil, fmt.Errorf("the CA of %s: %w", dir, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("the CA of %s: ca.crt holds no certificate", dir)
	}
	return pool, nil
}

// envelope frames one message as gRPC-Web and Connect streams do: a flags
// byte, a 4-byte big-endian length, the message.
func envelope(msg []byte) []byte {
	out := make([]byte, 5, 5+len(msg))
	binary.BigEndian.PutUint32(out[1:], uint32(len(msg)))
	return append(out, msg...)
}

// grpcWebOK checks a gRPC-Web answer: the status is in a trailer frame at
// the end of the body (flags 0x80), since browsers cannot read trailers.
func grpcWebOK(resp *http.Response, body []byte) error {
	if s := resp.Header.Get("Grpc-Status"); s != "" && s != "0" {
		return fmt.Errorf("grpc-status %s", s)
	}
	trailers := strings.ReplaceAll(strings.ToLower(string(body)), " ", "")
	if !strings.Contains(trailers, "grpc-status:0") && resp.Header.Get("Grpc-Status") != "0" {
		return fmt.Errorf("no grpc-status 0 in the answer")
	}
	return nil
}

// post makes a caller that POSTs body to url over HTTP/2, and checks the
// answer with ok when set.
func post(pool *x509.CertPool, conc int, url, contentType string, body []byte,
	ok func(*http.Response, []byte) error) (func(context.Context) error, func()) {
	transport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, MaxIdleConnsPerHost: conc,
		ForceAttemptHTTP2: true}
	client := &http.Client{Transport: transport}
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", contentType)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		got, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK || resp.ProtoMajor != 2 {
			return fmt.Errorf("HTTP %d over %s: %s", resp.StatusCode, resp.Proto, strings.TrimSpace(string(got)))
		}
		if ok != nil {
			return ok(resp, got)
		}
		return nil
	}, transport.CloseIdleConnections
}

// printWeb prints step 12: a browser's protocols through the gateway, and
// what a viewer costs.
func (r *report) printWeb(w io.Writer) {
	wr := r.web
	fmt.Fprintln(w)
	fmt.Fprintln(w, "12. GetProduct through stage 09's gateway over each protocol a browser can speak (HTTP/2, one")
	fmt.Fprintln(w, "    connection), against gRPC straight to a catalog replica; each ratio is of gRPC's req/s")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| callers | gRPC direct req/s | Connect JSON | Connect binary | gRPC-Web | REST | p50 gRPC / Connect JSON |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|")
	for _, row := range wr.rows {
		cell := func(l loadResult) string { return fmt.Sprintf("%.0f (%.2fx)", l.rps, l.rps/row.grpc.rps) }
		fmt.Fprintf(w, "| %d | %.0f | %s | %s | %s | %s | %s / %s |\n", row.conc, row.grpc.rps, cell(row.connectJSON),
			cell(row.connectProto), cell(row.web), cell(row.rest), ms(row.grpc.p50), ms(row.connectJSON.p50))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "    %d Connect viewers of one product through one gateway, %d to a client address: the gateway's\n",
		wr.viewers, viewersPerAddress)
	fmt.Fprintf(w, "    resident memory grew %.1f KB per viewer, the two catalog replicas' %.2f KB (one shared watch).\n",
		wr.gatewayKB, wr.catalogKB)
	if len(r.webBefore) > 0 {
		comparison(w, "    Connect JSON's GetProduct through stage 09 of the baseline (-baseline) against this one",
			"before", "now", "now / before", r.webBefore, func(row protocolRow) float64 { return row.rest.rps / row.grpc.rps })
	}
}
