package checks

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/learn-grpc/learn-grpc/shared/harness"
)

func stage07() *harness.Check {
	stopAll := func(s *harness.CheckRun) error { return s.StopTopology() }
	return &harness.Check{
		Stage:    "07-microservices",
		Title:    "catalog, orders and gateway as separate processes, with service identity",
		ServerCA: ".dev/ca.crt",
		// A hundred orders, placed while a replica dies and the client
		// finds the other: the one long command of the stage.
		SlowExamples: map[string]time.Duration{"kill-replica": 2 * time.Minute},
		Milestones: []harness.Milestone{
			{Name: "the committed Go code matches the protos, the internal InventoryService included", Run: generatedIsFresh,
				Hint: "add proto/ecommerce/inventory/v1/inventory.proto (ReserveStock, ReleaseStock) and regenerate"},
			{Name: "every service has a certificate naming it", Step: 1, Run: steps(freshDatabases, example("devcerts")),
				Hint: "cmd/devcerts issues catalog, orders and gateway certificates with a spiffe:// URI SAN each"},
			{Name: "one command starts two catalog replicas, orders and the gateway", Step: 2, Run: example("up"),
				Hint: "write a Procfile, and cmd/catalog, cmd/orders, cmd/gateway that each print their listening line"},
			{Name: "each catalog replica serves the catalog", Step: 2, Run: example("catalog-direct"),
				Hint: "cmd/catalog registers ProductCatalogService on -addr"},
			{Name: "an order placed with orders reserves its stock in the catalog, over gRPC", Step: 3, Run: steps(
				example("order-grpc"), processLogged("catalog", `msg="reserved stock"`)),
				Hint: "orders calls InventoryService.ReserveStock with its own certificate, on the caller's context"},
			{Name: "the gateway reaches both services, and passes the user's token on", Step: 4, Run: example("rest"),
				Hint: "cmd/gateway registers the catalog routes on one connection and the orders routes on another"},
			{Name: "InventoryService answers only the orders service's certificate", Step: 5, Run: failingExample("not-orders"),
				Hint: "serve with VerifyClientCertIfGiven; allow the Inventory methods only to spiffe://learn-grpc.dev/orders"},
			{Name: "a reservation is keyed by its order: taken once, released once, never after", Step: 6, Run: steps(
				example("reserve-twice"), failingExample("reserve-released")),
				Hint: "keep what each order id holds; a release marks the id so that a late reservation fails"},
			{Name: "every process stops gracefully on Ctrl+C", Step: 2, Run: stopAll,
				Hint: "each service keeps stage 06's shutdown"},
			{Name: "killing a catalog replica while orders are placed fails no call, and loses or doubles no stock", Step: 7,
				Run: steps(example("count-up"), stockAddsUp("product-321", 100)),
				Hint: "round_robin with a retryPolicy on UNAVAILABLE; replicas share one stock store (-db); orders " +
					"claims each request_id before it reserves, and owes a release it could not deliver"},
			{Name: "every process stops gracefully again", Run: stopAll},
			{Name: "a REST deadline bounds the whole chain: a slow catalog ends in 504, within the budget", Step: 8, Run: steps(
				example("slow-up"), example("deadline"),
				// Whichever hop sees the deadline first cancels the calls after it.
				processLogged("catalog", "ReserveStock code=DeadlineExceeded", "ReserveStock code=Canceled")),
				Hint: "call the catalog with the incoming context, never context.Background()"},
			{Name: "every process stops gracefully once more", Run: stopAll},
		},
	}
}

// unitsRE reads a level from what "client watch --count=1" prints.
var unitsRE = regexp.MustCompile(`Inventory Update: (\S+) has (-?\d+) units\.`)

// stockAddsUp runs the kill-replica example, which reads product's level on
// catalog-1, then places orders of one unit each while catalog-1 is killed,
// and then stock-after, which reads the level on catalog-2, until it has
// fallen by exactly orders (5s at most: a release may still be on its way).
// Fewer would mean a release leaked; more, stock taken twice or re-seeded.
func stockAddsUp(product string, orders int) func(*harness.CheckRun) error {
	const section = "A replica dies under load"
	level := func(out string) (int, error) {
		m := unitsRE.FindStringSubmatch(out)
		if m == nil || m[1] != product {
			return 0, &harness.Failure{Why: "no level of " + product + " in the output", Received: out, Section: section}
		}
		return strconv.Atoi(m[2])
	}
	return func(s *harness.CheckRun) error {
		var outs []string
		if err := s.RunExample("kill-replica", harness.ExampleOpts{Kill: "catalog-1",
			When: fmt.Sprintf("placed 25 of %d orders", orders), Outputs: &outs}); err != nil {
			return err
		}
		before, err := level(outs[0])
		if err != nil {
			return err
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			var after []string
			if err := s.RunExample("stock-after", harness.ExampleOpts{Outputs: &after}); err != nil {
				return err
			}
			now, err := level(after[0])
			if err != nil {
				return err
			}
			if before-now == orders {
				s.Rep.Checkf("  %s: %d units before, %d after: the %d stored orders hold %d, and the rest is there",
					product, before, now, orders, orders)
				return nil
			}
			if time.Now().After(deadline) {
				return &harness.Failure{Section: section, Why: fmt.Sprintf("%s had %d units on catalog-1 before "+
					"%d orders of one unit, and has %d on catalog-2 after them: %d taken, want %d",
					product, before, orders, now, before-now, orders)}
			}
			time.Sleep(time.Second)
		}
	}
}

// processLogged waits for a process of the topology whose name starts with
// prefix to have logged one of texts.
func processLogged(prefix string, texts ...string) func(*harness.CheckRun) error {
	return func(s *harness.CheckRun) error { return s.WaitForProcessOutput(prefix, 10*time.Second, texts...) }
}

// loggedWithVar waits for a process whose name starts with prefix to log a
// line holding text and trace_id=$name, a value an earlier README line set.
func loggedWithVar(prefix, text, name string) func(*harness.CheckRun) error {
	return func(s *harness.CheckRun) error {
		id := s.Var(name)
		if id == "" {
			return &harness.Failure{Why: "$" + name + " was not set by the README"}
		}
		return s.WaitForProcessOutputLine(prefix, 10*time.Second, text, "trace_id="+id)
	}
}

// exercise07 checks the stage's first exercise on a learner's folder.
func exercise07() *harness.Check {
	return &harness.Check{Name: "07.1", Stage: "07-microservices", Title: "exercise 1, a budget per hop", ServerCA: ".dev/ca.crt",
		Milestones: []harness.Milestone{
			{Name: "the development keys exist", Run: example("devcerts")},
			{Name: "orders takes -catalog-timeout", Run: example("ex1-up"),
				Hint: "add a -catalog-timeout flag to cmd/orders"},
			{Name: "a call to a slow catalog ends at -catalog-timeout, not at the caller's deadline", Run: failingExample("ex1-order"),
				Hint: "give each call to the catalog a context.WithTimeout of its own, inside the caller's"},
			{Name: "every process stops gracefully on Ctrl+C", Run: func(s *harness.CheckRun) error { return s.StopTopology() }},
		}}
}
