package orders

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestEnoughTime(t *testing.T) {
	tests := []struct {
		name string
		left time.Duration // 0: no deadline
		want codes.Code
	}{
		{"a call without a deadline may start", 0, codes.OK},
		{"a call with time to spare may start", time.Minute, codes.OK},
		{"a call with less than MinTimeLeft fails at once", MinTimeLeft / 2, codes.DeadlineExceeded},
		{"a call past its deadline fails at once", -time.Second, codes.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.left != 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.left)
				defer cancel()
			}
			if got := status.Code(enoughTime(ctx)); got != tt.want {
				t.Errorf("enoughTime = %v, want %v", got, tt.want)
			}
		})
	}
}
