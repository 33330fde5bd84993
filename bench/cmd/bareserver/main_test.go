package main

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"

	"github.com/learn-grpc/learn-grpc/bench/internal/cli"
)

func TestRunRefusesWhatItDoesNotTake(t *testing.T) {
	// Each is checked before anything is loaded or listened on.
	tests := []struct {
		name string
		args []string
		want error
	}{
		{"-h asks for the usage", []string{"-h"}, flag.ErrHelp},
		{"an unknown flag is a usage error", []string{"-bogus"}, cli.ErrUsage},
		{"an argument is a usage error", []string{"serve"}, cli.ErrUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errs strings.Builder
			if err := run(t.Context(), tt.args, io.Discard, &errs); !errors.Is(err, tt.want) {
				t.Errorf("run(%q) = %v, want %v", tt.args, err, tt.want)
			}
			if !strings.Contains(errs.String(), "-tls-cert") {
				t.Errorf("run(%q) printed no usage:\n%s", tt.args, errs.String())
			}
		})
	}
}
