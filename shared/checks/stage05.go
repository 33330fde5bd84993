package checks

import (
	"time"

	"github.com/learn-grpc/learn-grpc/shared/harness"
)

func stage05() *harness.Check {
	return &harness.Check{
		Stage:    "05-auth",
		Title:    "JWT authentication and authorization over TLS, with chained interceptors",
		ServerCA: ".dev/ca.crt",
		Milestones: []harness.Milestone{
			{Name: "the committed Go code matches the protos", Run: generatedIsFresh},
			{Name: "one command creates the development CA, certificate and signing keys", Run: example("devcerts")},
			{Name: "the server serves TLS and reports SERVING", Run: example("run-server")},
			{Name: "public methods need no token", Run: example("public")},
			{Name: "unauthenticated calls are rejected with the right code, unary and streaming", Run: failingExample("no-token")},
			{Name: "tokens are read from metadata", Run: example("with-token")},
			{Name: "a valid token is not enough: scopes and ownership, and someone else's order is NotFound", Run: failingExample("denied")},
			{Name: "every bad token gets the same answer", Run: failingExample("bad-tokens")},
			{Name: "a stream ends when its token expires", Run: failingExample("token-expires")},
			{Name: "grpcurl works with the dev CA and a token, and plaintext is refused", Run: steps(
				example("grpcurl-list"), example("grpcurl-get-order"), failingExample("grpcurl-plaintext"))},
			{Name: "the interceptors chain: every request is logged, refused ones too", Run: steps(
				serverLogged(`msg=rpc method=/ecommerce.orders.v1.OrderManagementService/CreateOrder code=Unauthenticated`),
				serverLogged(`msg=rpc method=/ecommerce.orders.v1.OrderManagementService/TrackOrder code=Unauthenticated`),
				serverLogged(`msg=rpc method=/ecommerce.orders.v1.OrderManagementService/CreateOrder code=OK`),
				serverLogged(`msg="rejected a token"`),
			)},
			{Name: "the server stops gracefully on Ctrl+C", Run: func(s *harness.Stage) error { return s.StopMainServer() }},
		},
	}
}

// serverLogged waits for the main server to have logged text.
func serverLogged(text string) func(*harness.Stage) error {
	return func(s *harness.Stage) error { return s.WaitForServerOutput(text, 1, 10*time.Second) }
}
