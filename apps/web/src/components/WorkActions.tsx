import { Button } from "./ui";

/**
 * The actions of background work (a job, a run): Cancel while it is queued or running, Retry once it failed or was
 * cancelled. The caller says which apply (the server's canCancel/canRetry where it sends them).
 */
export function WorkActions({
  canCancel,
  canRetry,
  onCancel,
  onRetry,
  cancelling = false,
  retrying = false,
  size,
}: {
  canCancel: boolean;
  canRetry: boolean;
  onCancel: () => void;
  onRetry: () => void;
  cancelling?: boolean;
  retrying?: boolean;
  size?: "sm";
}) {
  return (
    <>
      {canCancel ? (
        <Button size={size} busy={cancelling} onClick={onCancel}>
          Cancel
        </Button>
      ) : null}
      {canRetry ? (
        <Button size={size} busy={retrying} onClick={onRetry}>
          Retry
        </Button>
      ) : null}
    </>
  );
}
