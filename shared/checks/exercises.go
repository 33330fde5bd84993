package checks

import (
	"time"

	"github.com/learn-grpc/learn-grpc/shared/harness"
)

// Exercises returns the exercises that have a check of their own: the first
// exercise of each stage, checked on a learner's folder with
// "go tool lab check NN.1 --mine". The lab's own stages do not do them, so
// check-all does not run these; tests prove each one fails on the stage as
// it is and passes with a solution (testdata/solutions).
func Exercises() []*harness.Check {
	stop := harness.Milestone{Name: "the server stops gracefully on Ctrl+C", Run: func(s *harness.Stage) error { return s.StopMainServer() }}
	return []*harness.Check{
		{Name: "01.1", Stage: "01-protobuf", Title: "exercise 1, a new field", Milestones: []harness.Milestone{
			{Name: "the protos compile", Run: example("build")},
			{Name: "Product has a string image_url, field 8", Run: productHasImageURL,
				Hint: "add string image_url = 8; to message Product"},
			{Name: "buf lint finds nothing to fix", Run: example("lint")},
			{Name: "the committed Go code matches the protos", Run: generatedIsFresh,
				Hint: "regenerate: go tool lab gen 01 --mine"},
		}},
		{Name: "02.1", Stage: "02-unary", Title: "exercise 1, a limit on search results", Milestones: []harness.Milestone{
			{Name: "the committed Go code matches the protos", Run: generatedIsFresh,
				Hint: "add int32 max_results = 2 to SearchProductsRequest, then go tool lab gen 02 --mine"},
			{Name: "the server starts", Run: example("ex1-server")},
			{Name: "search returns at most max_results products", Run: example("ex1-search"),
				Hint: "cut the results to max_results (10 when 0), and give search a --max-results flag"},
			{Name: "max_results outside 0 to 50 is InvalidArgument on max_results", Run: failingExample("ex1-errors"),
				Hint: "validate max_results with the other fields, with a BadRequest naming max_results"},
			stop,
		}},
		{Name: "03.1", Stage: "03-server-stream", Title: "exercise 1, only low stock", Milestones: []harness.Milestone{
			{Name: "the server starts", Run: example("ex1-server")},
			{Name: "watch --below shows, and counts, only levels below N", Run: example("ex1-below"),
				Hint: "skip an update whose quantity is N or more before printing or counting it"},
			stop,
		}},
		{Name: "04.1", Stage: "04-bidi-stream", Title: "exercise 1, show the acknowledgements", Milestones: []harness.Milestone{
			{Name: "the server starts", Run: example("ex1-server")},
			{Name: "track prints each ping's acknowledgement as it arrives", Run: example("ex1-track"),
				Hint: "print [Server] Ping N acknowledged. in the Ack case of the response's oneof"},
			stop,
		}},
		{Name: "05.1", Stage: "05-auth", Title: "exercise 1, an admin who reads every order", ServerCA: ".dev/ca.crt",
			Milestones: []harness.Milestone{
				{Name: "the development keys exist", Run: example("devcerts")},
				{Name: "the server starts", Run: example("ex1-server")},
				{Name: "a token with orders:admin reads someone else's order", Run: example("ex1-admin"),
					Hint: "in ownOrder, let the caller through when it has the orders:admin scope"},
				{Name: "a token without it still gets NotFound", Run: failingExample("ex1-not-admin"),
					Hint: "only orders:admin may read orders that are not the caller's"},
				stop,
			}},
		{Name: "06.1", Stage: "06-gateway", Title: "exercise 1, a deadline you choose", ServerCA: ".dev/ca.crt",
			HTTPAddrFlag: "-http-addr", Milestones: []harness.Milestone{
				{Name: "the development keys exist", Run: example("devcerts")},
				{Name: "the server takes -rest-timeout", Run: example("ex1-server"),
					Hint: "add a -rest-timeout flag to cmd/server and use it as the REST calls' default deadline"},
				{Name: "a REST call slower than -rest-timeout ends in 504", Run: example("ex1-timeout"),
					Hint: "the deadline must reach the gRPC call: put it on the request's context"},
				stop,
			}},
		{Name: "07.1", Stage: "07-microservices", Title: "exercise 1, a budget per hop", ServerCA: ".dev/ca.crt",
			Milestones: []harness.Milestone{
				{Name: "the development keys exist", Run: example("devcerts")},
				{Name: "orders takes -catalog-timeout", Run: example("ex1-up"),
					Hint: "add a -catalog-timeout flag to cmd/orders"},
				{Name: "a call to a slow catalog ends at -catalog-timeout, not at the caller's deadline", Run: within("ex1-order", 2500*time.Millisecond, harness.ExampleOpts{Fails: true}),
					Hint: "give each call to the catalog a context.WithTimeout of its own, inside the caller's"},
				{Name: "every process stops gracefully on Ctrl+C", Run: func(s *harness.Stage) error { return s.StopTopology() }},
			}},
		{Name: "08.1", Stage: "08-observability", Title: "exercise 1, count the orders", ServerCA: ".dev/ca.crt",
			Milestones: []harness.Milestone{
				{Name: "the development keys exist", Run: example("devcerts")},
				{Name: "the services start", Run: example("ex1-up")},
				{Name: "orders counts a new order and a repeated request_id apart", Run: example("ex1-orders"),
					Hint: "a counter learn_grpc.orders on the meter provider, with an outcome attribute, added to once per order"},
				{Name: "every process stops gracefully on Ctrl+C", Run: func(s *harness.Stage) error { return s.StopTopology() }},
			}},
	}
}

// productHasImageURL looks for exercise 01.1's field in the compiled protos.
func productHasImageURL(s *harness.Stage) error {
	img, err := s.BufBuild()
	if err != nil {
		return err
	}
	for _, f := range img.File {
		for _, m := range f.MessageType {
			if f.Package != "ecommerce.catalog.v1" || m.Name != "Product" {
				continue
			}
			for _, field := range m.Field {
				if field.Name == "image_url" && field.Number == 8 && field.Type == "TYPE_STRING" {
					return nil
				}
			}
		}
	}
	return &harness.Failure{Why: "ecommerce.catalog.v1.Product has no field string image_url = 8", Section: "Exercises"}
}
