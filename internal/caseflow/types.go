// Package caseflow is the one case engine (事项, idea 2): every process of the
// platform — catalog review, share and open requests, corrections, public
// demands and objections — is a case with an applicant, a target
// organization, a form and steps. Steps, actors, deadlines, extensions and
// what a refusal needs come from the active policy profile; deadlines are
// counted in working days on the Chinese calendar (民法典 第二百零一条: the
// day of receipt is not counted). Every transition is one transaction that
// also appends its audit record; concurrent decisions on one step cannot both
// win (optimistic version check).
package caseflow

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"gongshu/internal/policy"
)

// State is where a case stands.
type State string

const (
	Draft     State = "draft"
	Submitted State = "submitted" // received, waiting for the first step's actor
	InReview  State = "in_review" // at step k
	Returned  State = "returned"  // back with the applicant for changes, with its own deadline
	Approved  State = "approved"
	Refused   State = "refused"
	Withdrawn State = "withdrawn"
)

// States lists all states in lifecycle order.
var States = []State{Draft, Submitted, InReview, Returned, Approved, Refused, Withdrawn}

// Open reports whether the case still waits for someone.
func (s State) Open() bool { return s == Submitted || s == InReview || s == Returned }

// Closed reports whether the case reached a final state.
func (s State) Closed() bool { return s == Approved || s == Refused || s == Withdrawn }

// Case is one application moving through its steps.
type Case struct {
	ID              string          `json:"id"`
	Number          string          `json:"number"`
	Type            string          `json:"type"`
	Process         string          `json:"process"`
	Profile         string          `json:"profile"`
	Title           string          `json:"title"`
	State           State           `json:"state"`
	StepIndex       int             `json:"step_index"`
	StepID          string          `json:"step_id,omitempty"`
	ApplicantUserID string          `json:"applicant_user_id"`
	ApplicantOrgID  string          `json:"applicant_org_id,omitempty"`
	TargetOrgID     string          `json:"target_org_id"`
	RegionCode      string          `json:"region_code"`
	SubjectType     string          `json:"subject_type,omitempty"`
	SubjectID       string          `json:"subject_id,omitempty"`
	Form            json.RawMessage `json:"form"`
	Outcome         string          `json:"outcome,omitempty"`
	ReceivedAt      *time.Time      `json:"received_at,omitempty"`
	StepStartedAt   *time.Time      `json:"step_started_at,omitempty"`
	StepDueAt       *time.Time      `json:"step_due_at,omitempty"`
	StepDueDate     string          `json:"step_due_date,omitempty"`
	OverdueAt       *time.Time      `json:"overdue_at,omitempty"`
	ReturnedFrom    int             `json:"-"`
	Extension       string          `json:"extension,omitempty"` // "", "requested", "approved", "refused"
	CreatedAt       time.Time       `json:"created_at"`
	UpdatedAt       time.Time       `json:"updated_at"`
	ClosedAt        *time.Time      `json:"closed_at,omitempty"`
	Version         int             `json:"version"`
}

// Overdue reports whether the current deadline has passed at now.
func (c *Case) Overdue(now time.Time) bool {
	return c.State.Open() && c.StepDueAt != nil && !now.Before(*c.StepDueAt)
}

// Event is one entry of a case's timeline.
type Event struct {
	ID         string    `json:"id"`
	Seq        int       `json:"seq"`
	At         time.Time `json:"at"`
	ActorID    string    `json:"actor_id"`
	ActorName  string    `json:"actor_name"`
	ActorOrgID string    `json:"actor_org_id,omitempty"`
	Action     string    `json:"action"`
	FromState  State     `json:"from_state"`
	ToState    State     `json:"to_state"`
	StepID     string    `json:"step_id,omitempty"`
	Comment    string    `json:"comment,omitempty"`
	LegalBasis string    `json:"legal_basis,omitempty"`
	DueDate    string    `json:"due_date,omitempty"`
}

// Type declares a kind of case: its process in the policy profile, how its
// form is checked, and the effect of its final decision.
type Type struct {
	Name         string      // stable API value, e.g. "feedback"
	Process      string      // policy process id, e.g. "feedback"
	NumberPrefix string      // case numbers: PREFIX-YYYY-NNNNNN
	Title        policy.I18n // label of the type
	// Check validates and normalizes a form; it returns the case title.
	Check func(ctx context.Context, form json.RawMessage) (title string, normalized json.RawMessage, err error)
	// ReplyRequired makes the final approval carry a written reply (the
	// comment), as an answer to a public demand must.
	ReplyRequired bool
	// Effect, when set, runs inside the transaction of the final decision
	// (approve at the last step, refuse, or the applicant's withdrawal); an
	// error undoes the decision.
	Effect func(ctx context.Context, tx *sql.Tx, c *Case, d Decision) error
}

// Action is what an actor does to a case.
type Action string

const (
	ActSubmit        Action = "submit"
	ActResubmit      Action = "resubmit"
	ActAccept        Action = "accept"
	ActApprove       Action = "approve"
	ActRefuse        Action = "refuse"
	ActReturn        Action = "return"
	ActWithdraw      Action = "withdraw"
	ActExtendRequest Action = "extension_request"
	ActExtendApprove Action = "extension_approve"
	ActExtendRefuse  Action = "extension_refuse"
	ActOverdue       Action = "overdue"
	ActCreate        Action = "create"
	ActUpdate        Action = "update"
)

// Decision is the input of a reviewer's action.
type Decision struct {
	Action     Action `json:"action"`
	Comment    string `json:"comment"`     // reason for refusal/return, or the reply
	LegalBasis string `json:"legal_basis"` // required for refusals where the profile says so
	// Version, when non-zero, must equal the case's version: a decision made
	// on a stale page loses instead of overwriting a newer one.
	Version int `json:"version"`
	// Confirmations are explicit approvals a rule asks of the reviewer, e.g.
	// "open_downgrade" (WH§22).
	Confirmations []string `json:"confirmations,omitempty"`
}
