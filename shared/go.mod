module github.com/learn-grpc/learn-grpc/shared

go 1.26.0

tool github.com/learn-grpc/learn-grpc/shared/cmd/lab
