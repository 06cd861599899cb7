import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { SpeciesOptions } from "../../components/SpeciesOptions";
import {
  Button,
  ErrorAlert,
  formatDate,
  Loading,
  PageHeader,
  SelectField,
  TextField,
} from "../../components/ui";
import { type RouterInputs, type RouterOutputs, useTRPC } from "../../lib/trpc";
import { ALGORITHMS, type AlgorithmKey, FEATURE_SETS, paramsFor } from "./algorithms";
import "./clustering.css";

type Run = RouterOutputs["clustering"]["listRuns"][number];
type Scope = RouterInputs["clustering"]["createRun"]["scope"];

/** `/clustering` — the group's runs and the form that starts one. */
export function ClusteringPage() {
  const trpc = useTRPC();
  const runs = useQuery(
    trpc.clustering.listRuns.queryOptions(
      {},
      {
        refetchInterval: (q) =>
          q.state.data?.some((r) => r.status === "pending" || r.status === "running") ? 1500 : false,
      },
    ),
  );
  return (
    <div className="stack">
      <PageHeader
        title="Clustering"
        description="Group calls by acoustic similarity without labels, explore the groups, and map them to call types."
      />
      <NewRunForm />
      <section className="card table-wrap" aria-label="Clustering runs">
        <h2>Runs</h2>
        {runs.isPending ? <Loading /> : null}
        <ErrorAlert error={runs.error} />
        {runs.data && runs.data.length === 0 ? <p className="muted">No clustering runs yet.</p> : null}
        {runs.data && runs.data.length > 0 ? <RunsTable runs={runs.data} /> : null}
      </section>
    </div>
  );
}

function RunsTable({ runs }: { runs: Run[] }) {
  return (
    <table className="table">
      <thead>
        <tr>
          <th>Run</th>
          <th>Status</th>
          <th>Algorithm</th>
          <th>Features</th>
          <th>Clusters</th>
          <th>Created</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id} data-run-status={r.status}>
            <td>
              <Link to={`/clustering/runs/${r.id}`}>{r.name}</Link>
            </td>
            <td>
              {r.status === "running" || r.status === "pending" ? (
                <span>
                  {r.status} <progress max={1} value={r.progress} aria-label={`Progress of ${r.name}`} />{" "}
                  {Math.round(r.progress * 100)}%
                </span>
              ) : (
                <span title={r.error ?? undefined}>{r.status}</span>
              )}
              {r.error ? <div className="small field-error">{r.error}</div> : null}
            </td>
            <td>{r.algorithm}</td>
            <td>{r.featureSet}</td>
            <td>{r.clusterCount}</td>
            <td>{formatDate(r.createdAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function NewRunForm() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [kind, setKind] = useState<"recording" | "project" | "species">("project");
  const [projectId, setProjectId] = useState("");
  const [speciesId, setSpeciesId] = useState("");
  const [segmentationId, setSegmentationId] = useState("");
  const [featureSet, setFeatureSet] = useState<(typeof FEATURE_SETS)[number]["value"]>("mfcc");
  const [algorithm, setAlgorithm] = useState<AlgorithmKey>("kmeans");
  const [params, setParams] = useState<Record<string, string>>({});
  const [bandKHz, setBandKHz] = useState({ min: "10", max: "120" });
  const [name, setName] = useState("");
  const projects = useQuery(trpc.projects.list.queryOptions());
  const species = useQuery(trpc.species.list.queryOptions());
  const overview = useQuery(
    trpc.segmentation.overview.queryOptions({ pageSize: 200 }, { enabled: kind === "recording" }),
  );
  const scope: Scope | null =
    kind === "recording"
      ? segmentationId
        ? { kind: "segmentation", segmentationId }
        : null
      : kind === "project"
        ? projectId
          ? { kind: "collection", projectId, ...(speciesId ? { speciesId } : {}) }
          : null
        : speciesId
          ? { kind: "collection", speciesId }
          : null;
  const preview = useQuery(
    trpc.clustering.previewScope.queryOptions({ scope: scope as Scope }, { enabled: scope !== null }),
  );
  const create = useMutation(
    trpc.clustering.createRun.mutationOptions({
      onSuccess: async (r) => {
        await qc.invalidateQueries({ queryKey: trpc.clustering.pathKey() });
        navigate(`/clustering/runs/${r.runId}`);
      },
    }),
  );
  const spec = ALGORITHMS.find((a) => a.key === algorithm) ?? ALGORITHMS[0];
  const parsed = paramsFor(algorithm, params);
  const spectral = featureSet !== "calls";
  const band = parseBand(bandKHz);
  const invalid = !!parsed.error || (spectral && "error" in band);
  return (
    <section className="card" aria-label="New clustering run">
      <h2>New run</h2>
      <form
        className="cl-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!scope || invalid) return;
          create.mutate({
            scope,
            featureSet,
            algorithm,
            params: parsed.params,
            ...(spectral && "band" in band ? { band: band.band } : {}),
            ...(name.trim() ? { name: name.trim() } : {}),
          });
        }}
      >
        <SelectField label="Calls from" value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
          <option value="project">A project (each recording's active segmentation)</option>
          <option value="species">A species (each recording's active segmentation)</option>
          <option value="recording">One recording's active segmentation</option>
        </SelectField>
        {kind === "project" ? (
          <SelectField label="Project" value={projectId} onChange={(e) => setProjectId(e.target.value)}>
            <option value="">Choose…</option>
            {projects.data?.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </SelectField>
        ) : null}
        {kind !== "recording" ? (
          <SelectField
            label={kind === "project" ? "Species (optional)" : "Species"}
            value={speciesId}
            onChange={(e) => setSpeciesId(e.target.value)}
          >
            <option value="">{kind === "project" ? "Any" : "Choose…"}</option>
            <SpeciesOptions species={species.data} />
          </SelectField>
        ) : (
          <SelectField
            label="Recording"
            value={segmentationId}
            onChange={(e) => setSegmentationId(e.target.value)}
          >
            <option value="">Choose…</option>
            {overview.data?.items
              .filter((r) => r.active)
              .map((r) => (
                <option key={r.recordingId} value={r.active?.id}>
                  {r.name} ({r.active?.segmentCount} calls)
                </option>
              ))}
          </SelectField>
        )}
        <p className="small cl-scope" aria-live="polite" data-testid="scope-preview">
          {scope === null
            ? "Choose which calls to cluster."
            : preview.data
              ? `${preview.data.segments.toLocaleString()} calls in ${preview.data.segmentations} segmentation(s) of ${preview.data.recordings} recording(s)`
              : preview.error
                ? ""
                : "Counting…"}
        </p>
        <ErrorAlert error={preview.error} />
        <SelectField
          label="Features"
          value={featureSet}
          onChange={(e) => setFeatureSet(e.target.value as typeof featureSet)}
          hint="Measured at each recording's own sample rate, then standardised."
        >
          {FEATURE_SETS.map((f) => (
            <option key={f.value} value={f.value}>
              {f.label}
            </option>
          ))}
        </SelectField>
        {spectral ? (
          <fieldset className="cl-band">
            <legend>Frequency band (kHz)</legend>
            <TextField
              label="From"
              inputMode="decimal"
              value={bandKHz.min}
              onChange={(e) => setBandKHz({ ...bandKHz, min: e.target.value })}
            />
            <TextField
              label="To"
              inputMode="decimal"
              value={bandKHz.max}
              onChange={(e) => setBandKHz({ ...bandKHz, max: e.target.value })}
              hint="The species' call band; the same for every recording, so 250 and 384 kHz recordings of one call match."
            />
            {"error" in band ? <p className="field-error">{band.error}</p> : null}
          </fieldset>
        ) : null}
        <SelectField
          label="Algorithm"
          value={algorithm}
          onChange={(e) => {
            setAlgorithm(e.target.value as AlgorithmKey);
            setParams({});
          }}
          hint={spec?.hint}
        >
          {ALGORITHMS.map((a) => (
            <option key={a.key} value={a.key}>
              {a.label}
            </option>
          ))}
        </SelectField>
        {spec?.params.map((p) => (
          <TextField
            key={p.name}
            label={p.label}
            inputMode="decimal"
            value={params[p.name] ?? String(p.default ?? "")}
            placeholder={p.default === undefined ? "automatic" : undefined}
            hint={p.hint}
            onChange={(e) => setParams({ ...params, [p.name]: e.target.value })}
          />
        ))}
        {parsed.error ? <p className="field-error">{parsed.error}</p> : null}
        <TextField label="Name (optional)" value={name} onChange={(e) => setName(e.target.value)} />
        <div>
          <Button type="submit" variant="primary" busy={create.isPending} disabled={!scope || invalid}>
            Start clustering
          </Button>
        </div>
        <ErrorAlert error={create.error} />
      </form>
    </section>
  );
}

function parseBand(k: {
  min: string;
  max: string;
}): { band: { minHz: number; maxHz: number } } | { error: string } {
  const min = Number(k.min);
  const max = Number(k.max);
  if (k.min.trim() === "" || k.max.trim() === "" || !Number.isFinite(min) || !Number.isFinite(max))
    return { error: "Give the band's edges in kHz" };
  if (min < 0 || max <= min) return { error: "The upper edge must be above the lower one (and both ≥ 0)" };
  if (max > 1000) return { error: "The band must end at or below 1000 kHz" };
  return { band: { minHz: min * 1000, maxHz: max * 1000 } };
}
