import { isColormapName } from "@battycoda/audio/browser";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc";

/**
 * Keeps a colormap picked in a viewer as the user's preference (Profile.spectrogramColormap), so
 * every spectrogram (recording page, segmentation editor, annotation screen) opens with it.
 */
export function useSaveColormap(): (name: string) => void {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const save = useMutation(
    trpc.profile.updatePreferences.mutationOptions({
      onSuccess: async (saved) => {
        qc.setQueryData(trpc.profile.get.queryKey(), saved);
        await qc.invalidateQueries(trpc.auth.me.queryFilter());
      },
    }),
  );
  return (name: string) => {
    if (isColormapName(name)) save.mutate({ spectrogramColormap: name });
  };
}
