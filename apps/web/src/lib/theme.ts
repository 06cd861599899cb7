export type ThemeName = "light" | "dark";
const KEY = "battycoda.theme";

/** Applies a theme app-wide (CSS variables switch on `html[data-theme]`) and remembers it for the next load. */
export function applyTheme(theme: ThemeName): void {
  document.documentElement.dataset.theme = theme;
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    /* storage disabled */
  }
}

/** The theme to show before the profile has loaded: last used, else the OS preference. */
export function initialTheme(): ThemeName {
  try {
    const saved = localStorage.getItem(KEY);
    if (saved === "light" || saved === "dark") return saved;
  } catch {
    /* storage disabled */
  }
  return window.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}
