package gateway

import (
	"errors"
	"net/http"
	"regexp"
	"strings"

	"connectrpc.com/connect"
	"google.golang.org/grpc/codes"

	"github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1/catalogv1connect"
	"github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1/ordersv1connect"
)

// connectTimeoutRE is a Connect-Timeout-Ms value connect-go accepts: up to
// 10 digits of milliseconds.
var connectTimeoutRE = regexp.MustCompile(`^[0-9]{1,10}$`)

// The protocol headers' refusals. connect-go's own quote the value, of any
// size the header limit lets through, back to the caller.
const (
	msgConnectTimeout  = "invalid Connect-Timeout-Ms header: want up to 10 digits, in milliseconds"
	msgGRPCTimeout     = "invalid Grpc-Timeout header: want up to 8 digits and a unit, one of H M S m u n"
	msgProtocolVersion = `invalid Connect-Protocol-Version header: want "1"`
	msgCompression     = "unknown compression: supported encodings are gzip"
)

func invalid(msg string) error { return connect.NewError(connect.CodeInvalidArgument, errors.New(msg)) }

// rpcErrors writes an error as a Connect, gRPC-Web or gRPC client reads it:
// an HTTP status and JSON for Connect unary, an end-of-stream message for
// Connect streams, grpc-status headers (trailers only) for the other two.
var rpcErrors = connect.NewErrorWriter(connectOptions()...)

// checkProtocolHeaders refuses a Connect, gRPC-Web or gRPC request whose
// timeout, protocol version or compression header connect-go would refuse,
// in the request's own protocol, with words that do not repeat the value.
// It checks only the headers that the request's protocol reads.
func checkProtocolHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := protocolHeaderError(r); err != nil && speaksRPC(r) {
			writeRPCError(w, r, err)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// isRPCPath reports whether path is one of the services the gateway serves
// over Connect, gRPC-Web and gRPC: a REST path never starts so.
func isRPCPath(path string) bool {
	return strings.HasPrefix(path, "/"+catalogv1connect.ProductCatalogServiceName+"/") ||
		strings.HasPrefix(path, "/"+ordersv1connect.OrderManagementServiceName+"/")
}

// isRPC reports whether r is a call to those services, in one of the three.
func isRPC(r *http.Request) bool { return isRPCPath(r.URL.Path) && speaksRPC(r) }

// speaksRPC reports whether r reads like a Connect, gRPC-Web or gRPC call.
// A bad Connect-Protocol-Version makes a request one ErrorWriter does not
// know; it is answered as Connect unary, as connect-go does.
func speaksRPC(r *http.Request) bool { return rpcErrors.IsSupported(r) || isConnect(r) }

// rpcRefusal is the gateway's own refusal of an RPC, before connect-go
// reads it, in the status its caller's protocol carries.
func rpcRefusal(w http.ResponseWriter, r *http.Request, code codes.Code, msg string) {
	writeRPCError(w, r, connect.NewError(connect.Code(code), errors.New(msg)))
}

// writeRPCError writes err as r's protocol carries it. ErrorWriter answers
// with the request's Content-Type, which is the caller's to write: it gets
// the protocol's own name for it instead, so that nothing is echoed.
func writeRPCError(w http.ResponseWriter, r *http.Request, err error) {
	r = r.Clone(r.Context())
	r.Header.Set("Content-Type", answerType(r.Header.Get("Content-Type")))
	_ = rpcErrors.Write(w, r, err)
}

// answerType is the Content-Type of an answer to a request of type ct: ct
// itself if it is one the gateway speaks, else its protocol's default.
func answerType(ct string) string {
	switch ct {
	case "application/grpc", "application/grpc+proto", "application/grpc+json",
		"application/grpc-web", "application/grpc-web+proto", "application/grpc-web+json",
		"application/connect+proto", "application/connect+json", "application/proto":
		return ct
	}
	for _, base := range []string{"application/grpc-web", "application/grpc", "application/connect"} {
		if strings.HasPrefix(ct, base) {
			return strings.Replace(base, "connect", "connect+proto", 1)
		}
	}
	return "application/json"
}

// isConnect reports whether r is a Connect POST, whatever its headers say.
func isConnect(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	return r.Method == http.MethodPost && (strings.HasPrefix(ct, "application/connect+") ||
		ct == "application/json" || ct == "application/proto")
}

func protocolHeaderError(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "application/grpc"): // gRPC and gRPC-Web
		if t := r.Header.Get("Grpc-Timeout"); t != "" && !grpcTimeoutRE.MatchString(t) {
			return invalid(msgGRPCTimeout)
		}
		return compressionError(r.Header.Get("Grpc-Encoding"))
	case strings.HasPrefix(ct, "application/connect+"): // Connect streams
		if err := connectHeaderError(r); err != nil {
			return err
		}
		return compressionError(r.Header.Get("Connect-Content-Encoding"))
	default: // Connect unary, which names its compression as HTTP does
		if err := connectHeaderError(r); err != nil {
			return err
		}
		return compressionError(r.Header.Get("Content-Encoding"))
	}
}

func connectHeaderError(r *http.Request) error {
	if t := r.Header.Get("Connect-Timeout-Ms"); t != "" && !connectTimeoutRE.MatchString(t) {
		return invalid(msgConnectTimeout)
	}
	if v := r.Header.Get("Connect-Protocol-Version"); v != "" && v != "1" {
		return invalid(msgProtocolVersion)
	}
	return nil
}

// compressionError refuses what the gateway cannot decompress: it offers
// gzip only (connect-go's default).
func compressionError(name string) error {
	if name != "" && name != "identity" && name != "gzip" {
		return connect.NewError(connect.CodeUnimplemented, errors.New(msgCompression))
	}
	return nil
}
