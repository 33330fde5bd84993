// Package openapi holds the OpenAPI (Swagger 2.0) document of the REST
// gateway. protoc-gen-openapiv2 writes ecommerce.swagger.json next to this
// file from the protos and api/gateway.yaml; the server serves it as is.
package openapi

import _ "embed"

// Document is the generated OpenAPI document.
//
//go:embed ecommerce.swagger.json
var Document []byte
