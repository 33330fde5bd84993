package rpcerr_test

import (
	"fmt"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/learn-grpc/learn-grpc/09-web/internal/rpcerr"
)

func TestQuote(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "a short string is quoted whole", in: "product-123", want: `"product-123"`},
		{name: "a long string is cut to 32 characters", in: strings.Repeat("é", 1000), want: `"` + strings.Repeat("é", 32) + `"...`},
		{name: "control characters are escaped", in: "a\x1b[2Jb", want: `"a\x1b[2Jb"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rpcerr.Quote(tt.in); got != tt.want {
				t.Errorf("Quote(%.40q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestCheckID(t *testing.T) {
	tests := []struct {
		name   string
		id     string
		wantOK bool
	}{
		{name: "a lab id is valid", id: "product-123", wantOK: true},
		{name: "dots and underscores are valid", id: "a.b_c", wantOK: true},
		{name: "64 characters are valid", id: strings.Repeat("x", rpcerr.MaxIDLength), wantOK: true},
		{name: "65 characters are not", id: strings.Repeat("x", rpcerr.MaxIDLength+1)},
		{name: "empty is not", id: ""},
		{name: "a space is not", id: "product 123"},
		{name: "a control character is not", id: "product-\x00"},
		{name: "a quote is not", id: `product"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, ok := rpcerr.CheckID("id", "product", tt.id)
			if ok != tt.wantOK {
				t.Fatalf("CheckID(%q) ok = %v, want %v", tt.id, ok, tt.wantOK)
			}
			if !ok && (v.Field != "id" || len(v.Description) > 100) {
				t.Errorf("violation = %+v, want field id and a short description", v)
			}
		})
	}
}

func TestDetailsStayWithinTheBudget(t *testing.T) {
	many := make([]rpcerr.Violation, 200)
	for i := range many {
		many[i] = rpcerr.Violation{Field: fmt.Sprintf("items[%d].quantity", i), Description: strings.Repeat("x", 60)}
	}
	tests := []struct {
		name           string
		err            error
		wantViolations int // -1: all of them
	}{
		{name: "a small status keeps every detail", err: rpcerr.Invalid(many[0], many[1:3]...), wantViolations: 3},
		{name: "a BadRequest too large keeps its first violations", err: rpcerr.Invalid(many[0], many[1:]...), wantViolations: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := status.Convert(tt.err)
			if size := proto.Size(st.Proto()); size > rpcerr.MaxStatusBytes {
				t.Errorf("status is %d bytes marshaled, want at most %d", size, rpcerr.MaxStatusBytes)
			}
			var got []*errdetails.BadRequest_FieldViolation
			for _, d := range st.Details() {
				if br, ok := d.(*errdetails.BadRequest); ok {
					got = br.GetFieldViolations()
				}
			}
			switch {
			case tt.wantViolations >= 0 && len(got) != tt.wantViolations:
				t.Errorf("kept %d violations, want %d", len(got), tt.wantViolations)
			case tt.wantViolations < 0 && (len(got) == 0 || len(got) == len(many)):
				t.Errorf("kept %d of %d violations, want the first ones that fit", len(got), len(many))
			case len(got) > 0 && got[0].GetField() != "items[0].quantity":
				t.Errorf("first violation kept is %s, want items[0].quantity", got[0].GetField())
			}
		})
	}
}
