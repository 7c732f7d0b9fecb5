// Package feedback is the public's channel for demands, objections and
// suggestions about public data (需求、异议、建议, G5): a public user files one
// to an institution, about a resource or in general; the institution replies
// within the profile's deadline (WH§25: 10 working days; other profiles use
// the platform default); the requester sees the reply; overdue ones are
// counted for supervision. It is the first case type on the case engine.
package feedback

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"gongshu/internal/apperr"
	"gongshu/internal/caseflow"
	"gongshu/internal/policy"
)

// Kind is what the public user files.
type Kind string

const (
	Demand     Kind = "demand"     // 需求: data they want opened or shared
	Objection  Kind = "objection"  // 异议: data they believe is wrong or should not be open
	Suggestion Kind = "suggestion" // 建议
)

// Kinds lists the kinds in display order with their labels.
var Kinds = []struct {
	Kind Kind
	ZH   string
	EN   string
}{{Demand, "需求", "Demand"}, {Objection, "异议", "Objection"}, {Suggestion, "建议", "Suggestion"}}

// Form is the content of a feedback case.
type Form struct {
	Kind     Kind   `json:"kind"`
	Resource string `json:"resource,omitempty"` // the resource concerned, empty for a general matter
	Content  string `json:"content"`
	Contact  string `json:"contact,omitempty"` // how to reach the requester, if not through the platform
}

// TypeName is the case type's stable name.
const TypeName = "feedback"

// Type returns the case type declaration for the engine.
func Type() *caseflow.Type {
	return &caseflow.Type{
		Name:          TypeName,
		Process:       "feedback",
		NumberPrefix:  "FK",
		Title:         policy.I18n{ZH: "需求、异议和建议", EN: "Demands, objections and suggestions"},
		Check:         check,
		ReplyRequired: true,
	}
}

func check(_ context.Context, raw json.RawMessage) (string, json.RawMessage, error) {
	var f Form
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if len(raw) == 0 || dec.Decode(&f) != nil {
		return "", nil, apperr.New(apperr.Invalid, "表单格式错误：应包含 kind、content，可选 resource、contact", "malformed form: expected kind, content and optional resource, contact").WithField("form")
	}
	f.Content, f.Resource, f.Contact = strings.TrimSpace(f.Content), strings.TrimSpace(f.Resource), strings.TrimSpace(f.Contact)
	label := ""
	for _, k := range Kinds {
		if k.Kind == f.Kind {
			label = k.ZH
		}
	}
	switch n := utf8.RuneCountInString(f.Content); {
	case label == "":
		return "", nil, apperr.New(apperr.Invalid, "请选择类别：需求、异议或建议", "choose the kind: demand, objection or suggestion").WithField("kind")
	case n < 5:
		return "", nil, apperr.New(apperr.Invalid, "请填写具体内容（至少5个字）", "describe the matter (at least 5 characters)").WithField("content")
	case n > 2000:
		return "", nil, apperr.Newf(apperr.Invalid, "内容不超过2000字（现有 %d 字）", "content must be at most 2000 characters (has %d)", n).WithField("content")
	case utf8.RuneCountInString(f.Resource) > 200:
		return "", nil, apperr.New(apperr.Invalid, "数据资源名称不超过200字", "resource name must be at most 200 characters").WithField("resource")
	case utf8.RuneCountInString(f.Contact) > 100:
		return "", nil, apperr.New(apperr.Invalid, "联系方式不超过100字", "contact must be at most 100 characters").WithField("contact")
	}
	subject := f.Resource
	if subject == "" {
		subject = firstRunes(f.Content, 24)
	}
	norm, _ := json.Marshal(f)
	return fmt.Sprintf("【%s】%s", label, subject), norm, nil
}

func firstRunes(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
