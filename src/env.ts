// Worker bindings and the per-request variables the pipeline hands to routers and handlers.
import type { Principal } from "./core/principal";
import type { RoundTripCounter } from "./store/round-trips";

export interface Env {
  DB: D1Database;
  KV: KVNamespace;
  DEFAULT_ACCOUNT_ID: string;
  ROOT_ACCESS_KEY_ID: string;
  ROOT_SECRET_ACCESS_KEY: string;
  /** Key material for AES-GCM encryption of secret access keys at rest. */
  SECRET_ENCRYPTION_KEY: string;
  /** "true" enables POST /_admin/reset; anything else (the default) disables it. */
  ALLOW_RESET?: string;
}

export interface Variables {
  requestId: string;
  principal: Principal;
  /** Which service's XML namespace errors are written in; IAM until the request says otherwise. */
  service: "iam" | "sts";
  roundTrips: RoundTripCounter;
}

export interface AppEnv {
  Bindings: Env;
  Variables: Variables;
}
