import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { SelectField, TextField } from "../../components/ui";
import { type RouterInputs, type RouterOutputs, useTRPC } from "../../lib/trpc";

export type Defaults = RouterOutputs["segmentation"]["defaults"];
export type AlgorithmKey = RouterInputs["segmentation"]["defaults"]["algorithmKey"];
type ParamSpec = Defaults["spec"]["params"][number];
export type ParamValues = Record<string, number | null>;

/** Text values of the form, by parameter name ("" = unset / automatic). */
export type ParamText = Record<string, string>;

export const textFromValues = (values: ParamValues): ParamText =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v === null ? "" : String(v)]));

/** Parses and checks the form against the algorithm description; errors by parameter name. */
export function parseParams(
  spec: readonly ParamSpec[],
  text: ParamText,
): { values: ParamValues; errors: Record<string, string> } {
  const values: ParamValues = {};
  const errors: Record<string, string> = {};
  for (const p of spec) {
    const raw = (text[p.name] ?? "").trim();
    if (raw === "") {
      if (p.default === null) values[p.name] = null;
      else errors[p.name] = "Required";
      continue;
    }
    const v = Number(raw);
    if (!Number.isFinite(v)) errors[p.name] = "Not a number";
    else if (p.type === "integer" && !Number.isInteger(v)) errors[p.name] = "Whole number";
    else if (p.min !== undefined && v < p.min) errors[p.name] = `At least ${p.min}`;
    else if (p.max !== undefined && v > p.max) errors[p.name] = `At most ${p.max}`;
    else values[p.name] = v;
  }
  return { values, errors };
}

const unitLabel = (u: ParamSpec["unit"]) => (u ? ` (${u})` : "");

/** The parameters by form section, sections in order of first appearance (ungrouped ones form an unnamed one). */
export function paramSections<P extends { group?: string | undefined }>(
  params: readonly P[],
): { group: string | undefined; params: P[] }[] {
  const sections = new Map<string | undefined, P[]>();
  for (const p of params) {
    const list = sections.get(p.group);
    if (list) list.push(p);
    else sections.set(p.group, [p]);
  }
  return [...sections].map(([group, list]) => ({ group, params: list }));
}

/**
 * What the field says under itself: where a value not typed here came from, and the default whenever the value
 * differs from it (the defaults are the detector's tested settings; a researcher should see when a run leaves them).
 */
export function paramHint(p: ParamSpec, text: string | undefined, fromSpecies: boolean): string | undefined {
  const def = p.default === null ? "" : String(p.default);
  const differs = (text ?? "").trim() !== def && Number(text) !== p.default;
  const defaultNote = differs ? `default ${p.default === null ? "auto" : p.default}` : undefined;
  if (fromSpecies) return defaultNote ? `species' last value; ${defaultNote}` : "species' last value";
  return defaultNote;
}

/**
 * Algorithm picker and the parameter form generated from the algorithm's description
 * (`segmentation.defaults`: label, unit, range, help), prefilled with the defaults overlaid with
 * the species' last used values. Reports parsed values (or errors) upward on every change.
 */
export function AlgorithmParams({
  recordingId,
  onChange,
  serverErrors,
}: {
  /** Defaults come from this recording's species. */
  recordingId: string;
  onChange: (v: { algorithmKey: AlgorithmKey; values: ParamValues; valid: boolean }) => void;
  serverErrors?: Record<string, string | undefined>;
}) {
  const trpc = useTRPC();
  const algorithms = useQuery(trpc.segmentation.algorithms.queryOptions());
  const [algorithmKey, setAlgorithmKey] = useState<AlgorithmKey>("spectral");
  const defaults = useQuery(trpc.segmentation.defaults.queryOptions({ recordingId, algorithmKey }));
  const [text, setText] = useState<ParamText>({});
  const spec = defaults.data?.spec;

  useEffect(() => {
    if (defaults.data) setText(textFromValues(defaults.data.params));
  }, [defaults.data]);

  const parsed = spec ? parseParams(spec.params, text) : null;
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const valuesKey = JSON.stringify(parsed?.values);
  const valid = !!parsed && Object.keys(parsed.errors).length === 0;
  // biome-ignore lint/correctness/useExhaustiveDependencies: valuesKey stands for parsed.values
  useEffect(() => {
    if (parsed) onChangeRef.current({ algorithmKey, values: parsed.values, valid });
  }, [algorithmKey, valuesKey, valid]);

  const atDefaults = !!spec && spec.params.every((p) => paramHint(p, text[p.name], false) === undefined);
  const options = (algorithms.data ?? []).filter((a) => ["spectral", "threshold", "energy"].includes(a.key));

  return (
    <div className="stack">
      <SelectField
        label="Algorithm"
        value={algorithmKey}
        onChange={(e) => setAlgorithmKey(e.target.value as AlgorithmKey)}
        hint={spec?.description}
      >
        {options.length === 0 ? <option value="spectral">Spectral (default)</option> : null}
        {options.map((a) => (
          <option key={a.id} value={a.key}>
            {a.name}
          </option>
        ))}
      </SelectField>
      {defaults.isPending ? <p className="muted small">Loading parameters…</p> : null}
      {spec ? (
        <>
          {paramSections(spec.params).map((section) => (
            <fieldset key={section.group ?? ""} className="seg-params-section">
              <legend className={section.group ? "seg-params-legend" : "visually-hidden"}>
                {section.group ?? "Parameters"}
              </legend>
              <div className="seg-params">
                {section.params.map((p) => (
                  <TextField
                    key={p.name}
                    label={`${p.label}${unitLabel(p.unit)}`}
                    inputMode="decimal"
                    value={text[p.name] ?? ""}
                    placeholder={p.default === null ? "auto" : undefined}
                    title={p.help}
                    hint={paramHint(p, text[p.name], defaults.data?.fromSpecies.includes(p.name) ?? false)}
                    error={parsed?.errors[p.name] ?? serverErrors?.[p.name]}
                    onChange={(e) => setText((t) => ({ ...t, [p.name]: e.target.value }))}
                  />
                ))}
              </div>
            </fieldset>
          ))}
          <div className="row">
            <button
              type="button"
              className="btn btn-sm"
              disabled={atDefaults}
              onClick={() =>
                setText(textFromValues(Object.fromEntries(spec.params.map((p) => [p.name, p.default]))))
              }
            >
              Reset to defaults
            </button>
            <span className="muted small">Hover a field for what it does.</span>
          </div>
        </>
      ) : null}
    </div>
  );
}
