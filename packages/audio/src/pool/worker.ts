import { Piscina } from "piscina";
import { runTask } from "./run-task.ts";
import type { AudioTask } from "./tasks.ts";

/** Only a buffer the view spans entirely can be moved: a small Buffer shares Node's 8 KB pool slab. */
function ownsBuffer(v: ArrayBufferView): v is ArrayBufferView<ArrayBuffer> {
  return v.buffer instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength;
}

function moved<T>(value: T, buffer: ArrayBuffer): T {
  return Piscina.move({
    [Piscina.transferableSymbol]: [buffer],
    [Piscina.valueSymbol]: value,
  } as unknown as ArrayBuffer) as unknown as T;
}

/** Piscina worker: runs the task and moves big result buffers back instead of copying them. */
export default async function handle(task: AudioTask): Promise<unknown> {
  const result = await runTask(task);
  // Rendered images (PNG / BCSG bytes).
  if (result instanceof Uint8Array) return ownsBuffer(result) ? moved(result, result.buffer) : result;
  if (
    result &&
    typeof result === "object" &&
    "data" in result &&
    (result as { data: unknown }).data instanceof Float32Array
  ) {
    const data = (result as { data: Float32Array }).data;
    return moved(result, data.buffer as ArrayBuffer);
  }
  return result;
}
