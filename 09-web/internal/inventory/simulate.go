package inventory

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/learn-grpc/learn-grpc/09-web/internal/db"
)

// restockBelow is the level under which the simulator restocks a product.
const restockBelow = 10

// Simulate stands in for the shop floor until ctx ends: every interval, each
// product sells one to three units, or is restocked with 50 when it runs low.
// Every replica runs it, but each round is claimed in the store first, so
// the shop sells at one pace however many replicas there are, and goes on
// when any of them dies.
func Simulate(ctx context.Context, s *Stock, interval time.Duration, rng *rand.Rand) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		_ = s.simulateRound(ctx, interval, rng) // a busy store skips a round; the next comes soon
	}
}

// simulateRound runs one round of the shop floor, unless some replica ran
// one less than 90% of interval ago (the slack absorbs timer jitter).
func (s *Stock) simulateRound(ctx context.Context, interval time.Duration, rng *rand.Rand) error {
	var changed []Level
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		changed = nil
		res, err := tx.Exec(ctx, "UPDATE simulator SET last_run = "+db.Now+" WHERE id = 1 AND last_run <= "+
			db.Now+" - ?", interval.Microseconds()*9/10)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // another replica's turn
		}
		seq, err := nextSeq(ctx, tx)
		if err != nil {
			return err
		}
		levels, err := all(ctx, tx)
		if err != nil {
			return err
		}
		for _, l := range levels { // ordered by id, so a seeded rng repeats itself
			delta := -int32(1 + rng.IntN(3))
			if l.Quantity+delta < restockBelow {
				delta = 50
			}
			l, err := change(ctx, tx, seq, l.ProductID, delta)
			if err != nil {
				return err
			}
			changed = append(changed, l)
		}
		return nil
	})
	if err == nil {
		s.publish(changed...)
	}
	return err
}

// all reads every product's level, ordered by id.
func all(ctx context.Context, tx *db.Tx) ([]Level, error) {
	rows, err := tx.Query(ctx, "SELECT product_id, available, updated_at, seq FROM stock ORDER BY product_id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var levels []Level
	for rows.Next() {
		var l Level
		if err := scanLevel(rows, &l); err != nil {
			return nil, err
		}
		levels = append(levels, l)
	}
	return levels, rows.Err()
}
