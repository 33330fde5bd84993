package checks

import (
	"fmt"
	"time"

	"github.com/learn-grpc/learn-grpc/shared/harness"
)

func stage07() *harness.Check {
	stopAll := func(s *harness.Stage) error { return s.StopTopology() }
	return &harness.Check{
		Stage:    "07-microservices",
		Title:    "catalog, orders and gateway as separate processes, with service identity",
		ServerCA: ".dev/ca.crt",
		Milestones: []harness.Milestone{
			{Name: "the committed Go code matches the protos, the internal InventoryService included", Run: generatedIsFresh,
				Hint: "add proto/ecommerce/inventory/v1/inventory.proto (ReserveStock, ReleaseStock) and regenerate"},
			{Name: "every service has a certificate naming it", Run: steps(freshDatabases, example("devcerts")),
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

// processLogged waits for a process of the topology whose name starts with
// prefix to have logged one of texts.
func processLogged(prefix string, texts ...string) func(*harness.Stage) error {
	return func(s *harness.Stage) error { return s.WaitForProcessOutput(prefix, 10*time.Second, texts...) }
}

// loggedWithVar waits for a process whose name starts with prefix to log a
// line holding text and trace_id=$name, a value an earlier README line set.
func loggedWithVar(prefix, text, name string) func(*harness.Stage) error {
	return func(s *harness.Stage) error {
		id := s.Var(name)
		if id == "" {
			return &harness.Failure{Why: "$" + name + " was not set by the README"}
		}
		return s.WaitForProcessOutputLine(prefix, 10*time.Second, text, "trace_id="+id)
	}
}

// within runs a README example and fails if it takes longer than limit: for
// a call that must end on its deadline rather than wait for slow work, the
// limit is set far below what that work would take.
func within(name string, limit time.Duration, opts harness.ExampleOpts) func(*harness.Stage) error {
	return func(s *harness.Stage) error {
		start := time.Now()
		if err := s.RunExample(name, opts); err != nil {
			return err
		}
		if took := time.Since(start); took > limit {
			return &harness.Failure{Why: fmt.Sprintf("it took %s: the deadline did not cut the slow call short (the limit is %s)",
				took.Round(time.Millisecond), limit), Section: "Deadlines travel"}
		}
		return nil
	}
}
