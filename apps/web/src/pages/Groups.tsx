import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import {
  Alert,
  Button,
  Dialog,
  ErrorAlert,
  formatDate,
  Loading,
  PageHeader,
  TextArea,
  TextField,
} from "../components/ui";
import { errorMessage, fieldErrors } from "../lib/errors";
import { useUser } from "../lib/session";
import { type RouterOutputs, useTRPC } from "../lib/trpc";

type Group = RouterOutputs["groups"]["list"][number];

/** The group fields, shared by "create" and "edit" (as ProjectForm is in Projects.tsx). */
function GroupForm({
  initial,
  submitLabel,
  busy,
  error,
  autoFocus,
  onSubmit,
  onCancel,
}: {
  initial?: { name: string; description: string };
  submitLabel: string;
  busy: boolean;
  error: unknown;
  autoFocus?: boolean;
  onSubmit: (v: { name: string; description: string }) => void;
  onCancel: () => void;
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
        label="Group name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={fe.name}
        required
        autoFocus={autoFocus}
      />
      <TextArea
        label="Group description"
        value={description}
        onChange={(e) => setDescription(e.target.value)}
        error={fe.description}
      />
      <div className="form-actions">
        <Button type="submit" variant="primary" busy={busy}>
          {submitLabel}
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </form>
  );
}

function CreateGroupForm({ onDone }: { onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const create = useMutation(
    trpc.groups.create.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        onDone();
      },
    }),
  );
  return (
    <GroupForm
      submitLabel="Create group"
      busy={create.isPending}
      error={create.error}
      autoFocus
      onSubmit={(v) => create.mutate(v)}
      onCancel={onDone}
    />
  );
}

function EditGroupDialog({ group, onClose }: { group: Group; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const update = useMutation(
    trpc.groups.update.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        onClose();
      },
    }),
  );
  return (
    <Dialog title="Edit group" onClose={onClose}>
      <GroupForm
        initial={group}
        submitLabel="Save changes"
        busy={update.isPending}
        error={update.error}
        onSubmit={(v) => update.mutate(v)}
        onCancel={onClose}
      />
    </Dialog>
  );
}

function Members({ group }: { group: Group }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const members = useQuery(trpc.groups.members.queryOptions());
  const invalidate = () => queryClient.invalidateQueries(trpc.groups.pathFilter());
  const setAdmin = useMutation(trpc.groups.setMemberAdmin.mutationOptions({ onSuccess: invalidate }));
  const remove = useMutation(
    trpc.groups.removeMember.mutationOptions({
      onSuccess: async (_res, vars) => {
        const self = members.data?.find((m) => m.membershipId === vars.membershipId)?.isSelf;
        // Leaving a group changes the current group: refetch everything.
        if (self) await queryClient.invalidateQueries();
        else await invalidate();
      },
    }),
  );
  const actionError = setAdmin.error ?? remove.error;
  return (
    <section className="card" aria-labelledby="members-h">
      <h2 id="members-h">Members</h2>
      {members.isPending ? <Loading /> : null}
      <ErrorAlert error={members.error} />
      {actionError ? <Alert kind="error">{errorMessage(actionError)}</Alert> : null}
      {members.data ? (
        <div className="table-wrap">
          <table className="table" aria-label="Members">
            <thead>
              <tr>
                <th>User</th>
                <th>Admin</th>
                <th>Joined</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {members.data.map((m) => (
                <tr key={m.membershipId}>
                  <td>
                    {m.username} {m.isSelf ? <span className="badge">you</span> : null}
                  </td>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Admin: ${m.username}`}
                      checked={m.isAdmin}
                      disabled={!group.isAdmin || setAdmin.isPending}
                      onChange={(e) =>
                        setAdmin.mutate({ membershipId: m.membershipId, isAdmin: e.target.checked })
                      }
                    />
                  </td>
                  <td className="small">{formatDate(m.joinedAt)}</td>
                  <td className="actions">
                    {group.isAdmin || m.isSelf ? (
                      <Button
                        size="sm"
                        aria-label={m.isSelf ? "Leave group" : `Remove ${m.username}`}
                        onClick={() => {
                          const q = m.isSelf
                            ? `Leave ${group.name}?`
                            : `Remove ${m.username} from ${group.name}?`;
                          if (window.confirm(q)) remove.mutate({ membershipId: m.membershipId });
                        }}
                      >
                        {m.isSelf ? "Leave" : "Remove"}
                      </Button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {group.isAdmin ? (
        <p className="muted small">New members join by accepting an invitation (below).</p>
      ) : null}
    </section>
  );
}

function Invitations() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invitations = useQuery(trpc.groups.invitations.queryOptions());
  const invalidate = () => queryClient.invalidateQueries(trpc.groups.invitations.queryFilter());
  const [email, setEmail] = useState("");
  const [asAdmin, setAsAdmin] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const invite = useMutation(
    trpc.groups.invite.mutationOptions({
      onSuccess: async (inv) => {
        setSentTo(inv.email);
        setEmail("");
        setAsAdmin(false);
        await invalidate();
      },
    }),
  );
  const revoke = useMutation(trpc.groups.revokeInvitation.mutationOptions({ onSuccess: invalidate }));
  const fe = fieldErrors(invite.error);
  const pending = invitations.data?.filter((i) => !i.accepted) ?? [];
  const accepted = invitations.data?.filter((i) => i.accepted) ?? [];
  return (
    <section className="card" aria-labelledby="inv-h">
      <h2 id="inv-h">Invitations</h2>
      <form
        className="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setSentTo(null);
          invite.mutate({ email, isAdmin: asAdmin });
        }}
      >
        {sentTo ? (
          <Alert kind="success">Invitation sent to {sentTo}. The link is valid for 7 days.</Alert>
        ) : null}
        <ErrorAlert error={invite.error} />
        <div className="row" style={{ alignItems: "flex-end" }}>
          <div style={{ flex: 1, minWidth: 220 }}>
            <TextField
              label="Invite by email"
              type="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              error={fe.email}
            />
          </div>
          <label className="checkbox">
            <input type="checkbox" checked={asAdmin} onChange={(e) => setAsAdmin(e.target.checked)} /> As
            admin
          </label>
          <Button type="submit" variant="primary" busy={invite.isPending}>
            Send invitation
          </Button>
        </div>
      </form>
      {invitations.isPending ? <Loading /> : null}
      <ErrorAlert error={invitations.error ?? revoke.error} />
      {pending.length > 0 ? (
        <table className="table" aria-label="Pending invitations" style={{ marginTop: "1rem" }}>
          <thead>
            <tr>
              <th>Email</th>
              <th>Invited by</th>
              <th>Expires</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {pending.map((i) => {
              const expired = new Date(i.expiresAt).getTime() < Date.now();
              return (
                <tr key={i.id}>
                  <td>
                    {i.email} {i.isAdmin ? <span className="badge">admin</span> : null}
                  </td>
                  <td className="small">{i.invitedBy ?? "—"}</td>
                  <td className="small">
                    {expired ? <span className="badge">expired</span> : formatDate(i.expiresAt)}
                  </td>
                  <td className="actions">
                    <Button
                      size="sm"
                      aria-label={`Revoke invitation for ${i.email}`}
                      onClick={() => revoke.mutate({ invitationId: i.id })}
                    >
                      Revoke
                    </Button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : invitations.data ? (
        <p className="muted small" style={{ marginTop: "0.75rem" }}>
          No pending invitations.
        </p>
      ) : null}
      {accepted.length > 0 ? (
        <p className="muted small">Accepted: {accepted.map((i) => i.email).join(", ")}</p>
      ) : null}
    </section>
  );
}

export function GroupsPage() {
  const user = useUser();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const groups = useQuery(trpc.groups.list.queryOptions());
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState(false);
  const switchGroup = useMutation(
    trpc.groups.switch.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }),
  );
  const current = groups.data?.find((g) => g.isCurrent) ?? null;
  return (
    <div className="stack">
      <PageHeader
        title="Groups"
        description="A group shares projects, species and recordings. Everything you see is scoped to your current group."
        actions={
          !creating ? (
            <Button variant="primary" onClick={() => setCreating(true)}>
              New group
            </Button>
          ) : null
        }
      />
      {creating ? (
        <section className="card" aria-label="New group">
          <h2>New group</h2>
          <CreateGroupForm onDone={() => setCreating(false)} />
        </section>
      ) : null}
      {groups.isPending ? <Loading what="Loading groups…" /> : null}
      <ErrorAlert error={groups.error ?? switchGroup.error} />
      {groups.data ? (
        <section className="card table-wrap" aria-labelledby="your-groups">
          <h2 id="your-groups">Your groups</h2>
          <table className="table" aria-label="Your groups">
            <thead>
              <tr>
                <th>Name</th>
                <th>Role</th>
                <th>Members</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {groups.data.map((g) => (
                <tr key={g.id}>
                  <td>
                    <strong>{g.name}</strong> {g.isPersonal ? <span className="badge">personal</span> : null}{" "}
                    {g.isCurrent ? <span className="badge badge-accent">current</span> : null}
                    {g.description ? <div className="muted small">{g.description}</div> : null}
                  </td>
                  <td>{g.isAdmin ? "Admin" : "Member"}</td>
                  <td>{g.memberCount}</td>
                  <td className="actions">
                    {!g.isCurrent ? (
                      <Button
                        size="sm"
                        aria-label={`Switch to ${g.name}`}
                        busy={switchGroup.isPending && switchGroup.variables?.groupId === g.id}
                        onClick={() => switchGroup.mutate({ groupId: g.id })}
                      >
                        Switch to
                      </Button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      {current ? (
        <>
          <div className="page-header" style={{ marginBottom: 0, marginTop: "0.5rem" }}>
            <div>
              <h2 style={{ fontSize: "1.3rem" }}>Current group: {current.name}</h2>
              {current.description ? <p>{current.description}</p> : null}
            </div>
            {current.isAdmin ? <Button onClick={() => setEditing(true)}>Edit group</Button> : null}
          </div>
          <Members key={current.id} group={current} />
          {current.isAdmin ? (
            <Invitations key={`inv-${current.id}`} />
          ) : (
            <p className="muted small">
              Only group admins can invite people. You are a member of {current.name}.
            </p>
          )}
          {editing ? <EditGroupDialog group={current} onClose={() => setEditing(false)} /> : null}
        </>
      ) : groups.data ? (
        <Alert kind="info">
          {user.username}, you have no current group. Switch to one above or create a new group.
        </Alert>
      ) : null}
    </div>
  );
}
