package harness

import (
	"path/filepath"
	"testing"
)

// TestTheRegenerateAdviceWorksFromTheLabsRoot holds the command a stale
// gen/ folder's failure prints: for a learner's folder outside the lab it
// must carry --mine, or it would regenerate the lab's own stage.
func TestTheRegenerateAdviceWorksFromTheLabsRoot(t *testing.T) {
	root := filepath.Join(t.TempDir(), "learn-grpc")
	tests := []struct {
		name string
		dir  string
		want string
	}{
		{name: "a lab stage regenerates by number", dir: filepath.Join(root, "03-server-stream"),
			want: "go tool lab gen 03"},
		{name: "a learner's folder beside the lab needs --mine",
			dir: filepath.Join(root, "..", "learn-grpc-mine", "03-server-stream"), want: "go tool lab gen 03 --mine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &CheckRun{Root: root, Dir: filepath.Clean(tt.dir)}
			if got := s.genCommand(); got != tt.want {
				t.Errorf("genCommand() = %q, want %q", got, tt.want)
			}
		})
	}
}
