// /metrics, /healthz and /readyz for the operator.
import { createServer, type Server } from "node:http";
import type { Registry } from "prom-client";

export interface HealthChecks {
  /** Liveness: the process can make progress. */
  healthy: () => boolean;
  /** Readiness: caches synced (a non-leader replica is ready too: it is a hot standby). */
  ready: () => boolean;
}

export function startHttpServer(port: number, registry: Registry, checks: HealthChecks): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/metrics") {
      registry
        .metrics()
        .then((body) => {
          res.writeHead(200, { "content-type": registry.contentType });
          res.end(body);
        })
        .catch((error: Error) => {
          res.writeHead(500);
          res.end(error.message);
        });
      return;
    }
    const check = path === "/healthz" ? checks.healthy : path === "/readyz" ? checks.ready : undefined;
    if (!check) {
      res.writeHead(404);
      res.end("not found\n");
      return;
    }
    const ok = check();
    res.writeHead(ok ? 200 : 503, { "content-type": "text/plain" });
    res.end(ok ? "ok\n" : "not ok\n");
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => resolve(server));
  });
}
