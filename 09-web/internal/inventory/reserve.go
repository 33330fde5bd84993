package inventory

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/learn-grpc/learn-grpc/09-web/internal/db"
)

// Reservations holds stock per order, in the store, so that asking twice
// for the same order takes stock once on whichever replica each request
// lands. The orders service names each order before it reserves, which is
// what makes a retried reservation safe.
type Reservations struct{ stock *Stock }

// Errors a reservation can end with, beside those of a stock change.
var (
	ErrOtherItems = errors.New("the order reserved other items before")
	ErrReleased   = errors.New("the order was released")
)

// NewReservations reserves from stock.
func NewReservations(stock *Stock) *Reservations { return &Reservations{stock: stock} }

// Reserve takes quantities out of stock for order, all or nothing, in one
// transaction with the row that records the order. It reports false, and
// takes nothing, when the order already holds them.
func (r *Reservations) Reserve(ctx context.Context, order string, quantities map[string]int32) (bool, error) {
	var taken []Level
	err := r.stock.db.Write(ctx, func(tx *db.Tx) error {
		taken = nil
		res, err := tx.Exec(ctx, "INSERT INTO reservations (order_id, reserved_at) VALUES (?, "+db.Now+
			") ON CONFLICT (order_id) DO NOTHING", order)
		if err != nil {
			return fmt.Errorf("record reservation: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return repeated(ctx, tx, order, quantities)
		}
		seq, err := nextSeq(ctx, tx)
		if err != nil {
			return err
		}
		for _, id := range slices.Sorted(maps.Keys(quantities)) { // one lock order for every writer
			if quantities[id] <= 0 {
				return fmt.Errorf("take of %s must be positive, got %d", id, quantities[id])
			}
			l, err := change(ctx, tx, seq, id, -quantities[id])
			if err != nil {
				return err // rolls back the order's row and every unit taken before
			}
			if _, err := tx.Exec(ctx, "INSERT INTO reservation_items (order_id, product_id, quantity) VALUES (?, ?, ?)",
				order, id, quantities[id]); err != nil {
				return fmt.Errorf("record reserved item: %w", err)
			}
			taken = append(taken, l)
		}
		return nil
	})
	if errors.Is(err, errRepeat) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	r.stock.publish(taken...)
	return true, nil
}

// errRepeat ends the transaction of a reservation the store already holds.
var errRepeat = errors.New("reserved before")

// repeated answers a reservation for an order the store has seen: errRepeat
// if it holds the same items, or why the order cannot reserve.
func repeated(ctx context.Context, tx *db.Tx, order string, quantities map[string]int32) error {
	var released *int64
	err := tx.QueryRow(ctx, "SELECT released_at FROM reservations WHERE order_id = ?", order).Scan(&released)
	if err != nil {
		return fmt.Errorf("read reservation: %w", err)
	}
	if released != nil {
		return ErrReleased
	}
	held, err := items(ctx, tx, order)
	if err != nil {
		return err
	}
	if !maps.Equal(held, quantities) {
		return ErrOtherItems
	}
	return errRepeat
}

// Release gives back what order holds, once, on whichever replica it runs,
// and refuses any later reservation for it: a retried Reserve that arrives
// after its order was given up must not take stock no one will release. It
// reports whether anything was given back.
func (r *Reservations) Release(ctx context.Context, order string) (bool, error) {
	var returned []Level
	now := false
	err := r.stock.db.Write(ctx, func(tx *db.Tx) error {
		returned, now = nil, false
		// An order never reserved gets a row released already.
		res, err := tx.Exec(ctx, "INSERT INTO reservations (order_id, reserved_at, released_at) VALUES (?, "+
			db.Now+", "+db.Now+") ON CONFLICT (order_id) DO NOTHING", order)
		if err != nil {
			return fmt.Errorf("record release: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil || n == 1 {
			return err // nil for a new order: nothing was held
		}
		res, err = tx.Exec(ctx, "UPDATE reservations SET released_at = "+db.Now+
			" WHERE order_id = ? AND released_at IS NULL", order)
		if err != nil {
			return fmt.Errorf("release: %w", err)
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err // released before
		}
		held, err := items(ctx, tx, order)
		if err != nil {
			return err
		}
		seq, err := nextSeq(ctx, tx)
		if err != nil {
			return err
		}
		for _, id := range slices.Sorted(maps.Keys(held)) {
			l, err := change(ctx, tx, seq, id, held[id])
			if err != nil {
				return err
			}
			returned = append(returned, l)
		}
		now = true
		return nil
	})
	if err != nil {
		return false, err
	}
	r.stock.publish(returned...)
	return now, nil
}

// items returns what order holds, product id to units.
func items(ctx context.Context, tx *db.Tx, order string) (map[string]int32, error) {
	rows, err := tx.Query(ctx, "SELECT product_id, quantity FROM reservation_items WHERE order_id = ?", order)
	if err != nil {
		return nil, fmt.Errorf("read reserved items: %w", err)
	}
	defer rows.Close()
	held := map[string]int32{}
	for rows.Next() {
		var id string
		var q int32
		if err := rows.Scan(&id, &q); err != nil {
			return nil, fmt.Errorf("read reserved items: %w", err)
		}
		held[id] = q
	}
	return held, rows.Err()
}
