import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button, ErrorAlert, Loading } from "../../components/ui";
import { type RouterOutputs, useTRPC } from "../../lib/trpc";
import { formatBytes } from "../uploads/transport";

type Row = RouterOutputs["admin"]["groupStorage"]["groups"][number];
const GB = 1024 ** 3;

/** "" = site default, "0" = unlimited, otherwise gigabytes. */
function toBytes(text: string): number | null | "invalid" {
  const t = text.trim();
  if (t === "") return null;
  const n = Number(t);
  if (!Number.isFinite(n) || n < 0) return "invalid";
  return Math.round(n * GB);
}

function QuotaEditor({ row }: { row: Row }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [text, setText] = useState(row.ownQuotaBytes === null ? "" : String(row.ownQuotaBytes / GB));
  const set = useMutation(
    trpc.admin.setGroupStorageQuota.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.admin.groupStorage.queryFilter()),
    }),
  );
  const bytes = toBytes(text);
  return (
    <form
      className="row"
      onSubmit={(e) => {
        e.preventDefault();
        if (bytes !== "invalid") set.mutate({ groupId: row.groupId, quotaBytes: bytes });
      }}
    >
      <input
        aria-label={`Quota of ${row.groupName} in GB`}
        inputMode="decimal"
        size={8}
        placeholder="default"
        value={text}
        onChange={(e) => setText(e.target.value)}
        aria-invalid={bytes === "invalid" || undefined}
      />
      <Button type="submit" size="sm" busy={set.isPending} disabled={bytes === "invalid"}>
        Save
      </Button>
      {bytes === "invalid" ? (
        // Save alone greyed out leaves the admin guessing why.
        <span className="field-error small" role="alert">
          A number of GB, 0 or more (0 = unlimited), or empty for the site default
        </span>
      ) : null}
      <ErrorAlert error={set.error} />
    </form>
  );
}

/** Site admin: each group's stored media and its quota (GB; empty = site default, 0 = unlimited). */
export function GroupQuotas() {
  const trpc = useTRPC();
  const list = useQuery(trpc.admin.groupStorage.queryOptions());
  return (
    <section className="card" aria-labelledby="quotas-h">
      <h2 id="quotas-h">Group storage</h2>
      {list.isPending ? <Loading /> : null}
      <ErrorAlert error={list.error} />
      {list.data ? (
        <>
          <p className="muted small">
            Site default:{" "}
            {list.data.siteDefaultQuotaBytes === null
              ? "unlimited"
              : formatBytes(list.data.siteDefaultQuotaBytes)}{" "}
            (GROUP_STORAGE_QUOTA_MB). Quota in GB: empty = site default, 0 = unlimited.
          </p>
          <table className="table">
            <thead>
              <tr>
                <th>Group</th>
                <th>Used</th>
                <th>Quota</th>
                <th>Set quota</th>
              </tr>
            </thead>
            <tbody>
              {list.data.groups.map((g) => (
                <tr key={g.groupId}>
                  <td>
                    {g.groupName}
                    {g.isPersonal ? <span className="muted small"> (personal)</span> : null}
                  </td>
                  <td>{formatBytes(g.usedBytes)}</td>
                  <td>
                    {g.quotaBytes === null ? "unlimited" : formatBytes(g.quotaBytes)}
                    {g.quotaIsSiteDefault ? <span className="muted small"> (default)</span> : null}
                  </td>
                  <td>
                    <QuotaEditor row={g} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
