// Per-service limits from the manifest (tests/fixtures/limits): a queue of 4
// refuses the fifth waiting send with E_QFULL; the qubit quota is reported.
import { describe, expect, it, beforeAll } from "vitest";
import { join } from "node:path";
import { quark, root } from "./helpers";

const manifest = join(root, "tests", "fixtures", "limits", "image.toml");

describe("per-service limits", () => {
  beforeAll(() => {
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
  });

  it.each(["node", "wasmtime"])("queue_depth bounds waiting sends; qubits is recorded (%s)", (runtime) => {
    const r = quark(["boot", manifest.replace(/\.toml$/, ".wasm"), "--runtime", runtime], { input: "sleep 20\nsvc status sink --json\n" });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/sender: sent 4, then -8\n/); // E_QFULL
    const sink = JSON.parse(r.stdout.split("\n").find((l) => l.startsWith('{"name":"sink"'))!);
    expect(sink.qubits).toBe(12);
  });
});
