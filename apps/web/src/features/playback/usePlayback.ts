import { useCallback, useEffect, useRef, useState } from "react";
import { fetchClip, MAX_CLIP_SAMPLES } from "./clips";
import { fitBufferRate, heterodyne, normalizePeak, timeExpansion } from "./dsp";
import { pickChannel } from "./wav";

export type PlaybackMode = "expand" | "heterodyne";
export const SPEED_FACTORS = [5, 10, 15, 20] as const;

export interface PlaybackSettings {
  mode: PlaybackMode;
  /** Time-expansion factor: played at 1/factor speed, pitch divided by factor. */
  factor: number;
  /** Heterodyne local-oscillator frequency, Hz. */
  tuneHz: number;
}

export interface PlayRequest {
  start: number;
  end: number;
  channel: number | "mix";
}

type State = "idle" | "loading" | "playing";

/**
 * Web Audio playback of a recording window. The clip comes from `/audio?start=&end=`, is parsed in
 * JS (keeping the ultrasound), peak-normalised to −1 dBFS and played either time-expanded
 * (AudioBuffer at sampleRate / factor) or heterodyned (real time, calls shifted down by the tuning
 * frequency). `playhead` is the recording time being heard, updated every animation frame.
 */
export function usePlayback(recordingId: string, sampleRate: number) {
  const ctxRef = useRef<AudioContext | null>(null);
  const sourceRef = useRef<AudioBufferSourceNode | null>(null);
  const rafRef = useRef<number | null>(null);
  const tokenRef = useRef(0);
  const [state, setState] = useState<State>("idle");
  const [playhead, setPlayhead] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [contextState, setContextState] = useState<AudioContextState | "none">("none");

  const stopInternal = useCallback(() => {
    tokenRef.current++;
    if (rafRef.current != null) cancelAnimationFrame(rafRef.current);
    rafRef.current = null;
    const src = sourceRef.current;
    sourceRef.current = null;
    if (src) {
      src.onended = null;
      try {
        src.stop();
      } catch {
        /* not started */
      }
      src.disconnect();
    }
  }, []);

  const stop = useCallback(() => {
    stopInternal();
    setState("idle");
    setPlayhead(null);
  }, [stopInternal]);

  const play = useCallback(
    async (req: PlayRequest, settings: PlaybackSettings) => {
      stopInternal();
      const token = tokenRef.current;
      setError(null);
      // Created (or resumed) inside the click handler so the autoplay policy allows it.
      let ctx = ctxRef.current;
      if (!ctx) {
        ctx = new AudioContext();
        ctxRef.current = ctx;
        ctx.onstatechange = () => setContextState(ctx?.state ?? "none");
      }
      const resumed = ctx.state === "suspended" ? ctx.resume() : Promise.resolve();
      setState("loading");
      try {
        const maxSpan = MAX_CLIP_SAMPLES / Math.max(1, sampleRate);
        const end = Math.min(req.end, req.start + maxSpan);
        const [clip] = await Promise.all([fetchClip(recordingId, req.start, end), resumed]);
        if (token !== tokenRef.current) return;
        setContextState(ctx.state);
        const raw = pickChannel(clip, req.channel);
        if (!raw || raw.length === 0) throw new Error("The clip has no samples");
        let samples: Float32Array;
        let bufferRate: number;
        let speed: number; // recording seconds per real second
        if (settings.mode === "heterodyne") {
          const mixed = fitBufferRate(heterodyne(raw, clip.sampleRate, settings.tuneHz), clip.sampleRate);
          samples = normalizePeak(mixed.samples, 0.89);
          bufferRate = mixed.bufferRate;
          speed = 1;
        } else {
          const te = timeExpansion(normalizePeak(raw, 0.89), clip.sampleRate, settings.factor);
          samples = te.samples;
          bufferRate = te.bufferRate;
          speed = 1 / settings.factor;
        }
        const buffer = ctx.createBuffer(1, samples.length, bufferRate);
        buffer.copyToChannel(samples as Float32Array<ArrayBuffer>, 0);
        const src = ctx.createBufferSource();
        src.buffer = buffer;
        src.connect(ctx.destination);
        const startedAt = ctx.currentTime;
        src.start();
        sourceRef.current = src;
        setState("playing");
        setPlayhead(req.start);
        src.onended = () => {
          if (token !== tokenRef.current) return;
          stop();
        };
        const tick = () => {
          if (token !== tokenRef.current || !ctxRef.current) return;
          const t = req.start + (ctxRef.current.currentTime - startedAt) * speed;
          setPlayhead(Math.min(t, end));
          rafRef.current = requestAnimationFrame(tick);
        };
        rafRef.current = requestAnimationFrame(tick);
      } catch (e) {
        if (token !== tokenRef.current) return;
        setError(e instanceof Error ? e.message : String(e));
        setState("idle");
        setPlayhead(null);
      }
    },
    [recordingId, sampleRate, stop, stopInternal],
  );

  useEffect(
    () => () => {
      stopInternal();
      void ctxRef.current?.close();
      ctxRef.current = null;
    },
    [stopInternal],
  );

  return { state, playhead, error, contextState, play, stop };
}
