package api

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	routes := map[string]bool{}
	for _, r := range Routes() {
		key := strings.ToLower(r.Method) + " " + r.Path
		routes[key] = true
		if _, ok := doc.Paths[r.Path][strings.ToLower(r.Method)]; !ok {
			t.Errorf("route %s is not documented", key)
		}
	}
	ids := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			if !routes[method+" "+path] {
				t.Errorf("documented %s %s has no route", method, path)
			}
			var op struct {
				OperationID string `json:"operationId"`
			}
			json.Unmarshal(raw, &op)
			if op.OperationID == "" || ids[op.OperationID] {
				t.Errorf("%s %s: missing or duplicate operationId %q", method, path, op.OperationID)
			}
			ids[op.OperationID] = true
		}
	}
}
