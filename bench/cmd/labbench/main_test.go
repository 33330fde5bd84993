package main

import (
	"errors"
	"flag"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMain lets a test start this binary as labbench itself.
func TestMain(m *testing.M) {
	if os.Getenv("LABBENCH_TEST_AS_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestRunRefusesWhatItDoesNotTake(t *testing.T) {
	// Each is checked before anything is built or started.
	tests := []struct {
		name string
		args []string
		want error
	}{
		{"-h asks for the usage", []string{"-h"}, flag.ErrHelp},
		{"an unknown flag is a usage error", []string{"-bogus"}, errUsage},
		{"rounds below one are a usage error", []string{"-rounds", "0"}, errUsage},
		{"a step named without -only is a usage error", []string{"6"}, errUsage},
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

// The flag package prints what was wrong; main must not print it again.
func TestMainExitsZeroForHelpAndTwoForABadFlag(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for args, want := range map[string]int{"-h": 0, "-bogus": 2} {
		cmd := exec.Command(self, args)
		cmd.Env = append(os.Environ(), "LABBENCH_TEST_AS_MAIN=1")
		var errs strings.Builder
		cmd.Stderr = &errs
		_ = cmd.Run()
		if got := cmd.ProcessState.ExitCode(); got != want {
			t.Errorf("labbench %s exited %d, want %d:\n%s", args, got, want, errs.String())
		}
		if n := strings.Count(errs.String(), "-bogus"); args == "-bogus" && n != 1 {
			t.Errorf("labbench -bogus named the flag %d times, want once:\n%s", n, errs.String())
		}
	}
}
