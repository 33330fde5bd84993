package db

import (
	"context"
	"database/sql"
	"sync"
)

// maxStatements bounds the statements one DB keeps prepared. The services'
// SQL is a few dozen fixed strings; a query built from its input would
// otherwise grow the cache without end, so beyond this it runs unprepared.
const maxStatements = 128

// statements keeps each query that SQLite runs prepared, once per
// connection: parsing it again on every call cost the orders service a fifth
// of its CPU. PostgreSQL needs none of this, since pgx caches its statements
// per connection itself.
type statements struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt // by the query in the common dialect
}

// stmt returns query prepared on d, or nil if it runs unprepared: on
// PostgreSQL, when the cache is full, or when it cannot be prepared (a script
// of several statements cannot), in which case running it reports why.
func (d *DB) stmt(ctx context.Context, query string) *sql.Stmt {
	s := d.stmts
	if s == nil {
		return nil
	}
	s.mu.Lock()
	st, ok := s.m[query]
	full := len(s.m) >= maxStatements
	s.mu.Unlock()
	if ok || full {
		return st
	}
	// Prepared outside the lock: preparing takes a connection, which may
	// have to wait for another call's transaction to end.
	st, err := d.sql.PrepareContext(ctx, d.Rebind(query))
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if have, ok := s.m[query]; ok { // another call prepared it meanwhile
		st.Close()
		return have
	}
	if len(s.m) >= maxStatements {
		st.Close()
		return nil
	}
	s.m[query] = st
	return st
}

// close closes every statement d keeps.
func (s *statements) close() {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for q, st := range s.m {
		st.Close()
		delete(s.m, q)
	}
}
