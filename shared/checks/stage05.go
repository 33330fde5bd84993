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
			{Name: "the committed Go code matches the protos", Run: generatedIsFresh,
				Hint: "the protos do not change in this stage: regenerate only if you touched them"},
			{Name: "one command creates the development CA, certificate and signing keys", Step: 1, Run: example("devcerts"),
				Hint: "cmd/devcerts writes .dev/ca.crt, server.crt/key and jwt-signing.key/pub"},
			{Name: "the server serves TLS and reports SERVING", Step: 2, Run: example("run-server"),
				Hint: "load .dev/server.crt and .dev/server.key into grpc.Creds"},
			{Name: "public methods need no token", Step: 3, Run: example("public"),
				Hint: "list the catalog methods as public, health and reflection as infrastructure, in the policy"},
			{Name: "unauthenticated calls are rejected with the right code, unary and streaming", Step: 3, Run: failingExample("no-token"),
				Hint: "add the auth check as both a unary and a stream interceptor"},
			{Name: "tokens are read from metadata", Step: 3, Run: example("with-token"),
				Hint: "read `authorization: Bearer TOKEN` from the incoming metadata and verify it"},
			{Name: "a valid token is not enough: scopes and ownership, and someone else's order is NotFound", Step: 4, Run: failingExample("denied"),
				Hint: "require orders:write for creating; answer someone else's order exactly as an unknown one"},
			{Name: "every bad token gets the same answer", Step: 3, Run: failingExample("bad-tokens"),
				Hint: "answer every failed token with `invalid auth token`; log the reason"},
			{Name: "a stream ends when its token expires", Step: 5, Run: failingExample("token-expires"),
				Hint: "give a stream's handler a context that ends at the token's exp plus the leeway"},
			{Name: "grpcurl works with the dev CA and a token, and plaintext is refused", Step: 6, Run: steps(
				example("grpcurl-list"), example("grpcurl-get-order"), failingExample("grpcurl-plaintext")),
				Hint: "serve TLS only, unless -insecure-plaintext on loopback"},
			{Name: "the interceptors chain: every request is logged, refused ones too", Step: 6, Run: steps(
				serverLogged(`msg=rpc method=/ecommerce.orders.v1.OrderManagementService/CreateOrder code=Unauthenticated`),
				serverLogged(`msg=rpc method=/ecommerce.orders.v1.OrderManagementService/TrackOrder code=Unauthenticated`),
				serverLogged(`msg=rpc method=/ecommerce.orders.v1.OrderManagementService/CreateOrder code=OK`),
				serverLogged(`msg="rejected a token"`),
			),
				Hint: "put the logging interceptor before the auth one in the chain"},
			{Name: "the server stops gracefully on Ctrl+C", Run: func(s *harness.CheckRun) error { return s.StopMainServer() },
				Hint: "keep stage 04's shutdown"},
		},
	}
}

// serverLogged waits for the main server to have logged text.
func serverLogged(text string) func(*harness.CheckRun) error {
	return func(s *harness.CheckRun) error { return s.WaitForServerOutput(text, 1, 10*time.Second) }
}

// exercise05 checks the stage's first exercise on a learner's folder.
func exercise05() *harness.Check {
	return &harness.Check{Name: "05.1", Stage: "05-auth", Title: "exercise 1, an admin who reads every order", ServerCA: ".dev/ca.crt",
		Milestones: []harness.Milestone{
			{Name: "the development keys exist", Run: example("devcerts")},
			{Name: "the server starts", Run: example("ex1-server")},
			{Name: "a token with orders:admin reads someone else's order", Run: example("ex1-admin"),
				Hint: "in ownOrder, let the caller through when it has the orders:admin scope"},
			{Name: "a token without it still gets NotFound", Run: failingExample("ex1-not-admin"),
				Hint: "only orders:admin may read orders that are not the caller's"},
			stopsGracefully,
		}}
}
