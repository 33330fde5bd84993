package gateway

import (
	"errors"
	"net/http"
	"regexp"
	"strings"

	"connectrpc.com/connect"
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

// checkProtocolHeaders refuses a Connect, gRPC-Web or gRPC request whose
// timeout, protocol version or compression header connect-go would refuse,
// in the request's own protocol, with words that do not repeat the value.
// It checks only the headers that the request's protocol reads.
func checkProtocolHeaders(h http.Handler) http.Handler {
	ew := connect.NewErrorWriter(connectOptions()...)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A bad Connect-Protocol-Version makes the request one ErrorWriter
		// does not know; it answers those as Connect unary, as connect-go does.
		if err := protocolHeaderError(r); err != nil && (ew.IsSupported(r) || isConnect(r)) {
			_ = ew.Write(w, r, err)
			return
		}
		h.ServeHTTP(w, r)
	})
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
