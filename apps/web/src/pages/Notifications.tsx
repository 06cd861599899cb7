import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { Button, ErrorAlert, formatDate, Loading, PageHeader, SelectField } from "../components/ui";
import { useTRPC } from "../lib/trpc";

const FAMILIES = [
  ["", "All kinds"],
  ["upload", "Uploads"],
  ["segmentation", "Segmentation"],
  ["classification", "Classification"],
  ["training", "Training"],
] as const;
type Family = Exclude<(typeof FAMILIES)[number][0], "">;
const READ_STATES = [
  ["all", "Read and unread"],
  ["unread", "Unread"],
  ["read", "Read"],
] as const;
type ReadState = (typeof READ_STATES)[number][0];

/** Every notification of the signed-in user (the bell shows the latest ten), filterable, pageable. */
export function NotificationsPage() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const family = FAMILIES.some(([f]) => f && f === params.get("kind"))
    ? (params.get("kind") as Family)
    : undefined;
  const readState: ReadState = READ_STATES.some(([r]) => r === params.get("read"))
    ? (params.get("read") as ReadState)
    : "all";
  const filters = {
    limit: 50,
    unreadOnly: readState === "unread",
    readOnly: readState === "read",
    ...(family ? { family } : {}),
  };
  const list = useInfiniteQuery(
    trpc.notifications.list.infiniteQueryOptions(filters, {
      getNextPageParam: (last) => last.nextCursor ?? undefined,
    }),
  );
  const markRead = useMutation(
    trpc.notifications.markRead.mutationOptions({
      onSuccess: () => qc.invalidateQueries({ queryKey: trpc.notifications.list.pathKey() }),
    }),
  );
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value && value !== "all") next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const unread = list.data?.pages[0]?.unread ?? 0;
  return (
    <div className="stack">
      <PageHeader
        title="Notifications"
        description={unread ? `${unread} unread` : "All caught up"}
        actions={
          <Button disabled={!unread || markRead.isPending} onClick={() => markRead.mutate({ all: true })}>
            Mark all read
          </Button>
        }
      />
      <section className="card stack" aria-label="Notification filters">
        <div className="row wrap">
          <SelectField label="Kind" value={family ?? ""} onChange={(e) => set("kind", e.target.value)}>
            {FAMILIES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </SelectField>
          <SelectField label="Show" value={readState} onChange={(e) => set("read", e.target.value)}>
            {READ_STATES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </SelectField>
        </div>
      </section>
      <section className="card stack" aria-label="All notifications">
        <ErrorAlert error={list.error ?? markRead.error} />
        {list.isPending ? <Loading what="Loading notifications…" /> : null}
        {list.data && items.length === 0 ? <p className="muted">No notifications match.</p> : null}
        <ul className="notif-page-list">
          {items.map((n) => (
            <li key={n.id} className={n.readAt ? "" : "notif-unread"} data-kind={n.kind}>
              <div className="notif-page-body">
                <strong>{n.link ? <Link to={n.link}>{n.title}</Link> : n.title}</strong>
                {n.message ? <span className="small">{n.message}</span> : null}
                <span className="small muted">
                  {n.kind}
                  {n.groupName ? ` · in ${n.groupName}` : ""} · {formatDate(n.createdAt)}
                  {n.readAt ? " · read" : ""}
                </span>
              </div>
              {n.readAt ? null : (
                <Button
                  size="sm"
                  variant="ghost"
                  busy={markRead.isPending && "ids" in (markRead.variables ?? {})}
                  onClick={() => markRead.mutate({ ids: [n.id] })}
                  aria-label={`Mark "${n.title}" read`}
                >
                  Mark read
                </Button>
              )}
            </li>
          ))}
        </ul>
        {list.hasNextPage ? (
          <Button busy={list.isFetchingNextPage} onClick={() => list.fetchNextPage()}>
            Show more
          </Button>
        ) : null}
      </section>
    </div>
  );
}
