package main

import (
	"crypto/tls"
	"net/http"

	"google.golang.org/protobuf/encoding/protojson"
)

// restServer serves GET /v1/products/{id} as protobuf's JSON, straight from
// the store, as a REST API written without gRPC would: no gateway, no second
// hop. It speaks HTTP/1.1 and HTTP/2; the client picks.
func restServer(tlsConfig *tls.Config) *http.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/products/{id}", func(w http.ResponseWriter, r *http.Request) {
		resp, err := lookup(r.PathValue("id"))
		if err != nil {
			http.Error(w, `{"code": 5, "message": "not found"}`, http.StatusNotFound)
			return
		}
		body, err := protojson.Marshal(resp)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	return &http.Server{Handler: mux, TLSConfig: tlsConfig.Clone()}
}
