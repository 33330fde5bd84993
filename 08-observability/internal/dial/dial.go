// Package dial connects one service to another's replicas.
package dial

import (
	"fmt"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	_ "google.golang.org/grpc/health" // client-side health checking, for healthCheckConfig
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/resolver/manual"
)

// Keepalive finds a replica that vanished without closing its connection
// (a pulled cable, a frozen VM) in under 30s. Servers allow a ping every
// 10s.
var Keepalive = keepalive.ClientParameters{Time: 15 * time.Second, Timeout: 10 * time.Second, PermitWithoutStream: true}

// StreamWindow and ConnWindow are the static flow-control windows every
// server of the lab sets (internal/server/limits.go); set on the client too,
// they turn off grpc-go's BDP estimator on both ends.
const (
	StreamWindow = 1 << 20
	ConnWindow   = 2 << 20
)

// Target turns a -catalog or -orders flag into a gRPC target and the options
// it needs. A comma-separated list of host:port is a fixed set of replicas,
// named name for TLS (the certificates hold each service's name); anything
// else is a gRPC target as it is, such as dns:///catalog:50061 in a cluster.
func Target(flag, name string) (string, []grpc.DialOption, error) {
	if !strings.Contains(flag, ",") {
		return flag, nil, nil
	}
	r := manual.NewBuilderWithScheme("replicas")
	var state resolver.State
	for _, addr := range strings.Split(flag, ",") {
		addr = strings.TrimSpace(addr)
		if addr == "" {
			return "", nil, fmt.Errorf("%q: an empty address in the list", flag)
		}
		state.Endpoints = append(state.Endpoints, resolver.Endpoint{Addresses: []resolver.Address{{Addr: addr}}})
	}
	r.InitialState(state)
	return r.Scheme() + ":///" + name, []grpc.DialOption{grpc.WithResolvers(r)}, nil
}

// Replicas connects to the service name at flag (see Target), presenting
// creds, with serviceConfig: how calls are balanced, health-checked and
// retried. extra adds options, such as telemetry's.
func Replicas(flag, name, serviceConfig string, creds credentials.TransportCredentials,
	extra ...grpc.DialOption) (*grpc.ClientConn, error) {
	target, opts, err := Target(flag, name)
	if err != nil {
		return nil, err
	}
	opts = append(opts, extra...)
	opts = append(opts,
		grpc.WithTransportCredentials(creds),
		grpc.WithDefaultServiceConfig(serviceConfig),
		grpc.WithKeepaliveParams(Keepalive),
		// Static windows, as the servers': no flow-control PING per call.
		grpc.WithInitialWindowSize(StreamWindow),
		grpc.WithInitialConnWindowSize(ConnWindow))
	return grpc.NewClient(target, opts...)
}
