// The package's browser entry: only modules without Node APIs (no fs, no Buffer, no workers).
// The web app imports these instead of keeping copies of the colormaps and the BCSG decoder.
export { type BcsgWindow, decodeBcsg, windowExtent } from "./render/bcsg-decode.ts";
export {
  COLORMAP_NAMES,
  type ColormapName,
  colormapLut,
  DEFAULT_COLORMAP,
  displayRange,
  isColormapName,
  levelTable,
} from "./render/colormaps.ts";
export {
  adjustLevels,
  autoLevels,
  DbHistogram,
  DEFAULT_LEVELS,
  histogramOfQuantised,
  type LevelOptions,
  type Levels,
  levelsOf,
} from "./render/levels.ts";
export {
  DEFAULT_SIGNAL_THRESHOLD_DB,
  gridFromQuantised,
  type MeasureGrid,
  measureSelection,
  type SelectionBox,
  type SelectionMeasurements,
} from "./render/measure.ts";
export { MAX_TIME_EXPANSION } from "./wav/time-expansion.ts";
