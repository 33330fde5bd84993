// Package cli is how the bench's commands end: one exit status for each
// kind of error, and each error printed once.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"os"
)

// ErrUsage is a flag error already printed, with the usage.
var ErrUsage = errors.New("usage")

// ParseError is what a command returns for fs.Parse's error: -h as it is,
// anything else as ErrUsage, since the flag package has printed it.
func ParseError(err error) error {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return ErrUsage
}

// Exit ends the program prog as err says: 0 for none or -h, 2 for bad
// flags, and 1, with the error, for anything else.
func Exit(prog string, err error) {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.Is(err, ErrUsage):
		os.Exit(2)
	default:
		fmt.Fprintf(os.Stderr, "%s: %v\n", prog, err)
		os.Exit(1)
	}
}
