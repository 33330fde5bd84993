package checks

import "github.com/learn-grpc/learn-grpc/shared/harness"

func stage06() *harness.Check {
	return &harness.Check{
		Stage:        "06-gateway",
		Title:        "the same services over REST/JSON (grpc-gateway), with OpenAPI",
		ServerCA:     ".dev/ca.crt",
		HTTPAddrFlag: "-http-addr",
		Milestones: []harness.Milestone{
			{Name: "the committed Go code and OpenAPI document match the protos", Run: generatedIsFresh},
			{Name: "the development CA, certificate and signing keys exist", Run: example("devcerts")},
			{Name: "one server serves gRPC and REST", Run: example("run-server")},
			{Name: "REST reads the catalog: a path parameter and a query parameter", Run: example("rest-get")},
			{Name: "gRPC statuses become HTTP statuses, with their error details as JSON", Run: example("rest-errors")},
			{Name: "a body beyond the limit is refused before it is parsed", Run: example("rest-limits")},
			{Name: "the Authorization header reaches the gRPC auth interceptors", Run: example("rest-order")},
			{Name: "the inventory feed streams over HTTP, one object a line", Run: failingExample("rest-watch")},
			{Name: "the server serves its OpenAPI document", Run: example("openapi")},
			{Name: "gRPC clients are served as before", Run: example("grpc-still")},
			{Name: "the server stops gracefully on Ctrl+C", Run: func(s *harness.Stage) error { return s.StopMainServer() }},
		},
	}
}
