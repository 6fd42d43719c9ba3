// A device unplugged at every step of the read path, under both hosts
// (tests/fixtures/drivers-unplug, docs/devices.md: I/O through handles).
// The client gets E_ARG for an open of a device already gone, E_DEAD for the
// request the unplug falls in or is first noticed at, E_BADSLOT after (the
// handle was revoked with the device), or its data if the driver had read
// every sector; the other device, the other client's handle and its
// references, and the devmgr's books are untouched at every step.
import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { quark, root } from "./helpers";

const manifest = join(root, "tests", "fixtures", "drivers-unplug", "image.toml");
const image = manifest.replace(/\.toml$/, ".wasm");

function serviceLines(stdout: string, who: string[]): string[] {
  return stdout.split("\n").map((l) => l.replace(/^\[\s*[\d.]+\] /, "")).filter((l) => who.some((w) => l.startsWith(`${w}: `)));
}

describe("unplug during a read", () => {
  beforeAll(() => {
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
  });

  const logs: Record<string, string> = {};
  const rest = "A found: E_ARG; other's read of B OK (references 2); handles 1, references 2, wrong 0";

  it.each(["node", "wasmtime"])("at every step: E_DEAD or the documented error, nothing else disturbed (%s)", (runtime) => {
    const r = quark(["boot", image, "--runtime", runtime]);
    expect(r.code, r.stderr).toBe(0);
    const lines = serviceLines(r.stdout, ["prober"]);
    expect(lines).toEqual([
      "prober: B: block-256, other opens it with two references: OK",
      `prober: before open: open E_ARG; ${rest}`,
      `prober: after open: read E_DEAD; then E_BADSLOT, E_BADSLOT; ${rest}`,
      `prober: at the driver's entry: read E_DEAD; then E_BADSLOT, E_BADSLOT; ${rest}`,
      `prober: between two sectors: read E_DEAD; then E_BADSLOT, E_BADSLOT; ${rest}`,
      `prober: after the driver's last sector: read OK with the data; then E_DEAD, E_BADSLOT; ${rest}`,
      `prober: after the reply: read OK with the data; then E_DEAD, E_BADSLOT; ${rest}`,
      "prober: done",
    ]);
    expect(r.stdout).not.toMatch(/kernel: fault/);
    logs[runtime] = lines.join("\n");
  });

  it("prints the same log under both hosts", () => {
    expect(logs.wasmtime).toBe(logs.node);
  });
});
