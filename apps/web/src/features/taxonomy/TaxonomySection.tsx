// The species page's taxonomy section: rename, merge and split call types (each dialog shows what
// the change would rewrite, per table, before it is confirmed), the change history, and which
// classifiers of the species were trained on an older taxonomy.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import {
  Alert,
  Button,
  Dialog,
  ErrorAlert,
  formatDate,
  SelectField,
  TextArea,
  TextField,
} from "../../components/ui";
import { type RouterInputs, type RouterOutputs, useTRPC } from "../../lib/trpc";

type ChangeRequest = RouterInputs["taxonomy"]["preview"];
type Preview = RouterOutputs["taxonomy"]["preview"];
type CallType = { id: string; shortName: string; longName: string };
export interface TaxonomySpecies {
  id: string;
  editable: boolean;
  callTypes: CallType[];
}

const COUNT_LABELS: [keyof Preview["counts"], string][] = [
  ["segmentLabels", "Segment labels"],
  ["taskLabels", "Task labels"],
  ["taskPredictions", "Task predictions"],
  ["annotatorLabels", "Annotators' labels (blind batches)"],
  ["resultPredictions", "Classification results"],
  ["probabilities", "Probability rows"],
  ["clusterMappings", "Cluster mappings"],
  ["classifiersOutdated", "Classifiers that become outdated"],
];

/** "CF → FM", "C → C1, C2": names a change keeps (the type a merge keeps) are left out. */
function mappingText(mapping: Preview["mapping"]): string {
  return Object.entries(mapping)
    .filter(([from, to]) => to !== from)
    .map(([from, to]) => `${from} → ${Array.isArray(to) ? to.join(", ") : to}`)
    .join("; ");
}

function PreviewTable({ preview }: { preview: Preview }) {
  return (
    <div className="stack" data-testid="taxonomy-preview">
      <p>
        <strong>{mappingText(preview.mapping)}</strong> (taxonomy version {preview.version})
      </p>
      <table className="table" aria-label="Rows this change rewrites">
        <tbody>
          {COUNT_LABELS.map(([key, label]) => (
            <tr key={key}>
              <td>{label}</td>
              <td data-testid={`count-${key}`}>{preview.counts[key]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Preview first, then confirm the same request; any edit of the form drops the stale preview. */
function ChangeDialog({
  title,
  request,
  confirmLabel,
  onClose,
  children,
}: {
  title: string;
  request: ChangeRequest | null;
  confirmLabel: string;
  onClose: () => void;
  children: React.ReactNode;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const preview = useMutation(trpc.taxonomy.preview.mutationOptions());
  const apply = useMutation(
    trpc.taxonomy.change.mutationOptions({
      // labels, tasks, results and classifiers all changed: refetch whatever is on screen
      onSuccess: () => queryClient.invalidateQueries(),
    }),
  );
  const key = JSON.stringify(request);
  const [previewedKey, setPreviewedKey] = useState<string | null>(null);
  const fresh = preview.data && previewedKey === key;
  return (
    <Dialog title={title} onClose={onClose}>
      <form
        className="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!request) return;
          if (fresh) apply.mutate(request, { onSuccess: onClose });
          else
            preview.mutate(request, {
              onSuccess: () => setPreviewedKey(key),
            });
        }}
      >
        {children}
        <ErrorAlert error={preview.error ?? apply.error} />
        {fresh && preview.data ? <PreviewTable preview={preview.data} /> : null}
        <div className="form-actions">
          {fresh ? (
            <Button type="submit" variant="primary" busy={apply.isPending}>
              {confirmLabel}
            </Button>
          ) : (
            <Button type="submit" variant="primary" busy={preview.isPending} disabled={!request}>
              Preview
            </Button>
          )}
          <Button onClick={onClose}>Cancel</Button>
        </div>
      </form>
    </Dialog>
  );
}

function CallTypeSelect({
  label,
  callTypes,
  value,
  onChange,
}: {
  label: string;
  callTypes: CallType[];
  value: string;
  onChange: (id: string) => void;
}) {
  return (
    <SelectField label={label} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">Choose…</option>
      {callTypes.map((c) => (
        <option key={c.id} value={c.id}>
          {c.shortName}
          {c.longName ? ` — ${c.longName}` : ""}
        </option>
      ))}
    </SelectField>
  );
}

function RenameDialog({ species, onClose }: { species: TaxonomySpecies; onClose: () => void }) {
  const [callTypeId, setCallTypeId] = useState("");
  const [shortName, setShortName] = useState("");
  const request: ChangeRequest | null =
    callTypeId && shortName.trim() ? { kind: "rename", speciesId: species.id, callTypeId, shortName } : null;
  return (
    <ChangeDialog title="Rename a call type" request={request} confirmLabel="Rename" onClose={onClose}>
      <p className="muted small">Every label, task, result and export follows the new name.</p>
      <CallTypeSelect
        label="Call type"
        callTypes={species.callTypes}
        value={callTypeId}
        onChange={setCallTypeId}
      />
      <TextField label="New short name" value={shortName} onChange={(e) => setShortName(e.target.value)} />
    </ChangeDialog>
  );
}

function MergeDialog({ species, onClose }: { species: TaxonomySpecies; onClose: () => void }) {
  const [intoId, setIntoId] = useState("");
  const [fromIds, setFromIds] = useState<string[]>([]);
  const from = fromIds.filter((id) => id !== intoId);
  const request: ChangeRequest | null =
    intoId && from.length
      ? { kind: "merge", speciesId: species.id, intoCallTypeId: intoId, fromCallTypeIds: from }
      : null;
  return (
    <ChangeDialog title="Merge call types" request={request} confirmLabel="Merge" onClose={onClose}>
      <p className="muted small">
        The merged call types disappear into the one you keep: their labels, probabilities (added up) and
        cluster mappings move to it. Classifiers trained before the merge are marked outdated.
      </p>
      <CallTypeSelect label="Keep" callTypes={species.callTypes} value={intoId} onChange={setIntoId} />
      <fieldset className="fieldset">
        <legend>Merge into it</legend>
        {species.callTypes
          .filter((c) => c.id !== intoId)
          .map((c) => (
            <label key={c.id} className="row" style={{ gap: 6 }}>
              <input
                type="checkbox"
                checked={fromIds.includes(c.id)}
                onChange={(e) =>
                  setFromIds((ids) => (e.target.checked ? [...ids, c.id] : ids.filter((x) => x !== c.id)))
                }
              />
              {c.shortName}
            </label>
          ))}
      </fieldset>
    </ChangeDialog>
  );
}

type SelectionKind = "segments" | "tasks" | "cluster";
interface DraftPart {
  key: number;
  shortName: string;
  kind: SelectionKind;
  ids: string;
}

const idList = (text: string) =>
  text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);

function SplitDialog({ species, onClose }: { species: TaxonomySpecies; onClose: () => void }) {
  const [callTypeId, setCallTypeId] = useState("");
  const [firstName, setFirstName] = useState("");
  const [parts, setParts] = useState<DraftPart[]>([{ key: 1, shortName: "", kind: "segments", ids: "" }]);
  const setPart = (key: number, patch: Partial<DraftPart>) =>
    setParts((ps) => ps.map((p) => (p.key === key ? { ...p, ...patch } : p)));
  const ready = callTypeId && firstName.trim() && parts.every((p) => p.shortName.trim());
  const request: ChangeRequest | null = ready
    ? {
        kind: "split",
        speciesId: species.id,
        callTypeId,
        parts: [
          { shortName: firstName },
          ...parts.map((p) => ({
            shortName: p.shortName,
            selection:
              p.kind === "cluster"
                ? { clusterId: p.ids.trim() }
                : p.kind === "tasks"
                  ? { taskIds: idList(p.ids) }
                  : { segmentIds: idList(p.ids) },
          })),
        ],
      }
    : null;
  return (
    <ChangeDialog title="Split a call type" request={request} confirmLabel="Split" onClose={onClose}>
      <p className="muted small">
        The first new call type keeps every call you do not choose for another one. Choose calls by segment
        ids, task ids or a cluster id (all members of the cluster).
      </p>
      <CallTypeSelect
        label="Call type to split"
        callTypes={species.callTypes}
        value={callTypeId}
        onChange={setCallTypeId}
      />
      <TextField
        label="First new call type (keeps the rest)"
        value={firstName}
        onChange={(e) => setFirstName(e.target.value)}
      />
      {parts.map((p, i) => (
        <fieldset key={p.key} className="fieldset">
          <legend>New call type {i + 2}</legend>
          <TextField
            label={`Short name of new call type ${i + 2}`}
            value={p.shortName}
            onChange={(e) => setPart(p.key, { shortName: e.target.value })}
          />
          <SelectField
            label={`Calls of new call type ${i + 2}`}
            value={p.kind}
            onChange={(e) => setPart(p.key, { kind: e.target.value as SelectionKind })}
          >
            <option value="segments">Segment ids</option>
            <option value="tasks">Task ids</option>
            <option value="cluster">Cluster id</option>
          </SelectField>
          <TextArea
            label={`Ids for new call type ${i + 2}`}
            value={p.ids}
            rows={2}
            onChange={(e) => setPart(p.key, { ids: e.target.value })}
          />
        </fieldset>
      ))}
      <Button
        size="sm"
        onClick={() =>
          setParts((ps) => [...ps, { key: Date.now(), shortName: "", kind: "segments", ids: "" }])
        }
      >
        Add another call type
      </Button>
    </ChangeDialog>
  );
}

function History({ speciesId }: { speciesId: string }) {
  const trpc = useTRPC();
  const history = useQuery(trpc.taxonomy.history.queryOptions({ speciesId }));
  if (history.error) return <ErrorAlert error={history.error} />;
  if (!history.data) return null;
  const h = history.data;
  return (
    <div className="stack">
      <p className="small muted" data-testid="taxonomy-version">
        Taxonomy version {h.currentVersion}
      </p>
      {h.changes.length === 0 ? (
        <p className="muted">No renames, merges or splits yet.</p>
      ) : (
        <table className="table" aria-label="Taxonomy history">
          <thead>
            <tr>
              <th>Version</th>
              <th>Change</th>
              <th>By</th>
              <th>When</th>
            </tr>
          </thead>
          <tbody>
            {h.changes.map((c) => (
              <tr key={c.id}>
                <td>{c.version}</td>
                <td>{c.summary}</td>
                <td>{c.by ?? "—"}</td>
                <td>{formatDate(c.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** "outdated — retrain" for a classifier whose species was merged or split since its training. */
export function OutdatedClassifierBadge({
  status,
}: {
  status: { outdated: boolean; renamed: boolean; reason: string } | undefined;
}) {
  if (!status?.outdated && !status?.renamed) return null;
  return status.outdated ? (
    <span className="badge badge-warning" title={status.reason} data-testid="classifier-outdated">
      outdated — retrain
    </span>
  ) : (
    <span className="badge" title={status.reason}>
      renamed classes
    </span>
  );
}

function SpeciesClassifiers({ speciesId }: { speciesId: string }) {
  const trpc = useTRPC();
  const classifiers = useQuery(trpc.classifiers.list.queryOptions({ speciesId }));
  const statuses = useQuery(trpc.taxonomy.classifierStatus.queryOptions({ speciesId }));
  const trained = (classifiers.data ?? []).filter((c) => c.type !== "dummy");
  if (trained.length === 0) return null;
  const byId = new Map((statuses.data ?? []).map((s) => [s.classifierId, s]));
  return (
    <div>
      <h4>Classifiers of this species</h4>
      <ul>
        {trained.map((c) => (
          <li key={c.id}>
            {c.name} v{c.version} <OutdatedClassifierBadge status={byId.get(c.id)} />
          </li>
        ))}
      </ul>
    </div>
  );
}

export function TaxonomySection({ species }: { species: TaxonomySpecies }) {
  const [open, setOpen] = useState<"rename" | "merge" | "split" | null>(null);
  const close = () => setOpen(null);
  return (
    <section className="card stack" aria-labelledby="taxonomy-h">
      <h3 id="taxonomy-h">Call-type taxonomy</h3>
      {species.editable ? (
        <div className="row">
          <Button onClick={() => setOpen("rename")} disabled={species.callTypes.length === 0}>
            Rename…
          </Button>
          <Button onClick={() => setOpen("merge")} disabled={species.callTypes.length < 2}>
            Merge…
          </Button>
          <Button onClick={() => setOpen("split")} disabled={species.callTypes.length === 0}>
            Split…
          </Button>
        </div>
      ) : (
        <Alert kind="info">Only site admins change the taxonomy of a system species.</Alert>
      )}
      <History speciesId={species.id} />
      <SpeciesClassifiers speciesId={species.id} />
      {open === "rename" ? <RenameDialog species={species} onClose={close} /> : null}
      {open === "merge" ? <MergeDialog species={species} onClose={close} /> : null}
      {open === "split" ? <SplitDialog species={species} onClose={close} /> : null}
    </section>
  );
}
