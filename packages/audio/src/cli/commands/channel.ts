// Channel choice shared by the segment and features commands: warbleR analysed channel 1 of stereo files,
// so the first channel is the default; "mix" averages all channels.
export function pickChannel(channels: Float32Array[], choice: string | undefined): Float32Array {
  if (channels.length === 0) throw new Error("the file has no audio channels");
  if (choice === undefined || choice === "1") return channels[0]!;
  if (choice === "mix") {
    const out = new Float32Array(channels[0]!.length);
    for (const ch of channels)
      for (let i = 0; i < out.length; i++) out[i] = out[i]! + ch[i]! / channels.length;
    return out;
  }
  return channels[channelIndex(channels.length, choice)]!;
}

/** The 0-based index of a 1-based --channel choice (not "mix"). */
export function channelIndex(count: number, choice: string | undefined): number {
  if (count === 0) throw new Error("the file has no audio channels");
  if (choice === undefined) return 0;
  const n = Number(choice);
  if (!Number.isInteger(n) || n < 1 || n > count) {
    throw new Error(`--channel must be 1..${count} or "mix", got "${choice}"`);
  }
  return n - 1;
}
