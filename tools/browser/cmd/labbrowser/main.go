// Command labbrowser opens the storefront of stage 09 in a headless Chrome
// and uses it as a shopper would: it reads the products and their live
// stock, waits for an order placed elsewhere to show, searches, orders, and
// sends a bad quantity. Each step prints one line, for a check to compare.
//
//	labbrowser --ca=.dev/ca.crt --token=$TOKEN --screenshot=docs/storefront.png https://localhost:8443/
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
	"time"
)

// Exit codes. exitSkipped is the code Automake and other test runners use
// for a test that could not run here: no browser is not a failed milestone.
const (
	exitFailed  = 1
	exitUsage   = 2
	exitSkipped = 77
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// config is what the flags ask for.
type config struct {
	url, ca, token, product, search, screenshot string
	badQuantity                                 int
	wait                                        time.Duration
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("labbrowser", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	fs.StringVar(&c.ca, "ca", "", "PEM `file` of the CA that signed the server's certificate (default: the system's roots)")
	fs.StringVar(&c.token, "token", "", "bearer `token` typed into the order form")
	fs.StringVar(&c.product, "product", "product-123", "the product `id` to watch and order")
	fs.StringVar(&c.search, "search", "programming", "the `text` to search for")
	fs.IntVar(&c.badQuantity, "bad-quantity", 0, "a quantity the server refuses")
	fs.StringVar(&c.screenshot, "screenshot", "", "write a PNG of the page to `file` at the end")
	fs.DurationVar(&c.wait, "wait", 15*time.Second, "how long to wait for each change on the page")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: labbrowser [flags] URL")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		return exitUsage
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	c.url = fs.Arg(0)

	chrome, err := findChrome()
	if errors.Is(err, errNoChrome) {
		fmt.Fprintln(stdout, "skipped:", err)
		return exitSkipped
	}
	if err != nil {
		fmt.Fprintln(stderr, "labbrowser:", err)
		return exitFailed
	}
	pin := ""
	if c.ca != "" {
		if pin, err = serverPin(ctx, c.url, c.ca); err != nil {
			fmt.Fprintln(stderr, "labbrowser:", err)
			return exitFailed
		}
	}
	if err := shop(ctx, chromeOptions(chrome, pin), c, stdout); err != nil {
		fmt.Fprintln(stderr, "labbrowser:", err)
		return exitFailed
	}
	return 0
}
