import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId } from "react";
import { useNavigate } from "react-router";
import { errorMessage } from "../lib/errors";
import { useTRPC } from "../lib/trpc";

/** Header control: which group's projects, species and recordings you are looking at. */
export function GroupSwitcher() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const id = useId();
  const groups = useQuery(trpc.groups.list.queryOptions());
  const switchGroup = useMutation(
    trpc.groups.switch.mutationOptions({
      onSuccess: async () => {
        // Everything on screen is scoped to the current group: refetch it all.
        await queryClient.invalidateQueries();
      },
    }),
  );
  if (!groups.data) return null;
  const current = groups.data.find((g) => g.isCurrent);
  return (
    <div className="row" style={{ gap: "0.4rem" }}>
      <label htmlFor={id} className="muted small">
        Group
      </label>
      <select
        id={id}
        className="select-compact"
        value={current?.id ?? ""}
        disabled={switchGroup.isPending}
        onChange={(e) => {
          const value = e.target.value;
          if (value === "__manage") {
            navigate("/groups");
            return;
          }
          switchGroup.mutate({ groupId: value });
        }}
        title={switchGroup.error ? (errorMessage(switchGroup.error) ?? undefined) : "Switch current group"}
      >
        {current ? null : <option value="">— choose a group —</option>}
        {groups.data.map((g) => (
          <option key={g.id} value={g.id}>
            {g.name}
            {g.isPersonal ? " (personal)" : ""}
          </option>
        ))}
        <option value="__manage">Manage groups…</option>
      </select>
    </div>
  );
}
