import { Link } from "react-router";
import type { RouterOutputs } from "../../lib/trpc";
import { jobSubject } from "./subject-link";

/** A job's subject as the Jobs page and the dashboard show it (see jobSubject); `empty` when it has none. */
export function JobSubject({
  job,
  empty = null,
}: {
  job: RouterOutputs["jobs"]["list"][number];
  empty?: string | null;
}) {
  const s = jobSubject(job);
  if (!s) return empty;
  return s.to ? <Link to={s.to}>{s.label}</Link> : <span className="muted">{s.label}</span>;
}
