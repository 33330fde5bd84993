package inventory

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// FeedInterval is how often a replica reads the store's change feed: a
// change made through any replica reaches this one's watchers within it.
const FeedInterval = 100 * time.Millisecond

// Follow reads the change feed every interval until ctx ends, so this
// replica's watchers see changes made through every replica. Polling one
// indexed column works the same on SQLite, which has no notifications, and
// on PostgreSQL; a failed read is logged once and retried.
func (s *Stock) Follow(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := s.catchUp(ctx)
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			log.Warn("cannot read the stock feed; watchers see no changes until it recovers", "err", err)
			failing = true
		case err == nil && failing:
			log.Info("stock feed recovered")
			failing = false
		}
	}
}

// catchUp publishes every level changed after the feed position of the view.
func (s *Stock) catchUp(ctx context.Context) error {
	s.mu.Lock()
	since := s.seq
	s.mu.Unlock()
	rows, err := s.db.Query(ctx, `SELECT product_id, available, updated_at, seq FROM stock
		WHERE seq > ? ORDER BY seq`, since)
	if err != nil {
		return fmt.Errorf("stock feed: %w", err)
	}
	defer rows.Close()
	var levels []Level
	for rows.Next() {
		var l Level
		if err := scanLevel(rows, &l); err != nil {
			return fmt.Errorf("stock feed: %w", err)
		}
		levels = append(levels, l)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("stock feed: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.publishLocked(levels)
	if n := len(levels); n > 0 {
		s.seq = max(s.seq, levels[n-1].seq)
	}
	return nil
}
