import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { Navigate, Outlet, useLocation } from "react-router";
import { Button, ErrorAlert, Loading } from "../components/ui";
import { applyTheme } from "./theme";
import { type RouterOutputs, useTRPC } from "./trpc";

export type SessionUser = NonNullable<RouterOutputs["auth"]["me"]>;

/** The signed-in user (or null). One cached query; every page reads it from here. */
export function useMe() {
  const trpc = useTRPC();
  return useQuery(trpc.auth.me.queryOptions(undefined, { staleTime: 60_000 }));
}

/** For pages under <RequireAuth>: the user is guaranteed to be loaded. */
export function useUser(): SessionUser {
  const me = useMe();
  if (!me.data) throw new Error("useUser() outside <RequireAuth>");
  return me.data;
}

export function useLogout() {
  const trpc = useTRPC();
  return useMutation(
    trpc.auth.logout.mutationOptions({
      // A full page load drops every cached query of the old session (clearing the cache first
      // would re-render signed-in pages without a user).
      onSuccess: () => window.location.assign("/login"),
    }),
  );
}

/** Keeps <html data-theme> in step with the signed-in user's preference. */
export function ThemeSync() {
  const me = useMe();
  const theme = me.data?.theme;
  useEffect(() => {
    if (theme) applyTheme(theme);
  }, [theme]);
  return null;
}

/** Route guard: shows the login page (remembering where to come back to) when signed out. */
export function RequireAuth() {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <Loading what="Checking your session…" />;
  if (me.error)
    return (
      <div className="auth-wrap">
        <div className="card auth-card stack">
          <ErrorAlert error={me.error} />
          <Button variant="primary" onClick={() => void me.refetch()} busy={me.isFetching}>
            Try again
          </Button>
        </div>
      </div>
    );
  if (!me.data) {
    const next = location.pathname + location.search;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <Outlet />;
}

/** Route guard for the auth pages: a signed-in visitor goes to the dashboard (or ?next=). */
export function RedirectIfAuthed() {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <Loading what="Loading…" />;
  if (me.data) return <Navigate to={safeNext(new URLSearchParams(location.search).get("next"))} replace />;
  return <Outlet />;
}

/** Only same-origin paths are honoured as ?next= targets. */
export function safeNext(next: string | null | undefined): string {
  if (next?.startsWith("/") && !next.startsWith("//")) return next;
  return "/";
}
