import { MAX_TIME_EXPANSION } from "@battycoda/audio/browser";
import type { ChangeEvent } from "react";
import { TextField } from "../../components/ui";

/** The time-expansion factor of a file, as the upload form and the recording's Edit dialog ask for it. */
export function TimeExpansionField({
  value,
  onChange,
  hint,
  error,
  disabled,
}: {
  value: string;
  onChange: (e: ChangeEvent<HTMLInputElement>) => void;
  hint: string;
  error?: string | undefined;
  disabled?: boolean;
}) {
  return (
    <TextField
      label="Time expansion (×)"
      type="number"
      min={1}
      max={MAX_TIME_EXPANSION}
      step={1}
      value={value}
      onChange={onChange}
      error={error}
      disabled={disabled}
      hint={hint}
    />
  );
}
