// Package catalog is the ProductCatalog service: an in-memory product store
// and the gRPC handlers that expose it.
package catalog

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
	commonv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/common/v1"
)

// ErrNotFound is returned by the store for an id it does not hold. The
// handlers turn it into codes.NotFound; the store itself knows nothing of gRPC.
var ErrNotFound = errors.New("product not found")

// Store holds the catalog in memory. It is filled once at start and only read
// afterwards, so concurrent handlers can share it without a lock.
type Store struct {
	products map[string]*catalogv1.Product
	latency  time.Duration
}

// NewStore returns a store holding copies of products. latency is added to
// every lookup to stand in for a real database, so that a learner can watch a
// deadline expire; zero means no delay.
func NewStore(products []*catalogv1.Product, latency time.Duration) *Store {
	s := &Store{products: make(map[string]*catalogv1.Product, len(products)), latency: latency}
	for _, p := range products {
		s.products[p.GetId()] = proto.CloneOf(p)
	}
	return s
}

// Get returns a copy of the product with the given id, ErrNotFound, or the
// context's error if the caller gave up first.
func (s *Store) Get(ctx context.Context, id string) (*catalogv1.Product, error) {
	if err := s.wait(ctx); err != nil {
		return nil, err
	}
	p, ok := s.products[id]
	if !ok {
		return nil, ErrNotFound
	}
	return proto.CloneOf(p), nil
}

// UnknownError names a product the store does not hold; it is ErrNotFound.
type UnknownError struct{ ID string }

func (e *UnknownError) Error() string        { return fmt.Sprintf("%v: %q", ErrNotFound, e.ID) }
func (e *UnknownError) Is(target error) bool { return target == ErrNotFound }

// Prices returns the unit price of each product of ids, after one storage
// delay for them all, or an UnknownError naming the first it does not hold.
func (s *Store) Prices(ctx context.Context, ids []string) (map[string]*commonv1.Money, error) {
	if err := s.wait(ctx); err != nil {
		return nil, err
	}
	prices := make(map[string]*commonv1.Money, len(ids))
	for _, id := range ids {
		p, ok := s.products[id]
		if !ok {
			return nil, &UnknownError{ID: id}
		}
		prices[id] = proto.CloneOf(p.GetPrice())
	}
	return prices, nil
}

// Search returns copies of the products whose name or a category contains
// query, ignoring case, ordered by id so that results are stable.
func (s *Store) Search(ctx context.Context, query string) ([]*catalogv1.Product, error) {
	if err := s.wait(ctx); err != nil {
		return nil, err
	}
	needle := strings.ToLower(query)
	var found []*catalogv1.Product
	for _, p := range s.products {
		if matches(p, needle) {
			found = append(found, proto.CloneOf(p))
		}
	}
	slices.SortFunc(found, func(a, b *catalogv1.Product) int { return cmp.Compare(a.GetId(), b.GetId()) })
	return found, nil
}

func matches(p *catalogv1.Product, lowerNeedle string) bool {
	if strings.Contains(strings.ToLower(p.GetName()), lowerNeedle) {
		return true
	}
	return slices.ContainsFunc(p.GetCategories(), func(c string) bool {
		return strings.Contains(strings.ToLower(c), lowerNeedle)
	})
}

// wait simulates the store's latency, and stops early when the caller's
// context ends: work for a caller who has gone away is wasted work.
func (s *Store) wait(ctx context.Context) error {
	if s.latency <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(s.latency)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
