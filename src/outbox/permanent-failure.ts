/**
 * A failure that the same attempt cannot escape by being repeated: a sink answering 400, a
 * command the system refuses to start. The outbox marks the delivery failed at once instead
 * of holding the sink's queue with retries for hours; `inbox retry` puts it back.
 */
export class PermanentFailure extends Error {
  override readonly name = "PermanentFailure";
}

export function isPermanentFailure(error: unknown): error is PermanentFailure {
  return error instanceof PermanentFailure;
}
