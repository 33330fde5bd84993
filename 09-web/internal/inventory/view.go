package inventory

// Level returns this replica's view of a product's level.
func (s *Stock) Level(id string) (Level, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.levels[id]
	return l, ok
}

// ProductIDs lists the products the view holds, in no particular order.
func (s *Stock) ProductIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.levels))
	for id := range s.levels {
		ids = append(ids, id)
	}
	return ids
}

// publish puts committed levels in the view and tells their watchers. A
// level older than the one in the view (a change this replica made, read
// again from the feed) is dropped, so a watcher never sees a level go back.
// It leaves the feed position alone: a change made here may have committed
// after one made elsewhere that the feed has not brought yet.
func (s *Stock) publish(levels ...Level) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.publishLocked(levels)
}

func (s *Stock) publishLocked(levels []Level) {
	for _, l := range levels {
		if old, ok := s.levels[l.ProductID]; ok && old.seq >= l.seq {
			continue
		}
		s.levels[l.ProductID] = l
		for sub := range s.subs[l.ProductID] {
			sub.offer(l)
		}
	}
}

// Subscribe starts watching ids. The subscription is ready at once with the
// current level of each. All ids must exist; if one does not, nothing is
// subscribed and the error names it.
func (s *Stock) Subscribe(ids []string) (*Subscription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		if _, ok := s.levels[id]; !ok {
			return nil, &UnknownProductError{ID: id}
		}
	}
	sub := newSubscription(s, ids)
	if s.closed {
		sub.end()
		return sub, nil
	}
	for _, id := range ids {
		if s.subs[id] == nil {
			s.subs[id] = map[*Subscription]struct{}{}
		}
		s.subs[id][sub] = struct{}{}
		sub.offer(s.levels[id])
	}
	return sub, nil
}

// Watchers returns how many subscriptions watch product id. Tests use it to
// see a subscription go away.
func (s *Stock) Watchers(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.subs[id])
}

// Close ends every subscription (their Done channels close) and refuses new
// ones, so that open streams end when the server stops instead of holding
// its graceful shutdown open. The store stays open: its owner closes it.
func (s *Stock) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for id, subs := range s.subs {
		for sub := range subs {
			sub.end()
		}
		delete(s.subs, id)
	}
}

func (s *Stock) unsubscribe(sub *Subscription) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range sub.ids {
		delete(s.subs[id], sub)
		if len(s.subs[id]) == 0 {
			delete(s.subs, id)
		}
	}
}
