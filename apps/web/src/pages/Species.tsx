import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import { type ChangeEvent, useEffect, useId, useRef, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import {
  Alert,
  Button,
  Dialog,
  ErrorAlert,
  Loading,
  PageHeader,
  SelectField,
  TextArea,
  TextField,
} from "../components/ui";
import { TaxonomySection } from "../features/taxonomy/TaxonomySection";
import { errorMessage, fieldErrors } from "../lib/errors";
import { httpErrorFrom } from "../lib/http-errors";
import { type RouterOutputs, useTRPC } from "../lib/trpc";

type SpeciesDetail = RouterOutputs["species"]["get"];
type CallType = SpeciesDetail["callTypes"][number];

function useInvalidateSpecies() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries(trpc.species.pathFilter());
}

/** System species vs a group's own (and whether it is the group's copy of a system species). */
function OwnerBadge({
  species: s,
}: {
  species: { isSystem: boolean; owner: string; systemCopyOf: string | null };
}) {
  if (s.isSystem)
    return (
      <span className="badge badge-accent" data-testid="species-owner">
        System
      </span>
    );
  return (
    <span
      className="badge"
      data-testid="species-owner"
      title={s.systemCopyOf ? "This group's copy of a system species" : undefined}
    >
      {s.owner}
      {s.systemCopyOf ? " · copy" : ""}
    </span>
  );
}

export function SpeciesListPage() {
  const trpc = useTRPC();
  const species = useQuery(trpc.species.list.queryOptions());
  const groupSpecies = species.data?.filter((s) => !s.isSystem) ?? [];
  const systemSpecies = species.data?.filter((s) => s.isSystem) ?? [];
  const table = (rows: typeof groupSpecies, label: string) => (
    <div className="card table-wrap">
      <table className="table" aria-label={label}>
        <thead>
          <tr>
            <th>Species</th>
            <th>Common name</th>
            <th>Call types</th>
            <th>Image</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((s) => (
            <tr key={s.id}>
              <td>
                <Link to={`/species/${s.id}`}>
                  <em>{s.name}</em>
                </Link>{" "}
                <OwnerBadge species={s} />
              </td>
              <td>{s.commonName || <span className="muted">—</span>}</td>
              <td>{s.callTypeCount}</td>
              <td>
                {s.imageUrl ? (
                  <span className="badge">repertoire</span>
                ) : (
                  <span className="muted small">none</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
  return (
    <div className="stack">
      <PageHeader
        title="Species"
        description="Each species has a repertoire of call types that calls are classified into."
        actions={
          <Link to="/species/new" className="btn btn-primary">
            New species
          </Link>
        }
      />
      {species.isPending ? <Loading what="Loading species…" /> : null}
      <ErrorAlert error={species.error} />
      {species.data ? (
        <>
          <section className="stack" aria-labelledby="group-species">
            <h2 id="group-species">Your group's species</h2>
            {groupSpecies.length ? (
              table(groupSpecies, "Group species")
            ) : (
              <div className="empty">No group species yet.</div>
            )}
          </section>
          <section className="stack" aria-labelledby="system-species">
            <h2 id="system-species">System species</h2>
            <p className="muted small" style={{ marginTop: -8 }}>
              Shared by every group; site admins maintain them.
            </p>
            {systemSpecies.length ? (
              table(systemSpecies, "System species")
            ) : (
              <div className="empty">No system species installed.</div>
            )}
          </section>
        </>
      ) : null}
    </div>
  );
}

type DraftCallType = { key: number; shortName: string; longName: string };

export function NewSpeciesPage() {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const invalidate = useInvalidateSpecies();
  const [name, setName] = useState("");
  const [commonName, setCommonName] = useState("");
  const [description, setDescription] = useState("");
  const nextKey = useRef(1);
  const [rows, setRows] = useState<DraftCallType[]>([{ key: 0, shortName: "", longName: "" }]);
  const create = useMutation(
    trpc.species.create.mutationOptions({
      onSuccess: async (s) => {
        await invalidate();
        navigate(`/species/${s.id}`);
      },
    }),
  );
  const fe = fieldErrors(create.error);
  const setRow = (key: number, patch: Partial<DraftCallType>) =>
    setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  return (
    <div className="stack">
      <PageHeader
        title="New species"
        description="Name the species and list its call types. You can import more from a file later."
      />
      <form
        className="form card"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const callTypes = rows
            .filter((r) => r.shortName.trim() !== "" || r.longName.trim() !== "")
            .map((r) => ({ shortName: r.shortName, longName: r.longName }));
          create.mutate({ name, commonName, description, callTypes });
        }}
      >
        <ErrorAlert error={create.error} />
        <div className="grid-2">
          <TextField
            label="Scientific name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={fe.name}
            placeholder="Eptesicus fuscus"
            required
            autoFocus
          />
          <TextField
            label="Common name"
            value={commonName}
            onChange={(e) => setCommonName(e.target.value)}
            error={fe.commonName}
            placeholder="Big brown bat"
          />
        </div>
        <TextArea
          label="Description"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          error={fe.description}
        />
        <fieldset className="fieldset">
          <legend>Call types</legend>
          {fe.callTypes ? <div className="field-error">{fe.callTypes}</div> : null}
          <table className="table inline-edit" aria-label="New call types">
            <thead>
              <tr>
                <th>Short name</th>
                <th>Long name</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={r.key}>
                  <td>
                    <input
                      aria-label={`Call type ${i + 1} short name`}
                      value={r.shortName}
                      onChange={(e) => setRow(r.key, { shortName: e.target.value })}
                      placeholder="e.g. FM"
                    />
                  </td>
                  <td>
                    <input
                      aria-label={`Call type ${i + 1} long name`}
                      value={r.longName}
                      onChange={(e) => setRow(r.key, { longName: e.target.value })}
                      placeholder="e.g. Frequency-modulated sweep"
                    />
                  </td>
                  <td className="actions">
                    <Button
                      size="sm"
                      variant="ghost"
                      aria-label={`Remove call type ${i + 1}`}
                      onClick={() => setRows((rs) => rs.filter((x) => x.key !== r.key))}
                    >
                      ✕
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Button
            size="sm"
            onClick={() => setRows((rs) => [...rs, { key: nextKey.current++, shortName: "", longName: "" }])}
          >
            Add call type
          </Button>
        </fieldset>
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={create.isPending}>
            Create species
          </Button>
          <Link to="/species" className="btn">
            Cancel
          </Link>
        </div>
      </form>
    </div>
  );
}

function SpeciesEditForm({ species }: { species: SpeciesDetail }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateSpecies();
  const [name, setName] = useState(species.name);
  const [commonName, setCommonName] = useState(species.commonName);
  const [description, setDescription] = useState(species.description);
  const [detailPaddingMs, setDetailPaddingMs] = useState(String(species.detailPaddingMs));
  const [overviewPaddingMs, setOverviewPaddingMs] = useState(String(species.overviewPaddingMs));
  const update = useMutation(trpc.species.update.mutationOptions({ onSuccess: invalidate }));
  const fe = fieldErrors(update.error);
  return (
    <form
      className="form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        update.mutate({
          speciesId: species.id,
          name,
          commonName,
          description,
          detailPaddingMs: Number(detailPaddingMs),
          overviewPaddingMs: Number(overviewPaddingMs),
        });
      }}
    >
      <ErrorAlert error={update.error} />
      {update.isSuccess ? <Alert kind="success">Saved.</Alert> : null}
      <div className="grid-2">
        <TextField
          label="Scientific name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={fe.name}
        />
        <TextField
          label="Common name"
          value={commonName}
          onChange={(e) => setCommonName(e.target.value)}
          error={fe.commonName}
        />
      </div>
      <TextArea
        label="Description"
        value={description}
        onChange={(e) => setDescription(e.target.value)}
        error={fe.description}
      />
      <div className="grid-2">
        <TextField
          label="Detail padding (ms)"
          type="number"
          min={0}
          value={detailPaddingMs}
          onChange={(e) => setDetailPaddingMs(e.target.value)}
          error={fe.detailPaddingMs}
          hint="Audio shown around a call in the annotation view"
        />
        <TextField
          label="Overview padding (ms)"
          type="number"
          min={0}
          value={overviewPaddingMs}
          onChange={(e) => setOverviewPaddingMs(e.target.value)}
          error={fe.overviewPaddingMs}
          hint="Context shown in the overview spectrogram"
        />
      </div>
      <div className="form-actions">
        <Button type="submit" variant="primary" busy={update.isPending}>
          Save species
        </Button>
      </div>
    </form>
  );
}

function CallTypeRow({ ct, editable }: { ct: CallType; editable: boolean }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateSpecies();
  const [shortName, setShortName] = useState(ct.shortName);
  const [longName, setLongName] = useState(ct.longName);
  useEffect(() => {
    setShortName(ct.shortName);
    setLongName(ct.longName);
  }, [ct.shortName, ct.longName]);
  const update = useMutation(trpc.species.updateCallType.mutationOptions({ onSuccess: invalidate }));
  const del = useMutation(trpc.species.deleteCallType.mutationOptions({ onSuccess: invalidate }));
  const dirty = shortName !== ct.shortName || longName !== ct.longName;
  const fe = fieldErrors(update.error);
  if (!editable)
    return (
      <tr>
        <td>
          <code>{ct.shortName}</code>
        </td>
        <td>{ct.longName}</td>
        <td />
      </tr>
    );
  return (
    <tr>
      <td>
        <input
          aria-label={`Short name of ${ct.shortName}`}
          value={shortName}
          onChange={(e) => setShortName(e.target.value)}
          aria-invalid={fe.shortName ? true : undefined}
        />
        {fe.shortName ? <div className="field-error">{fe.shortName}</div> : null}
      </td>
      <td>
        <input
          aria-label={`Long name of ${ct.shortName}`}
          value={longName}
          onChange={(e) => setLongName(e.target.value)}
          aria-invalid={fe.longName ? true : undefined}
        />
        {fe.longName ? <div className="field-error">{fe.longName}</div> : null}
        {update.error && !fe.shortName && !fe.longName ? (
          <div className="field-error">{errorMessage(update.error)}</div>
        ) : null}
        {del.error ? <div className="field-error">{errorMessage(del.error)}</div> : null}
      </td>
      <td className="actions">
        <Button
          size="sm"
          variant={dirty ? "primary" : "default"}
          disabled={!dirty}
          busy={update.isPending}
          onClick={() => update.mutate({ callTypeId: ct.id, shortName, longName })}
          aria-label={`Save ${ct.shortName}`}
        >
          Save
        </Button>{" "}
        <Button
          size="sm"
          busy={del.isPending}
          onClick={() => del.mutate({ callTypeId: ct.id })}
          aria-label={`Delete ${ct.shortName}`}
        >
          Delete
        </Button>
      </td>
    </tr>
  );
}

function AddCallTypeRow({ speciesId }: { speciesId: string }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateSpecies();
  const [shortName, setShortName] = useState("");
  const [longName, setLongName] = useState("");
  const add = useMutation(
    trpc.species.addCallType.mutationOptions({
      onSuccess: async () => {
        setShortName("");
        setLongName("");
        await invalidate();
      },
    }),
  );
  const fe = fieldErrors(add.error);
  const submit = () => add.mutate({ speciesId, shortName, longName });
  return (
    <tr>
      <td>
        <input
          aria-label="New call type short name"
          placeholder="Short name"
          value={shortName}
          onChange={(e) => setShortName(e.target.value)}
          onKeyDown={(e) => e.key === "Enter" && submit()}
        />
        {fe.shortName ? <div className="field-error">{fe.shortName}</div> : null}
      </td>
      <td>
        <input
          aria-label="New call type long name"
          placeholder="Long name"
          value={longName}
          onChange={(e) => setLongName(e.target.value)}
          onKeyDown={(e) => e.key === "Enter" && submit()}
        />
        {fe.longName ? <div className="field-error">{fe.longName}</div> : null}
        {add.error && !fe.shortName && !fe.longName ? (
          <div className="field-error">{errorMessage(add.error)}</div>
        ) : null}
      </td>
      <td className="actions">
        <Button size="sm" variant="primary" busy={add.isPending} onClick={submit}>
          Add
        </Button>
      </td>
    </tr>
  );
}

type ImportProblem = { line: number; message: string };
function importProblems(error: unknown): ImportProblem[] {
  if (!(error instanceof TRPCClientError)) return [];
  const details = (error.data as { details?: unknown } | undefined)?.details;
  if (!Array.isArray(details)) return [];
  return details.filter(
    (d): d is ImportProblem => typeof d === "object" && d !== null && "line" in d && "message" in d,
  );
}

function ImportCallTypes({ speciesId }: { speciesId: string }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateSpecies();
  const fileId = useId();
  const [mode, setMode] = useState<"merge" | "replace">("merge");
  const [fileName, setFileName] = useState<string | null>(null);
  const [text, setText] = useState<string | null>(null);
  const imp = useMutation(trpc.species.importCallTypes.mutationOptions({ onSuccess: invalidate }));
  const problems = importProblems(imp.error);
  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    imp.reset();
    if (!file) {
      setFileName(null);
      setText(null);
      return;
    }
    setFileName(file.name);
    setText(await file.text());
  };
  return (
    <section className="card" aria-labelledby="import-h">
      <h3 id="import-h">Import call types from a text file</h3>
      <p className="muted small">
        One call type per line as <code>short,long</code> or <code>short|long</code>. Blank lines and lines
        starting with <code>#</code> are ignored.
      </p>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          if (text !== null) imp.mutate({ speciesId, text, mode });
        }}
      >
        <div className="row" style={{ alignItems: "flex-end" }}>
          <div className="field" style={{ flex: 1, minWidth: 220 }}>
            <label htmlFor={fileId}>Call type file</label>
            <input id={fileId} type="file" accept=".txt,.csv,text/plain,text/csv" onChange={onFile} />
          </div>
          <div style={{ minWidth: 200 }}>
            <SelectField
              label="Import mode"
              value={mode}
              onChange={(e) => setMode(e.target.value as "merge" | "replace")}
            >
              <option value="merge">Merge (add and update)</option>
              <option value="replace">Replace (also delete missing)</option>
            </SelectField>
          </div>
          <Button type="submit" busy={imp.isPending} disabled={text === null}>
            Import
          </Button>
        </div>
        {imp.data ? (
          <Alert kind="success">
            Imported {fileName}: {imp.data.created} added, {imp.data.updated} updated, {imp.data.deleted}{" "}
            removed.
            {imp.data.renamed.length > 0
              ? ` Renamed (the labels follow): ${imp.data.renamed.map((r) => `${r.from} → ${r.to}`).join(", ")}.`
              : ""}
          </Alert>
        ) : null}
        {imp.error ? (
          problems.length > 0 ? (
            <div className="alert alert-error" role="alert">
              <strong>{fileName} could not be imported:</strong>
              <ul style={{ margin: "0.3rem 0 0", paddingLeft: "1.2rem" }}>
                {problems.slice(0, 20).map((p) => (
                  <li key={`${p.line}-${p.message}`}>
                    {p.line > 0 ? `Line ${p.line}: ${p.message}` : p.message}
                  </li>
                ))}
              </ul>
              {problems.length > 20 ? <div>…and {problems.length - 20} more</div> : null}
            </div>
          ) : (
            <ErrorAlert error={imp.error} />
          )
        ) : null}
      </form>
    </section>
  );
}

const IMAGE_TYPES = ["image/png", "image/jpeg"];
const IMAGE_MAX_BYTES = 10 * 1024 * 1024;

/** Repertoire image: local preview before upload; upload/delete go through /api/species/:id/image. */
function RepertoireImage({ species }: { species: SpeciesDetail }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateSpecies();
  const fileId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [localError, setLocalError] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(
    () => () => {
      if (preview) URL.revokeObjectURL(preview);
    },
    [preview],
  );
  const upload = useMutation({
    mutationFn: async (f: File) => {
      const body = new FormData();
      body.append("image", f, f.name);
      const res = await fetch(`/api/species/${encodeURIComponent(species.id)}/image`, {
        method: "POST",
        body,
        credentials: "include",
      });
      if (!res.ok) throw await httpErrorFrom(res, "Upload failed");
    },
    onSuccess: async () => {
      setFile(null);
      setPreview(null);
      if (inputRef.current) inputRef.current.value = "";
      await invalidate();
    },
  });
  const remove = useMutation(trpc.species.deleteImage.mutationOptions({ onSuccess: invalidate }));
  const onFile = (e: ChangeEvent<HTMLInputElement>) => {
    upload.reset();
    const f = e.target.files?.[0] ?? null;
    setLocalError(null);
    if (f && !IMAGE_TYPES.includes(f.type)) {
      setLocalError("Choose a JPEG or PNG image.");
      setFile(null);
      setPreview(null);
      return;
    }
    if (f && f.size > IMAGE_MAX_BYTES) {
      setLocalError("The image is larger than 10 MB.");
      setFile(null);
      setPreview(null);
      return;
    }
    setFile(f);
    setPreview(f ? URL.createObjectURL(f) : null);
  };
  return (
    <section className="card" aria-labelledby="img-h">
      <h3 id="img-h">Repertoire image</h3>
      <div className="grid-2">
        <div>
          {preview ? (
            <>
              <p className="small muted">Preview (not uploaded yet)</p>
              <img className="repertoire-preview" src={preview} alt="Preview of the chosen repertoire" />
            </>
          ) : species.imageUrl ? (
            <img
              className="repertoire-preview"
              src={species.imageUrl}
              alt={`Call repertoire of ${species.name}`}
            />
          ) : (
            <div className="empty">No repertoire image yet.</div>
          )}
        </div>
        {species.editable ? (
          <div className="stack">
            <div className="field">
              <label htmlFor={fileId}>Repertoire image file</label>
              <input ref={inputRef} id={fileId} type="file" accept="image/png,image/jpeg" onChange={onFile} />
              <span className="hint">JPEG or PNG, up to 10 MB.</span>
            </div>
            {localError ? <Alert kind="error">{localError}</Alert> : null}
            <ErrorAlert error={upload.error ?? remove.error} />
            <div className="form-actions">
              <Button
                variant="primary"
                disabled={!file}
                busy={upload.isPending}
                onClick={() => file && upload.mutate(file)}
              >
                Upload image
              </Button>
              {species.imageUrl && !preview ? (
                <Button busy={remove.isPending} onClick={() => remove.mutate({ speciesId: species.id })}>
                  Remove image
                </Button>
              ) : null}
            </div>
          </div>
        ) : null}
      </div>
    </section>
  );
}

function DeleteSpeciesDialog({ species, onClose }: { species: SpeciesDetail; onClose: () => void }) {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const invalidate = useInvalidateSpecies();
  const del = useMutation(
    trpc.species.delete.mutationOptions({
      onSuccess: async () => {
        await invalidate();
        navigate("/species");
      },
    }),
  );
  return (
    <Dialog title={`Delete ${species.name}?`} onClose={onClose}>
      <p>
        This removes the species and its {species.callTypes.length} call type
        {species.callTypes.length === 1 ? "" : "s"}. Recordings of this species are kept but lose their
        species.
      </p>
      <ErrorAlert error={del.error} />
      <div className="form-actions">
        <Button variant="danger" busy={del.isPending} onClick={() => del.mutate({ speciesId: species.id })}>
          Delete species
        </Button>
        <Button onClick={onClose}>Cancel</Button>
      </div>
    </Dialog>
  );
}

/** Makes the group's own editable copy of a system species and opens it. */
function CopyToGroup({ speciesId }: { speciesId: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const copy = useMutation(
    trpc.species.copyToGroup.mutationOptions({
      onSuccess: async (created) => {
        await qc.invalidateQueries({ queryKey: trpc.species.list.pathKey() });
        navigate(`/species/${created.id}`);
      },
    }),
  );
  return (
    <>
      <Button size="sm" busy={copy.isPending} onClick={() => copy.mutate({ speciesId })}>
        Make an editable copy for your group
      </Button>
      {copy.error ? <span className="field-error"> {errorMessage(copy.error)}</span> : null}
    </>
  );
}

export function SpeciesDetailPage() {
  const { speciesId = "" } = useParams();
  const trpc = useTRPC();
  const species = useQuery(trpc.species.get.queryOptions({ speciesId }));
  const [deleting, setDeleting] = useState(false);
  if (species.isPending) return <Loading what="Loading species…" />;
  if (species.error)
    return (
      <div className="stack">
        <ErrorAlert error={species.error} />
        <Link to="/species">Back to species</Link>
      </div>
    );
  const s = species.data;
  return (
    <div className="stack">
      <PageHeader
        title={<em>{s.name}</em>}
        description={
          <>
            {s.commonName || "No common name"} · <OwnerBadge species={s} />
          </>
        }
        actions={s.editable ? <Button onClick={() => setDeleting(true)}>Delete</Button> : null}
      />
      {!s.editable ? (
        <Alert kind="info">
          System species are shared by every group; only site admins can change them.{" "}
          {s.isSystem ? <CopyToGroup speciesId={s.id} /> : null}
        </Alert>
      ) : null}
      {s.editable ? (
        <section className="card" aria-label="Species details">
          <SpeciesEditForm key={s.updatedAt} species={s} />
        </section>
      ) : s.description ? (
        <p>{s.description}</p>
      ) : null}
      <section className="card" aria-labelledby="ct-h">
        <h3 id="ct-h">Call types ({s.callTypes.length})</h3>
        <table className="table inline-edit" aria-label="Call types">
          <thead>
            <tr>
              <th style={{ width: "28%" }}>Short name</th>
              <th>Long name</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {s.callTypes.map((ct) => (
              <CallTypeRow key={ct.id} ct={ct} editable={s.editable} />
            ))}
            {s.editable ? <AddCallTypeRow speciesId={s.id} /> : null}
          </tbody>
        </table>
        {s.callTypes.length === 0 && !s.editable ? <p className="muted">No call types.</p> : null}
      </section>
      <TaxonomySection species={s} />
      {s.editable ? <ImportCallTypes speciesId={s.id} /> : null}
      <RepertoireImage species={s} />
      <p>
        <Link to="/species">← All species</Link>
      </p>
      {deleting ? <DeleteSpeciesDialog species={s} onClose={() => setDeleting(false)} /> : null}
    </div>
  );
}
