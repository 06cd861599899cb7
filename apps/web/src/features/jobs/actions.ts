import { useMutation } from "@tanstack/react-query";

type Action = {
  mutate: (v: { jobId: string }) => void;
  isPending: boolean;
  variables: { jobId: string } | undefined;
  error: unknown;
};

/**
 * Cancel and retry. Placeholder until the `jobs.cancel` / `jobs.retry` procedures land in the API:
 * then this becomes `useMutation(trpc.jobs.cancel.mutationOptions(...))`.
 */
export function useJobActions(onDone: () => unknown): { cancel: Action; retry: Action } {
  const unavailable = async () => {
    throw new Error("Cancelling and retrying jobs is not available on this server yet");
  };
  const cancel = useMutation({ mutationFn: unavailable, onSettled: onDone });
  const retry = useMutation({ mutationFn: unavailable, onSettled: onDone });
  return { cancel, retry } as unknown as { cancel: Action; retry: Action };
}
