// Turns anything a router caught into an AwsError: known ones pass through; anything else is logged and hidden.
import { AwsError } from "../aws/errors";

/**
 * AWS's InternalFailure for what we did not expect, with no stack, path or message from inside. Never throws:
 * logging a hostile value must not turn an error response into a crash.
 */
export function asAwsError(err: unknown, requestId: string): AwsError {
  if (err instanceof AwsError) return err;
  try {
    console.error("unhandled error", requestId, err instanceof Error ? err.stack : String(err));
  } catch {
    // A value whose conversion throws is not worth failing the response for.
  }
  return new AwsError("InternalFailure", "An internal error occurred; the request was not completed.");
}
