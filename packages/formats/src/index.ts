export { unpickle } from "./pickle/vm.ts";
export { PickleError, UnsafePickleError } from "./pickle/errors.ts";
export * from "./pickle/values.ts";
export { parseSegmentPickle } from "./segments/pickle.ts";
export * from "./segments/types.ts";
