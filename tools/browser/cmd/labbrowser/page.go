package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/chromedp"
)

// page drives the storefront through the DOM contract of stage 09's README:
// #products rows with data-product-id, each with a [data-stock]; #search;
// #order-form; #order-status; #order-error and [data-field-error=FIELD].
type page struct {
	tab  context.Context
	wait time.Duration

	mu      sync.Mutex
	console []string // the page's console errors, to explain a failure
}

// The page's functions, defined in the tab before each poll: rows lists the
// product rows a shopper sees, text reads an element's text, trimmed.
const helpers = `
const rows = () => [...document.querySelectorAll('#products [data-product-id]')].filter(r => r.checkVisibility());
const text = el => el ? el.textContent.replace(/\s+/g, ' ').trim() : '';
`

// poll waits, at most p.wait, until fn (a JavaScript function of args, with
// the helpers in scope) returns a truthy value, and returns it. It asks
// from Go every 50ms: chromedp's own Poll builds its predicate with new
// Function, which the storefront's Content-Security-Policy forbids, and
// DevTools' evaluate is exempt. The args go into the source as JSON.
func poll[T any](p *page, what, fn string, args ...any) (T, error) {
	var got struct{ V T }
	js, err := json.Marshal(append([]any{}, args...))
	if err != nil {
		return got.V, err
	}
	expr := "(() => {" + helpers + "const v = (" + fn + ")(..." + string(js) + "); return v ? {V: v} : null; })()"
	ctx, cancel := context.WithTimeout(p.tab, p.wait)
	defer cancel()
	for {
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr))
		switch {
		case ctx.Err() != nil && p.tab.Err() == nil:
			return got.V, fmt.Errorf("%s: not within %s%s", what, p.wait, p.consoleErrors())
		case err != nil:
			return got.V, fmt.Errorf("%s: %w%s", what, err, p.consoleErrors())
		case string(raw) != "null":
			if err := json.Unmarshal(raw, &got); err != nil {
				return got.V, fmt.Errorf("%s: %w", what, err)
			}
			return got.V, nil
		}
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// fill sets a field's value as typing would, firing input and change.
func (p *page) fill(sel, value string) error {
	_, err := poll[bool](p, "filling "+sel, `(sel, value) => {
		const el = document.querySelector(sel);
		if (!el) return false;
		el.value = value;
		el.dispatchEvent(new Event('input', {bubbles: true}));
		el.dispatchEvent(new Event('change', {bubbles: true}));
		return true;
	}`, sel, value)
	return err
}

// click presses a button with the mouse, as a shopper does.
func (p *page) click(sel string) error {
	ctx, cancel := context.WithTimeout(p.tab, p.wait)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible)); err != nil {
		return fmt.Errorf("clicking %s: %w%s", sel, err, p.consoleErrors())
	}
	return nil
}

// text returns the text of the element sel, or "" if there is none.
func (p *page) text(sel string) (string, error) {
	v, err := poll[[]string](p, "reading "+sel, `sel => [text(document.querySelector(sel))]`, sel)
	if err != nil {
		return "", err
	}
	return v[0], nil
}

// watchConsole keeps the page's console errors and uncaught exceptions.
func (p *page) watchConsole() {
	msgs := chromedp.Console(p.tab)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type == "error" || m.IsException() {
				p.mu.Lock()
				p.console = append(p.console, m.String())
				p.mu.Unlock()
			}
		}
	}()
}

// consoleErrors says what the page logged as errors, the last few.
func (p *page) consoleErrors() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.console) == 0 {
		return ""
	}
	last := p.console[max(0, len(p.console)-3):]
	return "; the page's console said:\n  " + strings.Join(last, "\n  ")
}
