// The product list: ListProducts (or SearchProducts, for a query) finds the
// products, and one WatchProducts stream keeps their stock live until the page aborts it.
import { ConnectError } from "@connectrpc/connect";
import { catalog } from "./rpc";
import { formatMoney } from "./money";
import { isCanceled, retryable, retryDelayMs, showError, clearErrors, summary } from "./errors";
import { backoffMs, sleep } from "./sleep";
import type { Product } from "./gen/ecommerce/catalog/v1/catalog_pb";

// The catalog watches at most 50 products in one call (MaxWatchedProducts).
const maxWatched = 50;

export class ProductList {
  private readonly stock = new Map<string, number>(); // last level seen, per id
  private ids: string[] = [];
  private search?: AbortController;
  private watch?: AbortController;

  constructor(
    private readonly form: HTMLFormElement,
    private readonly rows: HTMLElement,
    private readonly status: HTMLElement,
    private readonly onProducts: (products: Product[]) => void,
  ) {}

  // show lists the products matching query, and watches their stock.
  async show(query: string): Promise<void> {
    this.search?.abort();
    this.pause();
    const search = new AbortController();
    this.search = search;
    clearErrors(this.form, this.status);
    try {
      const products = await find(query.trim(), search.signal);
      if (search.signal.aborted) {
        return; // a newer search has taken over
      }
      this.render(products);
      this.onProducts(products);
      this.resume();
    } catch (e) {
      if (!isCanceled(e)) {
        showError(this.form, this.status, ConnectError.from(e));
        this.resume(); // the list shown before stays live
      }
    }
  }

  // pause ends the stock watch: the catalog sees the call cancelled.
  pause(): void {
    this.watch?.abort();
    this.watch = undefined;
  }

  // resume starts the stock watch again, if there is anything to watch.
  resume(): void {
    if (this.watch || this.ids.length === 0 || document.visibilityState !== "visible") {
      return;
    }
    const watch = new AbortController();
    this.watch = watch;
    void this.follow(this.ids, watch.signal);
  }

  private render(products: Product[]): void {
    this.rows.replaceChildren(...products.map((p) => row(p, this.stock.get(p.id))));
    this.ids = products.slice(0, maxWatched).map((p) => p.id);
    this.status.textContent = products.length === 0 ? "No products match." : "";
    if (products.length > maxWatched) {
      this.status.textContent = `Live stock for the first ${maxWatched} products only.`;
    }
  }

  // follow reads the stream until signal aborts, calling again after a
  // failure that may pass; each new call starts with the current levels.
  private async follow(ids: string[], signal: AbortSignal): Promise<void> {
    for (let attempt = 0; !signal.aborted; ) {
      try {
        for await (const res of catalog.watchProducts({ productIds: ids }, { signal })) {
          attempt = 0;
          if (res.inventory) {
            this.setStock(res.inventory.productId, res.inventory.quantity);
          }
        }
      } catch (e) {
        if (signal.aborted || isCanceled(e)) {
          return;
        }
        const err = ConnectError.from(e);
        if (!retryable(err)) {
          showError(this.form, this.status, err);
          return;
        }
        const delay = retryDelayMs(err) ?? backoffMs(attempt++);
        this.status.textContent = `Live stock paused (${summary(err)}); trying again in ${Math.ceil(delay / 1000)} s.`;
        await sleep(delay, signal);
      }
    }
  }

  private setStock(id: string, quantity: number): void {
    this.stock.set(id, quantity);
    const cell = this.rows.querySelector<HTMLElement>(`[data-product-id="${CSS.escape(id)}"] [data-stock]`);
    if (cell) {
      cell.textContent = String(quantity);
      cell.closest("tr")?.classList.toggle("sold-out", quantity === 0);
    }
    if (this.status.textContent?.startsWith("Live stock paused")) {
      this.status.textContent = "";
    }
  }
}

// find is SearchProducts for query, or the catalog's first page when the
// search box is empty: as many products as one watch can follow.
async function find(query: string, signal: AbortSignal): Promise<Product[]> {
  if (query !== "") {
    return (await catalog.searchProducts({ query }, { signal })).products;
  }
  return (await catalog.listProducts({ pageSize: maxWatched }, { signal })).products;
}

// row is one product: its name and categories, price, and stock cell.
function row(p: Product, stock: number | undefined): HTMLTableRowElement {
  const tr = document.createElement("tr");
  tr.dataset.productId = p.id;
  const name = document.createElement("th");
  name.scope = "row";
  name.textContent = p.name;
  const categories = document.createElement("span");
  categories.className = "categories";
  categories.textContent = p.categories.join(", ");
  name.append(" ", categories);
  const price = document.createElement("td");
  price.textContent = formatMoney(p.price);
  const cell = document.createElement("td");
  cell.dataset.stock = "";
  cell.textContent = stock === undefined ? "" : String(stock);
  tr.classList.toggle("sold-out", stock === 0);
  tr.append(name, price, cell);
  return tr;
}
