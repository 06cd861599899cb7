import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useSearchParams } from "react-router";
import { AuthCard } from "../components/AuthCard";
import { Alert, Button, ErrorAlert, formatDate, Loading } from "../components/ui";
import { useMe } from "../lib/session";
import { useTRPC } from "../lib/trpc";

/**
 * Target of the emailed invitation link (/invitations/accept?token=…). Signed in with the invited address: one click
 * joins (another account is told whose invitation it is).
 * Signed out: create an account (joins on registration) or log in and come back here.
 */
export function AcceptInvitationPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const me = useMe();
  const preview = useQuery(
    trpc.groups.previewInvitation.queryOptions({ token }, { enabled: token.length > 0 }),
  );
  const accept = useMutation(
    trpc.groups.acceptInvitation.mutationOptions({
      onSuccess: async (res) => {
        await queryClient.invalidateQueries();
        navigate(`/?joined=${encodeURIComponent(res.groupName)}`, { replace: true });
      },
    }),
  );
  const here = `/invitations/accept?token=${encodeURIComponent(token)}`;

  if (!token) {
    return (
      <AuthCard title="Invitation">
        <Alert kind="error">This invitation link is incomplete. Ask for a new invitation.</Alert>
      </AuthCard>
    );
  }
  if (preview.isPending || me.isPending) {
    return (
      <AuthCard title="Invitation">
        <Loading what="Looking up your invitation…" />
      </AuthCard>
    );
  }
  if (preview.error) {
    return (
      <AuthCard title="Invitation" footer={<Link to="/">Go to BattyCoda</Link>}>
        <ErrorAlert error={preview.error} />
      </AuthCard>
    );
  }
  const inv = preview.data;
  return (
    <AuthCard title={`Join ${inv.groupName}`} footer={<Link to="/">Go to BattyCoda</Link>}>
      <p>
        {inv.invitedBy ? (
          <>
            <strong>{inv.invitedBy}</strong> invited <strong>{inv.email}</strong>
          </>
        ) : (
          <>
            <strong>{inv.email}</strong> was invited
          </>
        )}{" "}
        to join the group <strong>{inv.groupName}</strong>.
      </p>
      {inv.status === "accepted" ? (
        <Alert kind="warning">This invitation has already been used.</Alert>
      ) : null}
      {inv.status === "expired" ? (
        <Alert kind="warning">
          This invitation expired on {formatDate(inv.expiresAt)}. Ask for a new one.
        </Alert>
      ) : null}
      {inv.status === "valid" && me.data && me.data.email.toLowerCase() !== inv.email ? (
        // Only the invited address's account may join: say so before offering a button that would be refused.
        <Alert kind="warning">
          You are logged in as <strong>{me.data.username}</strong> ({me.data.email}). This invitation is for{" "}
          <strong>{inv.email}</strong>: log out and log in with that account to accept it, or ask the group's
          admin to invite {me.data.email}.
        </Alert>
      ) : null}
      {inv.status === "valid" && me.data && me.data.email.toLowerCase() === inv.email ? (
        <div className="stack">
          <p className="muted small">
            You are logged in as <strong>{me.data.username}</strong>.
          </p>
          <ErrorAlert error={accept.error} />
          <Button
            variant="primary"
            className="btn-block"
            busy={accept.isPending}
            onClick={() => accept.mutate({ token })}
          >
            Accept invitation
          </Button>
        </div>
      ) : null}
      {inv.status === "valid" && !me.data ? (
        <div className="stack">
          <p className="muted small">Valid until {formatDate(inv.expiresAt)}.</p>
          <Link
            className="btn btn-primary btn-block"
            to={`/register?invitation=${encodeURIComponent(token)}&email=${encodeURIComponent(inv.email)}`}
          >
            Create an account and join
          </Link>
          <Link className="btn btn-block" to={`/login?next=${encodeURIComponent(here)}`}>
            I already have an account — log in
          </Link>
        </div>
      ) : null}
    </AuthCard>
  );
}
