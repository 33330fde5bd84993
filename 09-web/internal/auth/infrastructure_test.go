package auth_test

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/09-web/internal/auth/authtest"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
)

// TestInfrastructureIgnoresTokens sends a token to every method, as
// grpcurl's -H does: health and reflection answer whatever the token says,
// while a public API method still refuses a token it cannot verify.
func TestInfrastructureIgnoresTokens(t *testing.T) {
	s := startTLS(t)
	expired := authtest.Claims("alice")
	expired.IssuedAt = jwt.NewNumericDate(time.Now().Add(-2 * time.Hour))
	expired.ExpiresAt = jwt.NewNumericDate(time.Now().Add(-time.Hour))
	for _, tt := range []struct{ name, header string }{
		{name: "an expired token", header: s.bearer(s.keys.Sign(t, expired))},
		{name: "a garbage token", header: "Bearer not-a-jwt"},
		{name: "another scheme", header: "Basic YWxpY2U6c2VjcmV0"},
	} {
		conn := withHeader{s.conn, tt.header}
		t.Run("health answers with "+tt.name, func(t *testing.T) {
			resp, err := healthpb.NewHealthClient(conn).Check(t.Context(), &healthpb.HealthCheckRequest{})
			if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
				t.Errorf("health check = %v, %v; want SERVING", resp, err)
			}
		})
		t.Run("reflection answers with "+tt.name, func(t *testing.T) {
			stream, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = stream.CloseSend() }()
			if err := stream.Send(&reflectionpb.ServerReflectionRequest{
				MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}}); err != nil {
				t.Fatal(err)
			}
			resp, err := stream.Recv()
			if err != nil || len(resp.GetListServicesResponse().GetService()) == 0 {
				t.Errorf("list services = %v, %v; want the services", resp, err)
			}
		})
		t.Run("GetProduct refuses "+tt.name, func(t *testing.T) {
			_, err := catalogv1.NewProductCatalogServiceClient(conn).GetProduct(t.Context(),
				&catalogv1.GetProductRequest{Id: "product-123"})
			want := status.New(codes.Unauthenticated, "invalid auth token")
			if st := status.Convert(err); st.Code() != want.Code() || st.Message() != want.Message() {
				t.Errorf("GetProduct = %v, want %v", err, want.Err())
			}
		})
	}
}
