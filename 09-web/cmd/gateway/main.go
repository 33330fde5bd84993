// Command gateway is the REST/JSON edge: grpc-gateway in front of the
// catalog and orders services, which it calls over mutual TLS. Users' bearer
// tokens pass through to the services, which check them.
package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net"

	"github.com/learn-grpc/learn-grpc/09-web/internal/catalogclient"
	"github.com/learn-grpc/learn-grpc/09-web/internal/cli"
	"github.com/learn-grpc/learn-grpc/09-web/internal/dial"
	"github.com/learn-grpc/learn-grpc/09-web/internal/gateway"
	"github.com/learn-grpc/learn-grpc/09-web/internal/watchhub"
	"github.com/learn-grpc/learn-grpc/09-web/openapi"
)

// ordersConfig balances over the orders replicas like the catalog's, and
// retries GetOrder alone: CreateOrder is safe to repeat only with a
// request_id, which the REST client decides whether to send.
const ordersConfig = `{
  "loadBalancingConfig": [{"round_robin": {}}],
  "healthCheckConfig": {"serviceName": "ecommerce.orders.v1.OrderManagementService"},
  "methodConfig": [{
    "name": [{"service": "ecommerce.orders.v1.OrderManagementService", "method": "GetOrder"}],
    "retryPolicy": {
      "maxAttempts": 4,
      "initialBackoff": "0.05s",
      "maxBackoff": "1s",
      "backoffMultiplier": 2,
      "retryableStatusCodes": ["UNAVAILABLE"]
    }
  }]
}`

func main() { cli.Main("gateway", run) }

// run is main with its inputs made explicit, so tests can start and stop the
// gateway in-process. The listening line goes to stdout; logs to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gateway", flag.ContinueOnError)
	fs.SetOutput(stderr)
	httpAddr := fs.String("http-addr", ":8443", "`host:port` to serve HTTPS on; port 0 picks a free port")
	catalogAt := fs.String("catalog", "localhost:50061",
		"the catalog: a gRPC `target` (dns:///catalog:50061) or a comma-separated list of host:port replicas")
	ordersAt := fs.String("orders", "localhost:50051",
		"the orders service: a gRPC `target` (dns:///orders:50051) or a comma-separated list of host:port")
	corsOrigins := fs.String("cors-origins", "",
		"comma-separated `origins` whose pages may call the Connect and gRPC-Web routes (https://shop.example.com);\n"+
			"empty allows the gateway's own pages only")
	viewers := fs.Int("viewers-per-address", watchhub.MaxViewersPerAddress,
		fmt.Sprintf("how many stock watches (Connect, gRPC-Web or gRPC) one client address may hold: `N`, up to the\n"+
			"gateway's %d in all; raise it where many shoppers share an address, behind a NAT or a proxy",
			watchhub.MaxViewers))
	metricsAddr := cli.AddMetricsAddr(fs)
	common := cli.AddCommon(fs, "gateway")
	cli.Usage(fs, "Serves the catalog and orders APIs as REST/JSON over HTTPS until Ctrl+C or\nSIGTERM, calling the services over gRPC.")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	origins, err := gateway.ParseOrigins(*corsOrigins)
	if err != nil {
		return fmt.Errorf("-cors-origins: %w", err)
	}
	if *viewers < 1 || *viewers > watchhub.MaxViewers {
		return fmt.Errorf("-viewers-per-address: want 1 to %d, got %d", watchhub.MaxViewers, *viewers)
	}
	log, closeLog := common.Logger(stderr)
	defer closeLog() // deferred first, so it runs last: it writes what the buffer still holds
	tel, stopTelemetry, err := cli.Telemetry(ctx, "gateway", *metricsAddr, log)
	if err != nil {
		return err
	}
	defer stopTelemetry()
	tlsConfig, err := common.TLS.ServerConfig()
	if err != nil {
		return err
	}
	// The edge serves people and browsers: it asks them for no certificate.
	tlsConfig.ClientAuth = tls.NoClientCert
	asGateway, err := common.TLS.ClientCreds()
	if err != nil {
		return err
	}
	catalogConn, err := catalogclient.Dial(*catalogAt, asGateway, tel.DialOption())
	if err != nil {
		return fmt.Errorf("-catalog: %w", err)
	}
	defer catalogConn.Close()
	ordersConn, err := dial.Replicas(*ordersAt, "orders", ordersConfig, asGateway, tel.DialOption())
	if err != nil {
		return fmt.Errorf("-orders: %w", err)
	}
	defer ordersConn.Close()
	rest, err := gateway.Handler(ctx, catalogConn, ordersConn, openapi.Document, tel,
		gateway.WithCORSOrigins(origins), gateway.WithLog(log), gateway.WithViewersPerAddress(*viewers))
	if err != nil {
		return err
	}
	lis, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "REST gateway listening on https://%s\n", lis.Addr())
	if err := gateway.Serve(ctx, lis, rest, tlsConfig, common.Grace, log); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("gateway stopped")
	return nil
}
