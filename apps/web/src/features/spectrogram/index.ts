export { useViewport, ViewportContext } from "./context";
export { SpectrogramViewer, type SpectrogramViewerProps } from "./SpectrogramViewer";
export type { Channel, TimeSelection, ViewerSegment, Viewport, ViewRange } from "./viewport";
