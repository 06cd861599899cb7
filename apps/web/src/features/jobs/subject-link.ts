// Where a job's subject lives in the SPA (the Jobs page and the dashboard's recent activity link to it).
import type { RouterOutputs } from "../../lib/trpc";

type Job = RouterOutputs["jobs"]["list"][number];

/**
 * How a job's subject is shown: a link to where it lives in the SPA, labelled with its name when the server knows it;
 * no link once it was deleted (its page would only say "not found"), or when the SPA has no page for it.
 */
export function jobSubject(j: Job): { to: string | null; label: string } | null {
  const place = subjectPlace(j);
  if (!place) return j.subject?.name ? { to: null, label: j.subject.name } : null;
  if (j.subject?.exists === false) return { to: null, label: `${place.label} (deleted)` };
  return { to: place.to, label: j.subject?.name ?? place.label };
}

function subjectPlace(j: Job): { to: string; label: string } | null {
  if (!j.subjectType || !j.subjectId) return null;
  switch (j.subjectType) {
    case "recording":
      return { to: `/recordings/${j.subjectId}`, label: "recording" };
    case "project":
      return { to: `/projects/${j.subjectId}`, label: "project" };
    case "segmentation":
      return j.subject?.recordingId
        ? { to: `/recordings/${j.subject.recordingId}/segmentation?s=${j.subjectId}`, label: "segmentation" }
        : { to: "/segmentation", label: "segmentation" };
    case "upload":
      return { to: `/recordings/upload?report=${j.subjectId}`, label: "upload" };
    case "classificationRun":
      return { to: `/classification/runs/${j.subjectId}`, label: "classification run" };
    case "classifierTrainingJob":
      return { to: "/classification", label: "training" };
    case "taskBatch":
      return { to: `/tasks/batches/${j.subjectId}`, label: "task batch" };
    case "clusteringRun":
      return { to: `/clustering/runs/${j.subjectId}`, label: "clustering run" };
    default:
      return null;
  }
}
