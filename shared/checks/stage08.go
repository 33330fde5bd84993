package checks

import (
	"time"

	"github.com/learn-grpc/learn-grpc/shared/harness"
)

func stage08() *harness.Check {
	stopAll := func(s *harness.Stage) error { return s.StopTopology() }
	return &harness.Check{
		Stage:    "08-observability",
		Title:    "catalog, orders and gateway as separate processes, with service identity",
		ServerCA: ".dev/ca.crt",
		Milestones: []harness.Milestone{
			{Name: "the committed Go code matches the protos, the internal InventoryService included", Run: generatedIsFresh,
				Hint: "add proto/ecommerce/inventory/v1/inventory.proto (ReserveStock, ReleaseStock) and regenerate"},
			{Name: "every service has a certificate naming it", Run: example("devcerts"),
				Hint: "cmd/devcerts issues catalog, orders and gateway certificates with a spiffe:// URI SAN each"},
			{Name: "one command starts two catalog replicas, orders and the gateway", Run: example("up"),
				Hint: "write a Procfile, and cmd/catalog, cmd/orders, cmd/gateway that each print their listening line"},
			{Name: "each catalog replica serves the catalog", Run: example("catalog-direct"),
				Hint: "cmd/catalog registers ProductCatalogService on -addr"},
			{Name: "an order placed with orders reserves its stock in the catalog, over gRPC", Run: steps(
				example("order-grpc"), processLogged("catalog", `msg="reserved stock"`)),
				Hint: "orders calls InventoryService.ReserveStock with its own certificate, on the caller's context"},
			{Name: "the gateway reaches both services, and passes the user's token on", Run: example("rest"),
				Hint: "cmd/gateway registers the catalog routes on one connection and the orders routes on another"},
			{Name: "InventoryService answers only the orders service's certificate", Run: failingExample("not-orders"),
				Hint: "serve with VerifyClientCertIfGiven; allow the Inventory methods only to spiffe://learn-grpc.dev/orders"},
			{Name: "a reservation is keyed by its order: taken once, released once, never after", Run: steps(
				example("reserve-twice"), failingExample("reserve-released")),
				Hint: "keep what each order id holds; a release marks the id so that a late reservation fails"},
			{Name: "killing a catalog replica while orders are placed fails no call", Run: func(s *harness.Stage) error {
				return s.RunExample("kill-replica", harness.ExampleOpts{Kill: "catalog-1", When: "placed 25 of 100 orders"})
			}, Hint: "round_robin over every replica, with a retryPolicy on UNAVAILABLE for the idempotent calls"},
			{Name: "every process stops gracefully on Ctrl+C", Run: stopAll,
				Hint: "each service keeps stage 06's shutdown"},
			{Name: "a REST deadline bounds the whole chain: a slow catalog ends in 504, within the budget", Run: steps(
				example("slow-up"), within("deadline", 2500*time.Millisecond, harness.ExampleOpts{}),
				// Whichever hop sees the deadline first cancels the calls after it.
				processLogged("catalog", "ReserveStock code=DeadlineExceeded", "ReserveStock code=Canceled")),
				Hint: "call the catalog with the incoming context, never context.Background()"},
			{Name: "every process stops gracefully again", Run: stopAll},
		},
	}
}
