package auth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/07-microservices/internal/auth"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/auth/authtest"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/catalog"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/devpki"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/orders"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/server"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/testutil"

	catalogv1 "github.com/learn-grpc/learn-grpc/07-microservices/gen/ecommerce/catalog/v1"
	ordersv1 "github.com/learn-grpc/learn-grpc/07-microservices/gen/ecommerce/orders/v1"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// panickyStore is the real store, except that reading "order-panic" panics,
// standing in for a bug deep in a handler.
type panickyStore struct{ *orders.MemoryStore }

func (p panickyStore) Get(ctx context.Context, id string) (*ordersv1.Order, error) {
	if id == "order-panic" {
		panic("a bug in the store")
	}
	return p.MemoryStore.Get(ctx, id)
}

// tlsServer is the real server on a loopback TLS listener.
type tlsServer struct {
	conn       *grpc.ClientConn
	keys       *authtest.Keys
	logs       *testutil.LockedBuffer
	aliceOrder string // the one order, alice's, which the tracking cases use
}

func startTLS(t *testing.T) *tlsServer {
	t.Helper()
	pki := t.TempDir()
	if err := devpki.Generate(pki, time.Now()); err != nil {
		t.Fatal(err)
	}
	cert, err := tls.LoadX509KeyPair(filepath.Join(pki, devpki.Cert("catalog")), filepath.Join(pki, devpki.Key("catalog")))
	if err != nil {
		t.Fatal(err)
	}
	keys := authtest.NewKeys(t)
	logs := &testutil.LockedBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	srv := server.New(server.Config{
		Log:      log,
		Verifier: keys.Verifier,
		Creds:    credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13}),
	})
	t.Cleanup(srv.Close) // stops its stream workers, should the test fail before Serve
	testutil.RegisterShop(srv, testutil.Shop{
		Products:      catalog.NewStore(catalog.SampleProducts(), 0),
		Stock:         testutil.NewStock(t),
		Orders:        panickyStore{orders.NewMemoryStore()},
		TrackInterval: time.Hour,
		Log:           log,
	})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, lis, server.Shutdown{Grace: 5 * time.Second}) }()
	creds, err := credentials.NewClientTLSFromFile(filepath.Join(pki, devpki.CACert), "")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(creds))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = conn.Close()
		stop()
		if err := <-served; err != nil {
			t.Error(err)
		}
	})
	s := &tlsServer{conn: conn, keys: keys, logs: logs}
	resp, err := s.orders(s.bearer(keys.Token(t, "alice", auth.ScopeWriteOrders))).CreateOrder(t.Context(),
		&ordersv1.CreateOrderRequest{Items: []*ordersv1.OrderItem{{ProductId: "product-123", Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	s.aliceOrder = resp.GetOrder().GetId()
	return s
}

func (s *tlsServer) orders(header string) ordersv1.OrderManagementServiceClient {
	return ordersv1.NewOrderManagementServiceClient(withHeader{s.conn, header})
}

func (s *tlsServer) bearer(token string) string { return "Bearer " + token }

// withHeader sends an exact authorization header value (or none, if empty),
// so the tests can send the malformed ones a real client never would.
type withHeader struct {
	*grpc.ClientConn
	header string
}

func (w withHeader) ctx(ctx context.Context) context.Context {
	if w.header == "" {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, "authorization", w.header)
}

func (w withHeader) Invoke(ctx context.Context, method string, args, reply any, opts ...grpc.CallOption) error {
	return w.ClientConn.Invoke(w.ctx(ctx), method, args, reply, opts...)
}

func (w withHeader) NewStream(ctx context.Context, desc *grpc.StreamDesc, method string, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	return w.ClientConn.NewStream(w.ctx(ctx), desc, method, opts...)
}

var item = []*ordersv1.OrderItem{{ProductId: "product-456", Quantity: 1}}

// The three kinds of call every case runs against.
// methods calls each kind of RPC; tracking tracks order.
func methods(order string) map[string]func(context.Context, ordersv1.OrderManagementServiceClient) error {
	return map[string]func(context.Context, ordersv1.OrderManagementServiceClient) error{
		"unary CreateOrder": func(ctx context.Context, c ordersv1.OrderManagementServiceClient) error {
			_, err := c.CreateOrder(ctx, &ordersv1.CreateOrderRequest{Items: item})
			return err
		},
		"client-streaming UploadOrders": func(ctx context.Context, c ordersv1.OrderManagementServiceClient) error {
			stream, err := c.UploadOrders(ctx)
			if err != nil {
				return err
			}
			_ = stream.Send(&ordersv1.UploadOrdersRequest{Line: 1, Order: &ordersv1.CreateOrderRequest{Items: item}})
			_, err = stream.CloseAndRecv()
			return err
		},
		"bidi TrackOrder": func(ctx context.Context, c ordersv1.OrderManagementServiceClient) error {
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			stream, err := c.TrackOrder(ctx)
			if err != nil {
				return err
			}
			_ = stream.Send(&ordersv1.TrackOrderRequest{Kind: &ordersv1.TrackOrderRequest_Start{Start: &ordersv1.StartTracking{OrderId: order}}})
			_ = stream.Send(&ordersv1.TrackOrderRequest{Kind: &ordersv1.TrackOrderRequest_Ping{Ping: &ordersv1.LocationPing{}}})
			_, err = stream.Recv() // the ping's answer, if the call was allowed
			return err
		},
	}
}

func TestTokens(t *testing.T) {
	s := startTLS(t)
	k := s.keys
	other := authtest.NewKeys(t)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	valid := k.Token(t, "alice", auth.ScopeWriteOrders)
	parts := strings.Split(valid, ".")
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sig[10] ^= 1
	flipped := parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)

	claims := func(edit func(*auth.Claims)) auth.Claims {
		c := authtest.Claims("alice", auth.ScopeWriteOrders)
		edit(&c)
		return c
	}
	withAlg := func(m jwt.SigningMethod, key any, kid string) string {
		tok := jwt.NewWithClaims(m, authtest.Claims("alice", auth.ScopeWriteOrders))
		tok.Header["kid"] = kid
		signed, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return signed
	}
	past := func(d time.Duration) *jwt.NumericDate { return jwt.NewNumericDate(time.Now().Add(-d)) }
	future := func(d time.Duration) *jwt.NumericDate { return jwt.NewNumericDate(time.Now().Add(d)) }

	const (
		noToken = "request does not contain an auth token"
		invalid = "invalid auth token"
		denied  = "permission denied"
	)
	tests := []struct {
		name   string
		header string
		code   codes.Code // for every method, unless byMethod says otherwise
		msg    string
		// byMethod overrides code for methods with another rule: tracking
		// needs no scope, only ownership of the order.
		byMethod map[string]codes.Code
	}{
		{name: "no header", header: "", code: codes.Unauthenticated, msg: noToken},
		{name: "wrong scheme", header: "Basic YWxpY2U6c2VjcmV0", code: codes.Unauthenticated, msg: invalid},
		{name: "empty bearer", header: "Bearer ", code: codes.Unauthenticated, msg: invalid},
		{name: "two segments", header: "Bearer " + parts[0] + "." + parts[1], code: codes.Unauthenticated, msg: invalid},
		{name: "four segments", header: "Bearer " + valid + ".AAAA", code: codes.Unauthenticated, msg: invalid},
		{name: "bad base64", header: "Bearer !!!.@@@.###", code: codes.Unauthenticated, msg: invalid},
		{name: "alg none", header: "Bearer " + withAlg(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, k.KeyID), code: codes.Unauthenticated, msg: invalid},
		{name: "HS256 keyed with the public key (key confusion)", header: "Bearer " + withAlg(jwt.SigningMethodHS256, []byte(k.Public), k.KeyID), code: codes.Unauthenticated, msg: invalid},
		{name: "algorithm not on the list (ES256)", header: "Bearer " + withAlg(jwt.SigningMethodES256, ecKey, k.KeyID), code: codes.Unauthenticated, msg: invalid},
		{name: "flipped signature bit", header: "Bearer " + flipped, code: codes.Unauthenticated, msg: invalid},
		{name: "another issuer's key under our kid", header: "Bearer " + (&authtest.Keys{Private: other.Private, KeyID: k.KeyID}).Sign(t, authtest.Claims("alice", auth.ScopeWriteOrders)), code: codes.Unauthenticated, msg: invalid},
		{name: "unknown kid", header: "Bearer " + other.Token(t, "alice", auth.ScopeWriteOrders), code: codes.Unauthenticated, msg: invalid},
		{name: "expired", header: "Bearer " + k.Sign(t, claims(func(c *auth.Claims) { c.ExpiresAt, c.IssuedAt = past(time.Hour), past(2*time.Hour) })), code: codes.Unauthenticated, msg: invalid},
		{name: "no exp", header: "Bearer " + k.Sign(t, claims(func(c *auth.Claims) { c.ExpiresAt = nil })), code: codes.Unauthenticated, msg: invalid},
		{name: "nbf in the future", header: "Bearer " + k.Sign(t, claims(func(c *auth.Claims) { c.NotBefore = future(time.Hour) })), code: codes.Unauthenticated, msg: invalid},
		{name: "iat in the future", header: "Bearer " + k.Sign(t, claims(func(c *auth.Claims) { c.IssuedAt = future(time.Hour) })), code: codes.Unauthenticated, msg: invalid},
		{name: "exp just past, within leeway", header: "Bearer " + k.Sign(t, claims(func(c *auth.Claims) { c.ExpiresAt = past(auth.Leeway / 3) })), code: codes.OK},
		{name: "exp past the leeway", header: "Bearer " + k.Sign(t, claims(func(c *auth.Claims) { c.ExpiresAt = past(2 * auth.Leeway) })), code: codes.Unauthenticated, msg: invalid},
		{name: "wrong iss", header: "Bearer " + k.Sign(t, claims(func(c *auth.Claims) { c.Issuer = "someone-else" })), code: codes.Unauthenticated, msg: invalid},
		{name: "missing iss", header: "Bearer " + k.Sign(t, claims(func(c *auth.Claims) { c.Issuer = "" })), code: codes.Unauthenticated, msg: invalid},
		{name: "wrong aud", header: "Bearer " + k.Sign(t, claims(func(c *auth.Claims) { c.Audience = jwt.ClaimStrings{"another-service"} })), code: codes.Unauthenticated, msg: invalid},
		{name: "missing aud", header: "Bearer " + k.Sign(t, claims(func(c *auth.Claims) { c.Audience = nil })), code: codes.Unauthenticated, msg: invalid},
		{name: "no subject", header: "Bearer " + k.Sign(t, claims(func(c *auth.Claims) { c.Subject = "" })), code: codes.Unauthenticated, msg: invalid},
		{name: "valid, without the scope", header: "Bearer " + k.Token(t, "alice"), code: codes.PermissionDenied, msg: denied,
			byMethod: map[string]codes.Code{"bidi TrackOrder": codes.OK}},
		{name: "valid, someone else's order", header: "Bearer " + k.Token(t, "bob", auth.ScopeWriteOrders), code: codes.OK,
			byMethod: map[string]codes.Code{"bidi TrackOrder": codes.NotFound}},
		{name: "valid", header: "Bearer " + valid, code: codes.OK},
		{name: "scheme is case-insensitive", header: "bearer " + valid, code: codes.OK},
	}
	for _, tt := range tests {
		for method, call := range methods(s.aliceOrder) {
			t.Run(tt.name+"/"+method, func(t *testing.T) {
				want := tt.code
				if c, ok := tt.byMethod[method]; ok {
					want = c
				}
				err := call(t.Context(), s.orders(tt.header))
				st := status.Convert(err)
				if st.Code() != want {
					t.Fatalf("code = %v (%q), want %v", st.Code(), st.Message(), want)
				}
				// The caller never learns why a token failed: one message for all.
				if want == codes.Unauthenticated && st.Message() != tt.msg {
					t.Errorf("message = %q, want %q", st.Message(), tt.msg)
				}
			})
		}
	}
	if !strings.Contains(s.logs.String(), `msg="rejected a token"`) || !strings.Contains(s.logs.String(), "reason=") {
		t.Error("the server did not log why it rejected tokens")
	}
}

// TestStreamWithoutTokenExchangesNothing: the stream interceptor refuses
// before the handler runs, so no message of the call is ever read.
func TestStreamWithoutTokenExchangesNothing(t *testing.T) {
	s := startTLS(t)
	c := s.orders("")
	stream, err := c.UploadOrders(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := stream.Send(&ordersv1.UploadOrdersRequest{Line: int32(i + 1), Order: &ordersv1.CreateOrderRequest{Items: item}}); err != nil {
			break
		}
	}
	if _, err := stream.CloseAndRecv(); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("upload without a token = %v, want Unauthenticated", err)
	}
	track, err := c.TrackOrder(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := track.Recv(); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("first Recv of tracking without a token = %v, %v; want Unauthenticated and no message", resp, err)
	}
	logs := s.logs.String()
	if strings.Contains(logs, "upload finished") || strings.Contains(logs, "upload ended early") || strings.Contains(logs, "tracking ended") {
		t.Errorf("a handler ran for an unauthenticated stream:\n%s", logs)
	}
}

func TestPublicMethodsNeedNoToken(t *testing.T) {
	s := startTLS(t)
	for header, want := range map[string]codes.Code{
		"":                                 codes.OK,
		s.bearer(s.keys.Token(t, "alice")): codes.OK,
		"Bearer not-a-jwt":                 codes.Unauthenticated, // sent, so checked
		s.bearer(authtest.NewKeys(t).Token(t, "mallory")): codes.Unauthenticated,
	} {
		_, err := catalogv1.NewProductCatalogServiceClient(withHeader{s.conn, header}).GetProduct(t.Context(), &catalogv1.GetProductRequest{Id: "product-123"})
		if status.Code(err) != want {
			t.Errorf("GetProduct with header %.20q: %v, want %v", header, err, want)
		}
	}
}

// TestPanicBecomesInternal: a handler panic is Internal with a generic
// message, the stack goes to the log, the access log has the call's line,
// and the server goes on serving.
func TestPanicBecomesInternal(t *testing.T) {
	s := startTLS(t)
	alice := s.orders(s.bearer(s.keys.Token(t, "alice")))
	_, err := alice.GetOrder(t.Context(), &ordersv1.GetOrderRequest{Id: "order-panic"})
	if st := status.Convert(err); st.Code() != codes.Internal || st.Message() != "internal error" {
		t.Fatalf("panicking call = %v, want Internal \"internal error\"", err)
	}
	stream, err := alice.TrackOrder(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	_ = stream.Send(&ordersv1.TrackOrderRequest{Kind: &ordersv1.TrackOrderRequest_Start{Start: &ordersv1.StartTracking{OrderId: "order-panic"}}})
	if _, err := stream.Recv(); status.Code(err) != codes.Internal {
		t.Fatalf("panicking stream = %v, want Internal", err)
	}
	if _, err := alice.GetOrder(t.Context(), &ordersv1.GetOrderRequest{Id: s.aliceOrder}); err != nil {
		t.Fatalf("the call after the panic failed: %v", err)
	}
	if !strings.Contains(s.logs.String(), "recovered from a panic") || !strings.Contains(s.logs.String(), "a bug in the store") {
		t.Errorf("the panic was not logged:\n%s", s.logs.String())
	}
	for _, method := range []string{"GetOrder", "TrackOrder"} {
		want := "msg=rpc method=/ecommerce.orders.v1.OrderManagementService/" + method + " code=Internal "
		if !strings.Contains(s.logs.String(), want) {
			t.Errorf("the access log lacks %q:\n%s", want, s.logs.String())
		}
	}
}

// TestEveryCallIsLogged: the logging interceptor sees refused calls too,
// because it runs outside authentication.
func TestEveryCallIsLogged(t *testing.T) {
	s := startTLS(t)
	_, _ = s.orders("").CreateOrder(t.Context(), &ordersv1.CreateOrderRequest{Items: item})
	want := `msg=rpc method=/ecommerce.orders.v1.OrderManagementService/CreateOrder code=Unauthenticated`
	if !strings.Contains(s.logs.String(), want) {
		t.Errorf("log lacks %q:\n%s", want, s.logs.String())
	}
}

// TestUnlistedMethodIsDenied uses a policy without GetProduct: a method the
// policy forgot must be refused, not let through.
func TestUnlistedMethodIsDenied(t *testing.T) {
	keys := authtest.NewKeys(t)
	policy := map[string]auth.Rule{}
	in := &auth.Interceptors{Verifier: keys.Verifier, Policy: policy, Log: slog.New(slog.DiscardHandler)}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(in.ServerOptions()...)
	catalogv1.RegisterProductCatalogServiceServer(srv, catalog.NewService(catalog.NewStore(catalog.SampleProducts(), 0), nil, nil))
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecureCreds()), grpc.WithPerRPCCredentials(authtest.Bearer(keys.Token(t, "alice"))))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, err = catalogv1.NewProductCatalogServiceClient(conn).GetProduct(t.Context(), &catalogv1.GetProductRequest{Id: "product-123"})
	if status.Code(err) != codes.PermissionDenied {
		t.Errorf("unlisted method = %v, want PermissionDenied", err)
	}
}

// TestPolicyCoversEveryMethod: every method the server registers has a
// rule, so the default-deny above never bites a real method by accident.
func TestPolicyCoversEveryMethod(t *testing.T) {
	for _, sd := range []grpc.ServiceDesc{catalogv1.ProductCatalogService_ServiceDesc, ordersv1.OrderManagementService_ServiceDesc} {
		for _, m := range sd.Methods {
			if _, ok := auth.Policy["/"+sd.ServiceName+"/"+m.MethodName]; !ok {
				t.Errorf("no policy for %s/%s", sd.ServiceName, m.MethodName)
			}
		}
		for _, m := range sd.Streams {
			if _, ok := auth.Policy["/"+sd.ServiceName+"/"+m.StreamName]; !ok {
				t.Errorf("no policy for %s/%s", sd.ServiceName, m.StreamName)
			}
		}
	}
}

func insecureCreds() credentials.TransportCredentials { return insecure.NewCredentials() }

// TestAStreamEndsWhenItsTokenExpires opens a tracker with a token that has
// two seconds left: the stream must end then with Unauthenticated, though
// the call was allowed when it began.
func TestAStreamEndsWhenItsTokenExpires(t *testing.T) {
	s := startTLS(t)
	c := authtest.Claims("alice")
	c.ExpiresAt = jwt.NewNumericDate(time.Now().Add(-auth.Leeway + 2*time.Second))
	alice := s.orders(s.bearer(s.keys.Sign(t, c)))
	stream, err := alice.TrackOrder(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	start := &ordersv1.TrackOrderRequest{Kind: &ordersv1.TrackOrderRequest_Start{Start: &ordersv1.StartTracking{OrderId: s.aliceOrder}}}
	ping := &ordersv1.TrackOrderRequest{Kind: &ordersv1.TrackOrderRequest_Ping{Ping: &ordersv1.LocationPing{}}}
	for _, req := range []*ordersv1.TrackOrderRequest{start, ping} {
		if err := stream.Send(req); err != nil {
			t.Fatal(err)
		}
	}
	if resp, err := stream.Recv(); err != nil || resp.GetAck() == nil {
		t.Fatalf("first answer = %v, %v; want the ping's ack: the token was still valid", resp, err)
	}
	_, err = stream.Recv()
	if st := status.Convert(err); st.Code() != codes.Unauthenticated || st.Message() != "invalid auth token" {
		t.Fatalf("stream after the token expired = %v, want Unauthenticated \"invalid auth token\"", err)
	}
}
