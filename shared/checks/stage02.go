package checks

import "github.com/learn-grpc/learn-grpc/shared/harness"

func stage02() *harness.Check {
	return &harness.Check{
		Stage: "02-unary",
		Title: "ProductCatalog over the wire (unary RPCs)",
		Milestones: []harness.Milestone{
			{Name: "the committed Go code matches the protos", Run: generatedIsFresh,
				Hint: "regenerate gen/ after every change to a .proto: `go tool lab gen 02 --mine`"},
			{Name: "the server starts and reports SERVING on the health service", Step: 1, Run: example("run-server"),
				Hint: "cmd/server must print `gRPC server listening on ADDR` and register the health service as SERVING"},
			{Name: "grpcurl discovers the API through reflection", Step: 1, Run: steps(example("grpcurl-list"), example("grpcurl-describe")),
				Hint: "register server reflection: reflection.Register(grpcServer)"},
			{Name: "the client gets a product over gRPC", Step: 2, Run: steps(example("get-product"), example("grpcurl-get")),
				Hint: "implement GetProduct in internal/catalog and the client's get command"},
			{Name: "search returns a repeated field of products", Step: 2, Run: example("search"),
				Hint: "implement SearchProducts: every product whose name or category contains the query, by id"},
			{Name: "bad input gets the right status code, with details that name the field", Step: 3, Run: steps(failingExample("errors"), failingExample("grpcurl-error")),
				Hint: "return InvalidArgument with a google.rpc.BadRequest naming the field, NotFound with a ResourceInfo"},
			{Name: "input beyond a limit is refused, without being echoed", Step: 3, Run: failingExample("limits"),
				Hint: "validate ids (64 letters, digits, -, _, .) before using them, and never put the raw input in a message"},
			{Name: "a deadline that passes ends the call with DeadlineExceeded", Step: 4, Run: failingExample("deadline"),
				Hint: "honour -latency in the store with a select on ctx.Done(), and send --timeout as the call's deadline"},
			{Name: "the server stops gracefully on Ctrl+C", Step: 5, Run: func(s *harness.CheckRun) error { return s.StopMainServer() },
				Hint: "stop on SIGINT: health NOT_SERVING, GracefulStop within -shutdown-timeout, exit 0"},
		},
	}
}

// exercise02 checks the stage's first exercise on a learner's folder.
func exercise02() *harness.Check {
	return &harness.Check{Name: "02.1", Stage: "02-unary", Title: "exercise 1, a limit on search results", Milestones: []harness.Milestone{
		{Name: "the committed Go code matches the protos", Run: generatedIsFresh,
			Hint: "add int32 max_results = 2 to SearchProductsRequest, then go tool lab gen 02 --mine"},
		{Name: "the server starts", Run: example("ex1-server")},
		{Name: "search returns at most max_results products", Run: example("ex1-search"),
			Hint: "cut the results to max_results (10 when 0), and give search a --max-results flag"},
		{Name: "max_results outside 0 to 50 is InvalidArgument on max_results", Run: failingExample("ex1-errors"),
			Hint: "validate max_results with the other fields, with a BadRequest naming max_results"},
		stopsGracefully,
	}}
}
