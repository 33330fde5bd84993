package server

import "fmt"

// WorkerFrame is how a stack names one of s's stream workers: by its gRPC
// server, so that a test counts this server's workers and no other's.
func WorkerFrame(s *Server) string {
	return fmt.Sprintf("google.golang.org/grpc.(*Server).serverWorker(%p)", s.grpc)
}
