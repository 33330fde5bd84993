package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	catalogv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/catalog/v1"
)

// runWatch prints stock updates as the server pushes them. The stream ends
// in one of four ways, and each is handled on purpose:
//   - the user presses Ctrl+C: ctx is cancelled, and that is a normal end;
//   - --count updates arrived: we cancel the call ourselves;
//   - the server ends the stream with OK (io.EOF): a normal end;
//   - the server fails the stream: we print its status and exit non-zero.
func runWatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cf := newFlagSet("watch", "--ids=ID[,ID...] [--count=N]", 0, stderr)
	ids := fs.String("ids", "", "comma-separated product `ids` to watch")
	count := fs.Int("count", 0, "stop after `N` updates; 0 watches until Ctrl+C or the server ends the stream")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *count < 0 {
		fs.Usage()
		return fmt.Errorf("--count must not be negative, got %d", *count)
	}
	conn, callCtx, done, err := cf.open(ctx)
	if err != nil {
		return err
	}
	defer done() // ending the call's context is what tells the server we left
	stream, err := catalogv1.NewProductCatalogServiceClient(conn).WatchProducts(callCtx, &catalogv1.WatchProductsRequest{ProductIds: splitIDs(*ids)})
	if err != nil {
		return report(stderr, "watching products", err)
	}
	fmt.Fprintln(stdout, "Watching products...")
	for received := 0; ; {
		resp, err := stream.Recv()
		switch {
		case errors.Is(err, io.EOF):
			fmt.Fprintln(stdout, "Server stream ended.")
			return nil
		case err != nil && ctx.Err() != nil:
			// The user pressed Ctrl+C: the error is our own cancellation.
			fmt.Fprintln(stdout, "Server stream ended.")
			return nil
		case err != nil:
			fmt.Fprintln(stdout, "Server stream ended.")
			return report(stderr, "watching products", err)
		}
		inv := resp.GetInventory()
		fmt.Fprintf(stdout, "[%s] Inventory Update: %s has %d units.\n",
			inv.GetUpdatedAt().AsTime().Local().Format("2006-01-02 15:04:05"), inv.GetProductId(), inv.GetQuantity())
		if received++; *count > 0 && received >= *count {
			fmt.Fprintf(stdout, "Stopped after %d updates.\n", received)
			return nil
		}
	}
}

// splitIDs turns "a, b,,c" into [a b c]; the server validates what is left.
func splitIDs(s string) []string {
	var ids []string
	for _, id := range strings.Split(s, ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}
