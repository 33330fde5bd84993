// Package cli holds what the three service commands share: their common
// flags, and a main that stops on Ctrl+C or SIGTERM.
package cli

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/learn-grpc/learn-grpc/07-microservices/internal/auth"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/devpki"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/logging"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/mtls"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/server"
)

// Main runs run until it returns, cancelling its context on Ctrl+C (SIGINT)
// or SIGTERM, and exits 2 on an error.
func Main(name string, run func(ctx context.Context, args []string, stdout, stderr io.Writer) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, name+":", err)
		}
		os.Exit(2)
	}
}

// Common are the flags of every service: its certificate, the CA, the key
// that verifies users' tokens, and how it stops.
type Common struct {
	TLS    mtls.Files
	JWTKey string
	Grace  time.Duration
	Drain  time.Duration
	// LogLevel is the least level logged.
	LogLevel *slog.Level
}

// AddCommon registers the common flags of service on fs, defaulting to the
// files cmd/devcerts writes.
func AddCommon(fs *flag.FlagSet, service string) *Common {
	c := &Common{}
	dev := func(name string) string { return filepath.Join(".dev", name) }
	fs.StringVar(&c.TLS.Cert, "tls-cert", dev(devpki.Cert(service)),
		"this service's certificate `file` (PEM): served, and presented to the services it calls")
	fs.StringVar(&c.TLS.Key, "tls-key", dev(devpki.Key(service)), "its private key `file` (PEM)")
	fs.StringVar(&c.TLS.CA, "tls-ca", dev(devpki.CACert), "CA `file` that signs every service's certificate")
	fs.StringVar(&c.JWTKey, "jwt-public-key", dev(devpki.SigningPubKey),
		"`file` of the Ed25519 public key that verifies users' tokens")
	fs.DurationVar(&c.Grace, "shutdown-timeout", 10*time.Second, "how long calls in flight may run after a stop signal")
	fs.DurationVar(&c.Drain, "drain-delay", 0,
		"after a stop signal, how long to keep serving while health says NOT_SERVING")
	c.LogLevel = logging.LevelFlag(fs)
	return c
}

// AddHealthAddr registers -health-addr, the plaintext port of the health
// service alone, for an orchestrator's probes.
func AddHealthAddr(fs *flag.FlagSet) *string {
	return fs.String("health-addr", "", "also serve the health service alone, in plaintext, on `host:port`, "+
		"for the kubelet's gRPC probes (off when empty)")
}

// ListenHealth listens on addr for srv's probes, unless addr is empty.
func ListenHealth(srv *server.Server, addr string) error {
	if addr == "" {
		return nil
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("-health-addr: %w", err)
	}
	srv.ProbeOn(lis)
	return nil
}

// Shutdown is how the service stops.
func (c *Common) Shutdown() server.Shutdown { return server.Shutdown{Drain: c.Drain, Grace: c.Grace} }

// Verifier checks users' tokens with the public key.
func (c *Common) Verifier() (*auth.Verifier, error) {
	pub, err := devpki.LoadPublicKey(c.JWTKey)
	if err != nil {
		return nil, err
	}
	return auth.NewVerifier(map[string]ed25519.PublicKey{devpki.KeyID(pub): pub}, time.Now), nil
}

// Parse parses args, refusing positional arguments.
func Parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	return nil
}

// Usage sets fs's usage text: a synopsis, then the flags.
func Usage(fs *flag.FlagSet, synopsis string) {
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s [flags]\n\n%s\n\nFlags:\n", fs.Name(), synopsis)
		fs.PrintDefaults()
	}
}

// Logger returns the service's logger: text lines at -log-level, written
// to w in batches (see package logging). close writes what is left: call
// it last.
func (c *Common) Logger(w io.Writer) (log *slog.Logger, close func() error) {
	return logging.New(w, c.LogLevel)
}
