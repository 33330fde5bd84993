package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// connFlags are the flags every command shares.
type connFlags struct {
	addr    string
	timeout time.Duration
}

// newFlagSet returns a flag set for one command with the shared flags added.
// timeout is the command's default deadline; 0 means none, for streams that
// are meant to stay open.
func newFlagSet(name, synopsis string, timeout time.Duration, stderr io.Writer) (*flag.FlagSet, *connFlags) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cf := &connFlags{}
	fs.StringVar(&cf.addr, "addr", "localhost:50051", "server `host:port`")
	fs.DurationVar(&cf.timeout, "timeout", timeout, "deadline for the call, 0 for none; the server sees it too")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: client %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs, cf
}

// parse parses args and rejects stray positional arguments, which are
// almost always a forgotten "--flag=".
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	return nil
}

// withDeadline returns ctx with the --timeout deadline, if there is one.
func (cf *connFlags) withDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if cf.timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, cf.timeout)
}

// dial creates a client connection. grpc.NewClient does not connect yet: the
// connection is made on the first call, and that call's deadline covers it.
// The lab serves plaintext until stage 05 adds TLS.
func (cf *connFlags) dial() (*grpc.ClientConn, error) {
	opts := append(dialOptions(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	return grpc.NewClient(cf.addr, opts...)
}

// open dials the server and puts the --timeout deadline on ctx, the start
// every command shares. done closes the connection and releases the
// deadline: defer it.
func (cf *connFlags) open(ctx context.Context) (conn *grpc.ClientConn, callCtx context.Context, done func(), err error) {
	conn, err = cf.dial()
	if err != nil {
		return nil, nil, nil, err
	}
	callCtx, cancel := cf.withDeadline(ctx)
	return conn, callCtx, func() { cancel(); conn.Close() }, nil
}
