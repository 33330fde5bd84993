package checks

import (
	"github.com/learn-grpc/learn-grpc/shared/harness"
)

func stage09() *harness.Check {
	stopAll := func(s *harness.CheckRun) error { return s.StopTopology() }
	return &harness.Check{
		Stage:    "09-web",
		Title:    "one request followed through every service: traces, metrics and logs with OpenTelemetry",
		ServerCA: ".dev/ca.crt",
		Milestones: []harness.Milestone{
			{Name: "the committed Go code matches the protos", Run: generatedIsFresh,
				Hint: "the protos do not change in this stage: regenerate only if you touched them"},
			{Name: "every service has a certificate naming it", Run: steps(freshDatabases, example("devcerts")),
				Hint: "keep stage 07's cmd/devcerts"},
			{Name: "the services start with spans on the console", Run: example("up"),
				Hint: "build the tracer provider from autoexport when OTEL_TRACES_EXPORTER is set, and serve -metrics-addr"},
			{Name: "orders are placed over gRPC and REST", Run: example("orders"),
				Hint: "instrumentation must not change what the services answer"},
			{Name: "one REST order is one trace: gateway, orders and catalog spans, each under its parent", Step: 1, Run: example("trace"),
				Hint: "otelgrpc stats handlers on every server and client, otelhttp on the gateway, and the W3C propagator on all"},
			{Name: "the log lines of the call carry its trace id, in orders and in the catalog", Step: 2, Run: steps(
				example("trace-id"),
				loggedWithVar("orders", "msg=rpc method=/ecommerce.orders.v1.OrderManagementService/CreateOrder code=OK", "TRACE"),
				loggedWithVar("catalog", `msg="reserved stock"`, "TRACE")),
				Hint: "wrap the slog handler to add trace_id and span_id from the context, and log with InfoContext"},
			{Name: "each service reports on /metrics the calls it just served, and the shop's own metrics", Step: 3, Run: example("metrics"),
				Hint: "a Prometheus exporter as a reader of the meter provider, served at /metrics on -metrics-addr"},
			{Name: "every process stops gracefully on Ctrl+C", Run: stopAll,
				Hint: "flush the providers after the server has stopped, with a timeout"},
			{Name: "unless asked, nothing is exported, and calls still work", Run: steps(
				example("quiet-up"), example("quiet-order"), failingExample("no-trace")),
				Hint: "with OTEL_TRACES_EXPORTER unset, export nothing (autoexport alone would pick OTLP)"},
			{Name: "every process stops gracefully again", Run: stopAll},
		},
	}
}

// exercise09 checks the stage's first exercise on a learner's folder.
func exercise09() *harness.Check {
	return &harness.Check{Name: "09.1", Stage: "09-web", Title: "exercise 1, count the orders", ServerCA: ".dev/ca.crt",
		Milestones: []harness.Milestone{
			{Name: "the development keys exist", Run: example("devcerts")},
			{Name: "the services start", Run: example("ex1-up")},
			{Name: "orders counts a new order and a repeated request_id apart", Run: example("ex1-orders"),
				Hint: "a counter learn_grpc.orders on the meter provider, with an outcome attribute, added to once per order"},
			{Name: "every process stops gracefully on Ctrl+C", Run: func(s *harness.CheckRun) error { return s.StopTopology() }},
		}}
}
