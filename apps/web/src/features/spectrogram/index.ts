export { useViewport, ViewportContext } from "./context";
export { MeasurementsPanel, measureBox, useBoxMeasurements } from "./measure";
export { SpectrogramViewer, type SpectrogramViewerProps } from "./SpectrogramViewer";
export { useSaveColormap } from "./useColormapPreference";
export type { Channel, TimeSelection, ViewerSegment, Viewport, ViewRange } from "./viewport";
