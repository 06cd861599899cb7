import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { Alert, Button, ErrorAlert, Loading, PageHeader } from "../../components/ui";
import { useTRPC } from "../../lib/trpc";
import { StatusBadge } from "../jobs/progress";
import { formatDuration } from "./format";

/** Sets of recordings with the same name and duration; remove the extra copies of the chosen sets. */
export function DuplicatesPage() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const dups = useQuery(trpc.recordings.duplicates.queryOptions({}));
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [keep, setKeep] = useState<"oldest" | "newest">("oldest");
  const remove = useMutation(
    trpc.recordings.removeDuplicates.mutationOptions({
      onSuccess: async () => {
        setSelected(new Set());
        await qc.invalidateQueries({ queryKey: trpc.recordings.pathKey() });
      },
    }),
  );
  const sets = dups.data?.sets ?? [];
  const toggle = (name: string) => {
    const next = new Set(selected);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    setSelected(next);
  };
  const extra = sets.filter((s) => selected.has(s.name)).reduce((n, s) => n + s.recordings.length - 1, 0);
  return (
    <div className="stack">
      <PageHeader
        title="Duplicate recordings"
        description="Recordings with the same name and duration in this group. Keep one of each set and remove the rest."
        actions={<Link to="/recordings">Back to recordings</Link>}
      />
      {dups.isPending ? <Loading /> : null}
      <ErrorAlert error={dups.error} />
      <ErrorAlert error={remove.error} />
      {remove.data ? <Alert kind="success">Removed {remove.data.removed} duplicate recordings.</Alert> : null}
      {dups.data && sets.length === 0 ? <p className="muted">No duplicates found.</p> : null}
      {sets.length > 0 ? (
        <>
          <div className="row">
            <label className="spectro-ctl">
              Keep the
              <select value={keep} onChange={(e) => setKeep(e.target.value as "oldest" | "newest")}>
                <option value="oldest">oldest</option>
                <option value="newest">newest</option>
              </select>
              of each set
            </label>
            <Button size="sm" onClick={() => setSelected(new Set(sets.map((s) => s.name)))}>
              Select all
            </Button>
            <Button
              variant="danger"
              disabled={selected.size === 0}
              busy={remove.isPending}
              onClick={() => {
                if (window.confirm(`Remove ${extra} duplicate recordings (with their segments and files)?`))
                  remove.mutate({ keep, names: [...selected] });
              }}
            >
              Remove selected duplicates ({extra})
            </Button>
          </div>
          {sets.map((s) => (
            <section className="card" key={`${s.name}|${s.duration}`} aria-label={`Duplicates of ${s.name}`}>
              <label className="checkbox">
                <input type="checkbox" checked={selected.has(s.name)} onChange={() => toggle(s.name)} />
                <strong>{s.name}</strong> · {formatDuration(s.duration)} · {s.recordings.length} copies
              </label>
              <table className="table">
                <tbody>
                  {s.recordings.map((r, i) => {
                    const kept = keep === "oldest" ? i === 0 : i === s.recordings.length - 1;
                    return (
                      <tr key={r.id}>
                        <td>
                          <Link to={`/recordings/${r.id}`}>{r.name}</Link>
                        </td>
                        <td>{r.projectName ?? "—"}</td>
                        <td className="small">{new Date(r.createdAt).toLocaleString()}</td>
                        <td>
                          <StatusBadge status={r.processingStatus} error={r.processingError} />
                        </td>
                        <td className="small">
                          {selected.has(s.name) ? (
                            kept ? (
                              "kept"
                            ) : (
                              <span className="field-error">removed</span>
                            )
                          ) : (
                            ""
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </section>
          ))}
        </>
      ) : null}
    </div>
  );
}
