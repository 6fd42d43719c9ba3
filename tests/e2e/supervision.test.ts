// Restart throttling, end to end: a service that traps at every start is
// restarted with exponential backoff (5, 10, then the 15 ms cap) until its
// limit of 4 in the window, and its event log accounts for every crash.
import { describe, expect, it, beforeAll } from "vitest";
import { join } from "node:path";
import { quark, root } from "./helpers";

const manifest = join(root, "tests", "fixtures", "backoff", "image.toml");

describe("supervision", () => {
  beforeAll(() => {
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
  });

  it.each(["node", "wasmtime"])("throttles a crash loop with backoff, gives up at the limit, and logs every step (%s)", (runtime) => {
    const r = quark(["boot", manifest.replace(/\.toml$/, ".wasm"), "--runtime", runtime],
      { input: "sleep 400\nsvc status flaky\nsvc events flaky --json\n" });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/flaky: failed, pid \d+, 4 restarts, 5 faults, unhealthy\b/);
    const events: { event: string; detail: number }[] = JSON.parse(r.stdout.split("\n").find((l) => l.startsWith('[{"event"'))!);
    expect(events.filter((e) => e.event === "crashed")).toHaveLength(5);
    expect(events.filter((e) => e.event === "restarting").map((e) => e.detail)).toEqual([5, 10, 15, 15]);
    expect(events.at(-2)).toMatchObject({ event: "gave-up", detail: 4 });
    expect(events.at(-1)).toMatchObject({ event: "escalated", detail: 0 }); // nothing requires it
    expect(r.stdout).toContain("init: flaky: 4 restarts within 10000 ms; giving up (failed)");
  });
});
