// Command client calls the ProductCatalog and OrderManagement services from
// the command line.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// errReported means the failure was already printed for the user; main only
// has to set the exit status.
var errReported = errors.New("reported")

const usage = `Usage: client <command> [flags]

Commands:
  get     --id=ID        show one product
  search  --query=TEXT   list products whose name or category contains TEXT
  watch   --ids=ID,ID    stream stock levels until Ctrl+C (--count=N to stop after N)
  add-order --items=ID:QTY,...   place an order
  get-order --id=ID              show an order
  upload  --file=FILE    place the orders of a file, one JSON object a line
  track   --order-id=ID  follow an order to its door, pinging the server on the way

Every command takes:
  --addr=HOST:PORT   server address (default localhost:50051)
  --timeout=DURATION deadline for the call (default 5s; none for watch,
                     upload and track)
  --token=JWT        bearer token (default $LEARN_GRPC_TOKEN); order
                     commands need one: go run ./cmd/token --subject=NAME
  --ca=FILE          CA that signed the server's certificate (default .dev/ca.crt)

Run "client <command> -h" for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	flush := traceCalls(ctx)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	flush()
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errReported):
		os.Exit(1)
	default:
		fmt.Fprintln(os.Stderr, "client:", err)
		os.Exit(2)
	}
}

// run dispatches to a command. It is main without globals, so tests can call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "get":
		return runGet(ctx, rest, stdout, stderr)
	case "search":
		return runSearch(ctx, rest, stdout, stderr)
	case "watch":
		return runWatch(ctx, rest, stdout, stderr)
	case "add-order":
		return runAddOrder(ctx, rest, stdout, stderr)
	case "get-order":
		return runGetOrder(ctx, rest, stdout, stderr)
	case "upload":
		return runUpload(ctx, rest, stdout, stderr)
	case "track":
		return runTrack(ctx, rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}
