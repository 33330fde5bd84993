package db

import "testing"

func TestRebind(t *testing.T) {
	tests := []struct {
		name    string
		dialect Dialect
		in      string
		want    string
	}{
		{"SQLite keeps question marks", SQLite, "SELECT a FROM t WHERE b = ? AND c = ?",
			"SELECT a FROM t WHERE b = ? AND c = ?"},
		{"PostgreSQL numbers them", Postgres, "SELECT a FROM t WHERE b = ? AND c = ?",
			"SELECT a FROM t WHERE b = $1 AND c = $2"},
		{"SQLite gets its clock", SQLite, "UPDATE t SET at = {now}",
			"UPDATE t SET at = CAST(unixepoch('subsec') * 1000000 AS INTEGER)"},
		{"PostgreSQL gets its clock", Postgres, "UPDATE t SET at = {now} WHERE id = ?",
			"UPDATE t SET at = CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT) WHERE id = $1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (&DB{dialect: tt.dialect}).Rebind(tt.in); got != tt.want {
				t.Errorf("Rebind(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}
