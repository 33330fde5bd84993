// The page's Connect clients. Both services are reached through the gateway
// that served the page (same origin), which forwards each call over its
// grpc-go connections to the catalog and orders services.
import { createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { ProductCatalogService } from "./gen/ecommerce/catalog/v1/catalog_pb";
import { OrderManagementService } from "./gen/ecommerce/orders/v1/orders_pb";

const tokenKey = "learn-grpc.token";

// The token lives in sessionStorage: it survives a reload, not the tab.
export function loadToken(): string {
  return sessionStorage.getItem(tokenKey) ?? "";
}

export function saveToken(token: string): void {
  if (token) {
    sessionStorage.setItem(tokenKey, token);
  } else {
    sessionStorage.removeItem(tokenKey);
  }
}

// bearer sends the token on calls to the orders service only: the catalog is
// public, and a credential goes nowhere it is not needed.
const bearer: Interceptor = (next) => async (req) => {
  const token = loadToken().trim();
  if (token && req.service.typeName === OrderManagementService.typeName) {
    req.header.set("Authorization", `Bearer ${token}`);
  }
  return next(req);
};

// The Connect protocol with JSON by default, readable in the browser's
// network panel; ?binary on the page's URL switches to the protobuf binary
// format. Unknown JSON fields are ignored, as the binary format ignores
// unknown fields, so a newer server's additions do not break this page.
const transport = createConnectTransport({
  baseUrl: location.origin,
  useBinaryFormat: new URLSearchParams(location.search).has("binary"),
  jsonOptions: { ignoreUnknownFields: true },
  interceptors: [bearer],
});

export const catalog = createClient(ProductCatalogService, transport);
export const orders = createClient(OrderManagementService, transport);
