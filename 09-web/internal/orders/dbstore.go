package orders

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/learn-grpc/learn-grpc/09-web/internal/db"

	commonv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/common/v1"
	ordersv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1"
)

// The states of a stored order: recorded before its stock is reserved, then
// settled one way or the other.
const (
	statePlacing = "placing"
	statePlaced  = "placed"
	stateFailed  = "failed"
)

// schema is the orders' own database. A request_id is unique per customer
// (NULLs are not, so a freed key is NULL); release_outbox holds the releases
// owed to the catalog until it acknowledges them.
var schema = []db.Migration{{Version: 1, Name: "orders and the release outbox", SQL: `
CREATE TABLE orders (
	id          TEXT    PRIMARY KEY,
	customer_id TEXT    NOT NULL,
	request_id  TEXT,
	state       TEXT    NOT NULL CHECK (state IN ('placing', 'placed', 'failed')),
	status      INTEGER NOT NULL,
	currency    TEXT    NOT NULL DEFAULT '',
	units       BIGINT  NOT NULL DEFAULT 0,
	nanos       INTEGER NOT NULL DEFAULT 0,
	created_at  BIGINT  NOT NULL,
	UNIQUE (customer_id, request_id)
);
CREATE INDEX orders_by_state ON orders (state, created_at);
CREATE TABLE order_items (
	order_id   TEXT    NOT NULL REFERENCES orders (id),
	product_id TEXT    NOT NULL,
	quantity   INTEGER NOT NULL CHECK (quantity > 0),
	PRIMARY KEY (order_id, product_id)
);
CREATE TABLE release_outbox (
	order_id   TEXT    PRIMARY KEY REFERENCES orders (id),
	attempts   INTEGER NOT NULL DEFAULT 0,
	due_at     BIGINT  NOT NULL,
	last_error TEXT    NOT NULL DEFAULT ''
)`}}

// DBStore is a Store in a database: SQLite or PostgreSQL (see package db).
// Every replica of orders may share it.
type DBStore struct{ db *db.DB }

// OpenStore migrates d to the orders schema, once however many replicas
// start together, and returns the store on it.
func OpenStore(ctx context.Context, d *db.DB) (*DBStore, error) {
	if _, err := d.Migrate(ctx, "orders", schema); err != nil {
		return nil, err
	}
	return &DBStore{db: d}, nil
}

// Add implements Store. The row goes in with ON CONFLICT DO NOTHING on the
// request key: the database, not this process, decides which racer wins.
func (s *DBStore) Add(ctx context.Context, o *ordersv1.Order, requestID string) (*ordersv1.Order, bool, error) {
	var stored *ordersv1.Order
	created := false
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var key any // NULL: no request_id
		if requestID != "" {
			key = requestID
		}
		var at int64
		err := tx.QueryRow(ctx, "INSERT INTO orders (id, customer_id, request_id, state, status, created_at) "+
			"VALUES (?, ?, ?, ?, ?, "+db.Now+") ON CONFLICT (customer_id, request_id) DO NOTHING RETURNING created_at",
			o.GetId(), o.GetCustomerId(), key, statePlacing, int32(o.GetStatus())).Scan(&at)
		if errors.Is(err, sql.ErrNoRows) {
			stored, err = byRequest(ctx, tx, o.GetCustomerId(), requestID)
			return err
		}
		if err != nil {
			return fmt.Errorf("record order: %w", err)
		}
		for _, it := range o.GetItems() {
			if _, err := tx.Exec(ctx, "INSERT INTO order_items (order_id, product_id, quantity) VALUES (?, ?, ?)",
				o.GetId(), it.GetProductId(), it.GetQuantity()); err != nil {
				return fmt.Errorf("record order item: %w", err)
			}
		}
		stored, created = cloneAt(o, at), true
		return nil
	})
	if errors.Is(err, ErrPending) {
		return stored, false, err
	}
	if err != nil {
		return nil, false, err
	}
	return stored, created, nil
}

// Get implements Store.
func (s *DBStore) Get(ctx context.Context, id string) (*ordersv1.Order, error) {
	var o *ordersv1.Order
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		var state string
		var err error
		o, state, err = readOrder(ctx, tx, "id = ?", id)
		if err == nil && state != statePlaced {
			err = ErrNotFound
		}
		return err
	})
	return o, err
}

// ByRequest implements Store.
func (s *DBStore) ByRequest(ctx context.Context, customer, requestID string) (*ordersv1.Order, error) {
	var o *ordersv1.Order
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		var err error
		o, err = byRequest(ctx, tx, customer, requestID)
		return err
	})
	return o, err
}

// byRequest reads the order holding a request key, with ErrPending if it
// is still being placed. The error goes out of a Write unchanged, which
// rolls back nothing that matters: a lookup writes nothing.
func byRequest(ctx context.Context, tx *db.Tx, customer, requestID string) (*ordersv1.Order, error) {
	o, state, err := readOrder(ctx, tx, "customer_id = ? AND request_id = ?", customer, requestID)
	if err == nil && state == statePlacing {
		err = ErrPending
	}
	return o, err
}

// Placed implements Store.
func (s *DBStore) Placed(ctx context.Context, id string, total *commonv1.Money) (*ordersv1.Order, error) {
	var o *ordersv1.Order
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE orders SET state = ?, currency = ?, units = ?, nanos = ? "+
			"WHERE id = ? AND state = ?", statePlaced, total.GetCurrencyCode(), total.GetUnits(), total.GetNanos(), id, statePlacing)
		if err != nil {
			return fmt.Errorf("place order: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return cmpErr(err, ErrSettled)
		}
		o, _, err = readOrder(ctx, tx, "id = ?", id)
		return err
	})
	return o, err
}

// Failed implements Store: one transaction marks the order failed, frees
// its request_id and, if release, owes its release, so that no crash can
// leave a failed order whose stock nobody will give back.
func (s *DBStore) Failed(ctx context.Context, id string, release bool) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE orders SET state = ?, request_id = NULL WHERE id = ? AND state = ?",
			stateFailed, id, statePlacing)
		if err != nil {
			return fmt.Errorf("fail order: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 || !release {
			return err // settled already, or nothing to give back
		}
		return owe(ctx, tx, "VALUES (?, "+db.Now+")", id)
	})
}

// owe adds rows to the outbox, due now; rows gives (order_id, due_at).
func owe(ctx context.Context, tx *db.Tx, rows string, args ...any) error {
	_, err := tx.Exec(ctx, "INSERT INTO release_outbox (order_id, due_at) "+rows+
		" ON CONFLICT (order_id) DO NOTHING", args...)
	if err != nil {
		return fmt.Errorf("owe a release: %w", err)
	}
	return nil
}

// Released implements Store.
func (s *DBStore) Released(ctx context.Context, id string) error {
	_, err := s.db.Exec(ctx, "DELETE FROM release_outbox WHERE order_id = ?", id)
	return err
}

// Advance implements Store.
func (s *DBStore) Advance(ctx context.Context, id string, status ordersv1.OrderStatus) (ordersv1.OrderStatus, error) {
	var now int32
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE orders SET status = ? WHERE id = ? AND state = ? AND status < ?",
			int32(status), id, statePlaced, int32(status)); err != nil {
			return fmt.Errorf("advance order: %w", err)
		}
		err := tx.QueryRow(ctx, "SELECT status FROM orders WHERE id = ? AND state = ?", id, statePlaced).Scan(&now)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		return err
	})
	return ordersv1.OrderStatus(now), err
}

// PlacedUnits is how many units of product the placed orders hold: what the
// catalog must hold for them.
func (s *DBStore) PlacedUnits(ctx context.Context, product string) (int64, error) {
	var n int64
	err := s.db.QueryRow(ctx, "SELECT COALESCE(SUM(i.quantity), 0) FROM order_items i "+
		"JOIN orders o ON o.id = i.order_id WHERE o.state = ? AND i.product_id = ?", statePlaced, product).Scan(&n)
	return n, err
}

// readOrder reads the one order that where (with args) selects, and its state.
func readOrder(ctx context.Context, tx *db.Tx, where string, args ...any) (*ordersv1.Order, string, error) {
	o := &ordersv1.Order{}
	var state, currency string
	var status, nanos int32
	var units, at int64
	err := tx.QueryRow(ctx, "SELECT id, customer_id, state, status, currency, units, nanos, created_at "+
		"FROM orders WHERE "+where, args...).Scan(&o.Id, &o.CustomerId, &state, &status, &currency, &units, &nanos, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", ErrNotFound
	}
	if err != nil {
		return nil, "", fmt.Errorf("read order: %w", err)
	}
	o.Status, o.CreatedAt = ordersv1.OrderStatus(status), micros(at)
	if state == statePlaced {
		o.Total = &commonv1.Money{CurrencyCode: currency, Units: units, Nanos: nanos}
	}
	rows, err := tx.Query(ctx, "SELECT product_id, quantity FROM order_items WHERE order_id = ? "+
		"ORDER BY product_id", o.Id)
	if err != nil {
		return nil, "", fmt.Errorf("read order items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		it := &ordersv1.OrderItem{}
		if err := rows.Scan(&it.ProductId, &it.Quantity); err != nil {
			return nil, "", fmt.Errorf("read order items: %w", err)
		}
		o.Items = append(o.Items, it)
	}
	return o, state, rows.Err()
}

// cloneAt is o as stored: stamped by the store's clock.
func cloneAt(o *ordersv1.Order, at int64) *ordersv1.Order {
	c := proto.CloneOf(o)
	c.CreatedAt = micros(at)
	return c
}

func micros(at int64) *timestamppb.Timestamp { return timestamppb.New(time.UnixMicro(at)) }

// cmpErr is err if set, or else fallback.
func cmpErr(err, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}
