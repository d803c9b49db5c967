// Worker entry point: the Hono app serves every request, behind a last-resort error net.
import { createWorker } from "./app";

export default createWorker();
