package db

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// maxStatements bounds the statements one DB keeps prepared. The services'
// SQL is a few dozen fixed strings; a query built from its input would
// otherwise grow the cache without end, so beyond this it runs unprepared.
const maxStatements = 128

// statements keeps each query that SQLite runs prepared, once per
// connection: parsing it again on every call cost the orders service a fifth
// of its CPU. PostgreSQL needs none of this, since pgx caches its statements
// per connection itself. A kept query names its columns: SELECT * would keep
// the column count it was prepared with across a change of the table.
type statements struct {
	mu     sync.Mutex
	m      map[string]*sql.Stmt // by the query in the common dialect
	closed bool
}

// stmt returns query prepared on d, or nil if it runs unprepared: on
// PostgreSQL, when the cache is full, when it does not start with a keyword
// (the driver prepares a blank or comment-only query into a statement that
// panics when run), or when it cannot be prepared (a script of several
// statements cannot), in which case running it reports why.
func (d *DB) stmt(ctx context.Context, query string) *sql.Stmt {
	s := d.stmts
	if s == nil || !startsWithKeyword(query) {
		return nil
	}
	s.mu.Lock()
	st, ok := s.m[query]
	full := len(s.m) >= maxStatements
	s.mu.Unlock()
	if ok || full {
		return st
	}
	// Prepared outside the lock, on a connection of the pool. SQLite's pool
	// is unbounded, so this never waits for a transaction to give one back;
	// with a bounded pool, a transaction asking for a second connection here
	// could wait for itself.
	st, err := d.sql.PrepareContext(ctx, d.Rebind(query))
	if err != nil {
		return nil
	}
	if testHookPrepared != nil {
		testHookPrepared()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if have, ok := s.m[query]; ok { // another call prepared it meanwhile
		st.Close()
		return have
	}
	if len(s.m) >= maxStatements || s.closed {
		st.Close()
		return nil
	}
	s.m[query] = st
	return st
}

// testHookPrepared, set by a test, runs between preparing a statement and
// keeping it: where another call may keep the same query first.
var testHookPrepared func()

// startsWithKeyword reports whether query's first character, past any
// spaces, is a letter, as every statement's first keyword is.
func startsWithKeyword(query string) bool {
	q := strings.TrimLeft(query, " \t\r\n")
	return q != "" && ('a' <= q[0] && q[0] <= 'z' || 'A' <= q[0] && q[0] <= 'Z')
}

// close closes every statement d keeps. Closing one waits for the calls
// running it, so it happens outside the lock.
func (s *statements) close() {
	if s == nil {
		return
	}
	s.mu.Lock()
	kept := s.m
	s.m, s.closed = map[string]*sql.Stmt{}, true
	s.mu.Unlock()
	for _, st := range kept {
		st.Close()
	}
}
