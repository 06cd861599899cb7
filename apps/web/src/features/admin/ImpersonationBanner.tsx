// While a site admin acts as another user, every page says so and offers the way back.
import { useMutation, useQuery } from "@tanstack/react-query";
import { Button, ErrorAlert } from "../../components/ui";
import { useTRPC } from "../../lib/trpc";
import "./admin.css";

/** Who is acting as whom in this browser, or null (an ordinary session). */
export function useImpersonation() {
  const trpc = useTRPC();
  return useQuery(trpc.auth.impersonation.queryOptions(undefined, { staleTime: 60_000 })).data ?? null;
}

export function ImpersonationBanner() {
  const trpc = useTRPC();
  const impersonation = useImpersonation();
  const stop = useMutation(
    trpc.auth.stopImpersonating.mutationOptions({
      // a full page load drops every cached query of the impersonated user
      onSuccess: (r) => window.location.assign(r.restored ? "/admin" : "/login"),
    }),
  );
  if (!impersonation) return null;
  return (
    <div className="impersonation-banner" role="status" aria-label="Acting as another user">
      <span>
        You are acting as <strong>{impersonation.user.username}</strong> (you are{" "}
        {impersonation.impersonator.username}).
      </span>
      <Button size="sm" variant="primary" busy={stop.isPending} onClick={() => stop.mutate()}>
        Stop
      </Button>
      <ErrorAlert error={stop.error} />
    </div>
  );
}
