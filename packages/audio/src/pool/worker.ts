import { Piscina } from "piscina";
import { runTask } from "./run-task.ts";
import type { AudioTask } from "./tasks.ts";

/** Piscina worker: runs the task and moves big result buffers back instead of copying them. */
export default async function handle(task: AudioTask): Promise<unknown> {
  const result = await runTask(task);
  if (
    result &&
    typeof result === "object" &&
    "data" in result &&
    (result as { data: unknown }).data instanceof Float32Array
  ) {
    const data = (result as { data: Float32Array }).data;
    return Piscina.move({
      [Piscina.transferableSymbol]: [data.buffer],
      [Piscina.valueSymbol]: result,
    } as unknown as ArrayBuffer);
  }
  return result;
}
