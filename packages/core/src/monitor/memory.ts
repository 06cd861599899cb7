// The worker's memory monitor. Long classification/clustering runs and h5wasm have grown a worker
// past 2 GB before; by the time the kernel's OOM killer acts, nothing is left to diagnose. So:
// sample RSS (the whole process: heap, worker threads, WASM memories, buffers) and heap; above
// the warning threshold log it, above the dump threshold write what we know to a file and alert.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import v8 from "node:v8";
import type { Logger } from "@battycoda/config/logger";
import type { CoreContext } from "../access/context.ts";
import { sendAdminAlert } from "../alerts/alerts.ts";
import { renderAlert } from "../alerts/template.ts";
import type { ActiveJob } from "./active-jobs.ts";
import { appVersion, hostName } from "./version.ts";

export type MemoryLevel = "ok" | "warn" | "dump";

export interface MemorySample {
  at: Date;
  level: MemoryLevel;
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
  /** Written by this sample (the first above the dump threshold, then at most once per redumpMs). */
  dumpFile?: string;
}

export interface MemoryMonitorOptions {
  warnBytes: number;
  dumpBytes: number;
  sampleMs: number;
  /** Where dumps go; when it cannot be created (no permission), fallbackDir. */
  logDir: string;
  fallbackDir?: string;
  role?: string;
  log: Pick<Logger, "info" | "warn" | "error">;
  activeJobs?: () => Promise<ActiveJob[]>;
  /** Called after a dump is written (the worker emails the site admins). */
  onDump?: (file: string, sample: MemorySample) => Promise<unknown>;
  /** While memory stays above the dump threshold, another dump only after this long (default 1 h). */
  redumpMs?: number;
  /** While it stays above the warning threshold, another warning after this long (default 10 min). */
  rewarnMs?: number;
  now?: () => Date;
}

const MB = 1024 * 1024;
const mb = (n: number) => `${Math.round(n / MB)} MB`;

export class MemoryMonitor {
  private timer: NodeJS.Timeout | undefined;
  private lastWarnAt = 0;
  private lastDumpAt = 0;
  private level: MemoryLevel = "ok";
  private checking: Promise<MemorySample> | undefined;

  constructor(private readonly options: MemoryMonitorOptions) {
    if (!(options.dumpBytes >= options.warnBytes))
      throw new Error("memory monitor: the dump threshold must not be below the warning threshold");
  }

  start(): this {
    this.timer ??= setInterval(() => {
      this.check().catch((err) => this.options.log.error("memory monitor failed", err));
    }, this.options.sampleMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Takes one sample and acts on it (concurrent calls share one). */
  check(): Promise<MemorySample> {
    this.checking ??= this.checkOnce().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async checkOnce(): Promise<MemorySample> {
    const o = this.options;
    const at = (o.now ?? (() => new Date()))();
    const mem = process.memoryUsage();
    const level: MemoryLevel = mem.rss >= o.dumpBytes ? "dump" : mem.rss >= o.warnBytes ? "warn" : "ok";
    const sample: MemorySample = {
      at,
      level,
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      heapTotalBytes: mem.heapTotal,
      externalBytes: mem.external,
      arrayBuffersBytes: mem.arrayBuffers,
    };
    const t = at.getTime();
    const summary = `RSS ${mb(mem.rss)}, heap ${mb(mem.heapUsed)} of ${mb(mem.heapTotal)}`;
    if (level === "ok") {
      if (this.level !== "ok") o.log.info(`memory back to normal: ${summary}`);
      this.lastWarnAt = 0;
      this.lastDumpAt = 0;
    } else if (this.level === "ok" || t - this.lastWarnAt >= (o.rewarnMs ?? 600_000)) {
      o.log.warn(`memory high: ${summary} (warning at ${mb(o.warnBytes)}, dump at ${mb(o.dumpBytes)})`);
      this.lastWarnAt = t;
    }
    if (level === "dump" && (this.lastDumpAt === 0 || t - this.lastDumpAt >= (o.redumpMs ?? 3_600_000))) {
      this.lastDumpAt = t;
      sample.dumpFile = await this.writeDump(sample);
      o.log.warn(`memory dump written to ${sample.dumpFile}`);
      if (o.onDump) await o.onDump(sample.dumpFile, sample);
    }
    this.level = level;
    return sample;
  }

  private async writeDump(sample: MemorySample): Promise<string> {
    const o = this.options;
    const dump = {
      createdAt: sample.at.toISOString(),
      reason: { rssBytes: sample.rssBytes, warnBytes: o.warnBytes, dumpBytes: o.dumpBytes },
      process: {
        role: o.role ?? "worker",
        host: hostName(),
        pid: process.pid,
        ppid: process.ppid,
        version: appVersion(),
        node: process.version,
        uptimeSeconds: Math.round(process.uptime()),
        argv: process.argv,
        execArgv: process.execArgv,
        cwd: process.cwd(),
        resourceUsage: process.resourceUsage(),
        cpuUsage: process.cpuUsage(),
      },
      memoryUsage: process.memoryUsage(),
      heapStatistics: v8.getHeapStatistics(),
      heapSpaces: v8.getHeapSpaceStatistics(),
      activeJobs: o.activeJobs ? await o.activeJobs().catch((err: Error) => ({ error: err.message })) : [],
      system: {
        totalmem: os.totalmem(),
        freemem: os.freemem(),
        loadavg: os.loadavg(),
        cpus: os.cpus().length,
      },
    };
    const name = `memory-${o.role ?? "worker"}-${hostName()}-${process.pid}-${sample.at.toISOString().replace(/[:.]/g, "-")}.json`;
    const dir = await this.writableDir();
    const file = path.join(dir, name);
    await fs.writeFile(`${file}.tmp`, `${JSON.stringify(dump, null, 2)}\n`);
    await fs.rename(`${file}.tmp`, file);
    return file;
  }

  private async writableDir(): Promise<string> {
    const { logDir, fallbackDir } = this.options;
    try {
      await fs.mkdir(logDir, { recursive: true });
      await fs.access(logDir, fs.constants.W_OK);
      return logDir;
    } catch (err) {
      if (!fallbackDir) throw err;
      this.options.log.warn(
        `cannot write to ${logDir} (${(err as Error).message}); dumping to ${fallbackDir}`,
      );
      await fs.mkdir(fallbackDir, { recursive: true });
      return fallbackDir;
    }
  }
}

/**
 * The worker's monitor from the configuration (MEMORY_* and LOG_DIR): a dump emails the site
 * admins directly (not through the queue this worker may be too sick to serve), once an hour.
 */
export function createMemoryMonitor(
  ctx: Pick<CoreContext, "db" | "boss" | "config">,
  options: Pick<MemoryMonitorOptions, "log" | "activeJobs" | "role" | "now">,
): MemoryMonitor {
  const { config } = ctx;
  const role = options.role ?? "worker";
  return new MemoryMonitor({
    ...options,
    warnBytes: config.memoryMonitor.warnBytes,
    dumpBytes: config.memoryMonitor.dumpBytes,
    sampleMs: config.memoryMonitor.sampleSeconds * 1000,
    logDir: config.logDir,
    fallbackDir: path.join(config.dataDir, "logs"),
    onDump: (file, sample) => {
      const host = hostName();
      const body = renderAlert({
        title: `BattyCoda ${role} on ${host} is using ${mb(sample.rssBytes)} of memory`,
        summary: `The ${role} process crossed the memory dump threshold (${mb(config.memoryMonitor.dumpBytes)}) and wrote a dump of its heap statistics and running jobs.`,
        facts: [
          ["Host", host],
          ["Process", `${role} pid ${process.pid}, version ${appVersion()}`],
          ["RSS", mb(sample.rssBytes)],
          ["Heap", `${mb(sample.heapUsedBytes)} used of ${mb(sample.heapTotalBytes)}`],
          ["Dump", file],
        ],
        action:
          "If it keeps growing, restart the worker (systemctl restart battycoda-worker) and send the dump with a bug report.",
      });
      return sendAdminAlert(ctx, {
        key: `memory:${host}:${role}`,
        periodMs: 3_600_000,
        subject: `Memory high on ${host} (${role}: ${mb(sample.rssBytes)})`,
        text: body.text,
        html: body.html,
        value: { rssBytes: sample.rssBytes, heapUsedBytes: sample.heapUsedBytes, dumpFile: file },
        delivery: "direct",
      }).catch((err) => options.log.error("memory alert could not be sent", err));
    },
  });
}
