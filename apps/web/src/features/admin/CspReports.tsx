import { useQuery } from "@tanstack/react-query";
import { DataTable } from "../../components/DataTable";
import { ErrorAlert, formatDate, Loading } from "../../components/ui";
import { useTRPC } from "../../lib/trpc";

/**
 * Site admin: the Content-Security-Policy violations browsers reported (newest first). An empty
 * list is the normal state; entries after a deploy usually mean a new inline script or style.
 */
export function CspReports() {
  const trpc = useTRPC();
  const list = useQuery(trpc.admin.cspReports.queryOptions({ limit: 50 }));
  return (
    <section className="card" aria-labelledby="csp-h">
      <h2 id="csp-h">Content-Security-Policy reports</h2>
      {list.isPending ? <Loading /> : null}
      <ErrorAlert error={list.error} />
      {list.data && list.data.items.length === 0 ? <p className="muted">No violations reported.</p> : null}
      {list.data && list.data.items.length > 0 ? (
        <DataTable
          label="CSP reports"
          columns={["When", "Page", "Directive", "Blocked", "Source", "Mode", "Host"]}
        >
          {list.data.items.map((r) => (
            <tr key={r.id}>
              <td>{formatDate(r.receivedAt)}</td>
              <td className="small">{r.documentUri}</td>
              <td>{r.effectiveDirective}</td>
              <td className="small">{r.blockedUri}</td>
              <td className="small">
                {r.sourceFile ? `${r.sourceFile}${r.line !== null ? `:${r.line}` : ""}` : ""}
                {r.sample ? <code> {r.sample}</code> : null}
              </td>
              <td>{r.disposition}</td>
              <td className="small">{r.host}</td>
            </tr>
          ))}
        </DataTable>
      ) : null}
    </section>
  );
}
