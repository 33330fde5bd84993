// Package harness runs a stage's check: it builds the stage's programs, starts
// its server on a free port, runs the commands its README shows and compares
// what they print with the transcript the README promises.
//
// It uses only the standard library, on purpose: shared/ is part of the Go
// workspace, and any dependency here could move the versions the stages build
// with. It talks to servers through grpcurl, the same tool the READMEs use.
package harness
