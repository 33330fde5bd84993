package db

import (
	"context"
	"fmt"
)

// Migration is one step of a schema, in the common dialect. Versions start
// at 1 and grow by one; a step, once released, never changes.
type Migration struct {
	Version int
	Name    string
	SQL     string // one or more statements
}

// migrationLock is the PostgreSQL advisory lock that Migrate holds.
const migrationLock = 0x6c6162_6d6967 // "labmig"

// Migrate applies the steps of component's schema that the database lacks,
// each exactly once, and returns how many it applied. Replicas that start
// together take turns: on SQLite the IMMEDIATE transaction holds the write
// lock, on PostgreSQL an advisory lock does, so the second waits, then finds
// every step recorded.
func (d *DB) Migrate(ctx context.Context, component string, steps []Migration) (int, error) {
	for i, m := range steps {
		if m.Version != i+1 {
			return 0, fmt.Errorf("%s migration %q has version %d, want %d", component, m.Name, m.Version, i+1)
		}
	}
	applied := 0
	err := d.Write(ctx, func(tx *Tx) error {
		applied = 0
		if d.dialect == Postgres {
			if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(?)", int64(migrationLock)); err != nil {
				return fmt.Errorf("migration lock: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			component  TEXT    NOT NULL,
			version    INTEGER NOT NULL,
			name       TEXT    NOT NULL,
			applied_at BIGINT  NOT NULL,
			PRIMARY KEY (component, version))`); err != nil {
			return fmt.Errorf("migrations table: %w", err)
		}
		var have int
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = ?",
			component).Scan(&have); err != nil {
			return fmt.Errorf("migrations applied: %w", err)
		}
		for _, m := range steps[min(have, len(steps)):] {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("%s migration %d (%s): %w", component, m.Version, m.Name, err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (component, version, name, applied_at) "+
				"VALUES (?, ?, ?, "+Now+")", component, m.Version, m.Name); err != nil {
				return fmt.Errorf("record %s migration %d: %w", component, m.Version, err)
			}
			applied++
		}
		return nil
	})
	return applied, err
}
