package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"

	catalogv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/catalog/v1"
)

// maxCallsPerRun bounds every run in count as well as in time.
const maxCallsPerRun = 500_000

// loadResult is one run: throughput and latency percentiles.
type loadResult struct {
	rps      float64
	p50, p99 time.Duration
	errors   int
	made     int // calls made, the warm-up's included: what the processes' counters saw
}

// load calls call from conc goroutines for window (after a warm-up of a
// tenth of it), and reports requests per second and latency percentiles.
func load(ctx context.Context, conc int, window time.Duration, call func(context.Context) error) loadResult {
	warmEnd := time.Now().Add(window / 10)
	end := warmEnd.Add(window)
	perWorker := maxCallsPerRun / conc
	lat := make([][]time.Duration, conc)
	errs, made := make([]int, conc), make([]int, conc)
	var wg sync.WaitGroup
	for w := range conc {
		wg.Go(func() {
			for n := 0; n < perWorker; {
				start := time.Now()
				if start.After(end) {
					return
				}
				err := call(ctx)
				made[w]++
				if start.Before(warmEnd) {
					continue
				}
				n++
				if err != nil {
					errs[w]++
					continue
				}
				lat[w] = append(lat[w], time.Since(start))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(warmEnd)
	all := slices.Concat(lat...)
	slices.Sort(all)
	r := loadResult{}
	for w := range conc {
		r.errors += errs[w]
		r.made += made[w]
	}
	if len(all) > 0 {
		r.rps = float64(len(all)) / elapsed.Seconds()
		r.p50 = all[len(all)/2]
		r.p99 = all[len(all)*99/100]
	}
	return r
}

func grpcConn(l *lab, addr string, opts ...grpc.DialOption) (*grpc.ClientConn, error) {
	return grpcConnCA(filepath.Join(l.pki, "ca.crt"), addr, opts...)
}

// grpcConnCA dials addr trusting the CA in caFile, with opts added.
func grpcConnCA(caFile, addr string, opts ...grpc.DialOption) (*grpc.ClientConn, error) {
	creds, err := credentials.NewClientTLSFromFile(caFile, "")
	if err != nil {
		return nil, err
	}
	return grpc.NewClient(addr, append(opts, grpc.WithTransportCredentials(creds))...)
}

func getProduct(client catalogv1.ProductCatalogServiceClient, token string) func(context.Context) error {
	return func(ctx context.Context) error {
		if token != "" {
			ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
		}
		_, err := client.GetProduct(ctx, &catalogv1.GetProductRequest{Id: "product-123"})
		return err
	}
}

var concurrencies = []int{1, 16, 64}

func measureProtocols(ctx context.Context, l *lab, window time.Duration, rep *report) error {
	conn, err := grpcConn(l, l.stage06.addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	grpcCall := getProduct(catalogv1.NewProductCatalogServiceClient(conn), "")
	url := "https://" + l.restAddr + "/v1/products/product-123"
	for _, c := range concurrencies {
		// HTTP/1.1 with keep-alive, one connection per concurrent caller,
		// which is how REST clients talk to a JSON API.
		transport, restCall := restClient(l, url, c, false)
		g := load(ctx, c, window, grpcCall)
		r := load(ctx, c, window, restCall)
		transport.CloseIdleConnections()
		if g.errors > 0 || r.errors > 0 {
			return fmt.Errorf("calls failed at concurrency %d: gRPC %d, REST %d", c, g.errors, r.errors)
		}
		rep.protocols = append(rep.protocols, protocolRow{conc: c, grpc: g, rest: r})
	}
	return nil
}
