export type { Segment } from "./types.ts";
