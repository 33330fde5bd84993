package gateway

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"connectrpc.com/connect"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"
	"github.com/learn-grpc/learn-grpc/09-web/internal/rpcerr"
	"github.com/learn-grpc/learn-grpc/09-web/internal/telemetry"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
	"github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1/catalogv1connect"
	ordersv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1"
	"github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1/ordersv1connect"
)

// CompressMinBytes is the smallest answer the Connect routes compress. A
// browser accepts gzip on every call, but an answer this small fits in one
// packet anyway: gzip would only spend the gateway's CPU.
const CompressMinBytes = 1 << 10

// connectOptions apply to every Connect, gRPC-Web and gRPC route. Each
// message is bounded after decompression too: a gzipped body that fits
// MaxRequestBody on the wire could otherwise inflate to any size.
func connectOptions() []connect.HandlerOption {
	return []connect.HandlerOption{connect.WithReadMaxBytes(MaxRequestBody), connect.WithCodec(connectJSON{}),
		connect.WithCompressMinBytes(CompressMinBytes)}
}

// mountConnectServices serves the catalog and the orders services over
// Connect, gRPC-Web and gRPC at their standard paths, forwarding each call
// over the same grpc-go connections the REST routes use: mTLS, balancing,
// retries and spans apply alike. Stock watches go to v; the streams end
// when stopping does.
func mountConnectServices(stopping context.Context, mux *http.ServeMux, catalogConn, ordersConn grpc.ClientConnInterface,
	v viewers) {
	cat := &catalogConnect{client: catalogv1.NewProductCatalogServiceClient(catalogConn), viewers: v, stopping: stopping}
	path, h := catalogv1connect.NewProductCatalogServiceHandler(cat, connectOptions()...)
	mountConnect(mux, path, checkProtocolHeaders(h))
	ord := &ordersConnect{client: ordersv1.NewOrderManagementServiceClient(ordersConn), stopping: stopping,
		watchers: catalog.NewWatchLimitOf("gateway", "client address", MaxOrderWatchers, MaxOrderWatchersPerClient)}
	path, h = ordersv1connect.NewOrderManagementServiceHandler(ord, connectOptions()...)
	mountConnect(mux, path, checkProtocolHeaders(h))
}

// mountConnect serves one service's Connect handler at its path, naming
// each request's span after its procedure (a known one only: the path is
// the caller's to write) and letting its streams lift the server's timeouts.
func mountConnect(mux *http.ServeMux, path string, h http.Handler) {
	mux.Handle(path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nameRoute(r)
		ctx := withController(r.Context(), w)
		h.ServeHTTP(w, r.WithContext(ctx))
	}))
}

// procedures are the paths of the services' methods: a span is named after
// one of them only, since the path is the caller's to write.
var procedures = func() map[string]bool {
	known := map[string]bool{}
	for _, sd := range []protoreflect.ServiceDescriptor{
		catalogv1.File_ecommerce_catalog_v1_catalog_proto.Services().ByName("ProductCatalogService"),
		ordersv1.File_ecommerce_orders_v1_orders_proto.Services().ByName("OrderManagementService"),
	} {
		methods := sd.Methods()
		for i := range methods.Len() {
			known["/"+string(sd.FullName())+"/"+string(methods.Get(i).Name())] = true
		}
	}
	return known
}()

// nameRoute names r's span after its procedure, if it is a known one.
func nameRoute(r *http.Request) {
	if procedures[r.URL.Path] {
		telemetry.SetRoute(r, r.URL.Path)
	}
}

// timedSend is send with each message's write bounded (see timedWrite).
func timedSend[T any](ctx context.Context, send func(*T) error) func(*T) error {
	return func(msg *T) error {
		return timedWrite(ctx, func() error { return send(msg) })
	}
}

// streamEnd is how a Connect stream ends: as the services end theirs when
// the gateway's shutdown ended it, otherwise with what ended it.
func streamEnd(ctx context.Context, err error) error {
	if err != nil && context.Cause(ctx) == errStopping {
		err = rpcerr.ShuttingDown()
	}
	return connectError(err)
}

// unary forwards one unary call over a grpc-go connection, with the
// caller's token and address, and the gateway's deadline if the caller
// set none (connect-go has applied Connect-Timeout-Ms or Grpc-Timeout).
func unary[Req, Resp any](ctx context.Context, req *connect.Request[Req],
	call func(context.Context, *Req, ...grpc.CallOption) (*Resp, error)) (*connect.Response[Resp], error) {
	ctx, cancel := withDefaultDeadline(ctx)
	defer cancel()
	resp, err := call(forwarded(ctx, req.Header(), req.Peer().Addr), req.Msg)
	if err != nil {
		return nil, connectError(err)
	}
	return connect.NewResponse(resp), nil
}

// forwarded is ctx with the metadata grpc-gateway sends for a REST call,
// that the backends read: each Authorization header once, as
// "authorization", and the client's address appended to any X-Forwarded-For
// it sent (the backends log the last address only). No other header passes.
func forwarded(ctx context.Context, h http.Header, remote string) context.Context {
	var pairs []string
	for _, v := range h.Values("Authorization") {
		if isMetadataText(v) {
			pairs = append(pairs, "authorization", v)
		}
	}
	var xff []string
	for _, v := range h.Values("X-Forwarded-For") {
		if isMetadataText(v) {
			xff = append(xff, v)
		}
	}
	if ip := clientAddress(remote); ip != "" && isMetadataText(ip) {
		xff = append(xff, ip)
	}
	if len(xff) > 0 {
		pairs = append(pairs, "x-forwarded-for", strings.Join(xff, ", "))
	}
	return metadata.NewOutgoingContext(ctx, metadata.Pairs(pairs...))
}

// isMetadataText reports whether v may travel as a gRPC metadata value:
// printable ASCII. grpc-go would refuse the whole call for one that is not.
func isMetadataText(v string) bool {
	for i := range len(v) {
		if v[i] < 0x20 || v[i] > 0x7e {
			return false
		}
	}
	return true
}

// connectError is a backend's gRPC status as a Connect error: the same code
// and message, and every google.rpc detail (a BadRequest's field
// violations, a RetryInfo), so that a browser sees what a gRPC client sees.
// A Connect error, from a stream's Send, passes as it is.
func connectError(err error) error {
	if err == nil {
		return nil
	}
	var ce *connect.Error
	if errors.As(err, &ce) {
		return ce
	}
	st := status.Convert(err)
	out := connect.NewError(connect.Code(st.Code()), errors.New(st.Message()))
	for _, d := range st.Proto().GetDetails() {
		if detail, err := connect.NewErrorDetail(d); err == nil {
			out.AddDetail(detail)
		}
	}
	return out
}
