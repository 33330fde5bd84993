package db

import (
	"strconv"
	"strings"
)

// Now is the store's clock in the common dialect: microseconds since the
// Unix epoch, as a 64-bit integer. Rows are stamped by the database, so
// replicas with skewed clocks still agree on when a change happened.
const Now = "{now}"

// nowSQL is what Now becomes in each dialect.
var nowSQL = map[Dialect]string{
	SQLite:   "CAST(unixepoch('subsec') * 1000000 AS INTEGER)",
	Postgres: "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)",
}

// Rebind turns a statement in the common dialect into d's: ? placeholders
// become $1, $2... on PostgreSQL, and {now} the store's clock. The common
// dialect is the SQL both databases share (INTEGER, BIGINT, TEXT, ON
// CONFLICT, RETURNING); keep ? out of string literals.
func (d *DB) Rebind(query string) string {
	query = strings.ReplaceAll(query, Now, nowSQL[d.dialect])
	if d.dialect != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
