package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// viewersPerAddress stays under the gateway's cap of viewers per client
// address, so that every viewer is admitted: a storefront's viewers come
// from many addresses. Loopback answers on all of 127.0.0.0/8 on Linux.
const viewersPerAddress = 4

// perViewer opens n Connect watches of one product through t's gateway, each
// reading its first message (the current level), from n/viewersPerAddress
// client addresses, and returns how much the gateway's and the catalogs'
// resident memory grew, per viewer, in KB.
func perViewer(ctx context.Context, t *topology, pool *x509.CertPool, n int) (gatewayKB, catalogKB float64, err error) {
	gwBefore, err := memKB(t.gateway, "VmRSS")
	if err != nil {
		return 0, 0, err
	}
	catBefore, err := catalogsKB(t)
	if err != nil {
		return 0, 0, err
	}
	watchCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var transports []*http.Transport
	defer func() {
		for _, tr := range transports {
			tr.CloseIdleConnections()
		}
	}()
	url := "https://" + t.restAddr + "/ecommerce.catalog.v1.ProductCatalogService/WatchProducts"
	var client *http.Client
	var bodies []io.ReadCloser
	defer func() {
		for _, b := range bodies {
			_ = b.Close()
		}
	}()
	for i := range n {
		if i%viewersPerAddress == 0 {
			tr := fromAddress(pool, i/viewersPerAddress)
			transports = append(transports, tr)
			client = &http.Client{Transport: tr}
		}
		body, err := openViewer(watchCtx, client, url)
		if err != nil {
			return 0, 0, fmt.Errorf("viewer %d: %w", i, err)
		}
		bodies = append(bodies, body)
	}
	time.Sleep(time.Second) // every viewer is open and idle
	gwAfter, err := memKB(t.gateway, "VmRSS")
	if err != nil {
		return 0, 0, err
	}
	catAfter, err := catalogsKB(t)
	if err != nil {
		return 0, 0, err
	}
	return float64(gwAfter-gwBefore) / float64(n), float64(catAfter-catBefore) / float64(n), nil
}

// fromAddress is an HTTP/2 transport whose connections come from the k-th
// loopback address after 127.0.1.1.
func fromAddress(pool *x509.CertPool, k int) *http.Transport {
	ip := net.IPv4(127, 0, byte(1+k/250), byte(1+k%250))
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}, Timeout: 10 * time.Second}
	return &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true,
		DialContext: dialer.DialContext}
}

// openViewer starts a Connect server-streaming WatchProducts and reads its
// first envelope; the body stays open, as a page's watch does.
func openViewer(ctx context.Context, client *http.Client, url string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", url,
		strings.NewReader(string(envelope([]byte(`{"productIds":["product-123"]}`)))))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/connect+json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		return nil, fmt.Errorf("HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(msg)))
	}
	head := make([]byte, 5)
	if _, err := io.ReadFull(resp.Body, head); err != nil {
		resp.Body.Close()
		return nil, fmt.Errorf("no first message: %w", err)
	}
	if head[0] != 0 { // 0x02 ends the stream: an error in place of a level
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		return nil, fmt.Errorf("the stream ended: %s", strings.TrimSpace(string(msg)))
	}
	return resp.Body, nil
}

// catalogsKB is the catalog replicas' resident memory together: the
// gateway's shared watch may reach either.
func catalogsKB(t *topology) (int, error) {
	total := 0
	for _, p := range t.catalogs {
		kb, err := memKB(p, "VmRSS")
		if err != nil {
			return 0, err
		}
		total += kb
	}
	return total, nil
}
