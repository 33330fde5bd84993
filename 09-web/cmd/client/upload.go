package main

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protojson"

	ordersv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1"
)

// runUpload streams the orders of a file, one JSON object a line, for
// example {"items": [{"product_id": "product-123", "quantity": 2}]}, and
// prints the server's summary. Lines that are not a JSON order never leave
// the client; they are listed with the server's rejections.
func runUpload(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cf := newFlagSet("upload", "--file=ORDERS.jsonl", 0, stderr)
	file := fs.String("file", "", "`path` of a file with one JSON order a line")
	if err := parse(fs, args); err != nil {
		return err
	}
	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	defer f.Close()
	conn, callCtx, done, err := cf.open(ctx)
	if err != nil {
		return err
	}
	defer done()
	stream, err := ordersv1.NewOrderManagementServiceClient(conn).UploadOrders(callCtx)
	if err != nil {
		return report(stderr, "uploading orders", err)
	}
	var local []*ordersv1.RejectedOrder // lines rejected before sending
	lines, sent := 0, 0
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 64*1024), 1024*1024)
	for scanner.Scan() {
		lines++
		text := strings.TrimSpace(scanner.Text())
		if text == "" {
			continue
		}
		order := &ordersv1.CreateOrderRequest{}
		if err := protojson.Unmarshal([]byte(text), order); err != nil {
			local = append(local, &ordersv1.RejectedOrder{Line: int32(lines), Code: codes.InvalidArgument.String(), Reason: "not a JSON order, so it was not sent"})
			continue
		}
		// Send returns io.EOF when the server has already ended the call;
		// the reason comes from CloseAndRecv below.
		if err := stream.Send(&ordersv1.UploadOrdersRequest{Line: int32(lines), Order: order}); err != nil {
			break
		}
		sent++
	}
	if err := scanner.Err(); err != nil {
		return fmt.Errorf("reading %s: %w", *file, err)
	}
	summary, err := stream.CloseAndRecv()
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(stdout, "Upload cancelled after sending %d orders; the orders the server created before that are kept.\n", sent)
		}
		return report(stderr, "uploading orders", err)
	}
	rejected := append(local, summary.GetRejected()...)
	slices.SortFunc(rejected, func(a, b *ordersv1.RejectedOrder) int { return cmp.Compare(a.GetLine(), b.GetLine()) })
	fmt.Fprintf(stdout, "Uploaded %s: %d orders created, %d rejected.\n", *file, len(summary.GetOrderIds()), len(rejected))
	if ids := summary.GetOrderIds(); len(ids) > 0 {
		fmt.Fprintf(stdout, "Created: %s\n", strings.Join(ids, ", "))
	}
	for _, r := range rejected {
		fmt.Fprintf(stdout, "Rejected line %d: %s: %s\n", r.GetLine(), r.GetCode(), r.GetReason())
	}
	if stop := summary.GetStopped(); stop != nil {
		fmt.Fprintf(stderr, "Upload stopped after line %d: %s: %s\nThe orders after line %d were not read.\n",
			stop.GetLastLine(), stop.GetCode(), stop.GetReason(), stop.GetLastLine())
		return errReported
	}
	return nil
}
