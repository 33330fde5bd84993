package openapi

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/learn-grpc/learn-grpc/09-web/internal/auth"
)

// TestSecurityMatchesPolicy keeps api/openapi.yaml honest: a route is marked
// as wanting a bearer token exactly when the auth policy refuses it without one.
func TestSecurityMatchesPolicy(t *testing.T) {
	var doc struct {
		Info  struct{ Title string }
		Paths map[string]map[string]struct {
			OperationID string             `json:"operationId"`
			Security    []map[string][]any `json:"security"`
		}
		SecurityDefinitions map[string]struct{ Name, In string }
	}
	if err := json.Unmarshal(Document, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Info.Title == "" || strings.HasSuffix(doc.Info.Title, ".proto") {
		t.Errorf("info.title = %q; want the API's name from api/openapi.yaml", doc.Info.Title)
	}
	if def := doc.SecurityDefinitions["Bearer"]; def.Name != "Authorization" || def.In != "header" {
		t.Errorf("securityDefinitions.Bearer = %+v; want the Authorization header", def)
	}
	operations := 0
	for path, ops := range doc.Paths {
		for verb, op := range ops {
			operations++
			// operationId is "Service_Method"; the policy is keyed by full method name.
			service, method, _ := strings.Cut(op.OperationID, "_")
			rule, found := policyFor(service + "/" + method)
			if !found {
				t.Errorf("%s %s: %s is not in the auth policy", verb, path, op.OperationID)
				continue
			}
			if wantsToken := len(op.Security) > 0; wantsToken == rule.Public {
				t.Errorf("%s %s: marked as wanting a token = %v, but the policy says public = %v",
					verb, path, wantsToken, rule.Public)
			}
		}
	}
	if operations == 0 {
		t.Fatal("the document has no operations")
	}
}

func policyFor(serviceMethod string) (auth.Rule, bool) {
	for fullMethod, rule := range auth.Policy {
		if strings.HasSuffix(fullMethod, "."+serviceMethod) {
			return rule, true
		}
	}
	return auth.Rule{}, false
}
