package catalog_test

import (
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"
)

func TestWatchLimit(t *testing.T) {
	t.Run("a connection beyond its cap is refused, others are not", func(t *testing.T) {
		l := catalog.NewWatchLimit(10, 2)
		for range 2 {
			if _, err := l.Acquire("a"); err != nil {
				t.Fatal(err)
			}
		}
		wantExhausted(t, l, "a", "watchers per connection")
		if _, err := l.Acquire("b"); err != nil {
			t.Errorf("another connection was refused: %v", err)
		}
	})
	t.Run("the server beyond its cap refuses every connection", func(t *testing.T) {
		l := catalog.NewWatchLimit(2, 2)
		for _, conn := range []string{"a", "b"} {
			if _, err := l.Acquire(conn); err != nil {
				t.Fatal(err)
			}
		}
		wantExhausted(t, l, "c", "watchers per server")
	})
	t.Run("a released slot can be taken again, once", func(t *testing.T) {
		l := catalog.NewWatchLimit(1, 1)
		release, err := l.Acquire("a")
		if err != nil {
			t.Fatal(err)
		}
		release()
		release() // a second release must not free a slot it does not hold
		if _, err := l.Acquire("a"); err != nil {
			t.Fatalf("slot not freed: %v", err)
		}
		wantExhausted(t, l, "b", "watchers per server")
	})
}

func wantExhausted(t *testing.T, l *catalog.WatchLimit, conn, subject string) {
	t.Helper()
	_, err := l.Acquire(conn)
	st := status.Convert(err)
	if st.Code() != codes.ResourceExhausted {
		t.Fatalf("Acquire(%q) = %v, want ResourceExhausted", conn, err)
	}
	for _, d := range st.Details() {
		if qf, ok := d.(*errdetails.QuotaFailure); ok && qf.GetViolations()[0].GetSubject() == subject {
			return
		}
	}
	t.Errorf("status %v has no QuotaFailure for %q", err, subject)
}

func TestAWatchLimitOfClientsNamesItsShare(t *testing.T) {
	l := catalog.NewWatchLimitOf("gateway", "client address", 1, 1)
	if _, err := l.Acquire("a"); err != nil {
		t.Fatal(err)
	}
	wantExhausted(t, l, "a", "watchers per client address")
	wantExhausted(t, l, "b", "watchers per gateway")
}
