import { useEffect, useRef, useState } from "react";
import { fetchClip, MAX_CLIP_SAMPLES } from "../playback/clips";
import { minMaxEnvelope } from "../playback/dsp";
import { type PcmClip, pickChannel } from "../playback/wav";

/**
 * Min/max waveform of the visible window, drawn from the WAV clip route. The fetched range is the
 * view snapped outward to a power-of-two grid (so small pans reuse the cached clip) and requested
 * after the view has been still for 200 ms and the spectrogram's tiles are in; windows longer than
 * MAX_CLIP_SAMPLES show a hint instead of downloading a long stretch of audio.
 */
export function WaveformStrip({
  wait = false,
  recordingId,
  t0,
  t1,
  width,
  channel,
  sampleRate,
  cursorX,
  playheadX,
}: {
  /** Hold the download back (the viewer's spectrogram tiles are still loading). */
  wait?: boolean;
  recordingId: string;
  t0: number;
  t1: number;
  width: number;
  channel: number | "mix";
  sampleRate: number;
  cursorX: number | null;
  playheadX: number | null;
}) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [clip, setClip] = useState<{ clip: PcmClip; start: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const span = t1 - t0;
  const q = 2 ** Math.floor(Math.log2(Math.max(1e-3, span / 2)));
  const start = Math.max(0, Math.floor(t0 / q) * q);
  const end = Math.ceil(t1 / q) * q;
  const tooLong = (end - start) * sampleRate > MAX_CLIP_SAMPLES;

  useEffect(() => {
    if (tooLong || wait) return;
    let cancelled = false;
    const timer = setTimeout(() => {
      fetchClip(recordingId, start, end).then(
        (c) => {
          if (!cancelled) {
            setClip({ clip: c, start });
            setError(null);
          }
        },
        (e: unknown) => !cancelled && setError(e instanceof Error ? e.message : String(e)),
      );
    }, 200);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [recordingId, start, end, tooLong, wait]);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || width <= 0) return;
    const h = 64;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(h * dpr);
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, h);
    const style = getComputedStyle(canvas);
    ctx.strokeStyle = style.getPropertyValue("--border") || "#888";
    ctx.beginPath();
    ctx.moveTo(0, h / 2);
    ctx.lineTo(width, h / 2);
    ctx.stroke();
    if (clip && !tooLong) {
      const data = pickChannel(clip.clip, channel);
      if (data) {
        const sr = clip.clip.sampleRate;
        const a = Math.max(0, Math.floor((t0 - clip.start) * sr));
        const b = Math.min(data.length, Math.ceil((t1 - clip.start) * sr));
        const seg = data.subarray(a, Math.max(a, b));
        let peak = 0;
        for (let i = 0; i < seg.length; i++) peak = Math.max(peak, Math.abs(seg[i]!));
        const scale = peak > 0 ? (h / 2 - 2) / peak : 0;
        const { min, max } = minMaxEnvelope(seg, Math.max(1, Math.floor(width)));
        ctx.fillStyle = style.getPropertyValue("--accent") || "#2f5d62";
        for (let x = 0; x < min.length; x++) {
          const y0 = h / 2 - max[x]! * scale;
          const y1 = h / 2 - min[x]! * scale;
          ctx.fillRect(x, y0, 1, Math.max(1, y1 - y0));
        }
      }
    }
  }, [clip, t0, t1, width, channel, tooLong]);

  return (
    <div className="spectro-wave">
      <canvas ref={canvasRef} role="img" aria-label="Waveform" style={{ width: "100%", height: 64 }} />
      {cursorX != null ? <div className="spectro-cursor" style={{ left: cursorX }} /> : null}
      {playheadX != null ? <div className="spectro-playhead" style={{ left: playheadX }} /> : null}
      {tooLong ? <span className="spectro-wave-hint small muted">Zoom in to see the waveform</span> : null}
      {error ? (
        <span className="spectro-wave-hint small field-error">Waveform unavailable: {error}</span>
      ) : null}
    </div>
  );
}
