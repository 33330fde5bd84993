package orders_test

import (
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/09-web/internal/db"
	"github.com/learn-grpc/learn-grpc/09-web/internal/orders"

	ordersv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1"
)

// TestAStoreThatFailsIsUnavailable: when the order store cannot answer, the
// call fails with Unavailable and a RetryInfo, since the request_id makes a
// retry safe, and the cause goes to the log, never to the caller.
func TestAStoreThatFailsIsUnavailable(t *testing.T) {
	d, err := db.Open(t.Context(), filepath.Join(t.TempDir(), "orders.db"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := orders.OpenStore(t.Context(), d)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, orders.Config{Orders: store})
	d.Close() // the store is gone
	_, err = e.client.CreateOrder(t.Context(), &ordersv1.CreateOrderRequest{Items: items("product-123", 1)})
	st := status.Convert(err)
	retry := false
	for _, d := range st.Details() {
		_, retry = d.(*errdetails.RetryInfo)
	}
	if st.Code() != codes.Unavailable || !retry {
		t.Errorf("CreateOrder on a store that failed = %v, want Unavailable with a RetryInfo", err)
	}
	if !strings.Contains(e.logs.String(), "the order store failed") {
		t.Errorf("the cause is not in the log:\n%s", e.logs.String())
	}
}
