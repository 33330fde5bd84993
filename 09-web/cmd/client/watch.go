package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
)

// maxResumes is how many times in a row watch resumes a stream that ended
// with Unavailable before it gives up; an update received starts the count
// again.
const maxResumes = 3

// runWatch prints stock updates as the server pushes them. The stream ends
// in one of five ways, and each is handled on purpose:
//   - the user presses Ctrl+C: ctx is cancelled, and that is a normal end;
//   - --count updates arrived: we cancel the call ourselves;
//   - the server ends the stream with OK (io.EOF): a normal end;
//   - the server ends it with Unavailable (it is stopping, or gone): we
//     watch again after a backoff, which sends the current levels first;
//   - the server fails the stream otherwise: we print its status and exit
//     non-zero.
func runWatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cf := newFlagSet("watch", "--ids=ID[,ID...] [--count=N | --streams=N] [--connect=URL]", 0, stderr)
	ids := fs.String("ids", "", "comma-separated product `ids` to watch")
	count := fs.Int("count", 0, "stop after `N` updates; 0 watches until Ctrl+C or the server ends the stream")
	streams := fs.Int("streams", 1, "open `N` streams on one connection, to test the server's cap on watchers")
	via := fs.String("connect", "", "watch through the gateway at `URL` over Connect, as the page does (https://localhost:8443)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := checkWatchFlags(*count, *streams); err != nil {
		fs.Usage()
		return err
	}
	open, callCtx, done, err := cf.openWatch(ctx, *via)
	if err != nil {
		return err
	}
	defer done() // ending the call's context is what tells the server we left
	w := &watcher{open: open, req: &catalogv1.WatchProductsRequest{ProductIds: splitIDs(*ids)},
		count: *count, stdout: stdout}
	if *streams > 1 {
		return holdStreams(callCtx, w.open, w.req, *streams, stdout, stderr)
	}
	for resumes := 0; ; resumes++ {
		err := w.watch(callCtx)
		if err == nil || ctx.Err() != nil {
			return nil // an end we asked for: --count, Ctrl+C, or the server's OK
		}
		if w.progressed {
			resumes, w.progressed = 0, false
		}
		if status.Code(err) != codes.Unavailable || resumes == maxResumes {
			return report(stderr, "watching products", err)
		}
		delay, ok := retryDelay(err)
		if !ok {
			delay = min(500*time.Millisecond<<resumes, 5*time.Second)
		}
		fmt.Fprintf(stderr, "Watch interrupted (%s); resuming in %s.\n", status.Convert(err).Message(), delay)
		select {
		case <-callCtx.Done():
			return nil
		case <-time.After(delay):
		}
	}
}

// watcher is one watch command: what it asks for and what it has printed.
type watcher struct {
	open       openWatch
	req        *catalogv1.WatchProductsRequest
	count      int
	received   int
	progressed bool // an update arrived since the last resume
	stdout     io.Writer
}

// watch opens one stream and prints its updates until it ends. It returns
// nil when the end is a normal one.
func (w *watcher) watch(ctx context.Context) error {
	stream, err := w.open(ctx, w.req)
	if err != nil {
		return err
	}
	fmt.Fprintln(w.stdout, "Watching products...")
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			err = nil
		}
		if err != nil {
			fmt.Fprintln(w.stdout, "Server stream ended.")
			return err
		}
		inv := resp.GetInventory()
		fmt.Fprintf(w.stdout, "[%s] Inventory Update: %s has %d units.\n",
			inv.GetUpdatedAt().AsTime().Local().Format("2006-01-02 15:04:05"), inv.GetProductId(), inv.GetQuantity())
		w.progressed = true
		if w.received++; w.count > 0 && w.received >= w.count {
			fmt.Fprintf(w.stdout, "Stopped after %d updates.\n", w.received)
			return nil
		}
	}
}

// openWatch is open for a watch: over gRPC to --addr, or over Connect to
// the gateway at via when it is set.
func (cf *connFlags) openWatch(ctx context.Context, via string) (openWatch, context.Context, func(), error) {
	if via == "" {
		conn, callCtx, done, err := cf.open(ctx)
		if err != nil {
			return nil, nil, nil, err
		}
		return grpcWatch(catalogv1.NewProductCatalogServiceClient(conn)), callCtx, done, nil
	}
	open, closeConns, err := cf.connectWatch(via)
	if err != nil {
		return nil, nil, nil, err
	}
	callCtx, cancel := cf.withDeadline(ctx)
	return open, callCtx, func() { cancel(); closeConns() }, nil
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
