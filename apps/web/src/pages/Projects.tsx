import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { NotFoundOrOtherGroup } from "../components/OtherGroupNotice";
import {
  Button,
  Dialog,
  ErrorAlert,
  formatDate,
  Loading,
  PageHeader,
  TextArea,
  TextField,
} from "../components/ui";
import { fieldErrors } from "../lib/errors";
import { type RouterOutputs, useTRPC } from "../lib/trpc";

type Project = RouterOutputs["projects"]["list"][number];

function ProjectForm({
  initial,
  submitLabel,
  busy,
  error,
  onSubmit,
  onCancel,
}: {
  initial?: { name: string; description: string };
  submitLabel: string;
  busy: boolean;
  error: unknown;
  onSubmit: (v: { name: string; description: string }) => void;
  onCancel?: () => void;
}) {
  const [name, setName] = useState(initial?.name ?? "");
  const [description, setDescription] = useState(initial?.description ?? "");
  const fe = fieldErrors(error);
  return (
    <form
      className="form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit({ name, description });
      }}
    >
      <ErrorAlert error={error} />
      <TextField
        label="Project name"
        name="name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={fe.name}
        required
        autoFocus
      />
      <TextArea
        label="Description"
        name="description"
        value={description}
        onChange={(e) => setDescription(e.target.value)}
        error={fe.description}
        hint="Site, season, equipment — whatever helps your group find it later."
      />
      <div className="form-actions">
        <Button type="submit" variant="primary" busy={busy}>
          {submitLabel}
        </Button>
        {onCancel ? <Button onClick={onCancel}>Cancel</Button> : null}
      </div>
    </form>
  );
}

function useInvalidateProjects() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries(trpc.projects.pathFilter());
}

export function EditProjectDialog({ project, onClose }: { project: Project; onClose: () => void }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateProjects();
  const update = useMutation(
    trpc.projects.update.mutationOptions({
      onSuccess: async () => {
        await invalidate();
        onClose();
      },
    }),
  );
  return (
    <Dialog title={`Edit ${project.name}`} onClose={onClose}>
      <ProjectForm
        initial={project}
        submitLabel="Save changes"
        busy={update.isPending}
        error={update.error}
        onSubmit={(v) => update.mutate({ projectId: project.id, ...v })}
        onCancel={onClose}
      />
    </Dialog>
  );
}

const removalLabels: [keyof RouterOutputs["projects"]["previewDelete"], string][] = [
  ["recordings", "recordings"],
  ["segmentations", "segmentations"],
  ["segments", "segments"],
  ["classificationRuns", "classification runs"],
  ["taskBatches", "task batches"],
  ["tasks", "tasks"],
  ["clusteringRuns", "clustering runs"],
];

/** Asks the API what deleting would remove, lists it, and only then offers the delete button. */
export function DeleteProjectDialog({
  project,
  onClose,
  onDeleted,
}: {
  project: Project;
  onClose: () => void;
  onDeleted?: () => void;
}) {
  const trpc = useTRPC();
  const invalidate = useInvalidateProjects();
  const preview = useQuery(
    trpc.projects.previewDelete.queryOptions({ projectId: project.id }, { staleTime: 0 }),
  );
  const del = useMutation(
    trpc.projects.delete.mutationOptions({
      onSuccess: async () => {
        onDeleted?.();
        onClose();
        await invalidate();
      },
    }),
  );
  const nonZero = preview.data ? removalLabels.filter(([k]) => (preview.data[k] as number) > 0) : [];
  return (
    <Dialog title={`Delete ${project.name}?`} onClose={onClose}>
      {preview.isPending ? <Loading what="Checking what would be removed…" /> : null}
      <ErrorAlert error={preview.error} />
      {preview.data ? (
        <div className="stack">
          <p>This permanently removes the project and everything in it:</p>
          <ul data-testid="delete-preview">
            {removalLabels.map(([k, label]) => (
              <li key={k}>
                <strong>{preview.data[k] as number}</strong> {label}
              </li>
            ))}
          </ul>
          {nonZero.length === 0 ? (
            <p className="muted small">The project is empty; nothing else is removed.</p>
          ) : null}
          <ErrorAlert error={del.error} />
          <div className="form-actions">
            <Button
              variant="danger"
              busy={del.isPending}
              onClick={() => del.mutate({ projectId: project.id })}
            >
              Delete project
            </Button>
            <Button onClick={onClose}>Cancel</Button>
          </div>
        </div>
      ) : null}
    </Dialog>
  );
}

export function ProjectsPage() {
  const trpc = useTRPC();
  const invalidate = useInvalidateProjects();
  const projects = useQuery(trpc.projects.list.queryOptions());
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Project | null>(null);
  const [deleting, setDeleting] = useState<Project | null>(null);
  const create = useMutation(
    trpc.projects.create.mutationOptions({
      onSuccess: async () => {
        setCreating(false);
        await invalidate();
      },
    }),
  );
  return (
    <div className="stack">
      <PageHeader
        title="Projects"
        description="Projects organise your group's recordings and the work done on them."
        actions={
          !creating ? (
            <Button
              variant="primary"
              onClick={() => {
                create.reset();
                setCreating(true);
              }}
            >
              New project
            </Button>
          ) : null
        }
      />
      {creating ? (
        <section className="card" aria-label="New project">
          <h2>New project</h2>
          <ProjectForm
            submitLabel="Create project"
            busy={create.isPending}
            error={create.error}
            onSubmit={(v) => create.mutate(v)}
            onCancel={() => setCreating(false)}
          />
        </section>
      ) : null}
      {projects.isPending ? <Loading what="Loading projects…" /> : null}
      <ErrorAlert error={projects.error} />
      {projects.data && projects.data.length === 0 ? (
        <div className="empty">No projects yet. Create one to start.</div>
      ) : null}
      {projects.data && projects.data.length > 0 ? (
        <div className="card table-wrap">
          <table className="table" aria-label="Projects">
            <thead>
              <tr>
                <th>Name</th>
                <th>Recordings</th>
                <th>Created</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {projects.data.map((p) => (
                <tr key={p.id}>
                  <td>
                    <Link to={`/projects/${p.id}`}>{p.name}</Link>
                    {p.description ? <div className="muted small">{p.description}</div> : null}
                  </td>
                  <td>{p.recordingCount}</td>
                  <td className="small">
                    {formatDate(p.createdAt)}
                    {p.createdBy ? <span className="muted"> by {p.createdBy}</span> : null}
                  </td>
                  <td className="actions">
                    <Button size="sm" onClick={() => setEditing(p)} aria-label={`Edit ${p.name}`}>
                      Edit
                    </Button>{" "}
                    <Button size="sm" onClick={() => setDeleting(p)} aria-label={`Delete ${p.name}`}>
                      Delete
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {editing ? <EditProjectDialog project={editing} onClose={() => setEditing(null)} /> : null}
      {deleting ? <DeleteProjectDialog project={deleting} onClose={() => setDeleting(null)} /> : null}
    </div>
  );
}

function ProjectRecordings({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const recordings = useQuery(trpc.recordings.list.queryOptions({ projectId, limit: 100 }));
  return (
    <section className="card table-wrap" aria-labelledby="proj-rec-h">
      <h2 id="proj-rec-h">Recordings</h2>
      {recordings.isPending ? <Loading /> : null}
      <ErrorAlert error={recordings.error} />
      {recordings.data && recordings.data.items.length === 0 ? (
        <p className="muted">
          No recordings in this project yet.{" "}
          <Link to={`/recordings/upload?projectId=${encodeURIComponent(projectId)}`}>Upload into it</Link>, or
          move recordings here from their pages.
        </p>
      ) : null}
      {recordings.data && recordings.data.items.length > 0 ? (
        <div className="table-wrap">
          <table className="table" aria-label="Project recordings">
            <thead>
              <tr>
                <th>Name</th>
                <th>Species</th>
                <th>Duration</th>
                <th>Status</th>
                <th>Added</th>
              </tr>
            </thead>
            <tbody>
              {recordings.data.items.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Link to={`/recordings/${r.id}`}>{r.name}</Link>
                  </td>
                  <td>{r.speciesName ? <em>{r.speciesName}</em> : "—"}</td>
                  <td>{r.duration != null ? `${r.duration.toFixed(2)} s` : "—"}</td>
                  <td>
                    <span className={`badge status-${r.processingStatus}`}>{r.processingStatus}</span>
                  </td>
                  <td className="small">{formatDate(r.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {recordings.data?.nextCursor ? (
        <p className="muted small">
          Showing the newest 100;{" "}
          <Link to={`/recordings?project=${encodeURIComponent(projectId)}`}>all of them</Link> in the
          recordings list.
        </p>
      ) : null}
    </section>
  );
}

export function ProjectDetailPage() {
  const { projectId = "" } = useParams();
  const trpc = useTRPC();
  const navigate = useNavigate();
  const project = useQuery(trpc.projects.get.queryOptions({ projectId }));
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  if (project.isPending) return <Loading what="Loading project…" />;
  if (project.error)
    return (
      <div className="stack">
        <NotFoundOrOtherGroup error={project.error} kind="project" id={projectId} what="project" />
        <Link to="/projects">Back to projects</Link>
      </div>
    );
  const p = project.data;
  return (
    <div className="stack">
      <PageHeader
        title={p.name}
        description={p.description || <span className="muted">No description.</span>}
        actions={
          <>
            <Button onClick={() => setEditing(true)}>Edit</Button>
            <Button onClick={() => setDeleting(true)}>Delete</Button>
          </>
        }
      />
      <div className="grid-3">
        <div className="card">
          <div className="muted small">Recordings</div>
          <div className="stat">{p.recordingCount}</div>
        </div>
        <div className="card">
          <div className="muted small">Created</div>
          <div>{formatDate(p.createdAt)}</div>
          {p.createdBy ? <div className="muted small">by {p.createdBy}</div> : null}
        </div>
        <div className="card">
          <div className="muted small">Last changed</div>
          <div>{formatDate(p.updatedAt)}</div>
        </div>
      </div>
      <ProjectRecordings projectId={p.id} />
      <p>
        <Link to="/projects">← All projects</Link>
      </p>
      {editing ? <EditProjectDialog project={p} onClose={() => setEditing(false)} /> : null}
      {deleting ? (
        <DeleteProjectDialog
          project={p}
          onClose={() => setDeleting(false)}
          onDeleted={() => navigate("/projects")}
        />
      ) : null}
    </div>
  );
}
