// `npm run bench -- --json` as a script would read it. Figures are checked
// for shape and sense, never against a time: these machines are shared.
import { describe, expect, it } from "vitest";
import { quark } from "./helpers";

const FIGURES = ["ipc.call.roundtrip", "ipc.send.throughput", "lease.copy.4k", "boot.ready", "restart.after_trap"];

describe("quark bench --json", () => {
  it("prints one JSON object: the machine, and every figure under both hosts beside its peer", () => {
    const r = quark(["bench", "--json", "--quick"], { timeoutMs: 600_000 });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.machine).toMatchObject({ cores: expect.any(Number), node: expect.any(String), v8: expect.any(String) });
    expect(out.machine.wasmtime).toMatch(/^49\.0\.0/);
    for (const host of ["node", "wasmtime"]) {
      for (const name of FIGURES) {
        const f = out.results.find((x: any) => x.name === name && x.host === host);
        expect(f, `${name} under ${host}`).toBeDefined();
        expect(f.samples).toBeGreaterThan(0);
        expect(typeof f.peer).toBe("string");
        expect(f.ratio).toBeGreaterThan(0);
        if (name === "ipc.send.throughput") expect(f.p50).toBeGreaterThan(0);
        else {
          expect(f.p50_ns).toBeGreaterThan(0);
          expect(f.p99_ns).toBeGreaterThanOrEqual(f.p50_ns);
          expect(f.peer_p50_ns).toBeGreaterThan(0);
        }
      }
    }
  });
});
