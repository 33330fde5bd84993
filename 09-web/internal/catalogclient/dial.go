package catalogclient

import (
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials"

	"github.com/learn-grpc/learn-grpc/09-web/internal/dial"
)

// ServiceConfig spreads calls over every ready replica (round_robin), skips
// a replica whose health service says NOT_SERVING, and retries on another
// replica the calls that are safe to repeat when one is Unavailable: the
// reads, and the stock calls, which are keyed by order id.
const ServiceConfig = `{
  "loadBalancingConfig": [{"round_robin": {}}],
  "healthCheckConfig": {"serviceName": "ecommerce.catalog.v1.ProductCatalogService"},
  "methodConfig": [{
    "name": [
      {"service": "ecommerce.catalog.v1.ProductCatalogService", "method": "GetProduct"},
      {"service": "ecommerce.catalog.v1.ProductCatalogService", "method": "SearchProducts"},
      {"service": "ecommerce.inventory.v1.InventoryService", "method": "ReserveStock"},
      {"service": "ecommerce.inventory.v1.InventoryService", "method": "ReleaseStock"}
    ],
    "retryPolicy": {
      "maxAttempts": 5,
      "initialBackoff": "0.05s",
      "maxBackoff": "1s",
      "backoffMultiplier": 2,
      "retryableStatusCodes": ["UNAVAILABLE"]
    }
  }]
}`

// Reconnect caps the pause between attempts to reach a replica that is down
// at 2s instead of gRPC's 120s, so that owed releases reach a catalog that
// comes back within seconds.
var Reconnect = grpc.ConnectParams{Backoff: backoff.Config{
	BaseDelay: 250 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: 2 * time.Second,
}, MinConnectTimeout: 20 * time.Second}

// Dial connects to the catalog at flag: a gRPC target or a list of
// replicas (see dial.Target), presenting creds.
func Dial(flag string, creds credentials.TransportCredentials, extra ...grpc.DialOption) (*grpc.ClientConn, error) {
	opts := append([]grpc.DialOption{grpc.WithConnectParams(Reconnect)}, extra...)
	return dial.Replicas(flag, "catalog", ServiceConfig, creds, opts...)
}
