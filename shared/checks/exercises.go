package checks

import "github.com/learn-grpc/learn-grpc/shared/harness"

// Exercises returns the exercises that have a check of their own: the first
// exercise of each stage, checked on a learner's folder with
// "go tool lab check NN.1 --mine". Each is defined beside its stage's check.
// The lab's own stages do not do them, so check-all does not run these;
// tests prove each one fails on the stage as it is and passes with a
// solution (testdata/solutions).
func Exercises() []*harness.Check {
	return []*harness.Check{exercise01(), exercise02(), exercise03(), exercise04(),
		exercise05(), exercise06(), exercise07(), exercise08(), exercise09()}
}

// stopsGracefully is an exercise's last milestone: the server it started
// stops cleanly on Ctrl+C.
var stopsGracefully = harness.Milestone{Name: "the server stops gracefully on Ctrl+C",
	Run: func(s *harness.CheckRun) error { return s.StopMainServer() }}
