package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	ordersv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1"
)

func runAddOrder(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cf := newFlagSet("add-order", "--items=ID:QTY[,ID:QTY...]", 5*time.Second, stderr)
	itemsFlag := fs.String("items", "", "what to order, as `product-id:quantity` pairs separated by commas")
	requestID := fs.String("request-id", "", "`id` that makes sending this order again place it once (default: a new random id)")
	idOnly := fs.Bool("id-only", false, "print only the new order's id, for scripts")
	repeat := fs.Int("repeat", 1, "place `N` such orders, each with its own request id, 4 at a time, and count the failures")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *repeat > 1 {
		if *requestID != "" || *idOnly {
			return errors.New("--repeat places orders of their own: it takes neither --request-id nor --id-only")
		}
		items, err := parseItems(*itemsFlag)
		if err != nil {
			fs.Usage()
			return err
		}
		return placeMany(ctx, cf, items, *repeat, stdout, stderr)
	}
	if *requestID == "" {
		*requestID = newRequestID()
	}
	items, err := parseItems(*itemsFlag)
	if err != nil {
		fs.Usage()
		return err
	}
	conn, ctx, done, err := cf.open(ctx)
	if err != nil {
		return err
	}
	defer done()
	resp, err := ordersv1.NewOrderManagementServiceClient(conn).CreateOrder(ctx, &ordersv1.CreateOrderRequest{Items: items, RequestId: *requestID})
	if err != nil {
		return report(stderr, "creating order", err)
	}
	if *idOnly {
		fmt.Fprintln(stdout, resp.GetOrder().GetId())
		return nil
	}
	fmt.Fprintf(stdout, "Order created successfully: %s\n", resp.GetOrder().GetId())
	return nil
}

// newRequestID returns a random request_id: 128 bits, as a UUID would be.
func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// parseItems reads "product-123:2,product-456:1". A malformed pair is a
// usage error here; whether the products exist is the server's to say.
func parseItems(s string) ([]*ordersv1.OrderItem, error) {
	var items []*ordersv1.OrderItem
	for _, pair := range strings.Split(s, ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		id, qty, ok := strings.Cut(pair, ":")
		n, err := strconv.ParseInt(qty, 10, 32)
		if !ok || err != nil {
			return nil, fmt.Errorf("item %q is not product-id:quantity", pair)
		}
		items = append(items, &ordersv1.OrderItem{ProductId: id, Quantity: int32(n)})
	}
	return items, nil
}

func runGetOrder(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cf := newFlagSet("get-order", "--id=ORDER-ID", 5*time.Second, stderr)
	id := fs.String("id", "", "order `id`, as add-order printed it")
	if err := parse(fs, args); err != nil {
		return err
	}
	conn, ctx, done, err := cf.open(ctx)
	if err != nil {
		return err
	}
	defer done()
	resp, err := ordersv1.NewOrderManagementServiceClient(conn).GetOrder(ctx, &ordersv1.GetOrderRequest{Id: *id})
	if err != nil {
		return report(stderr, "getting order", err)
	}
	o := resp.GetOrder()
	var items []string
	for _, it := range o.GetItems() {
		items = append(items, fmt.Sprintf("%s x%d", it.GetProductId(), it.GetQuantity()))
	}
	fmt.Fprintln(stdout, "Order Details:")
	fmt.Fprintf(stdout, "ID:     %s\n", o.GetId())
	fmt.Fprintf(stdout, "Status: %s\n", statusName(o.GetStatus()))
	fmt.Fprintf(stdout, "Items:  %s\n", strings.Join(items, ", "))
	fmt.Fprintf(stdout, "Total:  %s\n", formatMoney(o.GetTotal()))
	return nil
}

// statusName shows ORDER_STATUS_IN_TRANSIT as IN_TRANSIT: the prefix is
// there for protobuf's sake, not the reader's.
func statusName(s ordersv1.OrderStatus) string {
	return strings.TrimPrefix(s.String(), "ORDER_STATUS_")
}
