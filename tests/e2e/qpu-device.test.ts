// The QPU device through the kernel, through the CLI under both hosts
// (tests/fixtures/qpu-device, docs/qpu.md): a service plugs a QPU, binds it
// for DMA, puts a job the OpenQASM parser made in its kernel-managed memory,
// runs it and reads the counts back; the same seed gives the same counts, and
// both hosts give the same ones; what a driver gets wrong is refused with a
// status and the engine's reason. tests/unit/qpu-device.test.ts covers the
// model's DMA pieces, calibration and unplug.
import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { quark, root } from "./helpers";

const manifest = join(root, "tests", "fixtures", "qpu-device", "image.toml");
const image = manifest.replace(/\.toml$/, ".wasm");

function labLines(stdout: string): string[] {
  return stdout.split("\n").map((l) => l.replace(/^\[\s*[\d.]+\] /, "")).filter((l) => l.startsWith("lab: "));
}

describe("the QPU device through the kernel", () => {
  beforeAll(() => {
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
  });

  const logs: Record<string, string[]> = {};

  it.each(["node", "wasmtime"])("runs a Bell circuit by DMA, reproducibly, and refuses what a driver gets wrong (%s)", (runtime) => {
    const r = quark(["boot", image, "--runtime", runtime]);
    expect(r.code, r.stderr).toBe(0);
    const lines = labLines(r.stdout);
    expect(lines[0]).toBe("lab: unbound: E_STATE");
    expect(lines[1]).toBe("lab: bind: OK; qubits 20");
    const m = /^lab: bell, 1000 shots, seed 7: status 2, counts 00:(\d+) 11:(\d+)$/.exec(lines[2]);
    expect(m, lines[2]).not.toBeNull();
    expect(Number(m![1]) + Number(m![2])).toBe(1000);
    // Fair within five standard deviations (about 16 shots).
    expect(Math.abs(Number(m![1]) - 500)).toBeLessThan(80);
    expect(lines.slice(3)).toEqual([
      "lab: the same seed again: the same counts",
      "lab: no room for the counts: E_NOSPACE, 2 outcomes",
      "lab: a 2-qubit job on a 1-qubit QPU: E_ARG (reason 7: 2 qubits, 1 allowed)",
      "lab: 27 qubits: E_ARG; qubits still 1",
      "lab: a broken job: E_ARG (reason 2)",
      "lab: a job where nothing is mapped: E_UNMAPPED",
      "lab: an unknown command: E_ARG",
    ]);
    logs[runtime] = lines;
  });

  it("gives the same counts under both hosts", () => {
    expect(logs.wasmtime).toEqual(logs.node);
  });
});
