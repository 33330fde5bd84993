package server

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/tap"
)

// headerFieldOverhead is what HTTP/2 adds to each field's name and value
// when it sizes a header list (RFC 9113, section 6.5.2).
const headerFieldOverhead = 32

// errHeadersTooLarge names the limit, never the headers: they may hold a
// token, and echoing them would make the answer as large as the request.
var errHeadersTooLarge = status.Error(codes.ResourceExhausted,
	fmt.Sprintf("request headers exceed %d KiB", MaxCallHeaderSize>>10))

// limitCallHeaders returns the tap that refuses a call whose headers exceed
// MaxCallHeaderSize before any interceptor or handler runs, so it hands the
// refusal to logged for the call's access line. grpc-go answers the refusal
// on that stream alone; the tap runs on the connection's reader, so it only adds.
// It runs with that connection's lock held. The line goes to a buffer; but
// a log write that blocks stalls every logging goroutine, this reader too.
func limitCallHeaders(logged func(ctx context.Context, method string, err error)) tap.ServerInHandle {
	return func(ctx context.Context, info *tap.Info) (context.Context, error) {
		if headerListSize(info) > MaxCallHeaderSize {
			logged(ctx, info.FullMethodName, errHeadersTooLarge)
			return ctx, errHeadersTooLarge
		}
		return ctx, nil
	}
}

// headerListSize sizes a call's headers as HTTP/2 does: name, value and 32
// bytes a field. A binary value counts as the base64 it travelled as. The
// fields grpc-go keeps out of tap.Info (:method, te, content-type,
// grpc-timeout, grpc-encoding and the like) are left out: they are small
// from a gRPC client, and only the connection's bound limits them.
func headerListSize(info *tap.Info) int {
	size := len(":path") + len(info.FullMethodName) + headerFieldOverhead
	for name, values := range info.Header {
		for _, v := range values {
			n := len(v)
			if strings.HasSuffix(name, "-bin") {
				n = base64.RawStdEncoding.EncodedLen(n)
			}
			size += len(name) + n + headerFieldOverhead
		}
	}
	return size
}
