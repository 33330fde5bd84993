package catalogclient

import (
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/learn-grpc/learn-grpc/08-observability/internal/dial"
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

// Dial connects to the catalog at flag: a gRPC target or a list of
// replicas (see dial.Target), presenting creds.
func Dial(flag string, creds credentials.TransportCredentials, extra ...grpc.DialOption) (*grpc.ClientConn, error) {
	return dial.Replicas(flag, "catalog", ServiceConfig, creds, extra...)
}
