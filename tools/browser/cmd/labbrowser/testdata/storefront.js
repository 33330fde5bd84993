// The test storefront's script: served as a file of its own, since the page's
// Content-Security-Policy, like stage 09's, runs no inline script.
const products = [['product-123', 'The Rust Programming Language Book'], ['product-456', 'Wireless Mechanical Keyboard'],
  ['product-789', 'The Go Programming Language'], ['product-321', 'USB-C Hub']];
const table = document.querySelector('#products');
for (const [id, name] of products) {
  const tr = document.createElement('tr');
  tr.dataset.productId = id;
  const stock = document.createElement('td');
  stock.dataset.stock = '';
  tr.append(document.createElement('td'), stock);
  tr.firstChild.textContent = name;
  table.append(tr);
}
async function refresh() {
  const stock = await (await fetch('/stock')).json();
  for (const [id, n] of Object.entries(stock)) {
    table.querySelector(`[data-product-id="${id}"] [data-stock]`).textContent = n;
  }
  setTimeout(refresh, 50);
}
setTimeout(refresh, 200);
document.querySelector('#search-form').addEventListener('submit', e => {
  e.preventDefault();
  const q = document.querySelector('#search').value.toLowerCase();
  for (const tr of table.rows) tr.hidden = !tr.textContent.toLowerCase().includes(q);
});
// The statuses an order goes through, as WatchOrder sends them.
const statuses = ['PENDING', 'SHIPPED', 'IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED'];
function showStatus(i) {
  const out = document.querySelector('#order-status');
  out.dataset.status = 'ORDER_STATUS_' + statuses[i];
  out.textContent = statuses[i].toLowerCase().replaceAll('_', ' ');
  if (i + 1 < statuses.length) setTimeout(() => showStatus(i + 1), 300);
}
document.querySelector('#order-form').addEventListener('submit', async e => {
  e.preventDefault();
  const body = new URLSearchParams({product: document.querySelector('#order-product').value,
    quantity: document.querySelector('#order-quantity').value, token: document.querySelector('#order-token').value});
  const res = await (await fetch('/order', {method: 'POST', body})).json();
  document.querySelector('[data-field-error]').textContent = res.fieldError || '';
  document.querySelector('#order-error').textContent = res.error || '';
  if (res.id) {
    document.querySelector('#order-id').textContent = res.id;
    showStatus(0);
  }
});
