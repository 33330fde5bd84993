// Package dbtest gives each test a fresh database of each kind: a SQLite
// file in its temporary directory, and a PostgreSQL database created on the
// server LAB_POSTGRES_URL names and dropped afterwards.
package dbtest

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/learn-grpc/learn-grpc/09-web/internal/db"
)

// PostgresEnv names the variable holding a PostgreSQL server's URL, whose
// user may create databases. CI sets it; without it PostgreSQL tests skip.
const PostgresEnv = "LAB_POSTGRES_URL"

// Kind is a database to run a test on.
type Kind struct {
	Name string // a subtest name: "on SQLite", "on PostgreSQL"
	new  func(t *testing.T) string
}

// Kinds are the databases every store test runs on, SQLite first.
var Kinds = []Kind{
	{Name: "on SQLite", new: sqliteDSN},
	{Name: "on PostgreSQL", new: postgresDSN},
}

// DSN returns the -db value of a new, empty database of this kind, removed
// when the test ends. It skips the test if the kind is not available here.
func (k Kind) DSN(t *testing.T) string {
	t.Helper()
	return k.new(t)
}

// Open opens a new, empty database of this kind, closed when the test ends.
func (k Kind) Open(t *testing.T) *db.DB {
	t.Helper()
	return k.OpenDSN(t, k.DSN(t))
}

// Run runs test once per kind of database, as subtests.
func Run(t *testing.T, test func(t *testing.T, k Kind)) {
	t.Helper()
	for _, k := range Kinds {
		t.Run(k.Name, func(t *testing.T) { test(t, k) })
	}
}

func sqliteDSN(t *testing.T) string {
	return filepath.Join(t.TempDir(), "test.db")
}

// skipOnce makes the reason for skipping appear once per test binary.
var skipOnce sync.Once

func postgresDSN(t *testing.T) string {
	t.Helper()
	server := os.Getenv(PostgresEnv)
	if server == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set, and CI=true allows no skipped database", PostgresEnv)
		}
		skipOnce.Do(func() { t.Skip("skipped: no PostgreSQL (set " + PostgresEnv + " to run these)") })
		t.SkipNow()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := db.Open(ctx, server)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	defer admin.Close()
	name := "lab_test_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database on %s: %v", PostgresEnv, err)
	}
	t.Cleanup(func() { drop(t, server, name) })
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// drop removes a test's database, even if its connections are still open.
func drop(t *testing.T, server, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := db.Open(ctx, server)
	if err != nil {
		t.Error(err)
		return
	}
	defer admin.Close()
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		t.Errorf("drop database %s: %v", name, err)
	}
}

// OpenDSN opens dsn (from DSN) once more, as another process would, and
// closes it when the test ends.
func (k Kind) OpenDSN(t *testing.T, dsn string) *db.DB {
	t.Helper()
	d, err := db.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}
