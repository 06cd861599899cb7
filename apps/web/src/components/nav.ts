/**
 * A sidebar entry. `flag`: the section can be hidden with VITE_FEATURE_<FLAG>=false (shown when
 * unset). `also` / `except`: paths outside / inside `to` that do / do not make the entry current.
 */
export type NavItem = {
  to: string;
  label: string;
  step?: number;
  end?: boolean;
  flag?: string;
  also?: RegExp;
  except?: RegExp;
};

/** The segmentation editor lives under /recordings/:id but belongs to the Segmentation step. */
export const SEGMENTATION_EDITOR = /^\/recordings\/[^/]+\/segmentation$/;

/** Whether `pathname` is within the entry (like NavLink's active state, plus `also` / `except`). */
export function isNavItemCurrent(item: NavItem, pathname: string): boolean {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  if (item.except?.test(path)) return false;
  if (item.also?.test(path)) return true;
  if (path === item.to) return true;
  return !item.end && path.startsWith(item.to === "/" ? "/" : `${item.to}/`);
}
