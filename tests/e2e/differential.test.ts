// The same image under both hosts must behave the same, syscall for syscall.
// The conformance suite's hostile service (qc-fuzz) makes 100 000 seeded
// random syscalls and folds every result into one hash (clocks, counters and
// pids aside); both hosts must reach the same hash, and every in-image test
// the same verdict.
import { describe, expect, it, beforeAll } from "vitest";
import { image, root } from "./helpers";
import { conformanceImage } from "../../tools/lib/conformance";
import { bootNode } from "../../tools/host-node/run";
import { bootWasmtime } from "../../tools/host-wasmtime/launch";

let qc: string;
beforeAll(async () => { qc = await conformanceImage(await image("default")); }, 300_000);

function verdicts(console: string): { hash: string; results: string[] } {
  const hash = /random-syscalls-do-not-trap-the-kernel -- .*result hash (0x[0-9a-f]+)/.exec(console)?.[1] ?? "missing";
  const results = console.split("\n").filter((l) => /^#qc (pass|fail|unsupported|unresolved) /.test(l)).map((l) => l.split(" -- ")[0]);
  return { hash, results };
}

describe("differential: Node and wasmtime", () => {
  it("give every random syscall the same result, and every test the same verdict", async () => {
    // Booted as the conformance runner boots it: no console input, so the suite runs to its end.
    let node = "";
    const dec = new TextDecoder();
    expect(await bootNode(qc, { out: (b) => { node += dec.decode(b, { stream: true }); } })).toBe(0);
    const capture = { stdout: "", stderr: "" };
    expect(await bootWasmtime(root, qc, {}, { capture, input: "", quietSetup: true }), capture.stderr).toBe(0);
    const a = verdicts(node), b = verdicts(capture.stdout);
    expect(a.hash).toMatch(/^0x[0-9a-f]+$/);
    expect(b.hash).toBe(a.hash);
    expect(a.results.length).toBeGreaterThan(100);
    expect(b.results).toEqual(a.results);
  });
});
