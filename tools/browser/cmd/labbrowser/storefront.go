package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/chromedp/chromedp"
)

// shop runs the scenario in a new headless Chrome, one line per step.
func shop(ctx context.Context, opts []chromedp.ExecAllocatorOption, c config, out io.Writer) error {
	alloc, cancel := chromedp.NewExecAllocator(ctx, opts...)
	defer cancel()
	tab, cancel := chromedp.NewContext(alloc)
	defer cancel()
	p := &page{tab: tab, wait: c.wait}
	p.watchConsole()
	resp, err := chromedp.Run(tab, chromedp.NavigateResponse(c.url))
	switch {
	case err != nil:
		return fmt.Errorf("loading %s: %w", c.url, err)
	case resp != nil && resp.Status >= 400:
		return fmt.Errorf("loading %s: HTTP %d: does the gateway serve the page at /?", c.url, resp.Status)
	}
	total, err := poll[int](p, "product rows, each with its stock, in #products",
		`() => rows().length > 0 && rows().every(r => /\d/.test(text(r.querySelector('[data-stock]')))) && rows().length`)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "page loaded: %d products\n", total)

	stock, err := p.stock(c.product, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "stock of %s: %s\n", c.product, stock)
	fmt.Fprintf(out, "waiting for the stock of %s to change elsewhere\n", c.product)
	if stock, err = p.stock(c.product, stock); err != nil {
		return err
	}
	fmt.Fprintf(out, "stock of %s: %s\n", c.product, stock)

	found, err := p.search(c.search, total)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "search %q: %d products\n", c.search, found)
	if _, err := p.search("", total); err != nil {
		return err
	}

	status, err := p.order(c.product, "1", c.token)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "order placed from the page: %s\n", status)
	if stock, err = p.stock(c.product, stock); err != nil {
		return err
	}
	fmt.Fprintf(out, "stock of %s: %s\n", c.product, stock)
	if status, err = p.status("ORDER_STATUS_DELIVERED"); err != nil {
		return err
	}
	fmt.Fprintf(out, "status of the order on the page: %s\n", status)

	field, err := p.refused(c.product, strconv.Itoa(c.badQuantity), c.token)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "field error for a bad quantity: %s\n", field)

	if c.screenshot != "" {
		png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
		if err != nil {
			return fmt.Errorf("taking the screenshot: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(c.screenshot), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(c.screenshot, png, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(out, "screenshot: %s\n", filepath.ToSlash(c.screenshot))
	}
	return nil
}

// stock waits for the product's [data-stock] to show a number other than
// before, and returns it as the page shows it.
func (p *page) stock(id, before string) (string, error) {
	what := "the stock of " + id
	if before != "" {
		what = fmt.Sprintf("a change of %s's stock from %s", id, before)
	}
	return poll[string](p, what, `(id, before) => {
		const row = [...document.querySelectorAll('#products [data-product-id]')].find(r => r.dataset.productId === id);
		const t = text(row && row.querySelector('[data-stock]'));
		return /\d/.test(t) && t !== before && t;
	}`, id, before)
}

// search types into #search, submits its form as Enter would, and waits
// until the rows shown have settled on another count than before (all of
// them, for ""), and returns it.
func (p *page) search(q string, total int) (int, error) {
	if err := p.fill("#search", q); err != nil {
		return 0, err
	}
	if _, err := poll[bool](p, "submitting the search", `() => {
		const form = document.querySelector('#search').form;
		if (form) form.requestSubmit();
		return true;
	}`); err != nil {
		return 0, err
	}
	n, err := poll[string](p, fmt.Sprintf("the products found for %q", q), `(q, total) => {
		const n = rows().length, now = performance.now();
		if (n !== window.labRows) { window.labRows = n; window.labSince = now; return false; }
		return (q === '' ? n === total : n !== total) && now - window.labSince > 300 && String(n);
	}`, q, total)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(n)
}

// order fills the form and submits it, then waits for #order-status to show
// the new order's status, or for #order-error to say why there is none. It
// returns the status and the order's id (#order-id), if the page shows it.
func (p *page) order(product, quantity, token string) (string, error) {
	if err := p.submit(product, quantity, token); err != nil {
		return "", err
	}
	status, err := p.status("")
	if err != nil {
		return "", err
	}
	if id, err := p.text("#order-id"); err == nil && id != "" {
		status += " (" + id + ")"
	}
	return status, nil
}

// status waits for #order-status to show want, or any status for "", and
// returns it: its data-status, the enum's name, or else its text. An
// error the page shows in #order-error ends the wait.
func (p *page) status(want string) (string, error) {
	what := "an order's status in #order-status"
	if want != "" {
		what = want + " in #order-status"
	}
	v, err := poll[[]string](p, what, `want => {
		const el = document.querySelector('#order-status');
		const status = el ? el.dataset.status || text(el) : '';
		const error = text(document.querySelector('#order-error'));
		if (error) return ['', error];
		return status && (want === '' || status === want) && [status, ''];
	}`, want)
	switch {
	case err != nil:
		return "", err
	case v[1] != "":
		return "", fmt.Errorf("waiting for %s: the page shows the error %q", what, v[1])
	}
	return v[0], nil
}

// refused submits a quantity the server refuses, and returns the field
// error the page shows, as "FIELD: message".
func (p *page) refused(product, quantity, token string) (string, error) {
	if err := p.submit(product, quantity, token); err != nil {
		return "", err
	}
	return poll[string](p, "a [data-field-error] for quantity "+quantity, `() => {
		const el = [...document.querySelectorAll('[data-field-error]')].find(e => text(e) && e.checkVisibility());
		return el && el.dataset.fieldError + ': ' + text(el);
	}`)
}

// submit fills the order form and presses its button.
func (p *page) submit(product, quantity, token string) error {
	for _, f := range [][2]string{{"#order-product", product}, {"#order-quantity", quantity}, {"#order-token", token}} {
		if err := p.fill(f[0], f[1]); err != nil {
			return err
		}
	}
	return p.click("#order-submit")
}
