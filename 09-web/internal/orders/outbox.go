package orders

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/learn-grpc/learn-grpc/09-web/internal/db"
)

// Owed is a release the catalog has not acknowledged yet.
type Owed struct {
	Order    string
	Attempts int
}

// Owed lists up to limit owed releases that are due, oldest first.
func (s *DBStore) Owed(ctx context.Context, limit int) ([]Owed, error) {
	rows, err := s.db.Query(ctx, "SELECT order_id, attempts FROM release_outbox WHERE due_at <= "+db.Now+
		" ORDER BY due_at, order_id LIMIT ?", limit)
	if err != nil {
		return nil, fmt.Errorf("read the outbox: %w", err)
	}
	defer rows.Close()
	var due []Owed
	for rows.Next() {
		var o Owed
		if err := rows.Scan(&o.Order, &o.Attempts); err != nil {
			return nil, fmt.Errorf("read the outbox: %w", err)
		}
		due = append(due, o)
	}
	return due, rows.Err()
}

// Debts counts the owed releases, due or not.
func (s *DBStore) Debts(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM release_outbox").Scan(&n)
	return n, err
}

// Postpone records a failed delivery and when to try again.
func (s *DBStore) Postpone(ctx context.Context, order string, after time.Duration, why error) error {
	_, err := s.db.Exec(ctx, "UPDATE release_outbox SET attempts = attempts + 1, due_at = "+db.Now+" + ?, "+
		"last_error = ? WHERE order_id = ?", after.Microseconds(), truncate(why.Error(), 200), order)
	return err
}

// Settle fails the orders left being placed for longer than age, as a
// process that stopped halfway leaves them, and owes their releases: the
// catalog may hold their stock. A release refuses any later reservation of
// the order, so a reservation still on its way cannot take stock again.
// It returns how many orders it settled.
func (s *DBStore) Settle(ctx context.Context, age time.Duration) (int, error) {
	n := 0
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var cutoff int64
		if err := tx.QueryRow(ctx, "SELECT "+db.Now+" - ?", age.Microseconds()).Scan(&cutoff); err != nil {
			return err
		}
		if err := owe(ctx, tx, "SELECT id, "+db.Now+" FROM orders WHERE state = ? AND created_at <= ?",
			statePlacing, cutoff); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, "UPDATE orders SET state = ?, request_id = NULL WHERE state = ? AND created_at <= ?",
			stateFailed, statePlacing, cutoff)
		if err != nil {
			return fmt.Errorf("settle orders: %w", err)
		}
		affected, err := res.RowsAffected()
		n = int(affected)
		return err
	})
	return n, err
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Relay delivers the releases the store owes the catalog, again and again
// with a growing pause, until the catalog acknowledges each one: across
// outages of the catalog and restarts of orders, since the debt is stored.
type Relay struct {
	Store *DBStore
	Stock Stock
	Log   *slog.Logger
	// Poll is how often the relay looks for due releases; 0 means 200ms.
	Poll time.Duration
	// SettleAfter is the age at which an order still being placed is taken
	// for abandoned (see DBStore.Settle); 0 means SettleAfter.
	SettleAfter time.Duration
}

// SettleAfter is well beyond the longest a CreateOrder may run
// (MaxPlaceTime), so only an order whose handler is gone is settled, even
// while another replica of orders is placing orders.
const SettleAfter = 2 * MaxPlaceTime

// maxBackoff keeps the pause between attempts short, so that stock comes
// back within seconds of the catalog's return.
const maxBackoff = 2 * time.Second

// settleEvery is how often the relay looks for abandoned orders.
const settleEvery = 5 * time.Second

// Run delivers owed releases until ctx ends. It settles abandoned orders
// first, then every few seconds.
func (r *Relay) Run(ctx context.Context) {
	poll := cmp.Or(r.Poll, 200*time.Millisecond)
	lastSettle := time.Time{}
	for {
		if time.Since(lastSettle) >= settleEvery {
			lastSettle = time.Now()
			if n, err := r.Store.Settle(ctx, cmp.Or(r.SettleAfter, SettleAfter)); err != nil && ctx.Err() == nil {
				r.Log.Error("could not settle orders left half-done", "err", err)
			} else if n > 0 {
				r.Log.Warn("settled orders left half-done: failed, their stock owed back", "orders", n)
			}
		}
		r.deliverDue(ctx)
		select {
		case <-ctx.Done():
			return
		case <-time.After(poll):
		}
	}
}

// deliverDue tries each due release once.
func (r *Relay) deliverDue(ctx context.Context) {
	due, err := r.Store.Owed(ctx, 100)
	if err != nil && ctx.Err() == nil {
		r.Log.Error("could not read the outbox", "err", err)
	}
	for _, o := range due {
		if ctx.Err() != nil {
			return
		}
		releasedNow, err := deliver(ctx, r.Stock, r.Store, o.Order)
		if err == nil {
			r.Log.Info("owed release delivered", "order", o.Order, "attempts", o.Attempts+1, "released_now", releasedNow)
			continue
		}
		pause := min(100*time.Millisecond<<min(o.Attempts, 5), maxBackoff)
		r.Log.Warn("owed release not delivered; will retry", "order", o.Order, "attempts", o.Attempts+1,
			"retry_in", pause, "err", err)
		if err := r.Store.Postpone(context.WithoutCancel(ctx), o.Order, pause, err); err != nil {
			r.Log.Error("could not postpone an owed release", "order", o.Order, "err", err)
		}
	}
}

// deliver releases order in the catalog and, once it acknowledges, clears
// the debt; it reports whether the catalog gave anything back. Each attempt
// gets releaseTimeout, whatever ctx has left.
func deliver(ctx context.Context, stock Stock, store Store, order string) (bool, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	releasedNow, err := stock.Release(ctx, order)
	if err != nil {
		return false, err
	}
	return releasedNow, store.Released(ctx, order)
}
