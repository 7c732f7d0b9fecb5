package dataset

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"gongshu/internal/apperr"
	"gongshu/internal/caseflow"
	"gongshu/internal/catalog"
	"gongshu/internal/identity"
	"gongshu/internal/policy"
)

// Cross-source checks (C5: 一数一源, JMS§8, QY§13). The catalog marks a
// resource's item as the authoritative source of a data element (for
// example 企业名称 from 市场监管, keyed by the credit code); every other
// resource holding the same element is compared with it through the
// record's identifier, and mismatches open a conflict case for the
// authority to settle.

// ConflictCaseType is the case type of conflicts between sources.
const ConflictCaseType = "data_conflict"

// ConflictForm describes a conflict between an authoritative source and another resource.
type ConflictForm struct {
	Element       string         `json:"element"`
	IDKind        string         `json:"id_kind"`
	Authoritative string         `json:"authoritative_resource_id"`
	AuthName      string         `json:"authoritative_name"`
	Other         string         `json:"resource_id"`
	OtherName     string         `json:"resource_name"`
	Compared      int64          `json:"compared"`
	Mismatches    int64          `json:"mismatches"`
	Examples      []ConflictPair `json:"examples"`
}

// ConflictPair is one identifier with its two values.
type ConflictPair struct {
	ID            string `json:"id"`
	Authoritative string `json:"authoritative"`
	Other         string `json:"other"`
}

// ConflictType declares the conflict case: the authority of the other
// resource's region settles it (the profile's data_conflict process).
func ConflictType() *caseflow.Type {
	return &caseflow.Type{Name: ConflictCaseType, Process: policy.ProcDataConflict, NumberPrefix: "SJCT",
		Title: policy.I18n{ZH: "数据冲突协调", EN: "Conflicting data"},
		Check: func(_ context.Context, raw json.RawMessage) (string, json.RawMessage, error) {
			var f ConflictForm
			if err := json.Unmarshal(raw, &f); err != nil || f.Element == "" || f.Other == "" {
				return "", nil, apperr.New(apperr.Invalid, "冲突表单不完整", "incomplete conflict form").WithField("form")
			}
			norm, _ := json.Marshal(f)
			return fmt.Sprintf("数据冲突：%s的“%s”与权威来源%s不一致（%d 处）", f.OtherName, f.Element, f.AuthName, f.Mismatches), norm, nil
		}, ReplyRequired: true}
}

type holder struct {
	r     *catalog.Resource
	d     *Dataset
	cols  map[string]Column
	idCol map[catalog.IDKind]string
}

func (s *Service) holders(ctx context.Context) ([]*holder, error) {
	ids, err := s.DB.Strings(ctx, `SELECT d.resource_id FROM datasets d JOIN resources r ON r.id = d.resource_id WHERE d.seq > 0 AND r.published_version > 0`)
	if err != nil {
		return nil, err
	}
	var out []*holder
	for _, id := range ids {
		r, err := s.Catalog.Published(ctx, id)
		if err != nil {
			continue
		}
		d, err := s.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		h := &holder{r: r, d: d, cols: map[string]Column{}, idCol: map[catalog.IDKind]string{}}
		for _, c := range d.Columns {
			h.cols[c.Item] = c
		}
		for _, it := range r.Entry.Items {
			if c, ok := h.cols[it.Name]; ok && (it.IDKind == catalog.IDUSCC || it.IDKind == catalog.IDCitizen) && h.idCol[it.IDKind] == "" {
				h.idCol[it.IDKind] = c.Col
			}
		}
		out = append(out, h)
	}
	return out, nil
}

// CrossCheck compares the resource with the authoritative sources of the
// elements it holds (or, when it is itself authoritative, the resources
// holding its elements), opens conflict cases for mismatches not already
// under review, and returns the resource's consistency (1 when nothing
// could be compared).
func (s *Service) CrossCheck(ctx context.Context, resourceID string) (float64, []ConflictForm, error) {
	hs, err := s.holders(ctx)
	if err != nil {
		return 1, nil, err
	}
	var compared, mismatched int64
	var found []ConflictForm
	for _, auth := range hs {
		for _, ai := range auth.r.Entry.Items {
			if !ai.Authoritative {
				continue
			}
			ac, ok := auth.cols[ai.Name]
			if !ok {
				continue
			}
			for kind, aid := range auth.idCol {
				for _, other := range hs {
					if other == auth || (auth.r.ID != resourceID && other.r.ID != resourceID) {
						continue
					}
					oid := other.idCol[kind]
					if oid == "" {
						continue
					}
					for _, oi := range other.r.Entry.Items {
						if oi.Authoritative || oi.ElementName() != ai.ElementName() {
							continue
						}
						oc, ok := other.cols[oi.Name]
						if !ok || oc.DataType != ac.DataType {
							continue
						}
						f, err := s.compare(ctx, auth, other, ac.Col, oc.Col, aid, oid)
						if err != nil {
							return 1, nil, err
						}
						f.Element, f.IDKind = ai.ElementName(), string(kind)
						if other.r.ID == resourceID {
							compared += f.Compared
							mismatched += f.Mismatches
						}
						if f.Mismatches > 0 {
							found = append(found, f)
						}
					}
				}
			}
		}
	}
	for _, f := range found {
		if err := s.openConflict(ctx, f); err != nil {
			return 1, found, err
		}
	}
	return ratio(compared-mismatched, compared), found, nil
}

func (s *Service) compare(ctx context.Context, auth, other *holder, acol, ocol, aid, oid string) (ConflictForm, error) {
	f := ConflictForm{Authoritative: auth.r.ID, AuthName: auth.r.Entry.Name, Other: other.r.ID, OtherName: other.r.Entry.Name}
	join := fmt.Sprintf(`FROM %s o JOIN %s a ON a.%s = o.%s
		WHERE o._opened <= $1 AND (o._closed IS NULL OR o._closed > $1) AND a._opened <= $2 AND (a._closed IS NULL OR a._closed > $2)
		AND o.%s IS NOT NULL AND a.%s IS NOT NULL`, other.d.Table, auth.d.Table, aid, oid, ocol, acol)
	if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) `+join, other.d.Seq, auth.d.Seq).Scan(&f.Compared); err != nil {
		return f, err
	}
	differ := fmt.Sprintf(" AND o.%s <> a.%s", ocol, acol)
	if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) `+join+differ, other.d.Seq, auth.d.Seq).Scan(&f.Mismatches); err != nil {
		return f, err
	}
	if f.Mismatches == 0 {
		return f, nil
	}
	rows, err := s.DB.QueryContext(ctx, fmt.Sprintf(`SELECT %s, %s, %s `, s.selectExpr("o."+oid), s.selectExpr("a."+acol), s.selectExpr("o."+ocol))+join+differ+` ORDER BY o._row LIMIT 20`,
		other.d.Seq, auth.d.Seq)
	if err != nil {
		return f, err
	}
	defer rows.Close()
	for rows.Next() {
		var p ConflictPair
		if err := rows.Scan(&p.ID, &p.Authoritative, &p.Other); err != nil {
			return f, err
		}
		f.Examples = append(f.Examples, p)
	}
	return f, rows.Err()
}

// openConflict files a conflict case unless one for the same resource and
// element is still open.
func (s *Service) openConflict(ctx context.Context, f ConflictForm) error {
	s.conflictMu.Lock() // two loads finishing together must not file the same conflict twice
	defer s.conflictMu.Unlock()
	subject := f.Other + "|" + f.Element
	var open int
	if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases WHERE type = $1 AND subject_id = $2 AND state NOT IN ($3, $4, $5)`,
		ConflictCaseType, subject, string(caseflow.Approved), string(caseflow.Refused), string(caseflow.Withdrawn)).Scan(&open); err != nil {
		return err
	}
	if open > 0 {
		return nil
	}
	other, err := s.Catalog.Published(ctx, f.Other)
	if err != nil {
		return err
	}
	form, _ := json.Marshal(f)
	sys := identity.WithActor(ctx, identity.System("多源比对"))
	_, err = s.Cases.Create(sys, caseflow.NewCase{Type: ConflictCaseType, TargetOrgID: other.ProviderOrgID, SubjectType: "dataset_conflict",
		SubjectID: subject, Form: form, Submit: true})
	return err
}

// Recheck runs the cross-source comparison again for a resource and
// records the result on its latest committed load (after the authoritative
// source itself was reloaded, for example).
func (s *Service) Recheck(ctx context.Context, resourceID string) error {
	var id string
	err := s.DB.QueryRowContext(ctx, `SELECT id FROM dataset_loads WHERE resource_id = $1 AND status = $2 ORDER BY seq DESC LIMIT 1`,
		resourceID, StatusCommitted).Scan(&id)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return err
	}
	s.afterCommit(ctx, id)
	return nil
}
