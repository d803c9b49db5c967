// Vitest projects: workers (workerd with real local D1/KV), unit (pure node), e2e (wrangler dev + real clients).
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { dirname, resolve } from "node:path";
import { defineConfig, type Plugin } from "vitest/config";

/**
 * The AWS SDK's browser build parses XML with DOMParser, which workerd lacks; its plain-JS parser (the one Node
 * uses) runs fine there, so the tests' SDK clients load that one instead.
 */
const sdkXmlParserForWorkerd: Plugin = {
  name: "sdk-xml-parser-for-workerd",
  enforce: "pre",
  resolveId(source, importer) {
    if (importer?.includes("@aws-sdk/xml-builder") && source.startsWith("./xml-parser")) {
      return resolve(dirname(importer), "xml-parser.js");
    }
    return undefined;
  },
};

const migrations = await readD1Migrations("./drizzle");

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          sdkXmlParserForWorkerd,
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: { TEST_MIGRATIONS: migrations, ALLOW_RESET: "true" } },
          }),
        ],
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts"],
          setupFiles: ["./test/workers/setup.ts"],
        },
      },
      {
        test: { name: "unit", environment: "node", include: ["test/unit/**/*.test.ts"] },
      },
      {
        test: {
          name: "e2e",
          environment: "node",
          include: ["test/e2e/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
