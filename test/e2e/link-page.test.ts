// End to end: `wrangler dev`, a /v1/simulations what-if saved behind a link, its page and /docs opened in Debian's headless Chromium (playwright-core): rendered text, an expanded cell, highlighted statement lines, no CSP violation, a screenshot.
import { CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../../scripts/lib/dev-server.ts";
import { signRequest } from "../../src/aws/sigv4.ts";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn("Skipping the link page test: /usr/bin/chromium not found (apt-get install chromium).");

/** Where the screenshot is kept for whoever looks at the run afterwards. */
const ARTIFACTS = process.env.E2E_ARTIFACTS ?? join(tmpdir(), "iam-simulator-artifacts");

describe.skipIf(!hasChromium)("a shared link's page in headless Chromium", () => {
  let server: DevServer;
  let browser: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    server = await startDevServer();
    profile = mkdtempSync(join(tmpdir(), "iam-sim-chromium-"));
    // A new empty profile each run (playwright takes it as the persistent context's user data dir).
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      // This machine's network is closed: Chromium's own background connections are switched off.
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it("renders the grid, explains an expanded cell and highlights the matched statement", async () => {
    const iam = new IAMClient({
      endpoint: server.url,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    await iam.send(new CreateUserCommand({ UserName: "e2e-link" }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: "e2e-link",
        PolicyName: "read",
        PolicyDocument: JSON.stringify(
          {
            Version: "2012-10-17",
            Statement: [{ Sid: "ReadObjects", Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
          },
          null,
          2,
        ),
      }),
    );

    const url = new URL(`${server.url}/v1/simulations`);
    const body = JSON.stringify({
      principal: "arn:aws:iam::123456789012:user/e2e-link",
      actions: ["s3:GetObject", "s3:PutObject"],
      resources: ["arn:aws:s3:::bucket/key"],
      whatIf: { attachPolicies: ["arn:aws:iam::aws:policy/AmazonS3FullAccess"] },
    });
    const headers = await signRequest({
      method: "POST",
      url,
      headers: { "content-type": "application/json" },
      body,
      accessKeyId: "test",
      secret: "test",
      region: "us-east-1",
      service: "iam",
      now: new Date(),
    });
    const res = await fetch(url, { method: "POST", headers, body });
    expect(res.status).toBe(200);
    const link = ((await res.json()) as { link: string }).link;
    expect(link.startsWith(`${server.url}/s/`)).toBe(true);

    const page = await browser.newPage();
    const violations: string[] = [];
    page.on("console", (m) => {
      if (m.text().includes("Content Security Policy")) violations.push(m.text());
    });
    const response = await page.goto(link);
    expect(response?.status()).toBe(200);
    const text = await page.locator("body").innerText();
    expect(text).toContain("What-if simulation");
    expect(text).toContain("newly allowed");
    expect(text).toContain("anyone who holds it can read this page");

    // The first cell (s3:GetObject) opens to its explanation: the Sid, and a link to the highlighted lines.
    await page.locator("table.grid td details summary").first().click();
    const why = await page.locator("table.grid td details[open] .why").first().innerText();
    expect(why).toContain("ReadObjects");
    expect(why).toContain("identity");
    expect(await page.locator("ol.code li.hit").count()).toBeGreaterThan(0);
    // The stylesheet loaded under the CSP: an allowed cell is green.
    const colour = await page
      .locator("td.allow")
      .first()
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(colour).toBe("rgb(223, 243, 224)");
    expect(violations).toEqual([]);

    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, "link-page.png");
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`link page screenshot: ${shot}`);
    expect(statSync(shot).size).toBeGreaterThan(10_000);
  });

  it("shows the OpenAPI reference at /docs without CSP violations or external loads", async () => {
    const page = await browser.newPage();
    const violations: string[] = [];
    const external: string[] = [];
    page.on("console", (m) => {
      if (m.text().includes("Content Security Policy")) violations.push(m.text());
    });
    page.on("request", (r) => {
      if (!r.url().startsWith(server.url)) external.push(r.url());
    });
    const response = await page.goto(`${server.url}/docs`);
    expect(response?.status()).toBe(200);
    const text = await page.locator("body").innerText();
    expect(text).toContain("POST /v1/simulations");
    await page.locator("details summary").first().click();
    expect(await page.locator("details pre").first().isVisible()).toBe(true);
    expect(violations).toEqual([]);
    expect(external).toEqual([]);
    await page.close();
  });
});
