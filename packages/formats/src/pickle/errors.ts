/** The pickle is malformed or holds a shape this reader does not handle. */
export class PickleError extends Error {
  override name = "PickleError";
}

/**
 * The pickle asks for something this reader refuses on principle: a global outside
 * the numpy allow-list, or an opcode that would construct arbitrary objects.
 * Distinct from PickleError so callers can flag the upload as suspicious.
 */
export class UnsafePickleError extends PickleError {
  override name = "UnsafePickleError";
}
