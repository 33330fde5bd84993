package gateway

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	connectcors "connectrpc.com/cors"
	"github.com/rs/cors"
	"google.golang.org/grpc/codes"
)

// corsMaxAge is how long, in seconds, a browser may keep a preflight's
// answer: two hours, the most Chromium honours.
const corsMaxAge = 7200

// withCORS lets pages from origins call the Connect routes from a browser:
// the methods and headers Connect, gRPC-Web and gRPC use, and Authorization
// for the bearer token; and it lets them read gRPC-Web's status headers.
// Without origins, only pages the gateway serves itself may call, which
// needs no CORS at all. (An empty list would mean every origin to rs/cors.)
func withCORS(h http.Handler, origins []string) http.Handler {
	if len(origins) == 0 {
		return h
	}
	return cors.New(cors.Options{
		AllowedOrigins: origins,
		AllowedMethods: connectcors.AllowedMethods(),
		AllowedHeaders: append(connectcors.AllowedHeaders(), "Authorization"),
		ExposedHeaders: connectcors.ExposedHeaders(),
		MaxAge:         corsMaxAge,
	}).Handler(h)
}

// corsForRPC applies withCORS to the Connect, gRPC-Web and gRPC routes,
// outside the limits: a page of an allowed origin can read the gateway's
// own refusals too, not only a "Failed to fetch". REST stays same-origin.
// A preflight, which CORS answers itself, gets the header limit and its
// span's name here.
func corsForRPC(h http.Handler, origins []string) http.Handler {
	withOrigins := withCORS(h, origins)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case !isRPCPath(r.URL.Path):
			h.ServeHTTP(w, r)
		case r.Method == http.MethodOptions && headerBytes(r) > MaxRequestHeaderBytes:
			refuse(w, r, http.StatusRequestHeaderFieldsTooLarge, codes.ResourceExhausted, errHeadersTooLarge)
		default:
			nameRoute(r)
			withOrigins.ServeHTTP(w, r)
		}
	})
}

// ParseOrigins reads a comma-separated allow-list of origins, such as
// "https://shop.example.com,http://localhost:5173". Each must be a scheme
// and a host, with no path: what a browser sends as Origin. "*" is refused:
// the list is meant to name who may call.
func ParseOrigins(list string) ([]string, error) {
	var origins []string
	for o := range strings.SplitSeq(list, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
			u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return nil, fmt.Errorf("origin %q: want a scheme and a host, like https://shop.example.com", o)
		}
		origins = append(origins, u.Scheme+"://"+u.Host)
	}
	return origins, nil
}
