// One JSON object per line. A child logger carries fields (such as the object key) onto every line.
export type Level = "debug" | "info" | "warn" | "error";

const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export function createLogger(
  base: Record<string, unknown> = {},
  minLevel: Level = (process.env.LOG_LEVEL as Level | undefined) ?? "info",
  write: (line: string) => void = (line) => process.stdout.write(line),
): Logger {
  const emit = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (order[level] < (order[minLevel] ?? 20)) return;
    const record = { time: new Date().toISOString(), level, msg, ...base, ...fields };
    write(`${JSON.stringify(record, (_key, value) => (value instanceof Error ? value.message : value))}\n`);
  };
  return {
    debug: (msg, fields) => emit("debug", msg, fields),
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
    child: (fields) => createLogger({ ...base, ...fields }, minLevel, write),
  };
}
