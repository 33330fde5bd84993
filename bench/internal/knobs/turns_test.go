package knobs

import (
	"context"
	"slices"
	"testing"
)

func TestCallsTakeTurnsOnEachConnection(t *testing.T) {
	var got []int
	var calls []func(context.Context) error
	for i := range 3 {
		calls = append(calls, func(context.Context) error { got = append(got, i); return nil })
	}
	call := Turns(calls)
	for range 6 {
		if err := call(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if want := []int{0, 1, 2, 0, 1, 2}; !slices.Equal(got, want) {
		t.Errorf("calls went to %v, want %v", got, want)
	}
}

func TestASetOpensOneConnectionUnlessItAsksForMore(t *testing.T) {
	for _, tc := range []struct {
		conns, want int
	}{{0, 1}, {1, 1}, {4, 4}} {
		if got := (Set{Conns: tc.conns}).Connections(); got != tc.want {
			t.Errorf("Set{Conns: %d} opens %d connections, want %d", tc.conns, got, tc.want)
		}
	}
}
