package main

import (
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
