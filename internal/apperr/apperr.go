// Package apperr is the one error type that travels from the domain packages to
// the API and the pages: a stable machine code, a message in zh-CN and English,
// and optional details (which field, which article of which regulation decided).
// Anything that is not an *Error is internal: its text goes to the log only.
package apperr

import (
	"errors"
	"fmt"
	"net/http"
)

// Code is a stable, machine-readable error class used by API clients.
type Code string

const (
	Invalid      Code = "invalid"      // the input is wrong; Message says what to fix
	NotFound     Code = "not_found"    // missing, or not visible to the actor
	Conflict     Code = "conflict"     // the object changed meanwhile (a concurrent decision won)
	Unauthorized Code = "unauthorized" // not logged in, or bad credentials
	Forbidden    Code = "forbidden"    // logged in, visible, but not allowed to act
	Throttled    Code = "throttled"    // too many attempts
	TooLarge     Code = "too_large"    // the request or file exceeds a configured limit
	Unavailable  Code = "unavailable"  // suspended or withdrawn: the data does not serve now
	Internal     Code = "internal"
)

// Error is an application error with a message for people in both languages.
type Error struct {
	Code      Code   `json:"code"`
	Message   string `json:"message"`    // zh-CN
	MessageEN string `json:"message_en"` // English
	Field     string `json:"field,omitempty"`
	Article   string `json:"article,omitempty"` // e.g. "WH§25" when a regulation decided
	Err       error  `json:"-"`
}

func (e *Error) Error() string {
	s := string(e.Code) + ": " + e.MessageEN
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// New builds an error with both messages.
func New(code Code, zh, en string) *Error { return &Error{Code: code, Message: zh, MessageEN: en} }

// Newf formats both messages with the same arguments.
func Newf(code Code, zh, en string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(zh, args...), MessageEN: fmt.Sprintf(en, args...)}
}

// WithField names the input field at fault.
func (e *Error) WithField(f string) *Error { e.Field = f; return e }

// WithArticle names the article of the regulation that decided.
func (e *Error) WithArticle(a string) *Error { e.Article = a; return e }

// As returns the *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// CodeOf returns the code of err, Internal for foreign errors.
func CodeOf(err error) Code {
	if e := As(err); e != nil {
		return e.Code
	}
	return Internal
}

// ErrNotFound is the generic "no such object" answer, also given for objects
// the actor may not see, so that identifiers cannot be probed.
func ErrNotFound() *Error {
	return New(NotFound, "对象不存在或您无权查看", "not found or not visible to you")
}

// HTTPStatus maps codes to HTTP statuses in one place.
func HTTPStatus(err error) int {
	switch CodeOf(err) {
	case Invalid:
		return http.StatusUnprocessableEntity
	case NotFound:
		return http.StatusNotFound
	case Conflict:
		return http.StatusConflict
	case Unauthorized:
		return http.StatusUnauthorized
	case Forbidden:
		return http.StatusForbidden
	case Throttled:
		return http.StatusTooManyRequests
	case TooLarge:
		return http.StatusRequestEntityTooLarge
	case Unavailable:
		return http.StatusGone
	default:
		return http.StatusInternalServerError
	}
}
