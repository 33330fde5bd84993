package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Image is the part of a buf image (a FileDescriptorSet, read from buf's
// JSON output) that the checks inspect.
type Image struct {
	File []ProtoFile `json:"file"`
}

// ProtoFile is one compiled .proto file.
type ProtoFile struct {
	Name        string         `json:"name"`
	Package     string         `json:"package"`
	Dependency  []string       `json:"dependency"`
	MessageType []ProtoMessage `json:"messageType"`
	EnumType    []ProtoEnum    `json:"enumType"`
	Service     []ProtoService `json:"service"`
}

// ProtoMessage is a message and its fields.
type ProtoMessage struct {
	Name          string       `json:"name"`
	Field         []ProtoField `json:"field"`
	ReservedRange []struct {
		Start int `json:"start"`
	} `json:"reservedRange"`
	ReservedName []string `json:"reservedName"`
}

// ProtoField is one field of a message.
type ProtoField struct {
	Name     string `json:"name"`
	Number   int    `json:"number"`
	Label    string `json:"label"`
	Type     string `json:"type"` // TYPE_STRING, TYPE_MESSAGE, ...
	TypeName string `json:"typeName"`
}

// ProtoEnum is an enum and its values.
type ProtoEnum struct {
	Name  string `json:"name"`
	Value []struct {
		Name   string `json:"name"`
		Number int    `json:"number"`
	} `json:"value"`
}

// ProtoService is a service and its methods.
type ProtoService struct {
	Name   string `json:"name"`
	Method []struct {
		Name            string `json:"name"`
		InputType       string `json:"inputType"`
		OutputType      string `json:"outputType"`
		ClientStreaming bool   `json:"clientStreaming"`
		ServerStreaming bool   `json:"serverStreaming"`
	} `json:"method"`
}

// BufBuild compiles the stage's protos with buf and returns the image of the
// stage's own files (imports such as google/protobuf are left out).
func (s *CheckRun) BufBuild() (*Image, error) {
	buf, err := s.Buf()
	if err != nil {
		return nil, err
	}
	out := filepath.Join(s.Tmp, "image.json")
	res, err := Run(context.Background(), s.Dir, nil, 2*time.Minute, buf, "build", ".", "--exclude-imports", "-o", out)
	if err != nil || res.ExitCode != 0 {
		return nil, &Failure{Command: "go -C ../tools/buf tool buf build ../../" + filepath.Base(s.Dir), Who: "buf",
			Why: "the protos do not compile (" + orExit(err, res.ExitCode) + ")", Received: res.Output}
	}
	data, err := os.ReadFile(out)
	if err != nil {
		return nil, err
	}
	img := &Image{}
	if err := json.Unmarshal(data, img); err != nil {
		return nil, fmt.Errorf("reading buf's image: %w", err)
	}
	return img, nil
}

// Service finds a service by its full name, for example
// "ecommerce.catalog.v1.ProductCatalogService".
func (img *Image) Service(fullName string) (*ProtoService, *ProtoFile) {
	for i := range img.File {
		f := &img.File[i]
		for j := range f.Service {
			if f.Package+"."+f.Service[j].Name == fullName {
				return &f.Service[j], f
			}
		}
	}
	return nil, nil
}

// Methods lists a service's method names.
func (svc *ProtoService) Methods() []string {
	var names []string
	for _, m := range svc.Method {
		names = append(names, m.Name)
	}
	return names
}

// Generate runs buf generate for the stage into outDir, with the pinned
// plugins on PATH and the stage's own buf.gen.yaml.
func Generate(tools *Tools, root, stageDir, outDir string) (Result, error) {
	buf, err := tools.Buf(root)
	if err != nil {
		return Result{}, err
	}
	path, err := tools.PluginPath(root)
	if err != nil {
		return Result{}, err
	}
	return Run(context.Background(), stageDir, []string{"PATH=" + path}, 5*time.Minute, buf,
		"generate", ".", "--template", "buf.gen.yaml", "-o", outDir)
}

// GeneratedIsFresh generates the stage's code into a scratch folder and
// compares it, file by file, with the committed gen/ folder.
func (s *CheckRun) GeneratedIsFresh() error {
	out := filepath.Join(s.Tmp, "fresh")
	res, err := Generate(s.Tools, s.Root, s.Dir, out)
	if err != nil || res.ExitCode != 0 {
		return &Failure{Command: "scripts/gen", Who: "buf", Why: "buf generate failed (" + orExit(err, res.ExitCode) + ")", Received: res.Output}
	}
	stale, err := DiffTrees(filepath.Join(out, "gen"), filepath.Join(s.Dir, "gen"))
	if err != nil {
		return err
	}
	// Plugins may also write outside gen/ (the OpenAPI document, next to
	// the hand-written code that embeds it): compare those files one by one.
	others, err := readTree(out)
	if err != nil {
		return err
	}
	for name, data := range others {
		if strings.HasPrefix(name, "gen/") {
			continue
		}
		committed, err := os.ReadFile(filepath.Join(s.Dir, filepath.FromSlash(name)))
		switch {
		case err != nil:
			stale = append(stale, name+" (missing)")
		case !bytes.Equal(bytes.ReplaceAll(committed, []byte("\r\n"), []byte("\n")), data):
			stale = append(stale, name+" (differs)")
		}
	}
	slices.Sort(stale)
	if len(stale) > 0 {
		return &Failure{
			Command: "scripts/gen",
			Why: fmt.Sprintf("the committed generated code is stale: %s. Regenerate with scripts/gen (or `go tool lab gen`) and commit the result",
				strings.Join(stale, ", ")),
			Section: "Generate the Go code",
		}
	}
	return nil
}

// DiffTrees lists the files that differ between a fresh tree and a committed
// one: changed, missing from committed, or left over in committed.
func DiffTrees(fresh, committed string) ([]string, error) {
	a, err := readTree(fresh)
	if err != nil {
		return nil, err
	}
	b, err := readTree(committed)
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	var diffs []string
	for name, data := range a {
		switch old, ok := b[name]; {
		case !ok:
			diffs = append(diffs, "gen/"+name+" (missing)")
		case !bytes.Equal(data, old):
			diffs = append(diffs, "gen/"+name+" (differs)")
		}
	}
	for name := range b {
		if _, ok := a[name]; !ok {
			diffs = append(diffs, "gen/"+name+" (no longer generated)")
		}
	}
	slices.Sort(diffs)
	return diffs, nil
}

func readTree(dir string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		// Git may check files out with CRLF on Windows; compare content only.
		files[filepath.ToSlash(rel)] = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
		return nil
	})
	return files, err
}

// Edit is a change the check makes to a copy of the stage's protos, as the
// README asks the learner to make by hand.
type Edit struct {
	File string // path inside the stage, slash-separated
	Old  string
	New  string
}

// InGitSandbox lays out a scratch copy of the lab's shape (the stage's protos
// and buf.yaml committed in a fresh git repository, tools/buf beside them),
// applies edit to the working copy, and runs the README example name from
// tools/buf there, so that a command comparing against "../../.git" runs
// exactly as printed without touching the learner's own files.
func (s *CheckRun) InGitSandbox(name string, edit Edit, opts ExampleOpts) error {
	if _, err := lookPath("git"); err != nil {
		return fmt.Errorf("this milestone needs git, which the lab is cloned with: %v", err)
	}
	stage := filepath.Base(s.Dir)
	sandbox := filepath.Join(s.Tmp, "sandbox")
	if err := os.CopyFS(filepath.Join(sandbox, stage, "proto"), os.DirFS(filepath.Join(s.Dir, "proto"))); err != nil {
		return &Failure{Why: fmt.Sprintf("%s has no proto/ folder to copy: %v", stage, err)}
	}
	if err := copyFile(filepath.Join(s.Dir, "buf.yaml"), filepath.Join(sandbox, stage, "buf.yaml")); err != nil {
		return err
	}
	// The sandbox's tools/buf is the lab's pinned module, so "go tool buf"
	// there finds the same cached binary.
	for _, f := range []string{"go.mod", "go.sum", "go.work"} {
		if err := copyFile(filepath.Join(s.Root, "tools", "buf", f), filepath.Join(sandbox, "tools", "buf", f)); err != nil {
			return err
		}
	}
	git := [][]string{
		{"init", "-q"},
		{"add", stage},
		{"-c", "user.name=learn-grpc check", "-c", "user.email=check@learn-grpc.invalid", "commit", "-q", "-m", "released contract"},
	}
	for _, args := range git {
		if res, err := Run(context.Background(), sandbox, nil, time.Minute, "git", args...); err != nil || res.ExitCode != 0 {
			return fmt.Errorf("git %s in the sandbox: %s %s", strings.Join(args, " "), orExit(err, res.ExitCode), res.Output)
		}
	}
	target := filepath.Join(sandbox, stage, filepath.FromSlash(edit.File))
	data, err := os.ReadFile(target)
	if err != nil {
		return err
	}
	if !bytes.Contains(data, []byte(edit.Old)) {
		return &Failure{Why: fmt.Sprintf("%s no longer contains %q, the line the lesson asks you to edit", edit.File, edit.Old)}
	}
	if err := os.WriteFile(target, bytes.Replace(data, []byte(edit.Old), []byte(edit.New), 1), 0o644); err != nil {
		return err
	}
	s.Rep.Checkf("  in a scratch copy, edited %s: %q -> %q", edit.File, strings.TrimSpace(edit.Old), strings.TrimSpace(edit.New))
	sandboxStage := &CheckRun{Root: s.Root, Dir: filepath.Join(sandbox, stage), Rep: s.Rep, Tools: s.Tools, Tmp: s.Tmp, readme: s.readme, bins: s.bins}
	if sandboxStage.readme == nil {
		rm, err := s.Readme()
		if err != nil {
			return err
		}
		sandboxStage.readme = rm
	}
	return sandboxStage.RunExample(name, opts)
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o644)
}
