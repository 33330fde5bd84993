package knobs

import (
	"fmt"
	"runtime"
)

// Variant is one row of step 13: a name and its knobs.
type Variant struct {
	Name string
	Set  Set
}

// Static windows of 1 MiB for a stream and 2 MiB for a connection: far more
// than a lab message (64 KiB at most), and far less than the 16 MiB the BDP
// estimator may grow to, so they also bound what a peer can make us buffer.
const (
	StaticStreamWindow = 1 << 20
	StaticConnWindow   = 2 << 20
)

// StreamWorkers is the pool the stages' servers run calls on, 8 a core: one a
// core left half of step 6's calls to new goroutines, whose stacks grow anew.
var StreamWorkers = uint32(8 * runtime.GOMAXPROCS(0))

// Chosen is the set the stages' servers run with, so step 6's bare server
// too. Each paid in step 13; stream workers also cut stage 05's CPU time per
// call in step 6 with -baseline (bench/README.md, "The middleware").
var Chosen = Set{StreamWindow: StaticStreamWindow, ConnWindow: StaticConnWindow, ReadBuffer: -1,
	StreamWorkers: StreamWorkers}

// Variants are step 13's rows: grpc-go's defaults, each knob alone, and the
// chosen set.
var Variants = []Variant{
	{"grpc-go defaults", Set{}},
	{"static windows (no BDP pings)", Set{StreamWindow: StaticStreamWindow, ConnWindow: StaticConnWindow}},
	{fmt.Sprintf("%d stream workers (8 a core)", StreamWorkers), Set{StreamWorkers: StreamWorkers}},
	{"read buffer off", Set{ReadBuffer: -1}},
	{"4 KiB buffers", Set{ReadBuffer: 4 << 10, WriteBuffer: 4 << 10}},
	{"write buffer kept (not shared)", Set{KeepWriteBuffer: true}},
	{"gzip", Set{Gzip: true}},
	{"a reused stream", Set{Stream: true}},
	{"4 connections, calls take turns", Set{Conns: 4}},
	{"chosen", Chosen},
}
