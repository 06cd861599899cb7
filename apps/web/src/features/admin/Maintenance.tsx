import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { DataTable } from "../../components/DataTable";
import {
  Button,
  ErrorAlert,
  formatDate,
  Loading,
  SelectField,
  TextArea,
  TextField,
} from "../../components/ui";
import { type RouterInputs, useTRPC } from "../../lib/trpc";

type Request = RouterInputs["admin"]["startMaintenance"];
type ProcedureName = Request["procedure"];

const PROCEDURES: { name: ProcedureName; what: string }[] = [
  { name: "generate-missing-hdf5", what: "Regenerate missing or unreadable spectrogram files, throttled" },
  { name: "backup-database", what: "Dump the database (and optionally the media) to S3" },
  { name: "check-disk", what: "Media and database disk usage; alerts the site admins at 90 %" },
  { name: "populate-memberships", what: "Repair users without a usable group" },
  {
    name: "measure-missing-bands",
    what: "Measure a frequency box for segments stored without one (older imports, hand-drawn segments)",
  },
  { name: "import-species", what: "System species and call types from a CSV" },
  { name: "initialize-defaults", what: "System species, segmentation algorithms, dummy classifier" },
  { name: "cleanup", what: "Expired sessions, codes and tokens; stale uploads" },
  { name: "restore-database", what: "Restore a backup into an EMPTY database" },
];

const ACTIVE = new Set(["queued", "running"]);

/** Runs a procedure and follows its progress and log until it ends. */
export function Maintenance() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [procedure, setProcedure] = useState<ProcedureName>("generate-missing-hdf5");
  const [dryRun, setDryRun] = useState(true);
  const [media, setMedia] = useState(false);
  const [batchSize, setBatchSize] = useState("50");
  const [concurrency, setConcurrency] = useState("1");
  const [maxLoad, setMaxLoad] = useState("1.5");
  const [rewriteLegacy, setRewriteLegacy] = useState(false);
  const [csv, setCsv] = useState("");
  const [key, setKey] = useState("");
  const [targetUrl, setTargetUrl] = useState("");
  const [confirm, setConfirm] = useState("");
  const [selected, setSelected] = useState<string | null>(null);

  const runs = useQuery({
    ...trpc.admin.maintenanceRuns.queryOptions({ limit: 20 }),
    refetchInterval: (q) => (q.state.data?.some((r) => ACTIVE.has(r.status)) ? 1500 : false),
  });
  const run = useQuery({
    ...trpc.admin.maintenanceRun.queryOptions({ jobId: selected ?? "" }),
    enabled: selected !== null,
    refetchInterval: (q) => (q.state.data && !ACTIVE.has(q.state.data.status) ? false : 1000),
  });
  const start = useMutation(
    trpc.admin.startMaintenance.mutationOptions({
      onSuccess: (r) => {
        setSelected(r.id);
        void queryClient.invalidateQueries(trpc.admin.maintenanceRuns.queryFilter());
        void queryClient.invalidateQueries(trpc.admin.schedules.queryFilter());
      },
    }),
  );

  const request = (): Request => {
    switch (procedure) {
      case "generate-missing-hdf5":
        return {
          procedure,
          dryRun,
          batchSize: Number(batchSize),
          concurrency: Number(concurrency),
          maxLoadPerCore: Number(maxLoad),
          rewriteLegacy,
        };
      case "backup-database":
        return { procedure, media, dryRun };
      case "check-disk":
      case "populate-memberships":
      case "measure-missing-bands":
        return { procedure, dryRun };
      case "import-species":
        return { procedure, csv, dryRun };
      case "restore-database":
        return { procedure, key, targetUrl, confirm, dryRun };
      default:
        return { procedure } as Request;
    }
  };
  const hasDryRun = !["initialize-defaults", "cleanup"].includes(procedure);
  // lingering finished runs stay visible after completion; the list below switches between them
  const current = run.data;

  return (
    <section className="card stack" aria-labelledby="maint-h">
      <h2 id="maint-h">Maintenance</h2>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          start.mutate(request());
        }}
      >
        <SelectField
          label="Procedure"
          value={procedure}
          onChange={(e) => setProcedure(e.target.value as ProcedureName)}
          hint={PROCEDURES.find((p) => p.name === procedure)?.what}
        >
          {PROCEDURES.map((p) => (
            <option key={p.name} value={p.name}>
              {p.name}
            </option>
          ))}
        </SelectField>
        {hasDryRun ? (
          <label className="row">
            <input type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} /> Dry run
            (report only, change nothing)
          </label>
        ) : null}
        {procedure === "generate-missing-hdf5" ? (
          <div className="row">
            <TextField
              label="Batch size"
              inputMode="numeric"
              value={batchSize}
              onChange={(e) => setBatchSize(e.target.value)}
            />
            <TextField
              label="At once"
              inputMode="numeric"
              value={concurrency}
              onChange={(e) => setConcurrency(e.target.value)}
            />
            <TextField
              label="Pause above load per core"
              inputMode="decimal"
              value={maxLoad}
              onChange={(e) => setMaxLoad(e.target.value)}
            />
          </div>
        ) : null}
        {procedure === "generate-missing-hdf5" ? (
          <label className="row">
            <input
              type="checkbox"
              checked={rewriteLegacy}
              onChange={(e) => setRewriteLegacy(e.target.checked)}
            />{" "}
            Also rewrite readable files in an older encoding (float32, other dB codes) into the current one
          </label>
        ) : null}
        {procedure === "backup-database" ? (
          <label className="row">
            <input type="checkbox" checked={media} onChange={(e) => setMedia(e.target.checked)} /> Also back
            up the media files
          </label>
        ) : null}
        {procedure === "import-species" ? (
          <>
            <label className="field">
              <span>CSV file</span>
              <input
                type="file"
                accept=".csv,text/csv"
                onChange={async (e) => setCsv((await e.target.files?.[0]?.text()) ?? "")}
              />
            </label>
            <TextArea
              label="or paste it (columns species, call_types, optionally common_name, description)"
              rows={4}
              value={csv}
              onChange={(e) => setCsv(e.target.value)}
            />
          </>
        ) : null}
        {procedure === "restore-database" ? (
          <>
            <TextField label="Backup key" value={key} onChange={(e) => setKey(e.target.value)} />
            <TextField
              label="Empty target database URL"
              placeholder="postgresql://user:password@host:5432/battycoda_restored"
              value={targetUrl}
              onChange={(e) => setTargetUrl(e.target.value)}
            />
            <TextField
              label="Type the backup key again to confirm"
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
              hint="The restore refuses a database that has any tables."
            />
          </>
        ) : null}
        <div className="row">
          <Button
            type="submit"
            variant="primary"
            busy={start.isPending}
            disabled={procedure === "restore-database" && !dryRun && (confirm !== key || key === "")}
          >
            Run {procedure}
          </Button>
        </div>
        <ErrorAlert error={start.error} />
      </form>

      {current ? (
        <section
          className="stack"
          aria-label="Selected run"
          data-testid="maintenance-run"
          data-run-id={current.id}
        >
          <div className="row">
            <strong>{current.procedure}</strong>
            <span data-testid="run-status">{current.status}</span>
            <progress max={1} value={current.progress} aria-label="Progress" />
            <span className="muted small">{current.message}</span>
          </div>
          {current.error ? <p className="field-error">{current.error}</p> : null}
          <pre className="log" data-testid="run-log" style={{ maxHeight: "20rem", overflow: "auto" }}>
            {current.log || "(no output yet)"}
          </pre>
        </section>
      ) : null}

      <h3>Recent runs</h3>
      {runs.isPending ? <Loading /> : null}
      <ErrorAlert error={runs.error} />
      {runs.data && runs.data.length === 0 ? <p className="muted">No procedure has run yet.</p> : null}
      {runs.data && runs.data.length > 0 ? (
        <DataTable
          label="Recent procedure runs"
          actions="Log"
          columns={["Procedure", "Status", "Started", "Finished"]}
        >
          {runs.data.map((r) => (
            <tr key={r.id}>
              <td>{r.procedure}</td>
              <td>
                {r.status}
                {ACTIVE.has(r.status) ? ` ${Math.round(r.progress * 100)} %` : ""}
              </td>
              <td>{formatDate(r.startedAt ?? r.createdAt)}</td>
              <td>{formatDate(r.finishedAt)}</td>
              <td>
                <Button
                  size="sm"
                  onClick={() => setSelected(r.id)}
                  aria-label={`Show log of ${r.procedure} ${r.id}`}
                >
                  Log
                </Button>
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
    </section>
  );
}

export function Schedules() {
  const trpc = useTRPC();
  const list = useQuery(trpc.admin.schedules.queryOptions());
  return (
    <section className="card" aria-labelledby="sched-h">
      <h2 id="sched-h">Schedules</h2>
      {list.isPending ? <Loading /> : null}
      <ErrorAlert error={list.error} />
      {list.data ? (
        <DataTable label="Schedules" columns={["Work", "When", "Last run", "Result"]}>
          {list.data.map((s) => (
            <tr key={s.name}>
              <td>{s.name}</td>
              <td className="small">{s.cadence}</td>
              <td>{s.lastRunAt ? formatDate(s.lastRunAt) : "never"}</td>
              <td className="small">
                {s.lastStatus ?? "—"}
                {s.lastError ? <span className="field-error"> {s.lastError}</span> : null}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
    </section>
  );
}

const size = (b: number) =>
  b >= 1024 ** 3 ? `${(b / 1024 ** 3).toFixed(2)} GB` : `${(b / 1024 ** 2).toFixed(1)} MB`;
const age = (s: number) =>
  s < 3600
    ? `${Math.round(s / 60)} min`
    : s < 172_800
      ? `${Math.round(s / 3600)} h`
      : `${Math.round(s / 86_400)} d`;

export function Backups() {
  const trpc = useTRPC();
  const list = useQuery(trpc.admin.backups.queryOptions());
  return (
    <section className="card" aria-labelledby="backups-h">
      <h2 id="backups-h">Backups</h2>
      {list.isPending ? <Loading /> : null}
      <ErrorAlert error={list.error} />
      {list.data ? (
        <>
          <p className="muted small">
            s3://{list.data.bucket}/{list.data.prefix}
          </p>
          {list.data.error ? (
            <p className="field-error">The backup store could not be listed: {list.data.error}</p>
          ) : null}
          {list.data.items.length === 0 && !list.data.error ? <p className="muted">No backups yet.</p> : null}
          {list.data.items.length > 0 ? (
            <DataTable label="Backups" columns={["Key", "Kind", "Size", "Age"]}>
              {list.data.items.map((b) => (
                <tr key={b.key}>
                  <td className="small">
                    <code>{b.key}</code>
                  </td>
                  <td>{b.kind}</td>
                  <td>{size(b.size)}</td>
                  <td>{age(b.ageSeconds)}</td>
                </tr>
              ))}
            </DataTable>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
