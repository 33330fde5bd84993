package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

// connFlags are the flags every command shares.
type connFlags struct {
	addr      string
	timeout   time.Duration
	token     string
	ca        string
	plaintext bool
	stderr    io.Writer
}

// tokenEnv is read when --token is not given, so a token need not appear in
// every command line (or in the shell's history); caEnv likewise for --ca.
const (
	tokenEnv = "LEARN_GRPC_TOKEN"
	caEnv    = "LEARN_GRPC_CA"
)

// newFlagSet returns a flag set for one command with the shared flags added.
// timeout is the command's default deadline; 0 means none, for streams that
// are meant to stay open.
func newFlagSet(name, synopsis string, timeout time.Duration, stderr io.Writer) (*flag.FlagSet, *connFlags) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cf := &connFlags{stderr: stderr}
	fs.StringVar(&cf.addr, "addr", "localhost:50051", "server `host:port`")
	fs.StringVar(&cf.token, "token", os.Getenv(tokenEnv), "bearer `token` sent with the call (default $"+tokenEnv+")")
	fs.StringVar(&cf.ca, "ca", cmp.Or(os.Getenv(caEnv), filepath.Join(".dev", "ca.crt")), "CA certificate `file` that signed the server's certificate (or $"+caEnv+")")
	fs.BoolVar(&cf.plaintext, "insecure-plaintext", false, "talk to a plaintext server; the token crosses the wire readable")
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
// It verifies the server's certificate against the CA, and attaches the
// token to every call through per-RPC credentials.
func (cf *connFlags) dial() (*grpc.ClientConn, error) {
	transport := insecure.NewCredentials()
	if cf.plaintext {
		fmt.Fprintln(cf.stderr, "warning: --insecure-plaintext: no TLS; any token is sent unencrypted")
	} else {
		tlsCreds, err := credentials.NewClientTLSFromFile(cf.ca, "")
		if err != nil {
			return nil, fmt.Errorf("%w (create the development CA with: go run ./cmd/devcerts)", err)
		}
		transport = tlsCreds
	}
	opts := append(dialOptions(), grpc.WithTransportCredentials(transport))
	if cf.token != "" {
		opts = append(opts, grpc.WithPerRPCCredentials(bearer{token: cf.token, requireTLS: !cf.plaintext}))
	}
	return grpc.NewClient(cf.addr, opts...)
}

// bearer puts "authorization: Bearer <token>" on every call. Because it
// requires transport security, gRPC refuses to send it over a plaintext
// connection: a token that crosses the wire readable is a stolen token.
type bearer struct {
	token      string
	requireTLS bool
}

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + b.token}, nil
}

func (b bearer) RequireTransportSecurity() bool { return b.requireTLS }

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
