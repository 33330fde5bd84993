package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// runOK runs a command that must succeed and returns what it printed.
func runOK(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), args, &stdout, &stderr); err != nil {
		t.Fatalf("run(%q) = %v\n%s", args, err, stderr.String())
	}
	return stdout.String()
}

// orderCreated is what add-order prints, with the order's id.
var orderCreated = regexp.MustCompile(`^Order created successfully: (order-[a-z2-7]{16})\n$`)

func TestAddAndGetOrder(t *testing.T) {
	addr := "--addr=" + startServer(t, 0)
	m := orderCreated.FindStringSubmatch(runOK(t, "add-order", "--items=product-123:2,product-456:1", addr))
	if m == nil {
		t.Fatal("add-order did not print the new order's id")
	}
	want := "Order Details:\n" +
		"ID:     " + m[1] + "\n" +
		"Status: PENDING\n" +
		"Items:  product-123 x2, product-456 x1\n" +
		"Total:  $141.48\n"
	if got := runOK(t, "get-order", "--id="+m[1], addr); got != want {
		t.Errorf("get-order printed:\n%s\nwant:\n%s", got, want)
	}
}

func TestAddOrderWithARequestIDPlacesOnce(t *testing.T) {
	addr := "--addr=" + startServer(t, 0)
	first := runOK(t, "add-order", "--items=product-123:1", "--request-id=same", "--id-only", addr)
	again := runOK(t, "add-order", "--items=product-123:1", "--request-id=same", "--id-only", addr)
	if first != again {
		t.Errorf("the same request id placed %q and %q, want one order", first, again)
	}
	if other := runOK(t, "add-order", "--items=product-123:1", "--id-only", addr); other == first {
		t.Errorf("add-order without --request-id reused order %q", other)
	}
}

func TestAddOrderErrors(t *testing.T) {
	addr := "--addr=" + startServer(t, 0)
	tests := []struct{ items, wantStderr string }{
		{"product-456:1000", "Error creating order: rpc error: code = FailedPrecondition desc = not enough stock of product-456: 25 left, 1000 asked\n"},
		{"product-999:1", "Error creating order: rpc error: code = NotFound desc = product \"product-999\" not found\n" +
			"  resource ecommerce.catalog.v1.Product \"product-999\"\n"},
		{"", "Error creating order: rpc error: code = InvalidArgument desc = an order needs at least one item\n" +
			"  field items: an order needs at least one item\n"},
	}
	for _, tt := range tests {
		var stderr bytes.Buffer
		err := run(t.Context(), []string{"add-order", "--items=" + tt.items, addr}, io.Discard, &stderr)
		if !errors.Is(err, errReported) || stderr.String() != tt.wantStderr {
			t.Errorf("add-order --items=%s: err %v, stderr %q; want %q", tt.items, err, stderr.String(), tt.wantStderr)
		}
	}
	var stderr bytes.Buffer
	if err := run(t.Context(), []string{"add-order", "--items=product-123", addr}, io.Discard, &stderr); err == nil || errors.Is(err, errReported) {
		t.Errorf("a malformed item is a usage error, got %v", err)
	}
}

func TestUpload(t *testing.T) {
	addr := "--addr=" + startServer(t, 0)
	want := regexp.MustCompile(`^Uploaded \.\./\.\./testdata/orders\.jsonl: 3 orders created, 4 rejected\.\n` +
		`Created: order-\w{16}, (order-\w{16}), order-\w{16}\n` + regexp.QuoteMeta(
		"Rejected line 3: NotFound: product \"product-999\" not found\n"+
			"Rejected line 4: InvalidArgument: not a JSON order, so it was not sent\n"+
			"Rejected line 5: InvalidArgument: quantity of product-321 must be at least 1, got 0\n"+
			"Rejected line 6: InvalidArgument: an order needs at least one item\n") + "$")
	got := runOK(t, "upload", "--file=../../testdata/orders.jsonl", addr)
	m := want.FindStringSubmatch(got)
	if m == nil {
		t.Fatalf("upload printed:\n%s\nwant it to match:\n%s", got, want)
	}
	if got := runOK(t, "get-order", "--id="+m[1], addr); !strings.Contains(got, "product-456 x2, product-789 x1") {
		t.Errorf("the second order is not line 2 of the file:\n%s", got)
	}
}

// TestUploadThatTheServerStops uploads one order too many: the client prints
// the summary, says where the server stopped, and fails.
func TestUploadThatTheServerStops(t *testing.T) {
	addr := "--addr=" + startServer(t, 0)
	file := filepath.Join(t.TempDir(), "orders.jsonl")
	// An empty order is rejected without touching stock: cheap.
	if err := os.WriteFile(file, []byte(strings.Repeat("{}\n", 1001)), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	err := run(t.Context(), []string{"upload", "--file=" + file, addr}, &stdout, &stderr)
	if !strings.HasPrefix(stdout.String(), "Uploaded "+file+": 0 orders created, 1000 rejected.\n") {
		t.Errorf("stdout starts %.80q, want the summary of the first 1000", stdout.String())
	}
	want := "Upload stopped after line 1000: ResourceExhausted: an upload holds at most 1000 orders; " +
		"send the rest in another upload\nThe orders after line 1000 were not read.\n"
	if !errors.Is(err, errReported) || stderr.String() != want {
		t.Errorf("upload: err %v, stderr %q; want %q", err, stderr.String(), want)
	}
}

func TestTrack(t *testing.T) {
	addr := "--addr=" + startServer(t, 0)
	id := strings.TrimSpace(runOK(t, "add-order", "--items=product-789:1", "--id-only", addr))
	want := "[Client] Started tracking order " + id + ". Sending location ping.\n" +
		"[Server] Order status update: SHIPPED\n" +
		"[Server] Order status update: IN_TRANSIT\n" +
		"[Client] Sending location ping.\n" +
		"[Server] Order status update: OUT_FOR_DELIVERY\n" +
		"[Server] Order status update: DELIVERED\n" +
		"[Server] Tracking complete.\n" +
		"Client received all updates.\n"
	if got := runOK(t, "track", "--order-id="+id, addr); got != want {
		t.Errorf("track printed:\n%s\nwant:\n%s", got, want)
	}
	var stderr bytes.Buffer
	err := run(t.Context(), []string{"track", "--order-id=order-404", addr}, io.Discard, &stderr)
	if want := "Error tracking order: rpc error: code = NotFound desc = order \"order-404\" not found\n" +
		"  resource ecommerce.orders.v1.Order \"order-404\"\n"; !errors.Is(err, errReported) || stderr.String() != want {
		t.Errorf("track of an unknown order: %v, %q; want %q", err, stderr.String(), want)
	}
}

// TestAuthTranscript is the lesson's transcript: no token, Unauthenticated;
// a token with the right scope, an order.
func TestAuthTranscript(t *testing.T) {
	addr := "--addr=" + startServer(t, 0)
	var stderr bytes.Buffer
	err := run(t.Context(), []string{"add-order", "--items=product-123:1", "--token=", addr}, io.Discard, &stderr)
	want := "Error creating order: rpc error: code = Unauthenticated desc = request does not contain an auth token\n"
	if !errors.Is(err, errReported) || stderr.String() != want {
		t.Errorf("without a token: %v, %q; want %q", err, stderr.String(), want)
	}
	token := testKeys.Token(t, "carol", "orders:write")
	m := orderCreated.FindStringSubmatch(runOK(t, "add-order", "--items=product-123:1", "--token="+token, addr))
	if m == nil {
		t.Fatal("add-order with a token did not print an order id")
	}
	stderr.Reset()
	err = run(t.Context(), []string{"get-order", "--id=" + m[1], addr}, io.Discard, &stderr) // as alice
	if want := "code = NotFound desc = order \"" + m[1] + "\" not found"; !errors.Is(err, errReported) || !strings.Contains(stderr.String(), want) {
		t.Errorf("alice reading carol's order: %v, %q; want %q", err, stderr.String(), want)
	}
}
