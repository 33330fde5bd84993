// Errors are shown from their google.rpc details, not parsed from messages: a
// BadRequest names each field at fault, and its text goes next to that input.
import { Code, ConnectError } from "@connectrpc/connect";
import {
  BadRequestSchema,
  ErrorInfoSchema,
  QuotaFailureSchema,
  ResourceInfoSchema,
  RetryInfoSchema,
} from "./gen/google/rpc/error_details_pb";

export interface FieldViolation {
  field: string;
  description: string;
}

// isCanceled tells the end of a call this page asked for (an abort).
export function isCanceled(err: unknown): boolean {
  return ConnectError.from(err).code === Code.Canceled;
}

// violations are the fields a BadRequest detail names, in its order.
export function violations(err: ConnectError): FieldViolation[] {
  return err.findDetails(BadRequestSchema).flatMap((br) => br.fieldViolations);
}

// summary is one line for a person: the code, the message, and what the
// other details add (the reason, the quota, the resource).
export function summary(err: ConnectError): string {
  const parts = [`${Code[err.code]}: ${err.rawMessage}`];
  for (const info of err.findDetails(ErrorInfoSchema)) {
    parts.push(`reason ${info.reason}`);
  }
  for (const q of err.findDetails(QuotaFailureSchema)) {
    parts.push(...q.violations.map((v) => `quota ${v.subject}`));
  }
  for (const r of err.findDetails(ResourceInfoSchema)) {
    parts.push(`${r.resourceType} ${r.resourceName}`);
  }
  const delay = retryDelayMs(err);
  if (delay !== undefined) {
    parts.push(`retry after ${delay} ms`);
  }
  return parts.join("; ");
}

// retryDelayMs is how long a RetryInfo detail asks the caller to wait.
export function retryDelayMs(err: ConnectError): number | undefined {
  const d = err.findDetails(RetryInfoSchema)[0]?.retryDelay;
  return d ? Number(d.seconds) * 1000 + Math.round(d.nanos / 1e6) : undefined;
}

// clearErrors empties every error element in root and marks no input invalid.
export function clearErrors(root: HTMLElement, alert: HTMLElement): void {
  alert.textContent = "";
  for (const el of root.querySelectorAll<HTMLElement>("[data-field-error]")) {
    el.textContent = "";
    inputFor(root, el)?.removeAttribute("aria-invalid");
  }
}

// showError shows err in root: each BadRequest violation next to the input
// for its field, the rest in alert. local adds violations found before any
// call was made.
export function showError(root: HTMLElement, alert: HTMLElement, err: ConnectError, local: FieldViolation[] = []): void {
  showViolations(root, alert, summary(err), [...violations(err), ...local]);
}

// showViolations puts each violation in the element whose data-field-error
// is the field's path, and marks its input invalid; a violation of a field
// that root has no element for is added to alert, under the headline.
export function showViolations(root: HTMLElement, alert: HTMLElement, headline: string, list: FieldViolation[]): void {
  clearErrors(root, alert);
  const lines = [headline];
  for (const v of list) {
    const el = fieldError(root, v.field);
    if (el) {
      el.textContent = el.textContent ? `${el.textContent} ${v.description}` : v.description;
      inputFor(root, el)?.setAttribute("aria-invalid", "true");
    } else {
      lines.push(`${v.field}: ${v.description}`);
    }
  }
  alert.textContent = lines.join("\n");
}

// fieldError finds the element for a field by comparing the attribute, so
// paths with brackets need no selector escaping.
function fieldError(root: HTMLElement, field: string): HTMLElement | undefined {
  return [...root.querySelectorAll<HTMLElement>("[data-field-error]")].find((el) => el.dataset.fieldError === field);
}

// inputFor is the input that names the error element in aria-describedby.
function inputFor(root: HTMLElement, errorEl: HTMLElement): HTMLElement | undefined {
  if (!errorEl.id) {
    return undefined;
  }
  return [...root.querySelectorAll<HTMLElement>("[aria-describedby]")].find((el) =>
    el.getAttribute("aria-describedby")!.split(/\s+/).includes(errorEl.id),
  );
}

// retryable tells a failure that may pass if the same call is made again:
// the server or the network, not the request. A quota used up counts only
// when the server says when to come back.
export function retryable(err: ConnectError): boolean {
  switch (err.code) {
    case Code.Unavailable:
    case Code.DeadlineExceeded:
    case Code.Aborted:
    case Code.Unknown: // fetch failed: the network dropped, the gateway restarted
      return true;
    case Code.ResourceExhausted:
      return retryDelayMs(err) !== undefined;
    default:
      return false;
  }
}
