package gateway

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// MaxRequestHeaderBytes is the gateway's public limit on one request's
// headers: their names and values, in all. It fits a token from an identity
// provider with group claims (4-8 KB) twice over. Limits nest: what the
// gateway accepts, and forwards, stays well under what a backend accepts on
// one call (32 KiB), and that under its bound on a connection (256 KiB).
const MaxRequestHeaderBytes = 16 << 10

// forwardNoHeaders is the gateway's incoming header matcher. grpc-gateway
// always passes Authorization on as "authorization", x-forwarded-for and
// x-forwarded-host, which is all the backends read. Its default matcher
// would add a copy of Authorization, Cookie, User-Agent and the other
// "permanent" headers as grpcgateway-*: a token sent twice, and headers a
// backend never reads, counted against its header limit.
func forwardNoHeaders(string) (string, bool) { return "", false }

// errHeadersTooLarge is the answer to a request over MaxRequestHeaderBytes.
// It names the public limit only, never one behind the gateway.
var errHeadersTooLarge = fmt.Sprintf("request headers larger than %d bytes", MaxRequestHeaderBytes)

// limitHeaders answers 431 to a request whose headers pass limit, before
// anything else reads them. http.Server.MaxHeaderBytes, larger, bounds what
// a connection parses at all; between the two, the client gets this clean
// answer over HTTP/1.1 and HTTP/2 alike, rather than a dropped connection.
func limitHeaders(h http.Handler, limit int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if headerBytes(r) > limit {
			refuse(w, r, http.StatusRequestHeaderFieldsTooLarge, codes.ResourceExhausted, errHeadersTooLarge)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// headerBytes counts r's headers as HTTP/2 and the backends do: each
// field's name and value and 32 bytes more, so that many small fields
// count as much as they cost. Host, which net/http keeps apart from the
// others, is one of them.
func headerBytes(r *http.Request) int {
	n := len("Host") + len(r.Host) + 32
	for name, values := range r.Header {
		for _, v := range values {
			n += len(name) + len(v) + 32
		}
	}
	return n
}

// mapHeaderListErrors is the muxes' error handler: grpc-gateway's own, but
// a call whose headers pass the backend's limit (grpc-go refused to send
// it, or the backend refused it) is the caller's oversized input, answered
// as 431 with the gateway's public limit. limitHeaders makes it unreachable while the
// backend's limit is the larger; this keeps a mistake there from being a 500.
func mapHeaderListErrors(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler,
	w http.ResponseWriter, r *http.Request, err error) {
	st := status.Convert(err)
	if st.Code() == codes.Internal && strings.Contains(st.Message(), "header list size") ||
		st.Code() == codes.ResourceExhausted && strings.HasPrefix(st.Message(), "request headers exceed") {
		refuse(w, r, http.StatusRequestHeaderFieldsTooLarge, codes.ResourceExhausted, errHeadersTooLarge)
		return
	}
	runtime.DefaultHTTPErrorHandler(ctx, mux, m, w, r, err)
}
