// One pooled admin connection per Kafka cluster and credentials, shared by every group that uses it,
// closed after a period without use. Calls are timed and failures counted for the operator's metrics.
import { createHash } from "node:crypto";
import { connectAdmin, type KafkaAdmin } from "./admin.ts";
import type { KafkaConnection } from "./connection.ts";
import { withSharedReads } from "./shared-reads.ts";

export type AdminCallObserver = (operation: string, seconds: number, failed: boolean) => void;

interface PooledAdmin {
  admin: Promise<KafkaAdmin>;
  lastUsed: number;
}

export function connectionKey(connection: KafkaConnection): string {
  return createHash("sha256").update(JSON.stringify(connection)).digest("hex").slice(0, 16);
}

export class AdminPool {
  readonly #pool = new Map<string, PooledAdmin>();
  readonly #idleMs: number;
  readonly #observe: AdminCallObserver;
  readonly #sweeper: NodeJS.Timeout;
  readonly #connect: (connection: KafkaConnection) => Promise<KafkaAdmin>;

  constructor(
    options: {
      idleMs?: number;
      observe?: AdminCallObserver;
      connect?: (connection: KafkaConnection) => Promise<KafkaAdmin>;
    } = {},
  ) {
    this.#idleMs = options.idleMs ?? 5 * 60_000;
    this.#observe = options.observe ?? (() => {});
    this.#connect = options.connect ?? (async (connection) => withSharedReads(await connectAdmin(connection)));
    this.#sweeper = setInterval(() => void this.#sweep(), Math.min(this.#idleMs, 60_000));
    this.#sweeper.unref();
  }

  /** Runs `call` with the cluster's admin; a failed connection is dropped so the next call reconnects. */
  async use<T>(connection: KafkaConnection, operation: string, call: (admin: KafkaAdmin) => Promise<T>): Promise<T> {
    const key = connectionKey(connection);
    let entry = this.#pool.get(key);
    if (!entry) {
      entry = { admin: this.#connect(connection), lastUsed: Date.now() };
      this.#pool.set(key, entry);
    }
    entry.lastUsed = Date.now();
    const started = performance.now();
    try {
      const result = await call(await entry.admin);
      this.#observe(operation, (performance.now() - started) / 1000, false);
      return result;
    } catch (error) {
      this.#observe(operation, (performance.now() - started) / 1000, true);
      this.#pool.delete(key);
      void entry.admin.then((admin) => admin.close()).catch(() => {});
      throw error;
    }
  }

  async #sweep(): Promise<void> {
    const now = Date.now();
    for (const [key, entry] of this.#pool) {
      if (now - entry.lastUsed < this.#idleMs) continue;
      this.#pool.delete(key);
      await entry.admin.then((admin) => admin.close()).catch(() => {});
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    const entries = [...this.#pool.values()];
    this.#pool.clear();
    await Promise.all(entries.map((e) => e.admin.then((admin) => admin.close()).catch(() => {})));
  }
}
