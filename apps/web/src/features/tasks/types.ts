import { useEffect, useState } from "react";
import type { RouterInputs, RouterOutputs } from "../../lib/trpc";

// Shapes come from the server's router (never re-declared here).
export type BatchSummary = RouterOutputs["tasks"]["listBatches"]["items"][number];
export type BatchDetail = RouterOutputs["tasks"]["getBatch"];
export type TaskRow = RouterOutputs["tasks"]["listTasks"]["items"][number];
export type AnnotationTask = RouterOutputs["tasks"]["nextTask"]["tasks"][number];
export type Agreement = RouterOutputs["tasks"]["agreement"];
export type BatchSource = RouterInputs["tasks"]["createBatch"]["source"];
export type OrderMode = NonNullable<RouterInputs["tasks"]["createBatch"]["orderMode"]>;
export type BatchStatusFilter = NonNullable<RouterInputs["tasks"]["listBatches"]["status"]>;

export const ORDER_MODES: { value: OrderMode; label: string }[] = [
  { value: "onset", label: "Time in recording" },
  { value: "confidence", label: "Least certain first (lowest confidence)" },
  { value: "entropy", label: "Most ambiguous first (highest entropy)" },
];

/** `value` once it has stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

/** Seconds with the exact stored value's useful precision (calls are milliseconds long). */
export function seconds(t: number): string {
  return `${t.toFixed(4)} s`;
}

/** The ZIP of the given batches, or of a project's completed batches. */
export function exportUrl(
  scope: { batchIds: string[] } | { projectId: string },
  format: "xlsx" | "csv",
): string {
  const q = new URLSearchParams(
    "projectId" in scope
      ? { projectId: scope.projectId, format }
      : { batchIds: scope.batchIds.join(","), format },
  );
  return `/api/task-batches/export.zip?${q}`;
}

export function batchCsvUrl(batchId: string): string {
  return `/api/task-batches/${encodeURIComponent(batchId)}/export.csv`;
}
