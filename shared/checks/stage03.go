package checks

import "github.com/learn-grpc/learn-grpc/shared/harness"

func stage03() *harness.Check {
	return &harness.Check{
		Stage: "03-server-stream",
		Title: "a live inventory feed (server streaming)",
		Milestones: []harness.Milestone{
			{Name: "the committed Go code matches the protos", Run: generatedIsFresh},
			{Name: "the server starts and reports SERVING on the health service", Run: example("run-server")},
			{Name: "one call carries several messages, and the client receives the stream", Run: example("watch")},
			{Name: "grpcurl watches the stream", Run: failingExample("grpcurl-watch")},
			{Name: "bad input, and a watch of more than 50 products, is refused before any update is sent", Run: failingExample("watch-errors")},
			{Name: "the stream closes cleanly when the client disconnects", Run: clientCancelEndsHandler("watch-ctrl-c", "Inventory Update", `msg="watch ended" products=[product-789]`)},
			{Name: "when the server stops, open streams end with a clear status, and the client tries to resume", Run: func(s *harness.Stage) error {
				return s.RunExample("server-stops", harness.ExampleOpts{Fails: true, Interrupt: "server", When: "Inventory Update"})
			}},
			{Name: "the server stops gracefully on Ctrl+C", Run: func(s *harness.Stage) error { return s.StopMainServer() }},
		},
	}
}
