import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { SpeciesOptions } from "../../components/SpeciesOptions";
import { ErrorAlert, Loading, PageHeader, SelectField, TextField } from "../../components/ui";
import { type RouterInputs, useTRPC } from "../../lib/trpc";
import { StatusBadge } from "../jobs/progress";
import { formatDuration, formatHz } from "./format";

type ListInput = NonNullable<RouterInputs["recordings"]["list"]>;
const SORTS = [
  "createdAt",
  "name",
  "duration",
  "recordedDate",
  "sampleRate",
  "channels",
  "segments",
] as const;
const STATUSES = ["pending", "processing", "ready", "failed"] as const;
const PAGE_SIZE = 25;
type Sort = (typeof SORTS)[number];
type Status = (typeof STATUSES)[number];

/**
 * Recordings of the current group. Every filter lives in the URL (?project=&species=&q=&status=
 * &sort=&order=&cursor=&back=) so a filtered page can be bookmarked, shared and navigated back to.
 * `back` is the stack of earlier page cursors for "Previous".
 */
export function RecordingsPage() {
  const trpc = useTRPC();
  const [params, setParams] = useSearchParams();
  const projectId = params.get("project") ?? "";
  const speciesId = params.get("species") ?? "";
  const q = params.get("q") ?? "";
  const status = (STATUSES as readonly string[]).includes(params.get("status") ?? "")
    ? (params.get("status") as Status)
    : undefined;
  const sort: Sort = (SORTS as readonly string[]).includes(params.get("sort") ?? "")
    ? (params.get("sort") as Sort)
    : "createdAt";
  const order = params.get("order") === "asc" ? "asc" : "desc";
  const cursor = params.get("cursor") ?? undefined;
  const back = (params.get("back") ?? "").split(",").filter(Boolean);

  const input: ListInput = {
    limit: PAGE_SIZE,
    sort,
    order,
    ...(projectId ? { projectId } : {}),
    ...(speciesId ? { speciesId } : {}),
    ...(q ? { search: q } : {}),
    ...(status ? { status } : {}),
    ...(cursor ? { cursor } : {}),
  };
  const list = useQuery(
    trpc.recordings.list.queryOptions(input, {
      placeholderData: keepPreviousData,
      // Keep badges live while anything on the page is still being processed.
      refetchInterval: (query) =>
        query.state.data?.items.some(
          (r) => r.processingStatus === "pending" || r.processingStatus === "processing",
        )
          ? 2000
          : false,
    }),
  );
  const projects = useQuery(trpc.projects.list.queryOptions());
  const species = useQuery(trpc.species.list.queryOptions());

  const update = (changes: Record<string, string | null>, keepPage = false) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    if (!keepPage) {
      next.delete("cursor");
      next.delete("back");
    }
    setParams(next);
  };

  const [search, setSearch] = useState(q);
  useEffect(() => setSearch(q), [q]);
  const onSearch = (e: FormEvent) => {
    e.preventDefault();
    update({ q: search.trim() || null });
  };

  const sortHeader = (key: Sort, label: string) => {
    const active = sort === key;
    return (
      <th aria-sort={active ? (order === "asc" ? "ascending" : "descending") : "none"}>
        <button
          type="button"
          className="btn-link"
          onClick={() => update({ sort: key, order: active && order === "desc" ? "asc" : "desc" })}
        >
          {label}
          {active ? (order === "asc" ? " ▲" : " ▼") : ""}
        </button>
      </th>
    );
  };

  const data = list.data;
  const offset = back.length * PAGE_SIZE;
  return (
    <div className="stack">
      <PageHeader
        title="Recordings"
        description="Step 1 — the field recordings your group works on."
        actions={
          <>
            <Link className="btn" to="/recordings/duplicates">
              Duplicates
            </Link>
            <Link className="btn btn-primary" to="/recordings/upload">
              Upload
            </Link>
          </>
        }
      />
      <section className="card stack" aria-label="Filters">
        <div className="filters">
          <SelectField
            label="Project"
            value={projectId}
            onChange={(e) => update({ project: e.target.value || null })}
          >
            <option value="">All projects</option>
            {projects.data?.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </SelectField>
          <SelectField
            label="Species"
            value={speciesId}
            onChange={(e) => update({ species: e.target.value || null })}
          >
            <option value="">All species</option>
            <SpeciesOptions species={species.data} />
          </SelectField>
          <SelectField
            label="Status"
            value={status ?? ""}
            onChange={(e) => update({ status: e.target.value || null })}
          >
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </SelectField>
          <form className="row" onSubmit={onSearch}>
            <TextField
              label="Search"
              type="search"
              placeholder="Name, location, equipment…"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
            <button type="submit" className="btn">
              Search
            </button>
          </form>
        </div>
      </section>
      <section className="card table-wrap" aria-label="Recordings">
        {list.isPending ? <Loading /> : null}
        <ErrorAlert error={list.error} />
        {data && data.items.length === 0 ? (
          <p className="muted">
            {q || projectId || speciesId || status ? (
              "No recordings match these filters."
            ) : (
              <>
                No recordings yet. <Link to="/recordings/upload">Upload your first recording</Link>.
              </>
            )}
          </p>
        ) : null}
        {data && data.items.length > 0 ? (
          <>
            <table className="table">
              <thead>
                <tr>
                  {sortHeader("name", "Name")}
                  <th>Project</th>
                  <th>Species</th>
                  {sortHeader("duration", "Duration")}
                  {sortHeader("sampleRate", "Sample rate")}
                  {sortHeader("channels", "Channels")}
                  {sortHeader("segments", "Segments")}
                  {sortHeader("recordedDate", "Recorded")}
                  {sortHeader("createdAt", "Uploaded")}
                  <th>Status</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((r) => (
                  <tr key={r.id}>
                    <td>
                      <Link to={`/recordings/${r.id}`}>{r.name}</Link>
                      {r.partCount != null && r.partIndex == null && r.parentRecordingId == null ? (
                        <>
                          {" "}
                          <span
                            className="badge badge-accent"
                            title="The original file; its spectrogram, playback and segmentation are on its parts"
                          >
                            split into {r.partCount} parts
                          </span>
                        </>
                      ) : null}
                    </td>
                    <td>{r.projectName ?? "—"}</td>
                    <td>{r.speciesName ? <em>{r.speciesName}</em> : "—"}</td>
                    <td>
                      {formatDuration(r.duration)}
                      {r.truncated ? (
                        <>
                          {" "}
                          <span
                            className="badge badge-warning"
                            title={`Truncated: the header declares ${formatDuration(r.declaredDuration)}`}
                          >
                            truncated
                          </span>
                        </>
                      ) : null}
                    </td>
                    <td className="small">{formatHz(r.sampleRate)}</td>
                    <td className="small">{r.channels ?? "—"}</td>
                    <td className="small" data-testid="segment-count">
                      {r.segmentCount ?? "—"}
                    </td>
                    <td className="small">
                      {r.recordedDate ? new Date(r.recordedDate).toLocaleDateString() : "—"}
                    </td>
                    <td className="small">{new Date(r.createdAt).toLocaleString()}</td>
                    <td>
                      <StatusBadge status={r.processingStatus} error={r.processingError} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <nav className="pager" aria-label="Pages">
              <span className="small muted">
                {offset + 1}–{offset + data.items.length} of {data.total}
              </span>
              <span className="row">
                <button
                  type="button"
                  className="btn btn-sm"
                  disabled={back.length === 0}
                  onClick={() => {
                    const prev = back.slice(0, -1);
                    update(
                      {
                        cursor: back.at(-1) === "_" ? null : (back.at(-1) ?? null),
                        back: prev.join(",") || null,
                      },
                      true,
                    );
                  }}
                >
                  Previous
                </button>
                <button
                  type="button"
                  className="btn btn-sm"
                  disabled={!data.nextCursor}
                  onClick={() =>
                    update({ cursor: data.nextCursor, back: [...back, cursor ?? "_"].join(",") }, true)
                  }
                >
                  Next
                </button>
              </span>
            </nav>
          </>
        ) : null}
      </section>
    </div>
  );
}
