// Package rpcerr builds the statuses the lab's services return, each with the
// google.rpc error details a program can act on. Every handler builds its
// errors here, so one kind of failure always looks the same on the wire.
package rpcerr

import (
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Violation is one thing wrong with one field of a request. Field is the
// field's path as the proto names it: "id", "items[1].quantity".
type Violation struct {
	Field       string
	Description string
}

// Invalid is InvalidArgument with a BadRequest detail naming every field at
// fault. The message is the first violation, so a person reading only the
// status line still learns what to fix.
func Invalid(first Violation, more ...Violation) error {
	br := &errdetails.BadRequest{}
	for _, v := range append([]Violation{first}, more...) {
		br.FieldViolations = append(br.FieldViolations,
			&errdetails.BadRequest_FieldViolation{Field: v.Field, Description: v.Description})
	}
	return with(status.New(codes.InvalidArgument, first.Description), br)
}

// NotFound is NotFound with a ResourceInfo detail. kind is the resource's
// full proto name ("ecommerce.catalog.v1.Product"); noun is how the message
// names it ("product"). name must already be validated: it is echoed.
func NotFound(kind, noun, name string) error {
	msg := fmt.Sprintf("%s %s not found", noun, Quote(name))
	return with(status.New(codes.NotFound, msg),
		&errdetails.ResourceInfo{ResourceType: kind, ResourceName: name, Description: msg})
}

// Unavailable is Unavailable with a RetryInfo detail: the caller should come
// back after retryAfter, and may do so safely.
func Unavailable(msg string, retryAfter time.Duration) error {
	return with(status.New(codes.Unavailable, msg), &errdetails.RetryInfo{RetryDelay: durationpb.New(retryAfter)})
}

// Exhausted is ResourceExhausted with a QuotaFailure detail naming the quota
// (subject) that was used up, and a RetryInfo detail when waiting can help
// (retryAfter > 0).
func Exhausted(msg, subject string, retryAfter time.Duration) error {
	details := []protoadapt.MessageV1{&errdetails.QuotaFailure{
		Violations: []*errdetails.QuotaFailure_Violation{{Subject: subject, Description: msg}},
	}}
	if retryAfter > 0 {
		details = append(details, &errdetails.RetryInfo{RetryDelay: durationpb.New(retryAfter)})
	}
	return with(status.New(codes.ResourceExhausted, msg), details...)
}

// MaxStatusBytes bounds a status's code, message and details, marshaled.
// They travel in a trailer (grpc-status-details-bin, which base64 makes a
// third larger), and clients and proxies cap trailers, some at a few KiB.
// At about 4 KiB on the wire, every peer hears how its call ended. A result
// that grows with the request belongs in a response message instead.
const MaxStatusBytes = 3 << 10

// with adds details to st, as many as fit in MaxStatusBytes: a BadRequest
// keeps its first violations, and a detail that does not fit is left out.
func with(st *status.Status, details ...protoadapt.MessageV1) error {
	for {
		withDetails, err := st.WithDetails(details...)
		if err != nil {
			return st.Err() // the details cannot fail to marshal; the code and message still go out
		}
		if len(details) == 0 || proto.Size(withDetails.Proto()) <= MaxStatusBytes {
			return withDetails.Err()
		}
		details = shrink(details)
	}
}

// shrink makes details smaller by one step: the last violation of a
// BadRequest that has more than one, or else the last detail.
func shrink(details []protoadapt.MessageV1) []protoadapt.MessageV1 {
	last := len(details) - 1
	if br, ok := details[last].(*errdetails.BadRequest); ok && len(br.GetFieldViolations()) > 1 {
		fewer := &errdetails.BadRequest{FieldViolations: br.GetFieldViolations()[:len(br.GetFieldViolations())-1]}
		return append(details[:last:last], fewer)
	}
	return details[:last]
}

// maxQuoted is how much of a caller's string a message may echo.
const maxQuoted = 32

// Quote quotes at most the first 32 characters of s, escaping control
// characters, so that an error message never grows with the caller's input.
func Quote(s string) string {
	if utf8.RuneCountInString(s) <= maxQuoted {
		return strconv.QuoteToGraphic(s)
	}
	runes := []rune(s)[:maxQuoted]
	return strconv.QuoteToGraphic(string(runes)) + "..."
}

// RetryAfterShutdown is how long a caller should wait before calling again
// after ShuttingDown: long enough for a load balancer to send it elsewhere.
const RetryAfterShutdown = time.Second

// ShuttingDown is the status of every call the server ends because it is
// stopping. It is Unavailable, the code that says "call again", and its
// RetryInfo says when.
func ShuttingDown() error {
	return Unavailable("server is shutting down; call again to resume", RetryAfterShutdown)
}

// Domain names the lab in ErrorInfo details.
const Domain = "learn-grpc.dev"

// The reasons of FailedPrecondition, for programs to act on.
const (
	ReasonInsufficientStock = "INSUFFICIENT_STOCK"
	ReasonOrderReleased     = "ORDER_RELEASED"
)

// Failed is FailedPrecondition with an ErrorInfo whose reason a program can
// act on without reading the message.
func Failed(reason, msg string) error {
	return with(status.New(codes.FailedPrecondition, msg), &errdetails.ErrorInfo{Reason: reason, Domain: Domain})
}

// Reason returns the ErrorInfo reason of err's status, if it has one.
func Reason(err error) string {
	for _, d := range status.Convert(err).Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetDomain() == Domain {
			return info.GetReason()
		}
	}
	return ""
}
