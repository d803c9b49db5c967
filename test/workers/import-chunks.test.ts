// A snapshot larger than one request body arrives in numbered parts; the last one imports the whole, all or nothing.
import { describe, expect, it } from "vitest";
import { ACCOUNT } from "./fixtures";
import { EMPTY, handSnapshot, importSnapshot, rowCounts } from "./import-fixtures";

/** The snapshot's JSON cut into `n` pieces at arbitrary character offsets (a part need not be valid JSON). */
function pieces(n: number): string[] {
  const text = JSON.stringify(handSnapshot(ACCOUNT));
  const size = Math.ceil(text.length / n);
  return Array.from({ length: n }, (_, i) => text.slice(i * size, (i + 1) * size));
}

const partQuery = (upload: string, part: number, of: number) => `upload=${upload}&part=${part}&of=${of}`;

describe("chunked import", () => {
  it("holds parts until the last, then imports the whole snapshot", async () => {
    const parts = pieces(3);
    const upload = "chunked-upload-0001";
    for (const [i, raw] of parts.slice(0, 2).entries()) {
      const held = await importSnapshot(undefined, { raw, query: partQuery(upload, i + 1, 3) });
      expect(held.status).toBe(202);
      expect(await rowCounts(ACCOUNT)).toEqual(EMPTY);
    }
    const done = await importSnapshot(undefined, { raw: parts[2] ?? "", query: partQuery(upload, 3, 3) });
    expect(done.status).toBe(200);
    expect(done.body.imported).toMatchObject({ users: 2 });
  });

  it("refuses a last part whose earlier parts never came, and malformed part numbers, storing nothing", async () => {
    const parts = pieces(2);
    const missing = await importSnapshot(undefined, {
      raw: parts[1] ?? "",
      query: `${partQuery("never-sent-part-one", 2, 2)}&account=210987654321`,
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error?.message).toContain("Part 1 of upload never-sent-part-one has not arrived");
    for (const query of [
      partQuery("short", 1, 2),
      partQuery("long-enough-upload", 3, 2),
      partQuery("long-enough-upload", 1, 17),
    ]) {
      expect((await importSnapshot(undefined, { raw: "{}", query })).status).toBe(400);
    }
    expect(await rowCounts("210987654321")).toEqual(EMPTY);
  });
});
