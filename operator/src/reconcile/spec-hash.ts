// A stable hash of an object's desired content. Stored as an annotation on what we apply, it lets a
// reconcile skip a write when nothing changed, and rolls pods when the runtime config changes.
import { createHash } from "node:crypto";

export const SPEC_HASH_ANNOTATION = "lagpilot.dev/spec-hash";
export const CONFIG_HASH_ANNOTATION = "lagpilot.dev/config-hash";
/** On the Pod template: a hash of the referenced Secrets' values, so a rotated password or certificate rolls the Pods. */
export const SECRETS_HASH_ANNOTATION = "lagpilot.dev/secrets-hash";

/** The order String.prototype.localeCompare sorts in (the hashes on existing objects depend on it), made once. */
const keyOrder = new Intl.Collator();

/** JSON with object keys sorted, so equal content always hashes equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>).sort(([a], [b]) => keyOrder.compare(a, b)),
      );
    }
    return v;
  });
}

export function contentHash(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex").slice(0, 16);
}
