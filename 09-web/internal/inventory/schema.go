package inventory

import "github.com/learn-grpc/learn-grpc/09-web/internal/db"

// schema is the catalog's stock store. Every change to stock takes the next
// number from feed.seq in its transaction and stamps it on the rows it
// changes: the single feed row is locked until commit, so numbers follow
// commit order, and a replica that has read up to n has missed nothing
// below n.
var schema = []db.Migration{{Version: 1, Name: "stock, reservations and the feed", SQL: `
CREATE TABLE stock (
	product_id TEXT    PRIMARY KEY,
	available  INTEGER NOT NULL CHECK (available >= 0),
	updated_at BIGINT  NOT NULL,
	seq        BIGINT  NOT NULL
);
CREATE INDEX stock_by_seq ON stock (seq);
CREATE TABLE feed (
	id  INTEGER PRIMARY KEY CHECK (id = 1),
	seq BIGINT  NOT NULL
);
INSERT INTO feed (id, seq) VALUES (1, 0);
CREATE TABLE reservations (
	order_id    TEXT   PRIMARY KEY,
	reserved_at BIGINT NOT NULL,
	released_at BIGINT
);
CREATE TABLE reservation_items (
	order_id   TEXT    NOT NULL REFERENCES reservations (order_id),
	product_id TEXT    NOT NULL REFERENCES stock (product_id),
	quantity   INTEGER NOT NULL CHECK (quantity > 0),
	PRIMARY KEY (order_id, product_id)
);
CREATE TABLE simulator (
	id       INTEGER PRIMARY KEY CHECK (id = 1),
	last_run BIGINT  NOT NULL
);
INSERT INTO simulator (id, last_run) VALUES (1, 0)`}}
