package checks

import "github.com/learn-grpc/learn-grpc/shared/harness"

func stage03() *harness.Check {
	return &harness.Check{
		Stage: "03-server-stream",
		Title: "a live inventory feed (server streaming)",
		Milestones: []harness.Milestone{
			{Name: "the committed Go code matches the protos", Run: generatedIsFresh,
				Hint: "regenerate gen/ with the command above after every change to a .proto"},
			{Name: "the server starts and reports SERVING on the health service", Run: example("run-server"),
				Hint: "start the simulated shop (-update-interval) with the server"},
			{Name: "grpcurl describes WatchProducts and its messages through the server's reflection", Step: 1,
				Run:  example("describe-watch"),
				Hint: "add the rpc and the messages of \"The messages\", with those field numbers, and regenerate gen/"},
			{Name: "one call carries several messages, and the client receives the stream", Step: 2, Run: example("watch"),
				Hint: "send the current levels in the order of the ids asked for, then each change; " +
					"the shop changes every product each tick, in id order (\"The simulated shop\")"},
			{Name: "grpcurl watches the stream", Step: 2, Run: failingExample("grpcurl-watch"),
				Hint: "the stream must keep sending until the client's deadline ends it"},
			{Name: "bad input, and a watch of more than 50 products, is refused before any update is sent", Step: 3, Run: failingExample("watch-errors"),
				Hint: "validate product_ids (1 to 50, known ids) before subscribing"},
			{Name: "one connection holds at most 32 watches, and the 33rd is refused with ResourceExhausted", Step: 3,
				Run: failingExample("watch-cap"),
				Hint: "count watches per connection (its peer address) before subscribing, and refuse one beyond 32 with " +
					"the message, QuotaFailure and RetryInfo of \"Caps on watchers\"; --streams opens each stream " +
					"once the one before has its first update, and stops at the first that fails"},
			{Name: "the stream closes cleanly when the client disconnects", Step: 4, Run: clientCancelEndsHandler("watch-ctrl-c", "Inventory Update", `msg="watch ended" products=[product-789]`),
				Hint: "return from the handler when stream.Context() is done, and log `watch ended ... code=Canceled`"},
			{Name: "when the server stops, open streams end with a clear status, and the client tries to resume", Step: 5,
				Run: func(s *harness.CheckRun) error {
					return s.RunExample("server-stops", harness.ExampleOpts{Fails: true, Interrupt: "server", When: "Inventory Update"})
				},
				Hint: "end open streams with Unavailable at shutdown; the client's watch waits as RetryInfo asks, then retries"},
			{Name: "with no server, the watch backs off 0.5 s, 1 s and 2 s, then gives up", Step: 5,
				Run:  failingExample("watch-backoff"),
				Hint: "without a RetryInfo, wait 500ms, 1s and 2s before the three tries, and print each wait as \"Resuming\" shows"},
			{Name: "the server stops gracefully on Ctrl+C", Run: func(s *harness.CheckRun) error { return s.StopMainServer() },
				Hint: "a stream never ends on its own: close them before GracefulStop"},
		},
	}
}

// exercise03 checks the stage's first exercise on a learner's folder.
func exercise03() *harness.Check {
	return &harness.Check{Name: "03.1", Stage: "03-server-stream", Title: "exercise 1, only low stock", Milestones: []harness.Milestone{
		{Name: "the server starts", Run: example("ex1-server")},
		{Name: "watch --below shows, and counts, only levels below N", Run: example("ex1-below"),
			Hint: "skip an update whose quantity is N or more before printing or counting it; the transcript relies " +
				"on the starting levels of \"The simulated shop\" (product-456 at 25, product-123 at 100)"},
		stopsGracefully,
	}}
}
