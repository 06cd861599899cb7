import { createContext, useContext } from "react";
import type { Viewport } from "./viewport";

export const ViewportContext = createContext<Viewport | null>(null);

/** The viewer's coordinate system; only valid inside `<SpectrogramViewer>` children. */
export function useViewport(): Viewport {
  const v = useContext(ViewportContext);
  if (!v) throw new Error("useViewport() must be used inside <SpectrogramViewer>");
  return v;
}
