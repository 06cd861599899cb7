import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Alert, Button, ErrorAlert, SelectField, TextField } from "../../components/ui";
import { fieldErrors } from "../../lib/errors";
import { type RouterOutputs, useTRPC } from "../../lib/trpc";
import { StatusBadge } from "../jobs/progress";
import { type AlgorithmKey, AlgorithmParams, type ParamValues } from "./ParamForm";

export type PreviewResult = RouterOutputs["segmentation"]["preview"];
export type SegmentationSummary = RouterOutputs["segmentation"]["list"]["items"][number];

const PREVIEW_SECONDS = 3;

/** Issues from the API's BAD_REQUEST `details.issues: [{path, message}]`, by parameter name. */
function issuesByParam(error: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...fieldErrors(error) };
  const details = (error as { data?: { details?: { issues?: { path?: string; message: string }[] } } } | null)
    ?.data?.details;
  for (const i of details?.issues ?? []) if (i.path) out[i.path] = i.message;
  return out;
}

export function Progress({ value, label }: { value: number; label: string }) {
  const pct = Math.round(Math.max(0, Math.min(1, value > 1 ? value / 100 : value)) * 100);
  return (
    <span className="nowrap">
      <span
        className="seg-progress"
        role="progressbar"
        aria-label={label}
        aria-valuenow={pct}
        aria-valuemin={0}
        aria-valuemax={100}
      >
        <span style={{ width: `${pct}%` }} />
      </span>
      {pct}%
    </span>
  );
}

/**
 * Run panel of the segmentation editor: algorithm and parameters, "Preview" on a few seconds
 * around the cursor (drawn dashed on the spectrogram), "Run" for the whole recording (a job; the
 * result appears in the list as a named segmentation), and the recording's segmentations with the
 * active one marked.
 */
export function RunPanel({
  recordingId,
  channels,
  previewCenter,
  onPreview,
  openId,
  onOpen,
}: {
  recordingId: string;
  /** The recording's channel count (the preview names the channel it analysed when there are several). */
  channels: number;
  /** Where the preview window is centred (the cursor, else the middle of the view). */
  previewCenter: () => number;
  onPreview: (result: PreviewResult | null) => void;
  openId: string | null;
  onOpen: (segmentationId: string) => void;
}) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [form, setForm] = useState<{
    algorithmKey: AlgorithmKey;
    values: ParamValues;
    valid: boolean;
  } | null>(null);
  const [name, setName] = useState("");
  const [makeActive, setMakeActive] = useState(true);
  // "" = automatic: the channel where calls stand out most (the detector's own choice, named in the results).
  const [channel, setChannel] = useState("");
  const channelChoice = channel === "" ? null : Number(channel);
  const [previewInfo, setPreviewInfo] = useState<PreviewResult | null>(null);

  const list = useQuery(
    trpc.segmentation.list.queryOptions(
      { recordingId },
      {
        // Live progress while a run is pending or running.
        refetchInterval: (q) =>
          q.state.data?.items.some((s) => s.status === "pending" || s.status === "running") ? 1000 : false,
      },
    ),
  );
  const invalidate = () =>
    qc.invalidateQueries({ queryKey: trpc.segmentation.list.queryKey({ recordingId }) });

  const preview = useMutation(
    trpc.segmentation.preview.mutationOptions({
      onSuccess: (r) => {
        setPreviewInfo(r);
        onPreview(r);
      },
    }),
  );
  const start = useMutation(
    trpc.segmentation.start.mutationOptions({
      onSuccess: () => {
        setName("");
        // The run's segments replace the preview: its boxes would only be in the way.
        setPreviewInfo(null);
        onPreview(null);
        void invalidate();
      },
    }),
  );
  const setActive = useMutation(
    trpc.segmentation.setActive.mutationOptions({ onSuccess: () => invalidate() }),
  );

  const params = form?.values ?? {};
  const canRun = !!form?.valid;
  const serverErrors = issuesByParam(preview.error ?? start.error);

  return (
    <section className="card stack" aria-label="Run segmentation">
      <h2>Run segmentation</h2>
      <AlgorithmParams recordingId={recordingId} onChange={setForm} serverErrors={serverErrors} />
      {channels > 1 ? (
        <SelectField
          label="Channel"
          value={channel}
          onChange={(e) => setChannel(e.target.value)}
          hint="A run reads one channel. Automatic picks the one where calls stand out most; for microphones far apart, run once per channel."
        >
          <option value="">Automatic (where calls stand out most)</option>
          {Array.from({ length: channels }, (_, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: channels are numbered
            <option key={i} value={String(i)}>
              Channel {i + 1}
            </option>
          ))}
        </SelectField>
      ) : null}
      <div className="seg-toolbar">
        <Button
          busy={preview.isPending}
          disabled={!canRun}
          onClick={() =>
            form &&
            preview.mutate({
              recordingId,
              algorithmKey: form.algorithmKey,
              params,
              channel: channelChoice,
              center: Math.max(0, previewCenter()),
              windowSeconds: PREVIEW_SECONDS,
            })
          }
        >
          Preview
        </Button>
        {previewInfo ? (
          <>
            <span className="small" aria-live="polite">
              <span className="seg-legend-preview" /> {previewInfo.segments.length} segment
              {previewInfo.segments.length === 1 ? "" : "s"} in {previewInfo.start.toFixed(2)}–
              {previewInfo.end.toFixed(2)} s{channels > 1 ? `, channel ${previewInfo.channel + 1}` : ""} (
              {previewInfo.elapsedMs} ms)
            </span>
            <Button
              size="sm"
              variant="ghost"
              onClick={() => {
                setPreviewInfo(null);
                onPreview(null);
              }}
            >
              Clear preview
            </Button>
          </>
        ) : (
          <span className="small muted">{PREVIEW_SECONDS} s around the cursor</span>
        )}
      </div>
      <ErrorAlert error={preview.error} />
      <div className="row" style={{ alignItems: "flex-end" }}>
        <TextField
          label="Name of the run"
          placeholder="automatic"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <label className="checkbox">
          <input type="checkbox" checked={makeActive} onChange={(e) => setMakeActive(e.target.checked)} />{" "}
          Make active
        </label>
        <Button
          variant="primary"
          busy={start.isPending}
          disabled={!canRun}
          onClick={() =>
            form &&
            start.mutate({
              recordingId,
              algorithmKey: form.algorithmKey,
              params,
              channel: channelChoice,
              makeActive,
              ...(name.trim() ? { name: name.trim() } : {}),
            })
          }
        >
          Run on the whole recording
        </Button>
      </div>
      <ErrorAlert error={start.error} />

      <h3>Segmentations of this recording</h3>
      <ErrorAlert error={list.error} />
      {list.data && list.data.items.length === 0 ? (
        <p className="muted small">None yet: run one above, draw segments by hand, or import a file.</p>
      ) : null}
      {list.data && list.data.items.length > 0 ? (
        <div className="table-wrap">
          <table className="table" aria-label="Segmentations">
            <thead>
              <tr>
                <th>Name</th>
                <th>Status</th>
                <th>Segments</th>
                <th>Active</th>
                <th>
                  <span className="visually-hidden">Open</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((s) => (
                <tr key={s.id} className={s.id === openId ? "seg-row-selected" : undefined}>
                  <td>
                    {s.name}
                    <div className="small muted">
                      {s.source}
                      {s.manuallyEdited ? " · edited" : ""}
                    </div>
                  </td>
                  <td>
                    {s.status === "running" || s.status === "pending" ? (
                      <Progress value={s.progress} label={`Progress of ${s.name}`} />
                    ) : (
                      <StatusBadge status={s.status} />
                    )}
                    {s.error ? <div className="field-error small">{s.error}</div> : null}
                  </td>
                  <td>{s.segmentCount}</td>
                  <td>
                    <label className="checkbox">
                      <input
                        type="checkbox"
                        aria-label={`Active: ${s.name}`}
                        checked={s.isActive}
                        disabled={s.isActive || s.status !== "completed" || setActive.isPending}
                        onChange={() => setActive.mutate({ segmentationId: s.id })}
                      />
                    </label>
                  </td>
                  <td>
                    {s.id === openId ? (
                      <span className="small muted">open</span>
                    ) : (
                      <Button
                        size="sm"
                        disabled={s.status !== "completed"}
                        onClick={() => onOpen(s.id)}
                        aria-label={`Edit ${s.name}`}
                      >
                        Edit
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <ErrorAlert error={setActive.error} />
      {start.data &&
      list.data?.items.some(
        (s) => s.id === start.data.segmentationId && (s.status === "pending" || s.status === "running"),
      ) ? (
        <Alert kind="info">Run queued; its progress shows in the list above.</Alert>
      ) : null}
    </section>
  );
}
