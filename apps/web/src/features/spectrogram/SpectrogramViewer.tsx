import {
  type ReactNode,
  useCallback,
  useEffect,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import "./spectrogram.css";
import {
  type BcsgWindow,
  COLORMAP_NAMES,
  colormapLut,
  levelTable,
  type SelectionBox,
  windowExtent,
} from "@battycoda/audio/browser";
import { ViewportContext } from "./context";
import { loudestBand, viewLevels } from "./levels";
import { MeasurementsPanel, useBoxMeasurements } from "./measure";
import { formatKHz, formatTime, ticks } from "./ticks";
import { sharedTileCache, type TileKey, tileLevel, tilesFor } from "./tiles";
import {
  type Channel,
  clampFreq,
  clampTime,
  makeMapping,
  type TimeSelection,
  type ViewerSegment,
  type Viewport,
  type ViewRange,
  zoomAround,
} from "./viewport";
import { WaveformStrip } from "./WaveformStrip";

export interface SpectrogramViewerProps {
  recordingId: string;
  /** Seconds. */
  duration: number;
  /** Hz; the frequency axis spans 0 … sampleRate / 2. */
  sampleRate: number;
  channels?: number;
  /** Initial colormap (the profile's); the toolbar can change it for this view. */
  colormap?: string;
  /** Called when the user picks another colormap (e.g. to keep it in the profile). */
  onColormapChange?: (name: string) => void;
  /** Offer the measure tool (drag a box → Raven-style measurements). Default true. */
  measureTool?: boolean;
  segments?: ViewerSegment[];
  /** Segment boxes take pointer events and report clicks. */
  segmentsInteractive?: boolean;
  onSegmentClick?: (segment: ViewerSegment) => void;
  cursorTime?: number | null;
  onCursorChange?: (t: number) => void;
  selection?: TimeSelection | null;
  onSelectionChange?: (s: TimeSelection | null) => void;
  playheadTime?: number | null;
  /** What a drag on the plot does; "none" leaves drags to the overlay children. */
  dragMode?: "pan" | "select" | "none";
  /** Controlled view (optional). */
  view?: ViewRange;
  onViewChange?: (v: ViewRange) => void;
  /** Controlled channel (optional). */
  channel?: Channel;
  onChannelChange?: (c: Channel) => void;
  /** Plot height in CSS px. */
  height?: number;
  /** Show the waveform strip under the spectrogram. */
  waveform?: boolean;
  toolbarExtra?: ReactNode;
  children?: ReactNode;
}

/** Initial view: the whole recording up to 30 s, else its first 10 s. */
export function initialView(duration: number, sampleRate: number): ViewRange {
  return { t0: 0, t1: duration <= 30 ? duration : 10, fMin: 0, fMax: sampleRate / 2 };
}

type TileBitmap = { key: string; canvas: HTMLCanvasElement };
/** Height of the frequency unit label at the top of the axis; no tick label is drawn within it. */
const UNIT_LABEL_PX = 14;

const bitmaps = new WeakMap<BcsgWindow, TileBitmap>();

function tileBitmap(w: BcsgWindow, lut: Uint8Array, lo: number, hi: number, key: string): HTMLCanvasElement {
  const hit = bitmaps.get(w);
  if (hit && hit.key === key) return hit.canvas;
  const canvas = hit?.canvas ?? document.createElement("canvas");
  canvas.width = Math.max(1, w.frames);
  canvas.height = Math.max(1, w.bins);
  const ctx = canvas.getContext("2d");
  if (ctx && w.frames > 0 && w.bins > 0) {
    const img = ctx.createImageData(w.frames, w.bins);
    const levels = levelTable(w.dbMin, w.dbMax, lo, hi);
    const px = img.data;
    const vals = w.values;
    for (let i = 0; i < vals.length; i++) {
      const c = levels[vals[i]!]! * 3;
      const o = i * 4;
      px[o] = lut[c]!;
      px[o + 1] = lut[c + 1]!;
      px[o + 2] = lut[c + 2]!;
      px[o + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }
  bitmaps.set(w, { key, canvas });
  return canvas;
}

export function SpectrogramViewer(props: SpectrogramViewerProps) {
  const {
    recordingId,
    duration,
    sampleRate,
    channels = 1,
    segments,
    segmentsInteractive = false,
    onSegmentClick,
    cursorTime,
    onCursorChange,
    selection,
    onSelectionChange,
    playheadTime,
    dragMode = "pan",
    height = 320,
    waveform = true,
    toolbarExtra,
    children,
    measureTool = true,
  } = props;
  const nyquist = sampleRate / 2;
  const uid = useId();

  // ----- view state (controlled or internal) -----
  const [innerView, setInnerView] = useState<ViewRange>(() => initialView(duration, sampleRate));
  const view = props.view ?? innerView;
  const viewRef = useRef(view);
  viewRef.current = view;
  const onViewChange = props.onViewChange;
  const applyView = useCallback(
    (next: ViewRange) => {
      const [t0, t1] = clampTime(next.t0, next.t1, duration, sampleRate);
      const [fMin, fMax] = clampFreq(next.fMin, next.fMax, sampleRate / 2);
      const v = { t0, t1, fMin, fMax };
      viewRef.current = v;
      setInnerView(v);
      onViewChange?.(v);
    },
    [duration, sampleRate, onViewChange],
  );
  const setView = useCallback(
    (t0: number, t1: number) => applyView({ ...viewRef.current, t0, t1 }),
    [applyView],
  );
  const setFreqView = useCallback(
    (fMin: number, fMax: number) => applyView({ ...viewRef.current, fMin, fMax }),
    [applyView],
  );

  const [innerChannel, setInnerChannel] = useState<Channel>("mix");
  const channel = props.channel ?? innerChannel;
  const setChannel = (c: Channel) => {
    setInnerChannel(c);
    props.onChannelChange?.(c);
  };

  const [colormap, setColormap] = useState(props.colormap ?? "roseus");
  useEffect(() => {
    if (props.colormap) setColormap(props.colormap);
  }, [props.colormap]);
  const [brightness, setBrightness] = useState(0);
  const [measuring, setMeasuring] = useState(false);
  const [box, setBox] = useState<SelectionBox | null>(null);
  const [draft, setDraft] = useState<SelectionBox | null>(null);
  // The readout has its own state: a pointer move must not re-render the whole viewer.
  const setHover = useRef<(h: { t: number; f: number } | null) => void>(() => {});
  // Tiles of the current zoom level last drawn (for "kHz +": the loudest band in view).
  const drawnRef = useRef<BcsgWindow[]>([]);
  const [contrast, setContrast] = useState(1);
  const [innerDrag, setInnerDrag] = useState<"pan" | "select">("pan");
  const effectiveDrag = dragMode === "none" ? "none" : dragMode === "select" ? "select" : innerDrag;

  // ----- plot size -----
  const plotRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(0);
  // Measured before the first paint: the tiles are asked for as soon as the width is known.
  useLayoutEffect(() => {
    const el = plotRef.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(Math.floor(el.clientWidth)));
    ro.observe(el);
    setWidth(Math.floor(el.clientWidth));
    return () => ro.disconnect();
  }, []);

  const mapping = useMemo(() => makeMapping(view, width, height), [view, width, height]);
  const viewport: Viewport = useMemo(
    () => ({ ...view, width, height, ...mapping, setView, setFreqView, duration, sampleRate, channel }),
    [view, width, height, mapping, setView, setFreqView, duration, sampleRate, channel],
  );

  // ----- tiles -----
  const [tileTick, setTileTick] = useState(0);
  const [loading, setLoading] = useState(0);
  const [tileError, setTileError] = useState<string | null>(null);
  const refMax = useRef<{ key: string; value: number }>({ key: "", value: Number.NEGATIVE_INFINITY });
  const refKey = `${recordingId}|${channel}`;
  if (refMax.current.key !== refKey) refMax.current = { key: refKey, value: Number.NEGATIVE_INFINITY };

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || width <= 0) return;
    const dpr = window.devicePixelRatio || 1;
    const cw = Math.round(width * dpr);
    const ch = Math.round(height * dpr);
    if (canvas.width !== cw) canvas.width = cw;
    if (canvas.height !== ch) canvas.height = ch;
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    const lut = colormapLut(colormap);

    const level = tileLevel(view.t0, view.t1, width);
    const wanted = tilesFor(view.t0, view.t1, duration, level);
    const keyOf = (lvl: number, index: number): TileKey => ({ recordingId, channel, level: lvl, index });
    // With nothing of this level on screen yet (a recording just opened, a new zoom level), the first tile is asked
    // alone and the others once it is here: while the HDF5 job runs every tile is computed from the WAV, and tiles
    // asked together share the server's cores, so the first pixels would wait for all of them.
    const missing = wanted.filter((i) => !sharedTileCache.peek(keyOf(level, i)));
    const first = missing.length === wanted.length ? missing.slice(0, 1) : missing;
    for (const i of first)
      sharedTileCache.get(keyOf(level, i), duration).then(
        () => setTileTick((n) => n + 1),
        (err: unknown) => setTileError(err instanceof Error ? err.message : String(err)),
      );
    const pending = missing.length;
    setLoading(pending);
    if (pending === 0) setTileError(null);

    // Which windows to draw: coarser cached levels first (placeholders while zooming), then this one.
    const draw: BcsgWindow[] = [];
    for (let lvl = level + 6; lvl > level; lvl--) {
      for (const i of tilesFor(view.t0, view.t1, duration, lvl)) {
        const w = sharedTileCache.peek(keyOf(lvl, i));
        if (w) draw.push(w);
      }
    }
    const current: BcsgWindow[] = [];
    for (const i of wanted) {
      const w = sharedTileCache.peek(keyOf(level, i));
      if (w) current.push(w);
    }
    draw.push(...current);
    for (const w of current) if (w.dbMax > refMax.current.value) refMax.current.value = w.dbMax;
    if (!Number.isFinite(refMax.current.value))
      for (const w of draw) refMax.current.value = Math.max(refMax.current.value, w.dbMax);
    drawnRef.current = current;
    // Levels from the data (noise floor of what is on screen to the loudest seen); placeholders
    // from coarser levels stand in until this level's tiles arrive.
    const { lo, hi } = viewLevels(
      current.length ? current : draw,
      refMax.current.value,
      brightness,
      contrast,
    );
    const bmKey = `${colormap}|${lo.toFixed(2)}|${hi.toFixed(2)}`;

    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = `rgb(${lut[0]},${lut[1]},${lut[2]})`;
    ctx.fillRect(0, 0, width, height);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = "low";
    for (const w of draw) {
      const e = windowExtent(w);
      const bm = tileBitmap(w, lut, lo, hi, bmKey);
      const x0 = mapping.timeToX(e.tStart);
      const x1 = mapping.timeToX(e.tEnd);
      const y0 = mapping.freqToY(e.fHigh);
      const y1 = mapping.freqToY(e.fLow);
      ctx.drawImage(bm, 0, 0, bm.width, bm.height, x0, y0, x1 - x0, y1 - y0);
    }
    canvas.dataset.tiles = String(current.length);
    canvas.dataset.levelLo = lo.toFixed(2);
    canvas.dataset.levelHi = hi.toFixed(2);
    canvas.dataset.generation = String(tileTick);
  }, [
    view,
    width,
    height,
    duration,
    recordingId,
    channel,
    colormap,
    brightness,
    contrast,
    mapping,
    tileTick,
  ]);

  // ----- interaction -----
  const drag = useRef<{
    x: number;
    t0: number;
    t1: number;
    startT: number;
    moved: boolean;
    mode: string;
  } | null>(null);
  const localX = (e: { clientX: number }) => {
    const r = plotRef.current?.getBoundingClientRect();
    return r ? e.clientX - r.left : 0;
  };
  const onPointerDown = (e: React.PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    const x = localX(e);
    const mode = e.shiftKey && effectiveDrag !== "none" ? "select" : effectiveDrag;
    drag.current = { x, t0: view.t0, t1: view.t1, startT: mapping.xToTime(x), moved: false, mode };
    e.currentTarget.setPointerCapture?.(e.pointerId);
  };
  const onPointerMove = (e: React.PointerEvent<HTMLDivElement>) => {
    const r = plotRef.current?.getBoundingClientRect();
    if (r)
      setHover.current({ t: mapping.xToTime(e.clientX - r.left), f: mapping.yToFreq(e.clientY - r.top) });
    const d = drag.current;
    if (!d) return;
    const x = localX(e);
    if (!d.moved && Math.abs(x - d.x) < 3) return;
    d.moved = true;
    if (d.mode === "pan") {
      const dt = ((x - d.x) / Math.max(1, width)) * (d.t1 - d.t0);
      setView(d.t0 - dt, d.t1 - dt);
    } else if (d.mode === "select") {
      const t = Math.max(0, Math.min(duration, mapping.xToTime(x)));
      const a = Math.min(d.startT, t);
      const b = Math.max(d.startT, t);
      onSelectionChange?.({ start: Math.max(0, a), end: Math.min(duration, b) });
    }
  };
  const onPointerUp = (e: React.PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    drag.current = null;
    if (!d) return;
    if (!d.moved && d.mode !== "none") {
      const t = Math.max(0, Math.min(duration, mapping.xToTime(localX(e))));
      onCursorChange?.(t);
    }
  };

  // Wheel needs a non-passive listener to stop the page from scrolling.
  const wheelState = useRef({ mapping, width, duration });
  wheelState.current = { mapping, width, duration };
  useEffect(() => {
    const el = plotRef.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const v = viewRef.current;
      const { mapping: m, width: w } = wheelState.current;
      const r = el.getBoundingClientRect();
      const dy = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
      const dx = e.deltaMode === 1 ? e.deltaX * 16 : e.deltaX;
      if (e.altKey) {
        const f = m.yToFreq(e.clientY - r.top);
        const factor = Math.exp(dy * 0.002);
        applyView({ ...v, fMin: f - (f - v.fMin) * factor, fMax: f + (v.fMax - f) * factor });
      } else if (e.shiftKey || Math.abs(dx) > Math.abs(dy)) {
        const delta = ((e.shiftKey ? dy || dx : dx) / Math.max(1, w)) * (v.t1 - v.t0);
        setView(v.t0 + delta, v.t1 + delta);
      } else {
        const at = m.xToTime(e.clientX - r.left);
        const [a, b] = zoomAround(v.t0, v.t1, at, Math.exp(dy * 0.002));
        setView(a, b);
      }
    };
    el.addEventListener("wheel", onWheel, { passive: false });
    return () => el.removeEventListener("wheel", onWheel);
  }, [applyView, setView]);

  const zoomBy = (factor: number) => {
    const mid =
      cursorTime != null && cursorTime >= view.t0 && cursorTime <= view.t1
        ? cursorTime
        : (view.t0 + view.t1) / 2;
    const [a, b] = zoomAround(view.t0, view.t1, mid, factor);
    setView(a, b);
  };
  const panBy = (fraction: number) => {
    const d = (view.t1 - view.t0) * fraction;
    setView(view.t0 + d, view.t1 + d);
  };
  const zoomFreq = (factor: number) => {
    const span = (view.fMax - view.fMin) * factor;
    // Zooming in goes to where the sound is: the band with the most energy in view.
    const band = factor < 1 ? loudestBand(drawnRef.current, view, span) : null;
    if (band) return setFreqView(band[0], band[1]);
    const mid = (view.fMin + view.fMax) / 2;
    setFreqView(mid - span / 2, mid + span / 2);
  };

  // ----- measure tool: drag a box (time × frequency) on a layer above everything -----
  const measureDrag = useRef<{ t: number; f: number } | null>(null);
  const boxAt = (e: { clientX: number; clientY: number }) => {
    const r = plotRef.current?.getBoundingClientRect();
    const x = r ? e.clientX - r.left : 0;
    const y = r ? e.clientY - r.top : 0;
    return {
      t: Math.max(0, Math.min(duration, mapping.xToTime(x))),
      f: Math.max(0, Math.min(nyquist, mapping.yToFreq(y))),
    };
  };
  const onMeasureDown = (e: React.PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    e.stopPropagation();
    e.currentTarget.setPointerCapture?.(e.pointerId);
    measureDrag.current = boxAt(e);
    setDraft(null);
  };
  const onMeasureMove = (e: React.PointerEvent<HTMLDivElement>) => {
    const a = measureDrag.current;
    if (!a) return;
    const b = boxAt(e);
    setDraft({
      start: Math.min(a.t, b.t),
      end: Math.max(a.t, b.t),
      fLow: Math.min(a.f, b.f),
      fHigh: Math.max(a.f, b.f),
    });
  };
  const onMeasureUp = () => {
    measureDrag.current = null;
    if (draft && draft.end - draft.start > 0 && draft.fHigh - draft.fLow > 0) setBox(draft);
    setDraft(null);
  };
  const measured = useBoxMeasurements(recordingId, box, channel);
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === "ArrowLeft") panBy(-0.25);
    else if (e.key === "ArrowRight") panBy(0.25);
    else if (e.key === "+" || e.key === "=") zoomBy(0.5);
    else if (e.key === "-") zoomBy(2);
    else if (e.key === "Escape" && (box || measuring)) {
      setBox(null);
      setMeasuring(false);
    } else return;
    e.preventDefault();
  };

  // ----- axes -----
  const xTicks = useMemo(
    () => ticks(view.t0, view.t1, Math.max(2, Math.floor(width / 90))),
    [view.t0, view.t1, width],
  );
  const yTicks = useMemo(
    () => ticks(view.fMin, view.fMax, Math.max(2, Math.floor(height / 40))),
    [view.fMin, view.fMax, height],
  );

  const visibleSegments = (segments ?? []).filter((s) => s.offset >= view.t0 && s.onset <= view.t1);
  const showLine = (t: number | null | undefined) => t != null && t >= view.t0 && t <= view.t1;
  const atAll = view.t0 <= 0 && view.t1 >= duration && view.fMin <= 0 && view.fMax >= nyquist;

  return (
    <ViewportContext.Provider value={viewport}>
      <div className="spectro">
        <div className="spectro-toolbar" role="toolbar" aria-label="Spectrogram controls">
          <div className="btn-group">
            <button type="button" className="btn btn-sm" onClick={() => zoomBy(0.5)} aria-label="Zoom in">
              +
            </button>
            <button type="button" className="btn btn-sm" onClick={() => zoomBy(2)} aria-label="Zoom out">
              −
            </button>
            <button type="button" className="btn btn-sm" onClick={() => panBy(-0.5)} aria-label="Pan left">
              ←
            </button>
            <button type="button" className="btn btn-sm" onClick={() => panBy(0.5)} aria-label="Pan right">
              →
            </button>
            <button
              type="button"
              className="btn btn-sm"
              disabled={atAll}
              onClick={() => applyView({ t0: 0, t1: duration, fMin: 0, fMax: nyquist })}
            >
              Show all
            </button>
          </div>
          <div className="btn-group">
            <button
              type="button"
              className="btn btn-sm"
              onClick={() => zoomFreq(0.5)}
              aria-label="Zoom in frequency"
              title="Zoom in on the band with the most energy in view (Alt+wheel: around the pointer)"
            >
              kHz +
            </button>
            <button
              type="button"
              className="btn btn-sm"
              onClick={() => zoomFreq(2)}
              aria-label="Zoom out frequency"
              title="Zoom out in frequency (Alt+wheel: around the pointer)"
            >
              kHz −
            </button>
            <span className="small muted spectro-hint">Alt+wheel</span>
          </div>
          {measureTool ? (
            <button
              type="button"
              className={`btn btn-sm${measuring ? " btn-primary" : ""}`}
              aria-pressed={measuring}
              onClick={() => setMeasuring((m) => !m)}
              title="Drag a box on the spectrogram: start, end, duration, low/high and peak frequency"
            >
              Measure
            </button>
          ) : null}
          {dragMode === "none" ? null : (
            <label className="spectro-ctl">
              Drag
              <select
                value={effectiveDrag}
                onChange={(e) => setInnerDrag(e.target.value as "pan" | "select")}
              >
                <option value="pan">pans</option>
                <option value="select">selects</option>
              </select>
            </label>
          )}
          <label className="spectro-ctl">
            Colormap
            <select
              value={colormap}
              onChange={(e) => {
                setColormap(e.target.value);
                props.onColormapChange?.(e.target.value);
              }}
            >
              {COLORMAP_NAMES.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <label
            className="spectro-ctl"
            title="Levels are set from the recording (noise floor to peak); brightness and contrast adjust around them"
          >
            Brightness
            <input
              type="range"
              min={-20}
              max={20}
              step={1}
              value={brightness}
              onChange={(e) => setBrightness(Number(e.target.value))}
            />
          </label>
          <label className="spectro-ctl">
            Contrast
            <input
              type="range"
              min={0.5}
              max={3}
              step={0.05}
              value={contrast}
              onChange={(e) => setContrast(Number(e.target.value))}
            />
          </label>
          <button
            type="button"
            className="btn btn-sm btn-ghost"
            disabled={brightness === 0 && contrast === 1}
            onClick={() => {
              setBrightness(0);
              setContrast(1);
            }}
            title="Back to the automatic levels"
          >
            Auto levels
          </button>
          {channels > 1 ? (
            <label className="spectro-ctl">
              Channel
              <select
                value={String(channel)}
                onChange={(e) => setChannel(e.target.value === "mix" ? "mix" : Number(e.target.value))}
              >
                <option value="mix">mix</option>
                {Array.from({ length: channels }, (_, i) => i).map((c) => (
                  <option key={c} value={c}>
                    {c + 1}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          {toolbarExtra}
        </div>

        <div
          className="spectro-grid"
          style={{ gridTemplateRows: `${height}px auto ${waveform ? "64px" : "0"}` }}
        >
          <div className="spectro-yaxis" data-axis="frequency" title="Frequency (kHz)">
            <span className="spectro-unit">kHz</span>
            {/* The unit sits in the axis' top corner: a tick label there would be drawn over it ("kHz250"). */}
            {yTicks.values
              .filter((f) => mapping.freqToY(f) >= UNIT_LABEL_PX)
              .map((f) => (
                <span key={f} className="spectro-ytick" style={{ top: mapping.freqToY(f) }}>
                  {formatKHz(f, yTicks.step)}
                </span>
              ))}
          </div>
          <div
            ref={plotRef}
            className={`spectro-plot drag-${effectiveDrag}`}
            data-t0={view.t0}
            data-t1={view.t1}
            data-fmin={view.fMin}
            data-fmax={view.fMax}
            role="application"
            aria-label="Spectrogram plot"
            // biome-ignore lint/a11y/noNoninteractiveTabindex: the plot takes keyboard pan/zoom
            tabIndex={0}
            aria-describedby={`${uid}-help`}
            onPointerDown={onPointerDown}
            onPointerMove={onPointerMove}
            onPointerUp={onPointerUp}
            onPointerCancel={() => {
              drag.current = null;
            }}
            onPointerLeave={() => setHover.current(null)}
            onKeyDown={onKeyDown}
          >
            <canvas
              ref={canvasRef}
              className="spectro-canvas"
              role="img"
              aria-label="Spectrogram"
              style={{ width: "100%", height }}
            />
            <div className="spectro-marks">
              {selection ? (
                <div
                  className="spectro-selection"
                  style={{
                    left: Math.max(0, mapping.timeToX(selection.start)),
                    width: Math.max(
                      1,
                      Math.min(width, mapping.timeToX(selection.end)) -
                        Math.max(0, mapping.timeToX(selection.start)),
                    ),
                  }}
                />
              ) : null}
              {visibleSegments.map((s) => {
                const left = mapping.timeToX(s.onset);
                const right = mapping.timeToX(s.offset);
                const hasBand = s.lowFreq != null && s.highFreq != null;
                const top = hasBand ? mapping.freqToY(s.highFreq as number) : 0;
                const bottom = hasBand ? mapping.freqToY(s.lowFreq as number) : height;
                const style = {
                  left,
                  width: Math.max(2, right - left),
                  top,
                  height: Math.max(2, bottom - top),
                  ...(s.color ? { borderColor: s.color } : {}),
                  pointerEvents: segmentsInteractive ? ("auto" as const) : ("none" as const),
                };
                const label = `${s.label ? `${s.label}: ` : ""}${s.onset.toFixed(3)}–${s.offset.toFixed(3)} s`;
                // Outlines only, so the call inside stays visible; the label sits on a chip above.
                const chip = s.label ? (
                  <span
                    key="chip"
                    className="spectro-chip"
                    style={s.color ? { background: s.color } : undefined}
                  >
                    {s.label}
                  </span>
                ) : null;
                return segmentsInteractive ? (
                  <button
                    type="button"
                    key={s.id}
                    className="spectro-segment"
                    style={style}
                    title={label}
                    aria-label={`Segment ${label}`}
                    onPointerDown={(e) => e.stopPropagation()}
                    onClick={() => onSegmentClick?.(s)}
                  >
                    {chip}
                  </button>
                ) : (
                  <div key={s.id} className="spectro-segment" style={style} title={label}>
                    {chip}
                  </div>
                );
              })}
              {showLine(cursorTime) ? (
                <div className="spectro-cursor" style={{ left: mapping.timeToX(cursorTime as number) }} />
              ) : null}
              {showLine(playheadTime) ? (
                <div
                  className="spectro-playhead"
                  data-testid="playhead"
                  data-time={(playheadTime as number).toFixed(4)}
                  style={{ left: mapping.timeToX(playheadTime as number) }}
                />
              ) : null}
            </div>
            <div className="spectro-overlay">{children}</div>
            {box || draft ? <MeasureBoxOutline b={(draft ?? box) as SelectionBox} mapping={mapping} /> : null}
            {measuring ? (
              // biome-ignore lint/a11y/noStaticElementInteractions: a pointer tool; the results are read out below
              <div
                className="spectro-measure-layer"
                data-testid="measure-layer"
                onPointerDown={onMeasureDown}
                onPointerMove={onMeasureMove}
                onPointerUp={onMeasureUp}
                onPointerCancel={() => {
                  measureDrag.current = null;
                  setDraft(null);
                }}
              />
            ) : null}
            {loading > 0 && !tileError ? (
              <span className="spectro-status" role="status">
                Loading spectrogram…
              </span>
            ) : null}
            {tileError ? (
              <span className="spectro-status spectro-error" role="alert">
                Spectrogram unavailable: {tileError}
              </span>
            ) : null}
          </div>
          <div />
          <div className="spectro-xaxis" data-axis="time" title="Time (s)">
            {xTicks.values.map((t) => (
              <span key={t} className="spectro-xtick" style={{ left: mapping.timeToX(t) }}>
                {formatTime(t, xTicks.step)}
              </span>
            ))}
          </div>
          {waveform ? (
            <>
              <div className="spectro-wavelabel small muted">wave</div>
              {/* The clip waits for the spectrogram's tiles: both read the same file, the picture comes first. */}
              <WaveformStrip
                wait={loading > 0 && !tileError}
                recordingId={recordingId}
                t0={view.t0}
                t1={view.t1}
                width={width}
                channel={channel}
                sampleRate={sampleRate}
                cursorX={showLine(cursorTime) ? mapping.timeToX(cursorTime as number) : null}
                playheadX={showLine(playheadTime) ? mapping.timeToX(playheadTime as number) : null}
              />
            </>
          ) : null}
        </div>
        <HoverReadout setter={setHover} />
        {box ? <MeasurementsPanel box={box} state={measured} onClear={() => setBox(null)} /> : null}
        <p id={`${uid}-help`} className="small muted spectro-help">
          Wheel zooms in time (Alt+wheel: frequency, around the pointer), Shift+wheel pans; drag pans or
          selects (Shift+drag selects); “Measure” then drag a box to measure it; click sets the cursor; ←/→
          and +/− on the focused plot.
        </p>
      </div>
    </ViewportContext.Provider>
  );
}

function MeasureBoxOutline({ b, mapping }: { b: SelectionBox; mapping: ReturnType<typeof makeMapping> }) {
  const left = mapping.timeToX(b.start);
  const top = mapping.freqToY(b.fHigh);
  return (
    <div
      className="spectro-measure-box"
      data-testid="measure-box"
      style={{
        left,
        top,
        width: Math.max(1, mapping.timeToX(b.end) - left),
        height: Math.max(1, mapping.freqToY(b.fLow) - top),
      }}
    />
  );
}

function HoverReadout({ setter }: { setter: { current: (h: { t: number; f: number } | null) => void } }) {
  const [hover, setHover] = useState<{ t: number; f: number } | null>(null);
  setter.current = setHover;
  return (
    <div className="small mono spectro-readout" data-testid="spectro-readout" aria-live="off">
      {hover
        ? `${(hover.t * 1000).toFixed(1)} ms · ${(hover.f / 1000).toFixed(2)} kHz`
        : "Point at the spectrogram for time and frequency"}
    </div>
  );
}
