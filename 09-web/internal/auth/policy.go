package auth

// Rule is what one method asks of its caller.
type Rule struct {
	// Public methods need no token; one that is sent is still verified.
	Public bool
	// Infrastructure methods (health, reflection) serve probes and tools
	// and never look at a token: grpcurl's -H sends one to reflection too,
	// and a token they do not need must not make them fail.
	Infrastructure bool
	// Scope, if set, must be among the token's scopes. Ownership of an order
	// is checked by the handler, which is the only place that knows whose it is.
	Scope string
	// Peer, if set, is the one service allowed to call: its SPIFFE ID, read
	// from the caller's verified client certificate. No token is involved.
	Peer string
}

var (
	public         = Rule{Public: true}
	authenticated  = Rule{}
	infrastructure = Rule{Infrastructure: true}
)

// ScopeWriteOrders lets a caller create orders.
const ScopeWriteOrders = "orders:write"

// OrdersService is the identity of the orders service, the one caller the
// catalog's stock answers.
const OrdersService = "spiffe://learn-grpc.dev/orders"

// Policy is every method the services serve and what it needs, in one place.
// A method that is not listed here is refused: forgetting to list a new RPC
// must lock it, not open it.
var Policy = map[string]Rule{
	"/ecommerce.catalog.v1.ProductCatalogService/GetProduct":     public,
	"/ecommerce.catalog.v1.ProductCatalogService/SearchProducts": public,
	"/ecommerce.catalog.v1.ProductCatalogService/ListProducts":   public,
	"/ecommerce.catalog.v1.ProductCatalogService/WatchProducts":  public,

	"/ecommerce.inventory.v1.InventoryService/ReserveStock": {Peer: OrdersService},
	"/ecommerce.inventory.v1.InventoryService/ReleaseStock": {Peer: OrdersService},

	"/ecommerce.orders.v1.OrderManagementService/CreateOrder":  {Scope: ScopeWriteOrders},
	"/ecommerce.orders.v1.OrderManagementService/UploadOrders": {Scope: ScopeWriteOrders},
	"/ecommerce.orders.v1.OrderManagementService/GetOrder":     authenticated, // and the caller must own the order
	"/ecommerce.orders.v1.OrderManagementService/TrackOrder":   authenticated, // and the caller must own the order
	"/ecommerce.orders.v1.OrderManagementService/WatchOrder":   authenticated, // and the caller must own the order

	"/grpc.health.v1.Health/Check": infrastructure,
	"/grpc.health.v1.Health/List":  infrastructure,
	"/grpc.health.v1.Health/Watch": infrastructure,

	"/grpc.reflection.v1.ServerReflection/ServerReflectionInfo":      infrastructure,
	"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo": infrastructure,
}
