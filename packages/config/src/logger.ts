// A small leveled logger for the worker, CLI and scripts (the API uses Fastify's own logger).
// One line per message: `2026-01-01T00:00:00.000Z INFO  [worker] text {json}` for people, or
// with LOG_FORMAT=json (the default when NODE_ENV=production) one JSON object per line,
// `{"time":…,"level":"info","name":"worker","msg":…,"data":…}`, stacks included, for journalctl
// and log shippers. Under systemd (JOURNAL_STREAM set) each JSON line starts with the syslog
// priority (`<4>` = warning), which journald strips and records: `journalctl -p warning` works.
import type { LogLevel } from "./index.ts";

const ORDER: Record<LogLevel, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: 99,
};

export interface Logger {
  trace(msg: string, data?: unknown): void;
  debug(msg: string, data?: unknown): void;
  info(msg: string, data?: unknown): void;
  warn(msg: string, data?: unknown): void;
  error(msg: string, data?: unknown): void;
  child(name: string): Logger;
}

function format(data: unknown): string {
  if (data === undefined) return "";
  if (data instanceof Error) return ` ${data.stack ?? data.message}`;
  try {
    return ` ${JSON.stringify(data, (_k, v) => (v instanceof Error ? { message: v.message, stack: v.stack } : v))}`;
  } catch {
    return ` ${String(data)}`;
  }
}

const SYSLOG_PRIORITY: Record<Exclude<LogLevel, "silent">, number> = {
  fatal: 2,
  error: 3,
  warn: 4,
  info: 6,
  debug: 7,
  trace: 7,
};

function errorJson(_key: string, v: unknown) {
  return v instanceof Error ? { name: v.name, message: v.message, stack: v.stack } : v;
}

function jsonLine(lvl: Exclude<LogLevel, "silent">, name: string, msg: string, data: unknown): string {
  const record = {
    time: new Date().toISOString(),
    level: lvl,
    name,
    msg,
    ...(data === undefined ? {} : { data }),
  };
  let json: string;
  try {
    json = JSON.stringify(record, errorJson);
  } catch {
    json = JSON.stringify({ ...record, data: String(data) });
  }
  return `${process.env.JOURNAL_STREAM ? `<${SYSLOG_PRIORITY[lvl]}>` : ""}${json}\n`;
}

export function createLogger(
  name: string,
  level: LogLevel = (process.env.LOG_LEVEL as LogLevel) || "info",
): Logger {
  const min = ORDER[level] ?? ORDER.info;
  const json =
    (process.env.LOG_FORMAT || (process.env.NODE_ENV === "production" ? "json" : "text")) === "json";
  const emit = (lvl: Exclude<LogLevel, "silent">, msg: string, data?: unknown) => {
    if (ORDER[lvl] < min) return;
    const line = json
      ? jsonLine(lvl, name, msg, data)
      : `${new Date().toISOString()} ${lvl.toUpperCase().padEnd(5)} [${name}] ${msg}${format(data)}\n`;
    (ORDER[lvl] >= ORDER.warn ? process.stderr : process.stdout).write(line);
  };
  return {
    trace: (m, d) => emit("trace", m, d),
    debug: (m, d) => emit("debug", m, d),
    info: (m, d) => emit("info", m, d),
    warn: (m, d) => emit("warn", m, d),
    error: (m, d) => emit("error", m, d),
    child: (sub) => createLogger(`${name}:${sub}`, level),
  };
}
