// ping_fuel, end to end (tests/fixtures/ping-fuel): two services whose ping
// handler spends about three million fuel units. The one whose manifest gives
// it ping_fuel = 50000000 answers every health check; the other has the
// default PING_FUEL, is hung at its first ping (FAULT_HUNG) and stays down.
import { describe, expect, it, beforeAll } from "vitest";
import { join } from "node:path";
import * as abi from "../../kernel/abi";
import { faultText } from "../../tools/lib/names";
import { quark, root } from "./helpers";

const manifest = join(root, "tests", "fixtures", "ping-fuel", "image.toml");

describe("ping_fuel", () => {
  beforeAll(() => {
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
  });

  it.each(["node", "wasmtime"])("gives a slow ping handler the fuel the manifest says (%s)", (runtime) => {
    const r = quark(["boot", manifest.replace(/\.toml$/, ".wasm"), "--runtime", runtime],
      { input: "svc check --json\nsleep 300\nsvc check --json\nsvc status patient --json\nsvc status hasty --json\nsvc events hasty --json\n" });
    expect(r.code, r.stderr).toBe(0);
    const json = r.stdout.split("\n").filter((l) => l.startsWith("{") || l.startsWith("[{"));
    const [, check, patient, hasty] = json.map((l) => JSON.parse(l));
    expect(check.services).toContainEqual({ name: "patient", health: "healthy" });
    expect(patient).toMatchObject({ state: "running", faults: 0, restarts: 0, health: "healthy" });
    expect(patient.last_ping_ns).toBeGreaterThan(0);
    expect(hasty).toMatchObject({ state: "failed", faults: 1, health: "unhealthy" });
    const crashed = (JSON.parse(json[4]) as { event: string; detail: number }[]).find((e) => e.event === "crashed");
    expect(crashed?.detail).toBe(abi.FAULT_HUNG);
    expect(r.stdout).toMatch(new RegExp(`init: hasty \\(pid \\d+\\) crashed: ${faultText(abi.FAULT_HUNG)}\n`));
    expect(r.stdout).not.toMatch(/init: patient \(pid \d+\) crashed/);
  });
});
