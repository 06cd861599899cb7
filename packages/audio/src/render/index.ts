export { type BcsgWindow, decodeBcsg, windowExtent } from "./bcsg-decode.ts";
export {
  BINARY_MAGIC,
  type BinaryAxes,
  type BinaryOptions,
  type DecodedBinary,
  decodeSpectrogramBinary,
  encodeSpectrogramBinary,
} from "./binary.ts";
export {
  COLORMAP_NAMES,
  type ColormapName,
  colormapLut,
  DEFAULT_COLORMAP,
  displayRange,
  isColormapName,
  levelTable,
} from "./colormaps.ts";
export {
  adjustLevels,
  autoLevels,
  DbHistogram,
  DEFAULT_LEVELS,
  histogramOfQuantised,
  type LevelOptions,
  type Levels,
  levelsOf,
} from "./levels.ts";
export {
  DEFAULT_SIGNAL_THRESHOLD_DB,
  gridFromQuantised,
  type MeasureGrid,
  measureSelection,
  type SelectionBox,
  type SelectionMeasurements,
} from "./measure.ts";
export { type RenderOptions, renderPng } from "./png.ts";
export { autoRange, type DbGrid, type DbRange, framesPerPixel, poolMax, quantize } from "./scale.ts";
export {
  readWavSpectrogramWindow,
  renderWavWindowBinary,
  renderWavWindowPng,
  type WavWindowRequest,
} from "./wav-window.ts";
export {
  closeUpNeedsAudio,
  renderWindowBinary,
  renderWindowPng,
  renderWindowPngWithAudio,
  type WindowSource,
} from "./window.ts";
