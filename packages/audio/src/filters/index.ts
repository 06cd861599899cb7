export { type ButterworthSpec, butterworth, type FilterType, type Sos, sosMagnitude } from "./butterworth.ts";
export { sosfilt, sosfiltfilt } from "./sosfilt.ts";
