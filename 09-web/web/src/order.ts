// The order form: CreateOrder with the token and a request_id, then the
// order's status from WatchOrder as it changes.
import { Code, ConnectError } from "@connectrpc/connect";
import { orders, loadToken, saveToken } from "./rpc";
import { formatMoney } from "./money";
import { clearErrors, isCanceled, retryable, retryDelayMs, showError, showViolations, summary } from "./errors";
import { backoffMs, sleep } from "./sleep";
import type { Product } from "./gen/ecommerce/catalog/v1/catalog_pb";
import { OrderStatus, OrderStatusSchema, type Order } from "./gen/ecommerce/orders/v1/orders_pb";

// How often one submit sends CreateOrder before it gives up. Every try
// carries the same request_id, so the order is placed, and stock taken, once.
const maxTries = 3;

// The deadline of one CreateOrder, sent as connect-timeout-ms.
const createTimeoutMs = 10_000;

const quantityField = "items[0].quantity";

export class OrderPanel {
  private readonly product: HTMLSelectElement;
  private readonly quantity: HTMLInputElement;
  private readonly token: HTMLInputElement;
  private readonly submit: HTMLButtonElement;
  private readonly error: HTMLElement;
  private orderId = "";
  private finished = false; // the order's watch ended with its last status
  private watch?: AbortController;

  constructor(
    private readonly form: HTMLFormElement,
    private readonly panel: HTMLElement,
  ) {
    this.product = form.querySelector("#order-product")!;
    this.quantity = form.querySelector("#order-quantity")!;
    this.token = form.querySelector("#order-token")!;
    this.submit = form.querySelector("#order-submit")!;
    this.error = form.querySelector("#order-error")!;
    this.token.value = loadToken();
    this.token.addEventListener("input", () => saveToken(this.token.value.trim()));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.place();
    });
  }

  // setProducts offers the listed products, keeping the one chosen if listed.
  setProducts(products: Product[]): void {
    const chosen = this.product.value;
    this.product.replaceChildren(
      ...products.map((p) => new Option(`${p.name} (${formatMoney(p.price)})`, p.id, false, p.id === chosen)),
    );
  }

  // place sends one order: a new request_id per submit, the same one for
  // each retry of that submit.
  private async place(): Promise<void> {
    clearErrors(this.form, this.error);
    const quantity = parseQuantity(this.quantity.value);
    if (quantity === undefined) {
      showViolations(this.form, this.error, "The quantity is not a whole number.", [
        { field: quantityField, description: "enter a whole number of units" },
      ]);
      return;
    }
    saveToken(this.token.value.trim());
    const request = { items: [{ productId: this.product.value, quantity }], requestId: crypto.randomUUID() };
    this.submit.disabled = true;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          const res = await orders.createOrder(request, { timeoutMs: createTimeoutMs });
          this.follow(res.order);
          return;
        } catch (e) {
          const err = ConnectError.from(e);
          if (!retryable(err) || attempt + 1 >= maxTries) {
            this.showError(err);
            return;
          }
          this.error.textContent = `${summary(err)}; sending again with request_id ${request.requestId}.`;
          await sleep(retryDelayMs(err) ?? backoffMs(attempt));
        }
      }
    } finally {
      this.submit.disabled = false;
    }
  }

  // follow shows the order just placed and watches its status.
  private follow(order: Order | undefined): void {
    if (!order) {
      return;
    }
    this.pause();
    this.orderId = order.id;
    this.finished = false;
    this.panel.hidden = false;
    this.panel.querySelector("#order-id")!.textContent = order.id;
    this.panel.querySelector("#order-total")!.textContent = formatMoney(order.total);
    this.setStatus(order.status);
    this.resume();
  }

  // pause ends the status watch: the orders service sees it cancelled.
  pause(): void {
    this.watch?.abort();
    this.watch = undefined;
  }

  // resume watches the order again, unless its last status has come.
  resume(): void {
    if (this.watch || !this.orderId || this.finished || document.visibilityState !== "visible") {
      return;
    }
    const watch = new AbortController();
    this.watch = watch;
    void this.watchStatus(this.orderId, watch.signal);
  }

  // watchStatus reads WatchOrder until it ends with OK (after DELIVERED) or
  // signal aborts; a new call after a failure starts with the status now.
  private async watchStatus(id: string, signal: AbortSignal): Promise<void> {
    for (let attempt = 0; !signal.aborted; ) {
      try {
        for await (const res of orders.watchOrder({ orderId: id }, { signal })) {
          attempt = 0;
          if (res.status) {
            this.setStatus(res.status.status);
          }
        }
        this.finished = true;
        return;
      } catch (e) {
        if (signal.aborted || isCanceled(e)) {
          return;
        }
        const err = ConnectError.from(e);
        if (!retryable(err)) {
          this.showError(err);
          return;
        }
        await sleep(retryDelayMs(err) ?? backoffMs(attempt++), signal);
      }
    }
  }

  // showError shows err; a refused token is also named next to its input,
  // though no BadRequest names it: the token is a header, not a field.
  private showError(err: ConnectError): void {
    const token =
      err.code === Code.Unauthenticated || err.code === Code.PermissionDenied
        ? [{ field: "token", description: err.rawMessage }]
        : [];
    showError(this.form, this.error, err, token);
  }

  // setStatus shows the status: its proto name in data-status, for programs,
  // and a readable text.
  private setStatus(status: OrderStatus): void {
    const out = this.panel.querySelector<HTMLElement>("#order-status")!;
    const value = OrderStatusSchema.value[status];
    out.dataset.status = value?.name ?? String(status);
    out.textContent = value ? value.localName.toLowerCase().replaceAll("_", " ") : `status ${status}`;
  }
}

// parseQuantity reads a whole number that fits an int32, or undefined. The
// range (at least 1, at most 10,000) is left to the server, whose BadRequest
// this page shows.
function parseQuantity(text: string): number | undefined {
  const t = text.trim();
  if (!/^[+-]?\d{1,10}$/.test(t)) {
    return undefined;
  }
  const n = Number(t);
  return n >= -(2 ** 31) && n < 2 ** 31 ? n : undefined;
}
