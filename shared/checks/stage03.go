package checks

import "github.com/learn-grpc/learn-grpc/shared/harness"

func stage03() *harness.Check {
	return &harness.Check{
		Stage: "03-server-stream",
		Title: "a live inventory feed (server streaming)",
		Milestones: []harness.Milestone{
			{Name: "the committed Go code matches the protos", Step: 1, Run: generatedIsFresh,
				Hint: "add `rpc WatchProducts(...) returns (stream ...)` and regenerate gen/"},
			{Name: "the server starts and reports SERVING on the health service", Step: 2, Run: example("run-server"),
				Hint: "start the simulated shop (-update-interval) with the server"},
			{Name: "one call carries several messages, and the client receives the stream", Step: 3, Run: example("watch"),
				Hint: "WatchProducts must send the current level first, then each change"},
			{Name: "grpcurl watches the stream", Step: 3, Run: failingExample("grpcurl-watch"),
				Hint: "the stream must keep sending until the client's deadline ends it"},
			{Name: "bad input, and a watch of more than 50 products, is refused before any update is sent", Step: 4, Run: failingExample("watch-errors"),
				Hint: "validate product_ids (1 to 50, known ids) before subscribing"},
			{Name: "the stream closes cleanly when the client disconnects", Step: 5, Run: clientCancelEndsHandler("watch-ctrl-c", "Inventory Update", `msg="watch ended" products=[product-789]`),
				Hint: "return from the handler when stream.Context() is done, and log `watch ended ... code=Canceled`"},
			{Name: "when the server stops, open streams end with a clear status, and the client tries to resume", Step: 6, Run: func(s *harness.CheckRun) error {
				return s.RunExample("server-stops", harness.ExampleOpts{Fails: true, Interrupt: "server", When: "Inventory Update"})
			},
				Hint: "end open streams with Unavailable at shutdown; the client's watch retries after it"},
			{Name: "the server stops gracefully on Ctrl+C", Step: 6, Run: func(s *harness.CheckRun) error { return s.StopMainServer() },
				Hint: "a stream never ends on its own: close them before GracefulStop"},
		},
	}
}

// exercise03 checks the stage's first exercise on a learner's folder.
func exercise03() *harness.Check {
	return &harness.Check{Name: "03.1", Stage: "03-server-stream", Title: "exercise 1, only low stock", Milestones: []harness.Milestone{
		{Name: "the server starts", Run: example("ex1-server")},
		{Name: "watch --below shows, and counts, only levels below N", Run: example("ex1-below"),
			Hint: "skip an update whose quantity is N or more before printing or counting it"},
		stopsGracefully,
	}}
}
