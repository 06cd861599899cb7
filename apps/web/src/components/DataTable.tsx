import type { ReactNode } from "react";

/**
 * A list table as every page draws one: scrolls sideways on a narrow screen (table-wrap), named for screen readers,
 * with its column headers; `actions` names the last column of row buttons (hidden visually, as its buttons say it).
 * The rows are the children.
 */
export function DataTable({
  label,
  columns,
  actions,
  testId,
  children,
}: {
  label: string;
  columns: readonly string[];
  actions?: string;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label={label} data-testid={testId}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c}>{c}</th>
            ))}
            {actions ? (
              <th>
                <span className="visually-hidden">{actions}</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
