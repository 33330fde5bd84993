package main

import (
	"cmp"
	"slices"
	"time"
)

// Rounds: steps 6, 11 and 13 measure several servers or variants in turns,
// a few rounds each, and read the middle of what the rounds gave, so that
// a burst of noise on a shared machine moves one round and not the result.

// turns is the order in which round, of rounds, measures n things. Each
// round starts n/rounds places later than the one before, so that no thing
// is always first or last; with as many rounds as things, each takes each
// place once.
func turns(round, rounds, n int) []int {
	start := round * n / max(rounds, 1)
	order := make([]int, n)
	for i := range order {
		order[i] = (start + i) % n
	}
	return order
}

// median is the middle of xs, or the mean of the two middle values when
// there is an even number of them (as with step 11's four rounds).
func median[T float64 | time.Duration](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}

// middle is the one of xs whose key is the median: a real run, whose
// latencies belong with its throughput. Of an even number, it is the upper
// of the middle two.
func middle[T any](xs []T, key func(T) float64) T {
	s := slices.SortedFunc(slices.Values(xs), func(a, b T) int { return cmp.Compare(key(a), key(b)) })
	return s[len(s)/2]
}
