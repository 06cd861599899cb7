import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { DataTable } from "../../components/DataTable";
import { ErrorAlert, formatDate, Loading, SelectField } from "../../components/ui";
import { useTRPC } from "../../lib/trpc";

const KINDS: [prefix: string, label: string][] = [
  ["", "everything"],
  ["impersonation.", "acting as users"],
  ["user.", "user changes"],
  ["maintenance.", "procedures"],
  ["job.", "job retries and cancels"],
  ["group.", "group quotas"],
];

/** What site admins changed, and who acted as whom. */
export function AuditLog() {
  const trpc = useTRPC();
  const [action, setAction] = useState("");
  const list = useQuery(trpc.admin.auditLog.queryOptions({ action: action || undefined, limit: 100 }));
  return (
    <section className="card stack" aria-labelledby="audit-h">
      <h2 id="audit-h">Audit log</h2>
      <SelectField label="Show" value={action} onChange={(e) => setAction(e.target.value)}>
        {KINDS.map(([prefix, label]) => (
          <option key={prefix} value={prefix}>
            {label}
          </option>
        ))}
      </SelectField>
      {list.isPending ? <Loading /> : null}
      <ErrorAlert error={list.error} />
      {list.data && list.data.length === 0 ? <p className="muted">Nothing recorded yet.</p> : null}
      {list.data && list.data.length > 0 ? (
        <DataTable label="Audit log" testId="audit-log" columns={["When", "Who", "What", "Details"]}>
          {list.data.map((e) => (
            <tr key={e.id}>
              <td>{formatDate(e.createdAt)}</td>
              <td>{e.actorName ?? e.actorId ?? "—"}</td>
              <td>{e.action}</td>
              <td className="small">
                <code>{JSON.stringify(e.details)}</code>
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
    </section>
  );
}
