package main

import (
	"google.golang.org/grpc"

	catalogv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/catalog/v1"
)

// streamDesc is a service written by hand, with the lab's messages, for two
// comparisons no lab RPC makes: a bidirectional stream that answers each
// GetProductRequest as unary would (GetProducts), and a server stream that
// sends one message and then holds, idle (Hold), to weigh an open stream.
var streamDesc = grpc.ServiceDesc{
	ServiceName: "bench.v1.Streams",
	HandlerType: (*any)(nil),
	Streams: []grpc.StreamDesc{
		{StreamName: "GetProducts", Handler: getProducts, ServerStreams: true, ClientStreams: true},
		{StreamName: "Hold", Handler: hold, ServerStreams: true},
	},
}

func getProducts(_ any, stream grpc.ServerStream) error {
	for {
		req := &catalogv1.GetProductRequest{}
		if err := stream.RecvMsg(req); err != nil {
			return nil // the client closed the stream, or left
		}
		resp, err := lookup(req.GetId())
		if err != nil {
			return err
		}
		if err := stream.SendMsg(resp); err != nil {
			return err
		}
	}
}

func hold(_ any, stream grpc.ServerStream) error {
	if err := stream.RecvMsg(&catalogv1.WatchProductsRequest{}); err != nil {
		return err
	}
	if err := stream.SendMsg(&catalogv1.WatchProductsResponse{}); err != nil {
		return err
	}
	<-stream.Context().Done()
	return nil
}
