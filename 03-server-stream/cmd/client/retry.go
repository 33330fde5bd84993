package main

import (
	"context"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/status"
)

// serviceConfig retries the reads, and only the reads, when the server is
// Unavailable: asking twice for a product is harmless. A write is never
// listed here; a retried write that is not idempotent does the work twice.
const serviceConfig = `{
  "methodConfig": [{
    "name": [
      {"service": "ecommerce.catalog.v1.ProductCatalogService", "method": "GetProduct"},
      {"service": "ecommerce.catalog.v1.ProductCatalogService", "method": "SearchProducts"}
    ],
    "retryPolicy": {
      "maxAttempts": 4,
      "initialBackoff": "0.2s",
      "maxBackoff": "2s",
      "backoffMultiplier": 2,
      "retryableStatusCodes": ["UNAVAILABLE"]
    }
  }]
}`

// idempotent lists the methods a client may call again after a failure.
var idempotent = map[string]bool{
	"/ecommerce.catalog.v1.ProductCatalogService/GetProduct":     true,
	"/ecommerce.catalog.v1.ProductCatalogService/SearchProducts": true,
}

// clientKeepalive pings a quiet connection every 30s, so a server that
// vanished is noticed; the server accepts pings every 10s at most, so this
// is never "too many pings".
var clientKeepalive = keepalive.ClientParameters{Time: 30 * time.Second, Timeout: 10 * time.Second}

// maxRetryInfoWaits bounds how many times one call waits as RetryInfo says.
const maxRetryInfoWaits = 3

// dialOptions are the options every command's connection shares.
func dialOptions() []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithDefaultServiceConfig(serviceConfig),
		grpc.WithKeepaliveParams(clientKeepalive),
		// Static windows, as the server's: no BDP pings (internal/server/limits.go).
		grpc.WithInitialWindowSize(1 << 20),
		grpc.WithInitialConnWindowSize(2 << 20),
		grpc.WithChainUnaryInterceptor(honourRetryInfo),
	}
}

// honourRetryInfo calls an idempotent method again when the server's error
// carries RetryInfo, after the delay it asks for, as long as the deadline
// leaves time. The service config's retries have already run by then: they
// back off on their own, and know nothing of RetryInfo.
func honourRetryInfo(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn,
	invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	err := invoker(ctx, method, req, reply, cc, opts...)
	for waits := 0; err != nil && idempotent[method] && waits < maxRetryInfoWaits; waits++ {
		delay, ok := retryDelay(err)
		if deadline, has := ctx.Deadline(); !ok || has && time.Until(deadline) < delay {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(delay):
		}
		err = invoker(ctx, method, req, reply, cc, opts...)
	}
	return err
}

// retryDelay returns the delay of err's RetryInfo detail, if it has one.
func retryDelay(err error) (time.Duration, bool) {
	for _, d := range status.Convert(err).Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			return ri.GetRetryDelay().AsDuration(), true
		}
	}
	return 0, false
}
