// Command devcerts creates the lab's development secrets in .dev/
// (git-ignored): a CA, a certificate it signs for each service, and the key pair that
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

	"github.com/learn-grpc/learn-grpc/09-web/internal/devpki"
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
		fmt.Fprintf(fs.Output(), "Usage: devcerts [flags]\n\nCreates a development CA, a certificate per service and a token signing key pair.\n\nFlags:\n")
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
	type file struct{ name, what string }
	files := []file{
		{devpki.CACert, "development CA certificate: every client and service trusts it"},
		{devpki.CAKey, "its private key"},
	}
	for _, s := range devpki.Services {
		files = append(files,
			file{devpki.Cert(s), "certificate of " + devpki.SPIFFEID(s)},
			file{devpki.Key(s), "its private key: only the " + s + " service reads it"})
	}
	files = append(files,
		file{devpki.SigningKey, "token signing key (Ed25519): only cmd/token reads it"},
		file{devpki.SigningPubKey, "its public key: the services verify tokens with it"})
	for _, f := range files {
		fmt.Fprintf(stdout, "%-24s %s\n", filepath.ToSlash(filepath.Join(*dir, f.name)), f.what)
	}
	return nil
}
