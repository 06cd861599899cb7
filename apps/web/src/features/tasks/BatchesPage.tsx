import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useSearchParams } from "react-router";
import { Button, ErrorAlert, formatDate, Loading, PageHeader } from "../../components/ui";
import { useUser } from "../../lib/session";
import { useTRPC } from "../../lib/trpc";
import { ProgressBar, StatusBadge } from "../jobs/progress";
import { CreateBatchDialog } from "./CreateBatchDialog";
import { type BatchStatusFilter, type BatchSummary, exportUrl } from "./types";
import "./tasks.css";
import { SpeciesOptions } from "../../components/SpeciesOptions";

const STATUSES: { value: BatchStatusFilter | ""; label: string }[] = [
  { value: "", label: "Any status" },
  { value: "open", label: "Open (calls left)" },
  { value: "done", label: "Done" },
  { value: "creating", label: "Being created" },
  { value: "failed", label: "Failed" },
];

/** `/tasks` — the group's task batches, filtered by project / species / status (kept in the URL). */
export function BatchesPage() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const projectId = params.get("project") ?? "";
  const speciesId = params.get("species") ?? "";
  const status = (params.get("status") ?? "") as BatchStatusFilter | "";
  const createFromRun = params.get("fromRun");
  const creating = params.get("create") === "1" || createFromRun !== null;
  const set = (k: string, v: string | null) =>
    setParams(
      (p) => {
        const n = new URLSearchParams(p);
        if (v) n.set(k, v);
        else n.delete(k);
        return n;
      },
      { replace: true },
    );

  const projects = useQuery(trpc.projects.list.queryOptions());
  const species = useQuery(trpc.species.list.queryOptions());
  const input = {
    ...(projectId ? { projectId } : {}),
    ...(speciesId ? { speciesId } : {}),
    ...(status ? { status } : {}),
    limit: 50,
  };
  const list = useInfiniteQuery(
    trpc.tasks.listBatches.infiniteQueryOptions(input, {
      getNextPageParam: (last) => last.nextCursor ?? undefined,
      refetchInterval: (q) =>
        q.state.data?.pages.some((pg) => pg.items.some((b) => b.status === "creating")) ? 1500 : false,
    }),
  );
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  const doneIds = rows
    .filter((b) => b.taskCount > 0 && b.doneCount + b.skippedCount >= b.taskCount)
    .map((b) => b.id);
  const exportScope = projectId ? { projectId } : { batchIds: doneIds };

  return (
    <div className="stack">
      <PageHeader
        title="Tasks"
        description="Step 4 — review the classifier's guesses, call by call, with the keyboard."
        actions={
          <>
            {doneIds.length || projectId ? (
              <>
                <a className="btn" href={exportUrl(exportScope, "xlsx")} download>
                  Download completed{projectId ? " of the project" : ""} (.xlsx ZIP)
                </a>
                <a className="btn" href={exportUrl(exportScope, "csv")} download>
                  CSV
                </a>
              </>
            ) : null}
            <Button variant="primary" onClick={() => set("create", "1")}>
              Create task batch
            </Button>
          </>
        }
      />
      <section className="card row" aria-label="Filters">
        <label className="spectro-ctl">
          Project
          <select value={projectId} onChange={(e) => set("project", e.target.value)}>
            <option value="">All projects</option>
            {projects.data?.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label className="spectro-ctl">
          Species
          <select value={speciesId} onChange={(e) => set("species", e.target.value)}>
            <option value="">All species</option>
            <SpeciesOptions species={species.data} />
          </select>
        </label>
        <label className="spectro-ctl">
          Status
          <select value={status} onChange={(e) => set("status", e.target.value)}>
            {STATUSES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
      </section>
      <section className="card table-wrap" aria-label="Task batches">
        {list.isPending ? <Loading /> : null}
        <ErrorAlert error={list.error} />
        {list.data && rows.length === 0 ? (
          <p className="muted">
            No task batches{projectId || speciesId || status ? " match these filters" : " yet"}. Create one
            from a classification run.
          </p>
        ) : null}
        {rows.length > 0 ? (
          <table className="table">
            <thead>
              <tr>
                <th>Batch</th>
                <th>Project</th>
                <th>Species</th>
                <th>Annotators</th>
                <th style={{ minWidth: "14rem" }}>Progress</th>
                <th>Created</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((b) => (
                <BatchRow key={b.id} b={b} />
              ))}
            </tbody>
          </table>
        ) : null}
        {list.hasNextPage ? (
          <Button busy={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
            Load more
          </Button>
        ) : null}
      </section>
      {creating ? (
        <CreateBatchDialog
          initialRunId={createFromRun}
          onClose={() => {
            set("create", null);
            set("fromRun", null);
            void qc.invalidateQueries({ queryKey: trpc.tasks.listBatches.pathKey() });
          }}
          onCreated={(batchId) => {
            void qc.invalidateQueries({ queryKey: trpc.tasks.pathKey() });
            navigate(`/tasks/batches/${batchId}`);
          }}
        />
      ) : null}
    </div>
  );
}

function BatchRow({ b }: { b: BatchSummary }) {
  const me = useUser();
  const finished = b.doneCount + b.skippedCount;
  // Only the assignees label a blind batch.
  const mayAnnotate = !b.blind || b.assignees.some((a) => a.userId === me.id);
  return (
    <tr data-batch-id={b.id}>
      <td>
        <Link to={`/tasks/batches/${b.id}`}>{b.name}</Link>{" "}
        {b.blind ? <span className="badge badge-accent">blind</span> : null}
      </td>
      <td>{b.project?.name ?? "—"}</td>
      <td>{b.species ? <em>{b.species.name}</em> : "—"}</td>
      <td className="small">
        {b.assignees.length ? b.assignees.map((a) => a.username).join(", ") : "anyone"}
      </td>
      <td>
        {b.status === "creating" ? (
          <ProgressBar value={b.progress} label={`Creating ${b.name}`} detail="creating" />
        ) : b.status === "failed" ? (
          <StatusBadge status="failed" error={b.error} />
        ) : (
          <ProgressBar
            value={b.taskCount ? finished / b.taskCount : 0}
            label={`Progress of ${b.name}`}
            detail={`${b.doneCount} / ${b.taskCount} done${b.skippedCount ? `, ${b.skippedCount} skipped` : ""}`}
          />
        )}
      </td>
      <td className="small">
        {formatDate(b.createdAt)}
        {b.createdBy ? ` · ${b.createdBy}` : ""}
      </td>
      <td>
        {b.status === "ready" && finished < b.taskCount && mayAnnotate ? (
          <Link className="btn btn-sm btn-primary" to={`/tasks/batches/${b.id}/annotate`}>
            Annotate
          </Link>
        ) : null}
      </td>
    </tr>
  );
}
