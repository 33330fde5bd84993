// Package inventory keeps the stock of every product in a database that all
// catalog replicas share, and pushes each change to whoever is watching it.
//
// The database is the truth: every change is one transaction, and a change
// that would take a product below zero is refused by the UPDATE itself. Each
// replica keeps a view of the levels, fed by its own changes and by
// following the store's change feed, so a watcher on any replica sees
// changes made through every replica. Publishing never waits for a watcher:
// each subscription holds at most one pending level per product (the
// latest), so a slow watcher skips levels instead of growing a queue.
package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/learn-grpc/learn-grpc/09-web/internal/db"
)

// ErrUnknownProduct is returned for a product id the stock does not hold.
var ErrUnknownProduct = errors.New("unknown product")

// UnknownProductError names the product id the stock does not hold. It
// matches ErrUnknownProduct with errors.Is.
type UnknownProductError struct{ ID string }

func (e *UnknownProductError) Error() string        { return fmt.Sprintf("%v: %q", ErrUnknownProduct, e.ID) }
func (e *UnknownProductError) Is(target error) bool { return target == ErrUnknownProduct }

// ErrInsufficientStock is returned when a change would take a product's
// quantity below zero.
var ErrInsufficientStock = errors.New("not enough stock")

// Level is the stock of one product at one moment, as the store stamped it.
type Level struct {
	ProductID string
	Quantity  int32
	UpdatedAt time.Time
	seq       int64 // the feed number of the change that made it
}

// Stock is the shared store and this replica's view of it. The view and the
// subscriptions take the same lock, so a new subscriber gets the current
// level and then every later one, with nothing missed or repeated between.
type Stock struct {
	db *db.DB

	mu     sync.Mutex
	levels map[string]Level
	subs   map[string]map[*Subscription]struct{} // by product id
	seq    int64                                 // the feed has been read up to here
	closed bool
}

// Migrate brings the stock store in d to this version's schema and returns
// how many steps it applied: each step once, however many replicas start.
func Migrate(ctx context.Context, d *db.DB) (int, error) {
	return d.Migrate(ctx, "catalog", schema)
}

// Open loads the current levels of the stock store in d, migrated before.
func Open(ctx context.Context, d *db.DB) (*Stock, error) {
	s := &Stock{db: d, levels: map[string]Level{}, subs: map[string]map[*Subscription]struct{}{}}
	if err := s.catchUp(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Seed stores quantities for the products the store does not hold yet and
// returns how many it added. A store that was seeded before keeps its
// levels, so a restarted replica never puts back stock that was sold. The
// view then holds every product, whichever replica seeded it.
func (s *Stock) Seed(ctx context.Context, quantities map[string]int32) (int, error) {
	added := 0
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		added = 0
		seq, err := nextSeq(ctx, tx)
		if err != nil {
			return err
		}
		for _, id := range slices.Sorted(maps.Keys(quantities)) {
			res, err := tx.Exec(ctx, `INSERT INTO stock (product_id, available, updated_at, seq)
				VALUES (?, ?, `+db.Now+`, ?) ON CONFLICT (product_id) DO NOTHING`, id, quantities[id], seq)
			if err != nil {
				return fmt.Errorf("seed %s: %w", id, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("seed %s: %w", id, err)
			}
			added += int(n)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return added, s.catchUp(ctx)
}

// Adjust changes a product's quantity by delta, for every replica. A change
// that would take the quantity below zero is refused.
func (s *Stock) Adjust(ctx context.Context, id string, delta int32) (Level, error) {
	var l Level
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		seq, err := nextSeq(ctx, tx)
		if err != nil {
			return err
		}
		l, err = change(ctx, tx, seq, id, delta)
		return err
	})
	if err != nil {
		return Level{}, err
	}
	s.publish(l)
	return l, nil
}

// nextSeq takes the next feed number. It locks the feed row until the
// transaction ends, which is what puts feed numbers in commit order.
func nextSeq(ctx context.Context, tx *db.Tx) (int64, error) {
	var seq int64
	if err := tx.QueryRow(ctx, "UPDATE feed SET seq = seq + 1 WHERE id = 1 RETURNING seq").Scan(&seq); err != nil {
		return 0, fmt.Errorf("feed: %w", err)
	}
	return seq, nil
}

// change adds delta to a product's quantity, stamped seq. The condition in
// the UPDATE is what refuses to go below zero: the row is locked while it is
// checked and changed, so two replicas cannot both take the last unit.
func change(ctx context.Context, tx *db.Tx, seq int64, id string, delta int32) (Level, error) {
	var l Level
	err := scanLevel(tx.QueryRow(ctx, `UPDATE stock SET available = available + ?, updated_at = `+db.Now+`, seq = ?
		WHERE product_id = ? AND available + ? >= 0
		RETURNING product_id, available, updated_at, seq`, delta, seq, id, delta), &l)
	if !errors.Is(err, sql.ErrNoRows) {
		return l, err
	}
	var left int32
	switch err := tx.QueryRow(ctx, "SELECT available FROM stock WHERE product_id = ?", id).Scan(&left); {
	case errors.Is(err, sql.ErrNoRows):
		return l, &UnknownProductError{ID: id}
	case err != nil:
		return l, err
	}
	return l, fmt.Errorf("%w of %s: %d left, %d asked", ErrInsufficientStock, id, left, -delta)
}

// scanLevel reads a row of (product_id, available, updated_at, seq).
func scanLevel(row interface{ Scan(...any) error }, l *Level) error {
	var micros int64
	if err := row.Scan(&l.ProductID, &l.Quantity, &micros, &l.seq); err != nil {
		return err
	}
	l.UpdatedAt = time.UnixMicro(micros).UTC()
	return nil
}
