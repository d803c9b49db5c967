// Turns anything a router caught into an AwsError: known ones pass through; anything else is logged and hidden.
import { AwsError, concurrentModification } from "../aws/errors";
import { isForeignKeyViolation } from "../store/db";

/**
 * AWS's InternalFailure for what we did not expect, with no stack, path or message from inside. Never throws:
 * logging a hostile value must not turn an error response into a crash.
 *
 * One failure is expected, if rare: a write whose parent row (a user, group, role...) a concurrent request deleted
 * fails SQLite's foreign key. Writes guard against that in the statement itself and answer NoSuchEntity; any write
 * that does not is still answered as AWS answers simultaneous changes (ConcurrentModification, 409), never a 500.
 * Store functions are called straight from the handlers (there is no one store boundary to catch at), and every
 * router's error handler and the Worker's last net come through here, so this is the one place that sees them all.
 */
export function asAwsError(err: unknown, requestId: string): AwsError {
  if (err instanceof AwsError) return err;
  const foreignKey = safely(() => isForeignKeyViolation(err), false);
  try {
    console.error(
      foreignKey ? "write lost a race (foreign key)" : "unhandled error",
      requestId,
      err instanceof Error ? err.stack : String(err),
    );
  } catch {
    // A value whose conversion throws is not worth failing the response for.
  }
  if (foreignKey) return concurrentModification();
  return new AwsError("InternalFailure", "An internal error occurred; the request was not completed.");
}

/** `fn()`, or `fallback` when it throws (a hostile value's conversion). */
function safely<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}
