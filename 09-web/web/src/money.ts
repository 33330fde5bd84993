// Money arrives as int64 units (a bigint: a JavaScript number holds integers
// exactly only up to 2^53) and int32 nanos. The amount is formatted from a
// decimal string built with bigint arithmetic, so no step rounds in binary.
import type { Money } from "./gen/ecommerce/common/v1/money_pb";

const nanosPerUnit = 1_000_000_000n;

// decimalString is the exact amount as a decimal: units 25, nanos 990000000
// is "25.99"; trailing zeros are dropped, a sign kept.
export function decimalString(units: bigint, nanos: number): string {
  const total = units * nanosPerUnit + BigInt(nanos);
  const negative = total < 0n;
  const abs = negative ? -total : total;
  const whole = abs / nanosPerUnit;
  const fraction = (abs % nanosPerUnit).toString().padStart(9, "0").replace(/0+$/, "");
  return (negative ? "-" : "") + whole.toString() + (fraction ? "." + fraction : "");
}

const formatters = new Map<string, Intl.NumberFormat>();

// formatMoney formats m in its currency, "$25.99". Intl formats a decimal
// string exactly (ECMA-402 reads it as a decimal, not a double); the
// currency's own digits are the minimum, and nanos are never rounded away.
export function formatMoney(m: Money | undefined): string {
  if (!m) {
    return "";
  }
  const amount = decimalString(m.units, m.nanos);
  let f = formatters.get(m.currencyCode);
  if (!f) {
    try {
      f = new Intl.NumberFormat("en-US", { style: "currency", currency: m.currencyCode, maximumFractionDigits: 9 });
    } catch {
      return `${amount} ${m.currencyCode}`; // not an ISO 4217 code Intl knows
    }
    formatters.set(m.currencyCode, f);
  }
  return f.format(amount as Intl.StringNumericLiteral);
}
