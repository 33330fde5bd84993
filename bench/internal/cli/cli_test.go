package cli

import (
	"errors"
	"flag"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMain lets a test run this binary as a command that parses its flags
// as the bench's commands do, and ends with Exit.
func TestMain(m *testing.M) {
	if os.Getenv("CLI_TEST_AS_MAIN") == "1" {
		fs := flag.NewFlagSet("prog", flag.ContinueOnError)
		fail := fs.Bool("fail", false, "end with an error that is not a flag's")
		err := ParseError(fs.Parse(os.Args[1:]))
		if err == nil && *fail {
			err = errors.New("it failed")
		}
		Exit("prog", err)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// The flag package prints what was wrong; Exit must not print it again.
func TestExitGivesEachKindOfEndItsStatus(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args   string
		code   int
		stderr string // printed exactly once
	}{
		{"-h", 0, "-fail"},
		{"-bogus", 2, "-bogus"},
		{"-fail", 1, "prog: it failed"},
	}
	for _, tt := range tests {
		cmd := exec.Command(self, tt.args)
		cmd.Env = append(os.Environ(), "CLI_TEST_AS_MAIN=1")
		var errs strings.Builder
		cmd.Stderr = &errs
		_ = cmd.Run()
		if got := cmd.ProcessState.ExitCode(); got != tt.code {
			t.Errorf("prog %s exited %d, want %d:\n%s", tt.args, got, tt.code, errs.String())
		}
		if n := strings.Count(errs.String(), tt.stderr); n != 1 {
			t.Errorf("prog %s printed %q %d times, want once:\n%s", tt.args, tt.stderr, n, errs.String())
		}
	}
}

func TestParseErrorKeepsHelpAndReportsTheRestAsUsage(t *testing.T) {
	fs := flag.NewFlagSet("prog", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := ParseError(fs.Parse([]string{"-h"})); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v, want flag.ErrHelp", err)
	}
	if err := ParseError(fs.Parse([]string{"-bogus"})); !errors.Is(err, ErrUsage) {
		t.Errorf("-bogus: %v, want ErrUsage", err)
	}
	if err := ParseError(fs.Parse(nil)); err != nil {
		t.Errorf("no flags: %v, want nil", err)
	}
}
