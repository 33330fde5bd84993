module github.com/learn-grpc/learn-grpc/shared

go 1.26.0
