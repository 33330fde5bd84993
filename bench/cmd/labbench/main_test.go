package main

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
)

func TestRunRefusesRoundsBelowOne(t *testing.T) {
	// Checked before anything is built or started.
	err := run(t.Context(), []string{"-rounds", "0"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "-rounds must be at least 1") {
		t.Errorf("run(-rounds 0) = %v, want a refusal", err)
	}
}

func TestRunTellsHelpFromBadFlags(t *testing.T) {
	// main exits 0 for the first and 2 for the second, and prints neither
	// again: the flag package has printed the usage, and what was wrong.
	tests := []struct {
		name string
		args []string
		want error
	}{
		{"-h asks for the usage", []string{"-h"}, flag.ErrHelp},
		{"an unknown flag is a usage error", []string{"-bogus"}, errUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errs strings.Builder
			if err := run(t.Context(), tt.args, io.Discard, &errs); !errors.Is(err, tt.want) {
				t.Errorf("run(%q) = %v, want %v", tt.args, err, tt.want)
			}
			if !strings.Contains(errs.String(), "-rounds") {
				t.Errorf("run(%q) printed no usage:\n%s", tt.args, errs.String())
			}
		})
	}
}
