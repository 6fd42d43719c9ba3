// Readiness, start timeouts, heartbeats and interface versions, end to end
// (tests/fixtures/health): a notify-type service is Starting until it reports
// ready and what requires it waits; one that never does is killed at its
// start timeout and given up on; one that promised heartbeats and sends none
// turns Degraded, then Unhealthy, and is restarted; a dependency running an
// interface version outside the range asked for keeps its dependent down.
import { describe, expect, it, beforeAll } from "vitest";
import { join } from "node:path";
import { quark, root, lifecycle } from "./helpers";

const manifest = join(root, "tests", "fixtures", "health", "image.toml");

describe("health and readiness", () => {
  beforeAll(() => {
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
  });

  it.each(["node", "wasmtime"])("waits for readiness, times out starts, restarts the silent, checks versions (%s)", (runtime) => {
    const r = quark(["boot", manifest.replace(/\.toml$/, ".wasm"), "--runtime", runtime],
      { input: "sleep 1200\nsvc list --json\nsvc events silent --json\nsvc events never-ready --json\n" });
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout;
    const at = (s: string): number => { const i = out.indexOf(s); expect(i, s).toBeGreaterThanOrEqual(0); return i; };
    // Starting, then ready, then what waited for it starts; the ready line waits for every start to settle.
    expect(at("init: started late (pid 3)")).toBeLessThan(at("init: late is ready"));
    expect(out).toMatch(/init: started late \(pid \d+\) in [\d.]+ µs; waiting for it to report ready\n/);
    expect(at("init: late is ready")).toBeLessThan(at("init: started after-late"));
    expect(at("init: never-ready: 1 restarts within 30000 ms; giving up (failed)")).toBeLessThan(at("init: ready: 7 of 10 services running"));
    expect(out.match(/init: never-ready \(pid \d+\) did not report ready within 100 ms: killed/g)).toHaveLength(2);
    expect(out).toContain("init: not starting needs-never: it requires never-ready, which is not running");
    expect(out).toContain("init: not starting old-client: it requires bumped in versions 1.0.0 to 2.0.0 (exclusive), but bumped is version 2.0.0");
    expect(out.match(/init: silent \(pid \d+\) missed 3 heartbeats: killed/g)).toHaveLength(2);

    const lines = out.split("\n");
    const list: { name: string; state: string; health: string }[] = JSON.parse(lines.find((l) => l.startsWith('[{"name":"log"'))!);
    const state = Object.fromEntries(list.map((s) => [s.name, `${s.state}/${s.health}`]));
    expect(state).toEqual({
      log: "running/healthy", late: "running/healthy", "after-late": "running/healthy", "never-ready": "failed/unhealthy",
      "needs-never": "skipped/unknown", silent: "failed/unhealthy", bumped: "running/healthy", "old-client": "skipped/unknown",
      shell: "running/healthy", condrv: "running/healthy",
    });
    const events = lines.filter((l) => l.startsWith('[{"event"')).map((l) => JSON.parse(l) as { event: string; detail: number }[]);
    const silent = events[0], never = events[1];
    expect(silent.map((e) => e.event)).toEqual(["started", "healthy", "degraded", "unhealthy", "restarting", "restarted", "healthy",
      "degraded", "unhealthy", "gave-up", "escalated"]);
    expect(silent.find((e) => e.event === "unhealthy")!.detail).toBe(3);
    expect(lifecycle(never)).toEqual(["started", "start-timeout", "restarting", "restarted", "start-timeout", "gave-up", "escalated"]);
    expect(never.find((e) => e.event === "start-timeout")!.detail).toBe(100);
  });
});
