package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
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
