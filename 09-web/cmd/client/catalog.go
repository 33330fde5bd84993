package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
)

func runGet(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cf := newFlagSet("get", "--id=ID", 5*time.Second, stderr)
	id := fs.String("id", "", "product `id`, for example product-123")
	if err := parse(fs, args); err != nil {
		return err
	}
	conn, ctx, done, err := cf.open(ctx)
	if err != nil {
		return err
	}
	defer done()
	resp, err := catalogv1.NewProductCatalogServiceClient(conn).GetProduct(ctx, &catalogv1.GetProductRequest{Id: *id})
	if err != nil {
		return report(stderr, "getting product", err)
	}
	p := resp.GetProduct()
	fmt.Fprintln(stdout, "Product Details:")
	fmt.Fprintf(stdout, "ID:    %s\n", p.GetId())
	fmt.Fprintf(stdout, "Name:  %s\n", p.GetName())
	fmt.Fprintf(stdout, "Price: %s\n", formatMoney(p.GetPrice()))
	return nil
}

func runSearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cf := newFlagSet("search", "--query=TEXT", 5*time.Second, stderr)
	query := fs.String("query", "", "`text` to look for in names and categories")
	if err := parse(fs, args); err != nil {
		return err
	}
	conn, ctx, done, err := cf.open(ctx)
	if err != nil {
		return err
	}
	defer done()
	resp, err := catalogv1.NewProductCatalogServiceClient(conn).SearchProducts(ctx, &catalogv1.SearchProductsRequest{Query: *query})
	if err != nil {
		return report(stderr, "searching products", err)
	}
	products := resp.GetProducts()
	noun := "products"
	if len(products) == 1 {
		noun = "product"
	}
	fmt.Fprintf(stdout, "Found %d %s matching %q\n", len(products), noun, *query)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	for _, p := range products {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", p.GetId(), p.GetName(), formatMoney(p.GetPrice()))
	}
	return tw.Flush()
}
