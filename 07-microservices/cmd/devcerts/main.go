// Command devcerts creates the lab's development secrets in .dev/
// (git-ignored): a CA, a server certificate it signs, and the key pair that
// signs and verifies tokens. Existing files are kept unless -force is given,
// so running it twice is harmless.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/learn-grpc/learn-grpc/07-microservices/internal/devpki"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "devcerts:", err)
		}
		os.Exit(2)
	}
}

func run(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("devcerts", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", ".dev", "`folder` to write to")
	force := fs.Bool("force", false, "replace existing keys and certificates")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: devcerts [flags]\n\nCreates a development CA, a server certificate and a token signing key pair.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *force || !devpki.Exists(*dir) {
		if err := devpki.Generate(*dir, time.Now()); err != nil {
			return err
		}
	}
	for _, f := range []struct{ name, what string }{
		{devpki.CACert, "development CA certificate: clients trust it"},
		{devpki.CAKey, "its private key"},
		{devpki.ServerCert, "server certificate for localhost, 127.0.0.1 and ::1"},
		{devpki.ServerKey, "its private key: only the server reads it"},
		{devpki.SigningKey, "token signing key (Ed25519): only cmd/token reads it"},
		{devpki.SigningPubKey, "its public key: the server verifies tokens with it"},
	} {
		fmt.Fprintf(stdout, "%-22s %s\n", filepath.ToSlash(filepath.Join(*dir, f.name)), f.what)
	}
	return nil
}
