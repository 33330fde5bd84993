package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
)

// errEndedEarly is a stream that the server closed with OK before its
// first update: it was never watching.
var errEndedEarly = errors.New("the server ended the stream before its first update")

// checkWatchFlags rejects what watch cannot do: a negative count, fewer
// than one stream, or a count of updates spread over several streams.
func checkWatchFlags(count, streams int) error {
	switch {
	case count < 0:
		return fmt.Errorf("--count must not be negative, got %d", count)
	case streams < 1:
		return fmt.Errorf("--streams must be at least 1, got %d", streams)
	case streams > 1 && count > 0:
		return errors.New("--count and --streams cannot be used together")
	}
	return nil
}

// holdStreams opens n watch streams on one connection, one after another,
// as a client testing the server's cap on watchers would. Each is held once
// its first update arrives, since the server counts a watch before it sends
// one. It stops at the first stream that fails, then closes them all.
func holdStreams(ctx context.Context, open openWatch,
	req *catalogv1.WatchProductsRequest, n int, stdout, stderr io.Writer,
) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends every stream held
	for i := 1; i <= n; i++ {
		if err := openOne(ctx, open, req); err != nil {
			fmt.Fprintf(stdout, "Opened %d watch streams on one connection.\n", i-1)
			return report(stderr, fmt.Sprintf("opening stream %d", i), err)
		}
	}
	fmt.Fprintf(stdout, "Opened %d watch streams on one connection.\n", n)
	return nil
}

// openOne opens one watch stream and waits for its first update. The
// stream stays open until ctx ends.
func openOne(ctx context.Context, open openWatch, req *catalogv1.WatchProductsRequest) error {
	stream, err := open(ctx, req)
	if err != nil {
		return err
	}
	_, err = stream.Recv()
	if errors.Is(err, io.EOF) {
		return errEndedEarly
	}
	return err
}
