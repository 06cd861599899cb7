import { useEffect, useState } from "react";
import { Link, NavLink, Outlet, useLocation } from "react-router";
import { ImpersonationBanner, useImpersonation } from "../features/admin/ImpersonationBanner";
import { NotificationsBell } from "../features/segmentation";
import { featureEnabled } from "../lib/env";
import { useLogout, useUser } from "../lib/session";
import { GroupSwitcher } from "./GroupSwitcher";
import { isNavItemCurrent, type NavItem, SEGMENTATION_EDITOR } from "./nav";

const overview: NavItem[] = [
  { to: "/", label: "Dashboard", end: true },
  { to: "/notifications", label: "Notifications" },
];

/** The research workflow, in the order a lab works through it. */
const workflow: NavItem[] = [
  { to: "/recordings", label: "Recordings", step: 1, except: SEGMENTATION_EDITOR },
  { to: "/segmentation", label: "Segmentation", step: 2, also: SEGMENTATION_EDITOR },
  { to: "/classification", label: "Classification", step: 3 },
  { to: "/tasks", label: "Tasks", step: 4 },
  { to: "/clustering", label: "Clustering", step: 5, flag: "clustering" },
].filter((item) => !item.flag || featureEnabled(item.flag, true));

const setup: NavItem[] = [
  { to: "/projects", label: "Projects" },
  { to: "/species", label: "Species" },
  { to: "/groups", label: "Groups" },
];

function NavSection({ title, items }: { title: string; items: NavItem[] }) {
  const { pathname } = useLocation();
  return (
    <nav className="nav-section" aria-label={title}>
      <h2>{title}</h2>
      <ul>
        {items.map((item) => {
          const current = isNavItemCurrent(item, pathname);
          return (
            <li key={item.to}>
              <Link
                to={item.to}
                className={current ? "active" : ""}
                aria-current={current ? "page" : undefined}
              >
                {item.step ? <span className="nav-step">{item.step}</span> : null}
                {item.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

export function Layout() {
  const user = useUser();
  const logout = useLogout();
  const impersonating = useImpersonation() !== null;
  const { pathname } = useLocation();
  // On a phone the navigation folds behind "Menu" (it filled half the screen above every page's content); it closes
  // again once a page is chosen. Wide screens always show it (CSS).
  const [menuOpen, setMenuOpen] = useState(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: closing on navigation is the point
  useEffect(() => setMenuOpen(false), [pathname]);
  const system: NavItem[] = [{ to: "/jobs", label: "Jobs" }];
  if (user.isSiteAdmin) system.push({ to: "/admin", label: "Admin" });
  return (
    <>
      <ImpersonationBanner />
      <div className={impersonating ? "shell impersonating" : "shell"}>
        <header className="header">
          <NavLink to="/" className="brand">
            <img src="/favicon.svg" alt="" />
            BattyCoda
          </NavLink>
          <button
            type="button"
            className="btn btn-sm menu-toggle"
            aria-expanded={menuOpen}
            aria-controls="app-navigation"
            onClick={() => setMenuOpen((open) => !open)}
          >
            {menuOpen ? "Close menu" : "Menu"}
          </button>
          <GroupSwitcher />
          <div className="header-spacer" />
          <NotificationsBell />
          <div className="user">
            <NavLink to="/profile" aria-label="Your profile">
              {user.username}
            </NavLink>
            <button
              type="button"
              className="btn btn-sm"
              onClick={() => logout.mutate()}
              disabled={logout.isPending}
            >
              Log out
            </button>
          </div>
        </header>
        <aside id="app-navigation" className={menuOpen ? "sidebar open" : "sidebar"}>
          <NavSection title="Overview" items={overview} />
          <NavSection title="Workflow" items={workflow} />
          <NavSection title="Set-up" items={setup} />
          <NavSection title="System" items={system} />
        </aside>
        <main className="main">
          <Outlet />
        </main>
      </div>
    </>
  );
}
