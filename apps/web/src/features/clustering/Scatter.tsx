import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  clusterColour,
  fitView,
  lassoSelect,
  nearestPoint,
  panBy,
  pointSize,
  rasterise,
  rgbaWord,
  type ScatterData,
  type View,
  zoomAt,
} from "./scatter";

export interface ScatterProps {
  data: ScatterData;
  /** Cluster.index of each cluster position (for colours). */
  clusterIndexes: number[];
  /** Highlighted cluster position (its points drawn larger), or null. */
  focus: number | null;
  selection: Uint8Array | null;
  onSelect: (mask: Uint8Array | null) => void;
  onHover: (point: number | null, at: { x: number; y: number } | null) => void;
  onPick: (point: number) => void;
  height?: number;
}

const BACKGROUND = rgbaWord("#ffffff");

/**
 * Canvas scatter: every frame is one pass over the typed arrays into an ImageData (see rasterise),
 * then a single putImageData; pan by dragging, zoom with the wheel, lasso with the Lasso tool (or
 * shift-drag). Frames are coalesced with requestAnimationFrame; the last frame's draw time is
 * exposed as data-frame-ms for the benchmark.
 */
export function Scatter({
  data,
  clusterIndexes,
  focus,
  selection,
  onSelect,
  onHover,
  onPick,
  height = 520,
}: ScatterProps) {
  const wrapRef = useRef<HTMLDivElement | null>(null);
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const overlayRef = useRef<HTMLCanvasElement | null>(null);
  const [width, setWidth] = useState(800);
  const [tool, setTool] = useState<"pan" | "lasso">("pan");
  const viewRef = useRef<View | null>(null);
  const frame = useRef<number | null>(null);
  const imageRef = useRef<{ img: ImageData; words: Uint32Array } | null>(null);
  const drag = useRef<{ kind: "pan" | "lasso"; x: number; y: number; moved: boolean; poly: number[] } | null>(
    null,
  );

  const colours = useMemo(() => {
    const c = new Uint32Array(clusterIndexes.length);
    clusterIndexes.forEach((idx, pos) => {
      c[pos] = rgbaWord(clusterColour(idx), focus === null || focus === pos ? 255 : 90);
    });
    return c;
  }, [clusterIndexes, focus]);

  useEffect(() => {
    const el = wrapRef.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(Math.max(200, Math.floor(el.clientWidth))));
    ro.observe(el);
    setWidth(Math.max(200, Math.floor(el.clientWidth)));
    return () => ro.disconnect();
  }, []);

  const draw = useCallback(() => {
    frame.current = null;
    const canvas = canvasRef.current;
    const view = viewRef.current;
    if (!canvas || !view) return;
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    const t0 = performance.now();
    let im = imageRef.current;
    if (!im || im.img.width !== width || im.img.height !== height) {
      const img = ctx.createImageData(width, height);
      im = { img, words: new Uint32Array(img.data.buffer) };
      imageRef.current = im;
    }
    rasterise(im.words, width, height, data, view, colours, pointSize(data.count), selection, BACKGROUND);
    ctx.putImageData(im.img, 0, 0);
    canvas.dataset.frameMs = (performance.now() - t0).toFixed(3);
    canvas.dataset.frames = String(Number(canvas.dataset.frames ?? "0") + 1);
  }, [data, colours, selection, width, height]);

  const schedule = useCallback(() => {
    if (frame.current === null) frame.current = requestAnimationFrame(draw);
  }, [draw]);

  useEffect(() => {
    viewRef.current = fitView(data.xy, width, height);
    schedule();
  }, [data, width, height, schedule]);
  useEffect(() => schedule(), [schedule]);
  useEffect(
    () => () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      // StrictMode mounts twice: a cancelled frame must not look pending to the next mount
      frame.current = null;
    },
    [],
  );

  // a native listener: React's wheel handlers are passive, and the page must not scroll while zooming
  useEffect(() => {
    const o = overlayRef.current;
    if (!o) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const r = o.getBoundingClientRect();
      if (!viewRef.current) return;
      viewRef.current = zoomAt(
        viewRef.current,
        e.clientX - r.left,
        e.clientY - r.top,
        e.deltaY < 0 ? 1.2 : 1 / 1.2,
      );
      schedule();
    };
    o.addEventListener("wheel", onWheel, { passive: false });
    return () => o.removeEventListener("wheel", onWheel);
  }, [schedule]);

  const local = (e: { clientX: number; clientY: number }) => {
    const r = (canvasRef.current as HTMLCanvasElement).getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };

  const drawLasso = (poly: number[] | null) => {
    const o = overlayRef.current;
    const ctx = o?.getContext("2d");
    if (!o || !ctx) return;
    ctx.clearRect(0, 0, o.width, o.height);
    if (!poly || poly.length < 4) return;
    ctx.beginPath();
    ctx.moveTo(poly[0] as number, poly[1] as number);
    for (let k = 2; k < poly.length; k += 2) ctx.lineTo(poly[k] as number, poly[k + 1] as number);
    ctx.closePath();
    ctx.fillStyle = "rgba(30, 100, 200, 0.12)";
    ctx.fill();
    ctx.strokeStyle = "#1e64c8";
    ctx.setLineDash([4, 3]);
    ctx.stroke();
  };

  return (
    <div className="cl-scatter" ref={wrapRef}>
      <div className="cl-scatter-tools" role="toolbar" aria-label="Scatter tools">
        <button
          type="button"
          className={`btn btn-sm${tool === "pan" ? " btn-primary" : ""}`}
          aria-pressed={tool === "pan"}
          onClick={() => setTool("pan")}
        >
          Pan
        </button>
        <button
          type="button"
          className={`btn btn-sm${tool === "lasso" ? " btn-primary" : ""}`}
          aria-pressed={tool === "lasso"}
          onClick={() => setTool("lasso")}
        >
          Lasso
        </button>
        <button
          type="button"
          className="btn btn-sm"
          onClick={() => {
            viewRef.current = fitView(data.xy, width, height);
            schedule();
          }}
        >
          Fit
        </button>
        {selection ? (
          <button type="button" className="btn btn-sm" onClick={() => onSelect(null)}>
            Clear selection
          </button>
        ) : null}
        <span className="muted small">
          {data.count.toLocaleString()} calls · drag to {tool === "lasso" ? "select" : "pan"}, wheel to zoom,
          click a point to play it
        </span>
      </div>
      <div className="cl-scatter-stage" style={{ width, height }}>
        <canvas
          ref={canvasRef}
          width={width}
          height={height}
          className="cl-scatter-canvas"
          data-testid="cluster-scatter"
          aria-label="Scatter plot of the calls, coloured by cluster"
          role="img"
        />
        <canvas
          ref={overlayRef}
          width={width}
          height={height}
          className="cl-scatter-overlay"
          data-tool={tool}
          onPointerDown={(e) => {
            const p = local(e);
            (e.target as Element).setPointerCapture?.(e.pointerId);
            drag.current = {
              kind: tool === "lasso" || e.shiftKey ? "lasso" : "pan",
              x: p.x,
              y: p.y,
              moved: false,
              poly: [p.x, p.y],
            };
          }}
          onPointerMove={(e) => {
            const p = local(e);
            const d = drag.current;
            if (!d) {
              const view = viewRef.current;
              const i = view ? nearestPoint(data, view, p.x, p.y, 6) : -1;
              onHover(i >= 0 ? i : null, i >= 0 ? p : null);
              return;
            }
            if (Math.abs(p.x - d.x) + Math.abs(p.y - d.y) > 2) d.moved = true;
            if (d.kind === "pan") {
              if (viewRef.current) viewRef.current = panBy(viewRef.current, p.x - d.x, p.y - d.y);
              d.x = p.x;
              d.y = p.y;
              schedule();
            } else {
              d.poly.push(p.x, p.y);
              drawLasso(d.poly);
            }
          }}
          onPointerUp={(e) => {
            const d = drag.current;
            drag.current = null;
            const p = local(e);
            if (!d) return;
            if (d.kind === "lasso" && d.moved && viewRef.current) {
              drawLasso(null);
              const mask = lassoSelect(data, viewRef.current, d.poly);
              onSelect(mask.some((v) => v === 1) ? mask : null);
              return;
            }
            drawLasso(null);
            if (!d.moved && viewRef.current) {
              const i = nearestPoint(data, viewRef.current, p.x, p.y, 6);
              if (i >= 0) onPick(i);
            }
          }}
          onPointerLeave={() => onHover(null, null)}
        />
      </div>
    </div>
  );
}
