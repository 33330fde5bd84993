package checks

import (
	"strings"
	"time"

	"github.com/learn-grpc/learn-grpc/shared/harness"
)

func stage03() *harness.Check {
	return &harness.Check{
		Stage: "03-server-stream",
		Title: "a live inventory feed (server streaming)",
		Milestones: []harness.Milestone{
			{Name: "the committed Go code matches the protos", Run: generatedIsFresh},
			{Name: "the server starts and reports SERVING on the health service", Run: example("run-server")},
			{Name: "one call carries several messages, and the client receives the stream", Run: example("watch")},
			{Name: "grpcurl watches the stream", Run: failingExample("grpcurl-watch")},
			{Name: "bad input is refused before any update is sent", Run: failingExample("watch-errors")},
			{Name: "the stream closes cleanly when the client disconnects", Run: clientDisconnects},
			{Name: "when the server stops, open streams end with a clear status", Run: func(s *harness.Stage) error {
				return s.RunExample("server-stops", harness.ExampleOpts{Fails: true, Interrupt: "server", When: "Inventory Update"})
			}},
			{Name: "the server stops gracefully on Ctrl+C", Run: func(s *harness.Stage) error { return s.StopMainServer() }},
		},
	}
}

// clientDisconnects presses Ctrl+C on a watching client, then looks at the
// server's side: its handler must log one more watch that ended with the
// client's cancellation, which it does only once it has returned.
func clientDisconnects(s *harness.Stage) error {
	const ended = `msg="watch ended" products=[product-789]`
	before := s.ServerOutputCount(ended)
	if err := s.RunExample("watch-ctrl-c", harness.ExampleOpts{Interrupt: "client", When: "Inventory Update"}); err != nil {
		return err
	}
	if err := s.WaitForServerOutput(ended, before+1, 10*time.Second); err != nil {
		return err
	}
	var last string
	for _, line := range strings.Split(s.MainServer().Output(), "\n") {
		if strings.Contains(line, ended) {
			last = line
		}
	}
	if !strings.HasSuffix(strings.TrimSpace(last), "code=Canceled") {
		return &harness.Failure{Why: "the watch ended, but not with the client's cancellation (code=Canceled)", Who: "server", Received: last}
	}
	return nil
}
