/** A detected or annotated call, in seconds from the start of the recording. */
export interface Segment {
  onset: number;
  offset: number;
}
