package gateway

import (
	"log/slog"

	"github.com/learn-grpc/learn-grpc/09-web/internal/watchhub"
)

// Option configures Handler.
type Option func(*options)

type options struct {
	corsOrigins       []string
	log               *slog.Logger
	viewersPerAddress int
}

// WithLog gives the gateway's parts that log (the viewers' hub) a logger;
// without it they log nothing.
func WithLog(log *slog.Logger) Option {
	return func(o *options) { o.log = log }
}

// WithCORSOrigins lets pages of origins (see ParseOrigins) call the Connect
// routes from a browser.
func WithCORSOrigins(origins []string) Option {
	return func(o *options) { o.corsOrigins = origins }
}

// WithViewersPerAddress lets one client address hold n stock viewers at
// once instead of watchhub.MaxViewersPerAddress: behind a NAT or a proxy,
// many shoppers share one address. n is kept within 1 and watchhub.MaxViewers.
func WithViewersPerAddress(n int) Option {
	return func(o *options) { o.viewersPerAddress = min(max(n, 1), watchhub.MaxViewers) }
}
