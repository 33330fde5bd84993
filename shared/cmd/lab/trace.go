package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/learn-grpc/learn-grpc/shared/checks"
	"github.com/learn-grpc/learn-grpc/shared/harness"
)

// runTrace prints one trace of the spans that the processes of lab up
// wrote with OTEL_TRACES_EXPORTER=console: the latest (that began at
// --from), or the one whose id is given.
func runTrace(args []string, root string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: trace NN [--from SERVICE] [--through SPAN] [--id-only] [--mine | -dir DIR] [TRACE_ID]")
	}
	c, err := checks.Find(args[0])
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("trace", flag.ContinueOnError)
	fs.SetOutput(stderr)
	tf := harness.NewTraceFlags(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	target, err := stageFolder(root, c.Stage, tf.Mine, tf.Dir)
	if err != nil {
		return err
	}
	spans := func() []*harness.Span {
		files, _ := filepath.Glob(filepath.Join(logsDir(target), "*.log"))
		var all []*harness.Span
		for _, name := range files {
			if f, err := os.Open(name); err == nil {
				s, _ := harness.ParseSpans(f)
				f.Close()
				all = append(all, s...)
			}
		}
		return all
	}
	tf.Query.ID = fs.Arg(0)
	t, err := harness.WaitForTrace(spans, tf.Query, 10*time.Second)
	if err != nil {
		return fmt.Errorf("%w (lab up keeps each process's output in %s)", err, logsDir(target))
	}
	if tf.IDOnly {
		fmt.Fprintln(stdout, t.ID)
		return nil
	}
	fmt.Fprint(stdout, t.Tree())
	return nil
}
