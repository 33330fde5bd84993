package harness

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// UpFlags are the flags of "go tool lab up", parsed the same way by the lab
// command and by a check that runs a README's "go tool lab up" line.
type UpFlags struct {
	Add       addFlags // name prefix -> flags added to those processes
	Env       envFlags // KEY=VALUE added to every process's environment
	FreePorts bool
	Mine      bool
	Dir       string
}

// NewUpFlags registers the flags of "go tool lab up" on fs.
func NewUpFlags(fs *flag.FlagSet) *UpFlags {
	u := &UpFlags{Add: addFlags{}}
	fs.StringVar(&u.Dir, "dir", "", "run this `folder`'s Procfile instead of the stage's own")
	fs.BoolVar(&u.Mine, "mine", false, "run your own folder for the stage")
	fs.BoolVar(&u.FreePorts, "free-ports", false, "move every port to a free one (the check does this)")
	fs.Var(u.Add, "add", "append a `NAME=FLAG` to the processes whose name starts with NAME, e.g. catalog=-latency=2s")
	fs.Var(&u.Env, "env", "set `KEY=VALUE` in every process's environment, e.g. OTEL_TRACES_EXPORTER=console")
	return u
}

// TraceFlags are the flags of "go tool lab trace".
type TraceFlags struct {
	Query  TraceQuery // ID is the first argument after the flags
	IDOnly bool
	Mine   bool
	Dir    string
}

// NewTraceFlags registers the flags of "go tool lab trace" on fs.
func NewTraceFlags(fs *flag.FlagSet) *TraceFlags {
	t := &TraceFlags{}
	fs.StringVar(&t.Dir, "dir", "", "read the logs of this `folder` instead of the stage's own")
	fs.BoolVar(&t.Mine, "mine", false, "read the logs of your own folder for the stage")
	fs.BoolVar(&t.IDOnly, "id-only", false, "print only the trace's id")
	fs.StringVar(&t.Query.From, "from", "", "the latest trace that began at this `service` (gateway, say)")
	fs.StringVar(&t.Query.Through, "through", "",
		"the latest trace holding a span whose name contains this `text` (ReserveStock, say)")
	return t
}

// parseLabArgs parses the arguments of a README's "go tool lab CMD NN ...",
// after NN, with the flags register defines, and returns what is left.
func parseLabArgs(args []string, register func(*flag.FlagSet)) ([]string, error) {
	fs := flag.NewFlagSet("lab", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	register(fs)
	if len(args) > 0 {
		args = args[1:] // the stage: the check runs the folder it checks
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return fs.Args(), nil
}

// addFlags collects repeated --add NAME=FLAG.
type addFlags map[string][]string

func (a addFlags) String() string { return "" }
func (a addFlags) Set(v string) error {
	name, flag, ok := strings.Cut(v, "=")
	if !ok || name == "" {
		return fmt.Errorf("want NAME=FLAG, as in catalog=-latency=2s")
	}
	a[name] = append(a[name], flag)
	return nil
}

// envFlags collects repeated --env KEY=VALUE.
type envFlags []string

func (e *envFlags) String() string { return strings.Join(*e, " ") }
func (e *envFlags) Set(v string) error {
	if !strings.Contains(v, "=") {
		return fmt.Errorf("want KEY=VALUE, as in OTEL_TRACES_EXPORTER=console")
	}
	*e = append(*e, v)
	return nil
}
