import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { Button, formatDate } from "../../components/ui";
import { useTRPC } from "../../lib/trpc";
import "./segmentation.css";

/**
 * Header bell: the signed-in user's notifications (segmentation runs completed or failed, …),
 * polled every 15 s; unread count on the button, a short list in a popover, mark read.
 */
export function NotificationsBell() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const list = useQuery(trpc.notifications.list.queryOptions({ limit: 10 }, { refetchInterval: 15_000 }));
  const markRead = useMutation(
    trpc.notifications.markRead.mutationOptions({
      onSuccess: () => qc.invalidateQueries({ queryKey: trpc.notifications.list.pathKey() }),
    }),
  );
  const unread = list.data?.unread ?? 0;

  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    const esc = (e: KeyboardEvent) => e.key === "Escape" && setOpen(false);
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", esc);
    return () => {
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", esc);
    };
  }, [open]);

  return (
    <div className="notif" ref={box}>
      <button
        type="button"
        className="btn btn-sm btn-ghost notif-button"
        aria-label={unread ? `Notifications (${unread} unread)` : "Notifications"}
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true">
          <path
            fill="currentColor"
            d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
          />
        </svg>
        {unread ? <span className="notif-count">{unread > 99 ? "99+" : unread}</span> : null}
      </button>
      {open ? (
        <div className="notif-panel card" role="dialog" aria-label="Notifications">
          <div className="row" style={{ justifyContent: "space-between" }}>
            <strong>Notifications</strong>
            <Button
              size="sm"
              variant="ghost"
              disabled={!unread || markRead.isPending}
              onClick={() => markRead.mutate({ all: true })}
            >
              Mark all read
            </Button>
          </div>
          {list.data && list.data.items.length === 0 ? <p className="muted small">Nothing yet.</p> : null}
          <ul className="notif-list">
            {(list.data?.items ?? []).map((n) => {
              const body = (
                <>
                  <span className="notif-title">{n.title}</span>
                  {n.message ? <span className="small muted">{n.message}</span> : null}
                  <span className="small muted">
                    {n.groupName ? `in ${n.groupName} · ` : ""}
                    {formatDate(n.createdAt)}
                  </span>
                </>
              );
              const read = () => !n.readAt && markRead.mutate({ ids: [n.id] });
              return (
                <li key={n.id} className={n.readAt ? "" : "notif-unread"}>
                  {n.link ? (
                    <Link
                      to={n.link}
                      onClick={() => {
                        read();
                        setOpen(false);
                      }}
                    >
                      {body}
                    </Link>
                  ) : (
                    <button type="button" className="notif-plain" onClick={read}>
                      {body}
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
          <Link to="/notifications" className="small" onClick={() => setOpen(false)}>
            See all notifications
          </Link>
        </div>
      ) : null}
    </div>
  );
}
