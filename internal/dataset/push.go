package dataset

import (
	"context"
	"database/sql"
	"errors"

	"gongshu/internal/apperr"
	"gongshu/internal/identity"
)

// MaxPushRows limits one pushed batch.
const MaxPushRows = 10000

// PushBatch is a batch of records an institution's system pushes (C1).
type PushBatch struct {
	Mode           string            `json:"mode"`
	IdempotencyKey string            `json:"idempotency_key"`
	Mapping        map[string]string `json:"mapping,omitempty"`
	Records        []map[string]any  `json:"records"`
}

// Push loads a batch synchronously: when it returns without error the
// batch is committed (or refused, as the load says). A repeated
// idempotency key returns the first load instead of loading twice.
func (s *Service) Push(ctx context.Context, resourceID string, b PushBatch) (*Load, error) {
	r, _, err := s.target(ctx, resourceID)
	if err != nil {
		return nil, err
	}
	if b.IdempotencyKey == "" || len(b.IdempotencyKey) > 200 {
		return nil, apperr.New(apperr.Invalid, "请提供幂等键（Idempotency-Key，不超过200字符）：重试同一批次时使用同一个键，平台不会重复入库", "give an idempotency key (Idempotency-Key, at most 200 characters): retries of the same batch reuse it and are stored once").WithField("idempotency_key")
	}
	var prior string
	err = s.DB.QueryRowContext(ctx, `SELECT id FROM dataset_loads WHERE resource_id = $1 AND idempotency_key = $2`, resourceID, b.IdempotencyKey).Scan(&prior)
	if err == nil {
		return s.WaitLoad(ctx, prior)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if len(b.Records) == 0 {
		return nil, apperr.New(apperr.Invalid, "批次中没有记录（records 为空）", "the batch has no records").WithField("records")
	}
	if len(b.Records) > MaxPushRows {
		return nil, apperr.Newf(apperr.TooLarge, "每批最多 %d 条记录：请拆分后分批推送", "at most %d records per batch: split it", MaxPushRows).WithField("records")
	}
	if b.Mode, err = checkMode(b.Mode); err != nil {
		return nil, err
	}
	src, err := recordsSource(b.Records)
	if err != nil {
		return nil, err
	}
	id := identity.NewID()
	s.mu.Lock()
	if s.pushes == nil {
		s.pushes = map[string]source{}
	}
	s.pushes[id] = src
	s.mu.Unlock()
	defer s.takePush(id)
	if _, err := s.insertLoad(ctx, r, id, "", "", 0, "", Options{Mode: b.Mode, Format: FormatJSON, Mapping: b.Mapping, IdempotencyKey: b.IdempotencyKey, kind: KindPush}); err != nil {
		if apperr.CodeOf(err) == apperr.Conflict { // a concurrent retry won the key
			var prior string
			if s.DB.QueryRowContext(ctx, `SELECT id FROM dataset_loads WHERE resource_id = $1 AND idempotency_key = $2`, resourceID, b.IdempotencyKey).Scan(&prior) == nil {
				return s.WaitLoad(ctx, prior)
			}
		}
		return nil, err
	}
	s.Run(context.WithoutCancel(ctx), id)
	return s.GetLoad(ctx, id)
}

func (s *Service) takePush(id string) source {
	s.mu.Lock()
	defer s.mu.Unlock()
	src := s.pushes[id]
	delete(s.pushes, id)
	return src
}

// recordsSource turns records into rows; the header is every key, in the
// order first seen.
func recordsSource(recs []map[string]any) (source, error) {
	idx := map[string]int{}
	var header []string
	for _, r := range recs {
		for k := range r {
			if _, ok := idx[k]; !ok {
				idx[k] = len(header)
				header = append(header, k)
			}
		}
	}
	rows := make([][]string, len(recs))
	for i, r := range recs {
		row := make([]string, len(header))
		for k, v := range r {
			s, ok := scalar(v)
			if !ok {
				return nil, apperr.Newf(apperr.Invalid, "第 %d 条记录的字段“%s”不是单个值（不能是对象或数组）", "record %d: field %q is not a single value", i+1, k).WithField("records")
			}
			row[idx[k]] = s
		}
		rows[i] = row
	}
	return &rowsSource{header: header, rows: rows}, nil
}
