package knobs

import (
	"context"
	"sync/atomic"
)

// Turns is a call that runs each call on the next of calls, in turn: one
// call for each of a client's connections (Set.Conns).
func Turns(calls []func(context.Context) error) func(context.Context) error {
	if len(calls) == 1 {
		return calls[0]
	}
	var next atomic.Uint64
	return func(ctx context.Context) error {
		return calls[(next.Add(1)-1)%uint64(len(calls))](ctx)
	}
}

// Connections is how many connections the set's client opens.
func (s Set) Connections() int { return max(s.Conns, 1) }
