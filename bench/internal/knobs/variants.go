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

// Chosen is the set the lab adopts: each knob in it paid in step 13.
var Chosen = Set{StreamWindow: StaticStreamWindow, ConnWindow: StaticConnWindow, ReadBuffer: -1}

// Variants are step 13's rows: grpc-go's defaults, each knob alone, and the
// chosen set.
var Variants = []Variant{
	{"grpc-go defaults", Set{}},
	{"static windows (no BDP pings)", Set{StreamWindow: StaticStreamWindow, ConnWindow: StaticConnWindow}},
	{fmt.Sprintf("%d stream workers (one per core)", runtime.NumCPU()), Set{StreamWorkers: uint32(runtime.NumCPU())}},
	{"read buffer off", Set{ReadBuffer: -1}},
	{"4 KiB buffers", Set{ReadBuffer: 4 << 10, WriteBuffer: 4 << 10}},
	{"write buffer kept (not shared)", Set{KeepWriteBuffer: true}},
	{"gzip", Set{Gzip: true}},
	{"a reused stream", Set{Stream: true}},
	{"4 connections, calls take turns", Set{Conns: 4}},
	{"chosen", Chosen},
}
