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
  isColormapName,
} from "./colormaps.ts";
export { type RenderOptions, renderPng } from "./png.ts";
export { autoRange, type DbGrid, type DbRange, poolMax, quantize } from "./scale.ts";
export { renderWindowBinary, renderWindowPng } from "./window.ts";
