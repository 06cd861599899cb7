import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { errorCode, errorMessage } from "../lib/errors";
import { useTRPC } from "../lib/trpc";
import { Alert, Button, ErrorAlert, Loading } from "./ui";

type Kind = "recording" | "project" | "classificationRun" | "taskBatch" | "species";

/**
 * Shown instead of a page's "not found" error: when the item lives in another of the caller's own
 * groups, offers to switch to it (the page then loads in place, since switching refetches every
 * query); otherwise the error as it was. The server says nothing about groups the caller is not in.
 */
export function NotFoundOrOtherGroup({
  error,
  kind,
  id,
  what,
}: {
  error: unknown;
  kind: Kind;
  id: string;
  /** e.g. "recording" */
  what: string;
}): ReactNode {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const notFound = errorCode(error) === "NOT_FOUND";
  const located = useQuery(trpc.groups.locate.queryOptions({ kind, id }, { enabled: notFound && !!id }));
  const switchGroup = useMutation(
    trpc.groups.switch.mutationOptions({ onSuccess: () => qc.invalidateQueries() }),
  );
  if (!notFound) return <ErrorAlert error={error} />;
  if (located.isPending) return <Loading what={`Looking for this ${what}…`} />;
  const place = located.data;
  if (!place || place.isCurrent) return <ErrorAlert error={error} />;
  return (
    <Alert kind="warning">
      <span data-testid="other-group-notice">
        This {what} belongs to your group <strong>{place.groupName}</strong>, not the one you are working in.{" "}
      </span>
      <Button
        variant="primary"
        size="sm"
        busy={switchGroup.isPending}
        onClick={() => switchGroup.mutate({ groupId: place.groupId })}
      >
        Switch to {place.groupName}
      </Button>
      {switchGroup.error ? <span className="field-error"> {errorMessage(switchGroup.error)}</span> : null}
    </Alert>
  );
}
