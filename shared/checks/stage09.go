package checks

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/learn-grpc/learn-grpc/shared/harness"
)

func stage09() *harness.Check {
	stopAll := func(s *harness.CheckRun) error { return s.StopTopology() }
	const browser = "in a headless browser the page lists the products with live stock, orders, " +
		"follows the order, and shows a field error"
	return &harness.Check{
		Stage:    "09-web",
		Title:    "the shop in a browser: Connect and gRPC-Web through the gateway, and a storefront page",
		ServerCA: ".dev/ca.crt",
		Milestones: []harness.Milestone{
			{Name: "the committed Go code matches the protos, WatchOrder and the Connect handlers included", Step: 1,
				Run: steps(generatedIsFresh, generatedHolds(
					"gen/ecommerce/catalog/v1/catalogv1connect/catalog.connect.go", "ProductCatalogServiceHandler",
					"gen/ecommerce/orders/v1/ordersv1connect/orders.connect.go", "OrderManagementServiceWatchOrderProcedure")),
				Hint: "add WatchOrder to orders.proto and protoc-gen-connect-go to buf.gen.yaml, then go tool lab gen 09 --mine"},
			{Name: "every service has a certificate naming it", Run: steps(freshDatabases, example("devcerts")),
				Hint: "keep stage 07's cmd/devcerts"},
			{Name: "the services start", Run: example("up"),
				Hint: "keep stage 08's Procfile and services"},
			{Name: "the gateway answers Connect: a JSON POST to the method's path, over the same connections", Step: 2,
				Run:  example("connect-json"),
				Hint: "mount catalogv1connect and ordersv1connect handlers on the gateway's mux, forwarding to the grpc-go clients"},
			{Name: "a Connect error carries the service's status and its BadRequest detail", Step: 2,
				Run:  example("connect-error"),
				Hint: "turn the backend's status into a connect.Error with the same code, message and every detail"},
			{Name: "the gateway serves the storefront page at /", Step: 3, Run: example("page"),
				Hint: "embed web/dist with go:embed, and mount web.Handler() at \"/\" on the gateway's mux"},
			{Name: browser, Step: 4,
				Run: func(s *harness.CheckRun) error {
					return s.RunExample("browser", harness.ExampleOpts{When: "to change elsewhere", During: "elsewhere"})
				},
				Hint: "the page's WatchProducts and WatchOrder streams over Connect, WatchOrder in orders, and the watch hub " +
					"in the gateway; run go tool lab browser yourself to see which step stops"},
			{Name: "a hundred viewers on one address share one upstream watch, and the gateway refuses the 101st", Step: 4,
				Run:  failingExample("viewers"),
				Hint: "share upstream watches in the gateway (internal/watchhub), -viewers-per-address, and watch --connect"},
			{Name: "the page's order is one trace: the gateway's Connect route, orders and the catalog", Step: 4,
				Run: example("page-trace"), Needs: browser, // the order it traces is the page's
				Hint: "keep stage 08's otelhttp and otelgrpc, and name the gateway's span by its method and path"},
			{Name: "every process stops gracefully on Ctrl+C", Run: stopAll,
				Hint: "end the Connect streams when the gateway begins to stop, as the REST watch does"},
			{Name: "pages of an allowed origin may call the gateway, others are refused at the preflight", Step: 5,
				Run:  steps(example("cors-up"), example("cors-allowed"), example("cors-refused")),
				Hint: "-cors-origins: connectrpc.com/cors's methods and headers, Authorization, and the exposed gRPC-Web headers"},
			{Name: "every process stops gracefully again", Run: stopAll},
		},
	}
}

// generatedHolds checks, for each pair of a generated file and a name, that
// the file is there and defines the name: buf generate ran with the plugins
// and protos that the README's build steps name.
func generatedHolds(pairs ...string) func(*harness.CheckRun) error {
	return func(s *harness.CheckRun) error {
		for i := 0; i+1 < len(pairs); i += 2 {
			file, name := pairs[i], pairs[i+1]
			data, err := os.ReadFile(filepath.Join(s.Dir, filepath.FromSlash(file)))
			switch {
			case err != nil:
				return &harness.Failure{Why: file + " is missing: buf.gen.yaml must run protoc-gen-connect-go too",
					Section: "Build it yourself"}
			case !strings.Contains(string(data), name):
				return &harness.Failure{Why: file + " has no " + name + ": is WatchOrder in orders.proto?",
					Section: "Build it yourself"}
			}
		}
		return nil
	}
}

// exercise09 checks the stage's first exercise on a learner's folder.
func exercise09() *harness.Check {
	return &harness.Check{Name: "09.1", Stage: "09-web", Title: "exercise 1, a product by GET", ServerCA: ".dev/ca.crt",
		Milestones: []harness.Milestone{
			{Name: "the development keys exist", Run: example("devcerts")},
			{Name: "the services start", Run: example("ex1-up")},
			{Name: "GetProduct answers a Connect GET, which a browser or a CDN may cache", Run: example("ex1-get"),
				Hint: "mark GetProduct with option idempotency_level = NO_SIDE_EFFECTS in catalog.proto, and regenerate"},
			{Name: "every process stops gracefully on Ctrl+C", Run: func(s *harness.CheckRun) error { return s.StopTopology() }},
		}}
}
