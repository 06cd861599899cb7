// Task batches and annotation (issue 10): batches, soft-locked annotation, agreement, exports, retraining.
export * from "./agreement.ts";
export * from "./annotate.ts";
export * from "./batches.ts";
export * from "./export.ts";
export * from "./retrain.ts";
export * from "./schemas.ts";
