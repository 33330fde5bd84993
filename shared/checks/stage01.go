package checks

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/learn-grpc/learn-grpc/shared/harness"
)

func stage01() *harness.Check {
	return &harness.Check{
		Stage: "01-protobuf",
		Title: "the API contract in Protocol Buffers",
		Milestones: []harness.Milestone{
			{Name: "the protos compile", Step: 1, Run: example("build"),
				Hint: "write proto/ecommerce/{common,catalog,orders}/v1/*.proto; `go -C ../tools/buf tool buf build ../../01-protobuf` must pass"},
			{Name: "both services and their messages are defined", Step: 1, Run: servicesDefined,
				Hint: "declare ProductCatalogService (GetProduct, SearchProducts) and OrderManagementService (CreateOrder, GetOrder)"},
			{Name: "the contract uses repeated fields and imports", Step: 1, Run: repeatedAndImport,
				Hint: "give Product a repeated categories field and import common/v1/money.proto for its price"},
			{Name: "buf lint finds nothing to fix", Step: 2, Run: example("lint"),
				Hint: "run buf lint and rename what it names: packages end in .v1, enums start at _UNSPECIFIED"},
			{Name: "the committed Go code matches the protos", Step: 3, Run: generatedIsFresh,
				Hint: "regenerate with the command above after every change to a .proto, and commit gen/"},
			{Name: "renumbering a field is caught as a breaking change", Step: 4, Run: renumberIsBreaking,
				Hint: "keep buf.yaml's breaking rules at FILE so that buf breaking sees a renumbered field"},
		},
	}
}

// wantServices is the API the lesson builds, method by method.
var wantServices = map[string][]string{
	"ecommerce.catalog.v1.ProductCatalogService": {"GetProduct", "SearchProducts"},
	"ecommerce.orders.v1.OrderManagementService": {"CreateOrder", "GetOrder"},
}

func servicesDefined(s *harness.CheckRun) error {
	img, err := s.BufBuild()
	if err != nil {
		return err
	}
	for _, name := range []string{"ecommerce.catalog.v1.ProductCatalogService", "ecommerce.orders.v1.OrderManagementService"} {
		svc, _ := img.Service(name)
		if svc == nil {
			return &harness.Failure{Why: fmt.Sprintf("no service %s in the protos", name), Section: "The contract"}
		}
		for _, m := range wantServices[name] {
			if !slices.Contains(svc.Methods(), m) {
				return &harness.Failure{Why: fmt.Sprintf("service %s has no method %s (it has %v)", name, m, svc.Methods()), Section: "The contract"}
			}
		}
		s.Rep.Checkf("  %s: %v", name, svc.Methods())
	}
	for _, f := range img.File {
		for _, e := range f.EnumType {
			if len(e.Value) > 0 && e.Value[0].Number == 0 && e.Value[0].Name != enumPrefix(e.Name)+"_UNSPECIFIED" {
				return &harness.Failure{Why: fmt.Sprintf("enum %s starts with %s; its zero value must be %s_UNSPECIFIED", e.Name, e.Value[0].Name, enumPrefix(e.Name)), Section: "Enums start at UNSPECIFIED"}
			}
		}
	}
	return nil
}

// enumPrefix turns OrderStatus into ORDER_STATUS, the prefix buf's
// STANDARD rules expect on every value.
func enumPrefix(name string) string {
	var b strings.Builder
	for i, r := range name {
		if i > 0 && unicode.IsUpper(r) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

func repeatedAndImport(s *harness.CheckRun) error {
	img, err := s.BufBuild()
	if err != nil {
		return err
	}
	var repeated, localImport, wktImport string
	own := map[string]bool{}
	for _, f := range img.File {
		own[f.Name] = true
	}
	for _, f := range img.File {
		for _, m := range f.MessageType {
			for _, fld := range m.Field {
				if fld.Label == "LABEL_REPEATED" && repeated == "" {
					repeated = m.Name + "." + fld.Name
				}
			}
		}
		for _, d := range f.Dependency {
			switch {
			case own[d] && localImport == "":
				localImport = f.Name + " imports " + d
			case d == "google/protobuf/timestamp.proto" && wktImport == "":
				wktImport = f.Name + " imports " + d
			}
		}
	}
	switch {
	case repeated == "":
		return &harness.Failure{Why: "no field is repeated", Section: "The contract"}
	case localImport == "":
		return &harness.Failure{Why: "no file imports another file of the contract", Section: "The contract"}
	case wktImport == "":
		return &harness.Failure{Why: "no file imports google/protobuf/timestamp.proto", Section: "The contract"}
	}
	s.Rep.Checkf("  repeated: %s", repeated)
	s.Rep.Checkf("  import: %s", localImport)
	s.Rep.Checkf("  import: %s", wktImport)
	return nil
}

// renumberIsBreaking makes, in a scratch copy, the edit the README asks the
// learner to make, and runs the README's buf breaking command against the
// committed contract: it must fail and say why.
func renumberIsBreaking(s *harness.CheckRun) error {
	return s.InGitSandbox("breaking", harness.Edit{
		File: "proto/ecommerce/catalog/v1/catalog.proto",
		Old:  "  string name = 2;",
		New:  "  string name = 8;",
	}, harness.ExampleOpts{Fails: true})
}

// exercise01 checks the stage's first exercise on a learner's folder.
func exercise01() *harness.Check {
	return &harness.Check{Name: "01.1", Stage: "01-protobuf", Title: "exercise 1, a new field", Milestones: []harness.Milestone{
		{Name: "the protos compile", Run: example("build")},
		{Name: "Product has a string image_url, field 8", Run: productHasImageURL,
			Hint: "add string image_url = 8; to message Product"},
		{Name: "buf lint finds nothing to fix", Run: example("lint")},
		{Name: "the committed Go code matches the protos", Run: generatedIsFresh,
			Hint: "regenerate: go tool lab gen 01 --mine"},
	}}
}

// productHasImageURL looks for exercise 01.1's field in the compiled protos.
func productHasImageURL(s *harness.CheckRun) error {
	img, err := s.BufBuild()
	if err != nil {
		return err
	}
	for _, f := range img.File {
		for _, m := range f.MessageType {
			if f.Package != "ecommerce.catalog.v1" || m.Name != "Product" {
				continue
			}
			for _, field := range m.Field {
				if field.Name == "image_url" && field.Number == 8 && field.Type == "TYPE_STRING" {
					return nil
				}
			}
		}
	}
	return &harness.Failure{Why: "ecommerce.catalog.v1.Product has no field string image_url = 8", Section: "Exercises"}
}
