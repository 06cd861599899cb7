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
export { type RenderOptions, renderPng } from "./png.ts";
export { autoRange, type DbGrid, type DbRange, poolMax, quantize } from "./scale.ts";
export { renderWindowBinary, renderWindowPng } from "./window.ts";
