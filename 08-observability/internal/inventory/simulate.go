package inventory

import (
	"context"
	"math/rand/v2"
	"slices"
	"time"
)

// restockBelow is the level under which the simulator restocks a product.
const restockBelow = 10

// Simulate stands in for the shop floor until ctx ends: every interval, each
// product sells one to three units, or is restocked with 50 when it runs low.
// It is the single source of changes for the whole server.
func Simulate(ctx context.Context, s *Stock, interval time.Duration, rng *rand.Rand) {
	ids := s.ProductIDs()
	slices.Sort(ids) // a fixed order, so a seeded rng repeats itself
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		for _, id := range ids {
			l, _ := s.Level(id)
			delta := -int32(1 + rng.IntN(3))
			if l.Quantity+delta < restockBelow {
				delta = 50
			}
			_, _ = s.Adjust(id, delta) // only refused below zero, which delta avoids
		}
	}
}
