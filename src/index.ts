// Worker entry point: the Hono app serves every request.
import { createApp } from "./app";

export default createApp();
