// Supervision groups (tests/fixtures/groups): one-for-all restarts every
// member with the one that failed; rest-for-one only those after it.
import { describe, expect, it, beforeAll } from "vitest";
import { join } from "node:path";
import { quark, root, lifecycle } from "./helpers";

const manifest = join(root, "tests", "fixtures", "groups", "image.toml");

describe("supervision groups", () => {
  beforeAll(() => {
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
  });

  it.each(["node", "wasmtime"])("apply one-for-all and rest-for-one when a member crashes (%s)", (runtime) => {
    const r = quark(["ctl", "--runtime", runtime, manifest.replace(/\.toml$/, ".wasm"), "sleep 60", "svc list --json", "svc events e --json"]);
    expect(r.code, r.stderr).toBe(0);
    const [listLine, eventsLine] = r.stdout.trim().split("\n");
    const rows = Object.fromEntries(JSON.parse(listLine).map((s: { name: string; state: string; restarts: number; faults: number }) =>
      [s.name, `${s.state}/${s.restarts}/${s.faults}`]));
    expect(rows).toMatchObject({
      a: "running/1/1", b: "running/1/0", // one-for-all: a crashed, b restarted with it
      c: "running/0/0", d: "running/1/1", e: "running/1/0", // rest-for-one: d crashed, e after it restarted, c before it not
    });
    expect(lifecycle(JSON.parse(eventsLine))).toEqual(["started", "restarted-with-group"]);
  });
});
