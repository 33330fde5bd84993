package watchhub

import (
	"context"
	"log/slog"
	"net"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"

	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"
	"github.com/learn-grpc/learn-grpc/09-web/internal/db"
	"github.com/learn-grpc/learn-grpc/09-web/internal/inventory"
	"github.com/learn-grpc/learn-grpc/09-web/internal/server"
	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"
)

// restartable is a catalog process that can stop and start again on the
// same address and database, as a restarted replica does: testutil's
// catalogs listen on a new port each time.
type restartable struct {
	pki   *testutil.PKI
	units map[string]int32 // its stock; its products are always the sample's
	path  string           // its database
	addr  string
	Stock *inventory.Stock
	stop  func()
}

func newRestartable(t *testing.T, pki *testutil.PKI, units map[string]int32) *restartable {
	c := &restartable{pki: pki, units: units, path: filepath.Join(t.TempDir(), "catalog.db"), addr: "127.0.0.1:0"}
	c.start(t)
	t.Cleanup(func() { c.stop() })
	return c
}

func (c *restartable) start(t *testing.T) {
	t.Helper()
	d, err := db.Open(context.Background(), c.path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inventory.Migrate(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	if c.Stock, err = inventory.Open(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Stock.Seed(t.Context(), c.units); err != nil { // a no-op once seeded
		t.Fatal(err)
	}
	tlsConfig, err := c.pki.Files("catalog").ServerConfig()
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", c.addr)
	if err != nil {
		t.Fatal(err)
	}
	c.addr = lis.Addr().String()
	log := slog.New(slog.DiscardHandler)
	srv := server.New(server.Config{Log: log, Verifier: c.pki.Keys.Verifier, Creds: credentials.NewTLS(tlsConfig)})
	testutil.RegisterCatalog(srv, catalog.NewStore(catalog.SampleProducts(), 0), c.Stock, log)
	srv.OnStreamsEnd(c.Stock.Close)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, lis, server.Shutdown{}) }()
	c.stop = func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("catalog: %v", err)
		}
		d.Close()
		c.stop = func() {}
	}
}

func TestCatalogRestart(t *testing.T) {
	pki := testutil.NewPKI(t)
	cat := newRestartable(t, pki, catalog.SampleStock())
	client, counter := dialCatalog(t, pki, cat.addr)
	h := newHub(client, nil, MaxViewers, MaxViewersPerAddress, MaxProducts, time.Minute)
	h.retry = backoff{base: 10 * time.Millisecond, max: 100 * time.Millisecond, factor: 2, jitter: 0.2}
	t.Cleanup(h.Close)
	before := watch(t, h, "10.0.0.1", "product-123")
	before.waitFor(t, "product-123", 100)
	cat.stop()
	testutil.WaitFor(t, "the upstream stream to fail", func() bool { return counter.opened.Load() > 1 })

	t.Run("a viewer joining while the catalog is down is sent the last level", func(t *testing.T) {
		watch(t, h, "10.0.0.2", "product-123").waitFor(t, "product-123", 100)
	})
	t.Run("a viewer of a product the hub never saw is told to come back", func(t *testing.T) {
		wantCode(t, watch(t, h, "10.0.0.3", "product-456").ended(t), codes.Unavailable)
	})
	t.Run("viewers keep their watch and get the changes once the catalog is back", func(t *testing.T) {
		cat.start(t)
		if _, err := cat.Stock.Adjust(t.Context(), "product-123", -5); err != nil {
			t.Fatal(err)
		}
		before.waitFor(t, "product-123", 95)
		if _, err := cat.Stock.Adjust(t.Context(), "product-123", -1); err != nil {
			t.Fatal(err)
		}
		before.waitFor(t, "product-123", 94)
	})
}

func TestProductUnknownToTheStock(t *testing.T) {
	// product-456 is in the catalog's products, so GetProduct finds it, but
	// not in its stock, so the shared stream fails with NotFound.
	pki := testutil.NewPKI(t)
	cat := newRestartable(t, pki, map[string]int32{"product-123": 100})
	client, _ := dialCatalog(t, pki, cat.addr)
	h := newHub(client, nil, MaxViewers, MaxViewersPerAddress, MaxProducts, time.Minute)
	t.Cleanup(h.Close)
	other := watch(t, h, "10.0.0.1", "product-123")
	other.waitFor(t, "product-123", 100)

	t.Run("its viewer ends with NotFound", func(t *testing.T) {
		wantCode(t, watch(t, h, "10.0.0.2", "product-456").ended(t), codes.NotFound)
	})
	t.Run("the other viewers of the shared stream go on", func(t *testing.T) {
		if _, err := cat.Stock.Adjust(t.Context(), "product-123", -1); err != nil {
			t.Fatal(err)
		}
		other.waitFor(t, "product-123", 99)
	})
}
