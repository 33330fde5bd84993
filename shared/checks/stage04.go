package checks

import "github.com/learn-grpc/learn-grpc/shared/harness"

func stage04() *harness.Check {
	return &harness.Check{
		Stage: "04-bidi-stream",
		Title: "OrderManagement: client streaming and bidirectional streaming",
		Milestones: []harness.Milestone{
			{Name: "the committed Go code matches the protos", Run: generatedIsFresh},
			{Name: "one server serves both services", Run: steps(example("run-server"), example("grpcurl-list"))},
			{Name: "an order is created, and read back (unary)", Run: example("add-order")},
			{Name: "the same request_id places one order", Run: example("request-id")},
			{Name: "bad orders get the right status codes, and quantities that overflow are refused", Run: failingExample("order-errors")},
			{Name: "a file of orders is uploaded in one call (client streaming)", Run: example("upload")},
			{Name: "an order is tracked both ways at once (bidirectional streaming)", Run: example("track")},
			{Name: "grpcurl drives the bidirectional call", Run: example("grpcurl-track")},
			{Name: "tracking an unknown order is NotFound", Run: failingExample("track-errors")},
			{Name: "Ctrl+C ends tracking at once on both sides", Run: clientCancelEndsHandler("track-ctrl-c", "SHIPPED", `msg="tracking ended" order=order-`)},
			{Name: "when the server stops, open tracking streams end with a clear status", Run: func(s *harness.Stage) error {
				return s.RunExample("track-server-stops", harness.ExampleOpts{Fails: true, Interrupt: "server", When: "SHIPPED"})
			}},
			{Name: "the server stops gracefully on Ctrl+C", Run: func(s *harness.Stage) error { return s.StopMainServer() }},
		},
	}
}
