package checks

import "github.com/learn-grpc/learn-grpc/shared/harness"

func stage02() *harness.Check {
	return &harness.Check{
		Stage: "02-unary",
		Title: "ProductCatalog over the wire (unary RPCs)",
		Milestones: []harness.Milestone{
			{Name: "the committed Go code matches the protos", Run: generatedIsFresh},
			{Name: "the server starts and reports SERVING on the health service", Run: example("run-server")},
			{Name: "grpcurl discovers the API through reflection", Run: steps(example("grpcurl-list"), example("grpcurl-describe"))},
			{Name: "the client gets a product over gRPC", Run: steps(example("get-product"), example("grpcurl-get"))},
			{Name: "search returns a repeated field of products", Run: example("search")},
			{Name: "bad input gets the right status code, with details that name the field", Run: steps(failingExample("errors"), failingExample("grpcurl-error"))},
			{Name: "input beyond a limit is refused, without being echoed", Run: failingExample("limits")},
			{Name: "a deadline that passes ends the call with DeadlineExceeded", Run: failingExample("deadline")},
			{Name: "the server stops gracefully on Ctrl+C", Run: func(s *harness.Stage) error { return s.StopMainServer() }},
		},
	}
}
