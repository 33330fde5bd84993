package catalog_test

import (
	"context"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"
	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// newClient serves the catalog over an in-memory connection (bufconn): the
// real gRPC stack, encoding and status codes included, without a TCP port.
func newClient(t *testing.T, latency time.Duration) catalogv1.ProductCatalogServiceClient {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	stock := testutil.NewStock(t)
	catalogv1.RegisterProductCatalogServiceServer(srv, catalog.NewService(catalog.NewStore(catalog.SampleProducts(), latency), stock, nil))
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)

	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return catalogv1.NewProductCatalogServiceClient(conn)
}

func TestGetProduct(t *testing.T) {
	tests := []struct {
		name     string
		id       string
		latency  time.Duration
		timeout  time.Duration
		wantCode codes.Code
		wantMsg  string
		wantName string
	}{
		{name: "known id", id: "product-123", wantCode: codes.OK, wantName: "The Rust Programming Language Book"},
		{name: "surrounding spaces are ignored", id: "  product-456 ", wantCode: codes.OK, wantName: "Wireless Mechanical Keyboard"},
		{name: "empty id", id: "", wantCode: codes.InvalidArgument, wantMsg: "product id is required"},
		{name: "blank id", id: "   ", wantCode: codes.InvalidArgument, wantMsg: "product id is required"},
		{name: "unknown id", id: "product-999", wantCode: codes.NotFound, wantMsg: `product "product-999" not found`},
		{name: "an id longer than the limit", id: strings.Repeat("x", 100<<10), wantCode: codes.InvalidArgument, wantMsg: "product id is longer than 64 characters"},
		{name: "an id with control characters", id: "product-\x00\x1b[2J", wantCode: codes.InvalidArgument, wantMsg: "product id may hold only letters, digits, '-', '_' and '.'"},
		{name: "deadline passes while the store is slow", id: "product-123", latency: time.Minute, timeout: 50 * time.Millisecond, wantCode: codes.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := newClient(t, tt.latency)
			ctx := t.Context()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			resp, err := client.GetProduct(ctx, &catalogv1.GetProductRequest{Id: tt.id})
			st := status.Convert(err)
			if st.Code() != tt.wantCode {
				t.Fatalf("GetProduct(%q) code = %v (%q), want %v", tt.id, st.Code(), st.Message(), tt.wantCode)
			}
			if tt.wantMsg != "" && st.Message() != tt.wantMsg {
				t.Errorf("GetProduct(%q) message = %q, want %q", tt.id, st.Message(), tt.wantMsg)
			}
			if got := resp.GetProduct().GetName(); got != tt.wantName {
				t.Errorf("GetProduct(%q) name = %q, want %q", tt.id, got, tt.wantName)
			}
		})
	}
}

func TestSearchProducts(t *testing.T) {
	tests := []struct {
		name     string
		query    string
		wantCode codes.Code
		wantIDs  []string
	}{
		{name: "name match ignores case", query: "RUST", wantCode: codes.OK, wantIDs: []string{"product-123"}},
		{name: "category match, ordered by id", query: "books", wantCode: codes.OK, wantIDs: []string{"product-123", "product-789"}},
		{name: "no match is an empty answer, not an error", query: "piano", wantCode: codes.OK},
		{name: "empty query", query: "", wantCode: codes.InvalidArgument},
		{name: "query too long", query: strings.Repeat("x", catalog.MaxQueryLength+1), wantCode: codes.InvalidArgument},
		{name: "query with control characters", query: "rust\x1b[2J", wantCode: codes.InvalidArgument},
	}
	client := newClient(t, 0)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := client.SearchProducts(t.Context(), &catalogv1.SearchProductsRequest{Query: tt.query})
			if got := status.Code(err); got != tt.wantCode {
				t.Fatalf("SearchProducts(%q) code = %v (%v), want %v", tt.query, got, err, tt.wantCode)
			}
			var ids []string
			for _, p := range resp.GetProducts() {
				ids = append(ids, p.GetId())
			}
			if !slices.Equal(ids, tt.wantIDs) {
				t.Errorf("SearchProducts(%q) ids = %v, want %v", tt.query, ids, tt.wantIDs)
			}
		})
	}
}

// TestHandlerChecksContext calls the handler directly with a context that has
// already ended, as happens when the client gives up while the request waits
// in the server: the handler must report the context's reason, not do the work.
func TestHandlerChecksContext(t *testing.T) {
	svc := catalog.NewService(catalog.NewStore(catalog.SampleProducts(), 0), nil, nil)

	expired, cancel := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
	defer cancel()
	if _, err := svc.GetProduct(expired, &catalogv1.GetProductRequest{Id: "product-123"}); status.Code(err) != codes.DeadlineExceeded {
		t.Errorf("expired deadline: got %v, want DeadlineExceeded", err)
	}

	canceled, cancelNow := context.WithCancel(t.Context())
	cancelNow()
	if _, err := svc.SearchProducts(canceled, &catalogv1.SearchProductsRequest{Query: "books"}); status.Code(err) != codes.Canceled {
		t.Errorf("canceled call: got %v, want Canceled", err)
	}
}

// TestStoreReturnsCopies guards the store's one invariant: callers get
// copies, so a handler that edits a response cannot change the catalog.
func TestStoreReturnsCopies(t *testing.T) {
	store := catalog.NewStore(catalog.SampleProducts(), 0)
	p, err := store.Get(t.Context(), "product-123")
	if err != nil {
		t.Fatal(err)
	}
	p.Name = "changed"
	again, err := store.Get(t.Context(), "product-123")
	if err != nil {
		t.Fatal(err)
	}
	if again.GetName() == "changed" {
		t.Error("editing a returned product changed the store")
	}
}

// TestErrorDetails decodes the google.rpc details a program would act on:
// which field is wrong, and which resource is missing.
func TestErrorDetails(t *testing.T) {
	client := newClient(t, 0)
	t.Run("an empty id names the field", func(t *testing.T) {
		_, err := client.GetProduct(t.Context(), &catalogv1.GetProductRequest{})
		br := detail[*errdetails.BadRequest](t, err)
		if got := br.GetFieldViolations(); len(got) != 1 || got[0].GetField() != "id" {
			t.Errorf("field violations = %v, want one naming id", got)
		}
	})
	t.Run("an empty query names the field", func(t *testing.T) {
		_, err := client.SearchProducts(t.Context(), &catalogv1.SearchProductsRequest{})
		br := detail[*errdetails.BadRequest](t, err)
		if got := br.GetFieldViolations(); len(got) != 1 || got[0].GetField() != "query" {
			t.Errorf("field violations = %v, want one naming query", got)
		}
	})
	t.Run("an unknown product names the resource", func(t *testing.T) {
		_, err := client.GetProduct(t.Context(), &catalogv1.GetProductRequest{Id: "product-999"})
		ri := detail[*errdetails.ResourceInfo](t, err)
		if ri.GetResourceType() != "ecommerce.catalog.v1.Product" || ri.GetResourceName() != "product-999" {
			t.Errorf("resource info = %v, want ecommerce.catalog.v1.Product product-999", ri)
		}
	})
	t.Run("an oversized id is not echoed", func(t *testing.T) {
		_, err := client.GetProduct(t.Context(), &catalogv1.GetProductRequest{Id: strings.Repeat("x", 1000)})
		if msg := status.Convert(err).Message(); strings.Contains(msg, "xxxx") {
			t.Errorf("message %q echoes the id", msg)
		}
	})
}

// detail returns the first detail of type T in err's status.
func detail[T any](t *testing.T, err error) T {
	t.Helper()
	for _, d := range status.Convert(err).Details() {
		if d, ok := d.(T); ok {
			return d
		}
	}
	var zero T
	t.Fatalf("status %v has no %T detail", err, zero)
	return zero
}
