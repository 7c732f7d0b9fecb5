package api

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// httpMethods are the keys of an OpenAPI path item that are operations.
var httpMethods = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "options": true, "head": true, "patch": true, "trace": true}

// TestOpenAPIDescribesEveryRoute checks the embedded document against the
// route table both ways: every route is documented, every documented
// operation is routed, and operation ids are unique.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}

	routes := map[string]bool{}
	for _, r := range Routes() {
		method := strings.ToLower(r.Method)
		key := method + " " + r.Path
		if routes[key] {
			t.Errorf("route %s is registered twice", key)
		}
		routes[key] = true
		if _, ok := doc.Paths[r.Path][method]; !ok {
			t.Errorf("route %s %s is not documented in openapi.json", r.Method, r.Path)
		}
	}

	ids := map[string]string{}
	paths := make([]string, 0, len(doc.Paths))
	for p := range doc.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, path := range paths {
		for method, raw := range doc.Paths[path] {
			if !httpMethods[method] {
				continue // parameters, summary, description, servers
			}
			key := method + " " + path
			if !routes[key] {
				t.Errorf("documented operation %s has no route", key)
			}
			var op struct {
				OperationID string                     `json:"operationId"`
				Summary     string                     `json:"summary"`
				Tags        []string                   `json:"tags"`
				Responses   map[string]json.RawMessage `json:"responses"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Errorf("%s: %v", key, err)
				continue
			}
			switch prev, dup := ids[op.OperationID]; {
			case op.OperationID == "":
				t.Errorf("%s has no operationId", key)
			case dup:
				t.Errorf("%s: operationId %q is also used by %s", key, op.OperationID, prev)
			default:
				ids[op.OperationID] = key
			}
			if op.Summary == "" || len(op.Tags) == 0 {
				t.Errorf("%s needs a summary and a tag", key)
			}
			ok2xx := false
			for status := range op.Responses {
				ok2xx = ok2xx || strings.HasPrefix(status, "2")
			}
			if !ok2xx {
				t.Errorf("%s documents no 2xx response", key)
			}
		}
	}
}

// TestOpenAPIRefsResolve checks that every local $ref points at something.
func TestOpenAPIRefsResolve(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	refs := regexp.MustCompile(`"\$ref":\s*"([^"]*)"`).FindAllSubmatch(openAPIDoc, -1)
	if len(refs) == 0 {
		t.Fatal("no $ref found")
	}
	for _, m := range refs {
		ref := string(m[1])
		ptr, ok := strings.CutPrefix(ref, "#/")
		if !ok {
			t.Errorf("$ref %q is not local", ref)
			continue
		}
		var node any = doc
		for _, tok := range strings.Split(ptr, "/") {
			tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
			obj, isObj := node.(map[string]any)
			if node, ok = obj[tok]; !isObj || !ok {
				t.Errorf("$ref %q does not resolve", ref)
				break
			}
		}
	}
}
