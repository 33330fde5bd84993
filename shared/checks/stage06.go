package checks

import "github.com/learn-grpc/learn-grpc/shared/harness"

func stage06() *harness.Check {
	return &harness.Check{
		Stage:        "06-gateway",
		Title:        "the same services over REST/JSON (grpc-gateway), with OpenAPI",
		ServerCA:     ".dev/ca.crt",
		HTTPAddrFlag: "-http-addr",
		Milestones: []harness.Milestone{
			{Name: "the committed Go code and OpenAPI document match the protos", Run: generatedIsFresh,
				Hint: "add protoc-gen-grpc-gateway and protoc-gen-openapiv2 to buf.gen.yaml, with api/gateway.yaml, and regenerate"},
			{Name: "the development CA, certificate and signing keys exist", Step: 1, Run: example("devcerts"),
				Hint: "run go run ./cmd/devcerts"},
			{Name: "one server serves gRPC and REST", Step: 1, Run: example("run-server"),
				Hint: "serve the gateway on -http-addr and print `REST gateway listening on https://ADDR`"},
			{Name: "REST reads the catalog: a path parameter and a query parameter", Step: 2, Run: example("rest-get"),
				Hint: "map GET /v1/products/{id} and GET /v1/products in api/gateway.yaml"},
			{Name: "gRPC statuses become HTTP statuses, with their error details as JSON", Step: 2, Run: example("rest-errors"),
				Hint: "let grpc-gateway map the status; keep its default error handler"},
			{Name: "a body beyond the limit is refused before it is parsed", Step: 3, Run: example("rest-limits"),
				Hint: "wrap the handler: 413 when Content-Length passes 64 KiB, http.MaxBytesHandler otherwise"},
			{Name: "the Authorization header reaches the gRPC auth interceptors", Step: 4, Run: example("rest-order"),
				Hint: "dial the server's own gRPC port, so REST calls pass the interceptors"},
			{Name: "the inventory feed streams over HTTP, one object a line", Step: 4, Run: failingExample("rest-watch"),
				Hint: "map GET /v1/products:watch and marshal each message on one line"},
			{Name: "the server serves its OpenAPI document", Step: 4, Run: example("openapi"),
				Hint: "embed openapi/ecommerce.swagger.json and serve it at /openapi.json"},
			{Name: "gRPC clients are served as before", Step: 5, Run: example("grpc-still"),
				Hint: "keep the gRPC port as it was"},
			{Name: "the server stops gracefully on Ctrl+C", Step: 5, Run: func(s *harness.CheckRun) error { return s.StopMainServer() },
				Hint: "stop the gateway before the gRPC server it calls"},
		},
	}
}

// exercise06 checks the stage's first exercise on a learner's folder.
func exercise06() *harness.Check {
	return &harness.Check{Name: "06.1", Stage: "06-gateway", Title: "exercise 1, a deadline you choose", ServerCA: ".dev/ca.crt",
		HTTPAddrFlag: "-http-addr", Milestones: []harness.Milestone{
			{Name: "the development keys exist", Run: example("devcerts")},
			{Name: "the server takes -rest-timeout", Run: example("ex1-server"),
				Hint: "add a -rest-timeout flag to cmd/server and use it as the REST calls' default deadline"},
			{Name: "a REST call slower than -rest-timeout ends in 504", Run: example("ex1-timeout"),
				Hint: "the deadline must reach the gRPC call: put it on the request's context"},
			stopsGracefully,
		}}
}
