// /metrics, /healthz and /readyz on one port.
import { createServer, type Server } from "node:http";
import type { Registry } from "prom-client";

export interface HealthSource {
  /** Null when healthy, else why not. */
  unhealthy(): string | null;
  /** Null when ready, else why not. */
  notReady(): string | null;
}

export function startServer(port: number, registry: Registry, health: HealthSource): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    const answer = (status: number, body: string, type = "text/plain; charset=utf-8") => {
      response.writeHead(status, { "content-type": type }).end(body);
    };
    if (path === "/metrics") {
      registry.metrics().then(
        (text) => answer(200, text, registry.contentType),
        (error: Error) => answer(500, `metrics failed: ${error.message}\n`),
      );
    } else if (path === "/healthz") {
      const problem = health.unhealthy();
      answer(problem ? 503 : 200, `${problem ?? "ok"}\n`);
    } else if (path === "/readyz") {
      const problem = health.notReady();
      answer(problem ? 503 : 200, `${problem ?? "ok"}\n`);
    } else {
      answer(404, "not found: try /metrics, /healthz or /readyz\n");
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => resolve(server));
  });
}

/**
 * Notices a stuck event loop: a timer that should tick every `periodMs` records when it last ran. A loop that
 * is blocked cannot answer probes at all; one that is merely starved answers, and this says so.
 */
export class LoopWatchdog {
  #lastTick: number;
  readonly #timer: NodeJS.Timeout;
  readonly #now: () => number;

  constructor(periodMs = 1000, now: () => number = Date.now) {
    this.#now = now;
    this.#lastTick = now();
    this.#timer = setInterval(() => {
      this.#lastTick = this.#now();
    }, periodMs).unref();
  }

  stalledForMs(): number {
    return this.#now() - this.#lastTick;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
