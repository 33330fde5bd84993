package checks

import "github.com/learn-grpc/learn-grpc/shared/harness"

func stage04() *harness.Check {
	return &harness.Check{
		Stage: "04-bidi-stream",
		Title: "OrderManagement: client streaming and bidirectional streaming",
		Milestones: []harness.Milestone{
			{Name: "the committed Go code matches the protos", Run: generatedIsFresh,
				Hint: "add UploadOrders (stream in), TrackOrder (both ways) and CreateOrderRequest.request_id, then regenerate"},
			{Name: "one server serves both services", Step: 1, Run: steps(example("run-server"), example("grpcurl-list")),
				Hint: "register OrderManagementService on the same server"},
			{Name: "an order is created, and read back (unary)", Step: 1, Run: example("add-order"),
				Hint: "implement CreateOrder and GetOrder, and the client's add-order (with --id-only) and get-order"},
			{Name: "the same request_id places one order", Step: 2, Run: example("request-id"),
				Hint: "store orders by (caller, request_id) and answer a repeat with the first order"},
			{Name: "bad orders get the right status codes, and quantities that overflow are refused", Step: 2, Run: failingExample("order-errors"),
				Hint: "check each quantity against 10,000 before adding it to the sum"},
			{Name: "a file of orders is uploaded in one call (client streaming)", Step: 3, Run: example("upload"),
				Hint: "loop on Recv until io.EOF, then SendAndClose the summary"},
			{Name: "an order is tracked both ways at once (bidirectional streaming)", Step: 4, Run: example("track"),
				Hint: "one goroutine receives pings, the handler sends statuses and acks from one select"},
			{Name: "grpcurl drives the bidirectional call", Step: 4, Run: example("grpcurl-track"),
				Hint: "answer each ping with an ack and keep sending statuses after the client half-closes"},
			{Name: "tracking an unknown order is NotFound", Step: 4, Run: failingExample("track-errors"),
				Hint: "look the order up after the first (start) message, before the loop"},
			{Name: "Ctrl+C ends tracking at once on both sides", Step: 5, Run: clientCancelEndsHandler("track-ctrl-c", "SHIPPED", `msg="tracking ended" order=order-`),
				Hint: "return when the stream's context is done, and log `tracking ended ... code=Canceled`"},
			{Name: "when the server stops, open tracking streams end with a clear status", Step: 5, Run: func(s *harness.CheckRun) error {
				return s.RunExample("track-server-stops", harness.ExampleOpts{Fails: true, Interrupt: "server", When: "SHIPPED"})
			},
				Hint: "end open trackers with Unavailable at shutdown"},
			{Name: "the server stops gracefully on Ctrl+C", Step: 5, Run: func(s *harness.CheckRun) error { return s.StopMainServer() },
				Hint: "a stream never ends on its own: end them before GracefulStop"},
		},
	}
}

// exercise04 checks the stage's first exercise on a learner's folder.
func exercise04() *harness.Check {
	return &harness.Check{Name: "04.1", Stage: "04-bidi-stream", Title: "exercise 1, show the acknowledgements", Milestones: []harness.Milestone{
		{Name: "the server starts", Run: example("ex1-server")},
		{Name: "track prints each ping's acknowledgement as it arrives", Run: example("ex1-track"),
			Hint: "print [Server] Ping N acknowledged. in the Ack case of the response's oneof"},
		stopsGracefully,
	}}
}
