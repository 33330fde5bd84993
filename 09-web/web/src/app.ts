// The storefront's entry point: it wires the list and the form to the page,
// and ends every watch while the page is hidden or left.
import { ProductList } from "./products";
import { OrderPanel } from "./order";

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) {
    throw new Error(`the page has no #${id}`);
  }
  return el as T;
}

const order = new OrderPanel(byId<HTMLFormElement>("order-form"), byId("order"));
const list = new ProductList(byId<HTMLFormElement>("search-form"), byId("products"), byId("products-status"), (p) =>
  order.setProducts(p),
);
const search = byId<HTMLInputElement>("search");

byId("search-form").addEventListener("submit", (e) => {
  e.preventDefault();
  clearTimeout(typing);
  void list.show(search.value);
});

// Typing searches once the typist pauses, not once per key.
let typing: ReturnType<typeof setTimeout> | undefined;
search.addEventListener("input", () => {
  clearTimeout(typing);
  typing = setTimeout(() => void list.show(search.value), 300);
});

// A hidden tab keeps no stream open: each abort reaches the server as a
// cancelled call, and its watcher is freed at once.
function pause(): void {
  list.pause();
  order.pause();
}

function resume(): void {
  list.resume();
  order.resume();
}

document.addEventListener("visibilitychange", () => (document.visibilityState === "visible" ? resume() : pause()));
window.addEventListener("pagehide", pause);
window.addEventListener("pageshow", (e) => e.persisted && resume());

void list.show(search.value);
