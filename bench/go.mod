module github.com/learn-grpc/learn-grpc/bench

go 1.26.0

// The benchmarks use the generated code of the newest stage. The stages are
// not published modules, so the path points at the folder.
replace github.com/learn-grpc/learn-grpc/06-gateway => ../06-gateway

require (
	github.com/learn-grpc/learn-grpc/06-gateway v0.0.0
	golang.org/x/sys v0.49.0
	google.golang.org/grpc v1.85.0
	google.golang.org/protobuf v1.36.12
)

require (
	github.com/grpc-ecosystem/grpc-gateway/v2 v2.33.0 // indirect
	golang.org/x/net v0.61.0 // indirect
	golang.org/x/text v0.43.0 // indirect
	google.golang.org/genproto/googleapis/api v0.0.0-20261026165753-2ffab32bce7e // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20261019180522-ce908d29299b // indirect
)
