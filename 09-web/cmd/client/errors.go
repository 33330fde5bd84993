package main

import (
	"errors"
	"fmt"
	"io"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/status"
)

// report prints a failed call the way the lesson shows it: what we were
// doing, the gRPC status as the library renders it, then each error detail
// the server attached, one a line.
func report(stderr io.Writer, doing string, err error) error {
	fmt.Fprintf(stderr, "Error %s: %v\n", doing, err)
	for _, line := range detailLines(err) {
		fmt.Fprintf(stderr, "  %s\n", line)
	}
	return errors.Join(errReported, err)
}

// detailLines renders the google.rpc details of err's status. A program
// would act on them: fix the named field, wait before retrying.
func detailLines(err error) []string {
	var lines []string
	for _, d := range status.Convert(err).Details() {
		switch d := d.(type) {
		case *errdetails.BadRequest:
			for _, v := range d.GetFieldViolations() {
				lines = append(lines, fmt.Sprintf("field %s: %s", v.GetField(), v.GetDescription()))
			}
		case *errdetails.ResourceInfo:
			lines = append(lines, fmt.Sprintf("resource %s %q", d.GetResourceType(), d.GetResourceName()))
		case *errdetails.QuotaFailure:
			for _, v := range d.GetViolations() {
				lines = append(lines, fmt.Sprintf("quota %s: %s", v.GetSubject(), v.GetDescription()))
			}
		case *errdetails.RetryInfo:
			lines = append(lines, fmt.Sprintf("retry after %s", d.GetRetryDelay().AsDuration()))
		}
	}
	return lines
}
