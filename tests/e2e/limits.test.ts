// Per-service limits from the manifest (tests/fixtures/limits): a queue of 4
// refuses the fifth waiting send with E_QFULL; an instance may not grow past
// its memory limit, and the crash says so; the qubit quota is reported.
import { describe, expect, it, beforeAll } from "vitest";
import { join } from "node:path";
import { quark, root, lifecycle } from "./helpers";
import * as abi from "../../kernel/abi";

const manifest = join(root, "tests", "fixtures", "limits", "image.toml");

describe("per-service limits", () => {
  beforeAll(() => {
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
  });

  it.each(["node", "wasmtime"])("queue_depth bounds waiting sends; memory bounds the instance; qubits is recorded (%s)", (runtime) => {
    const r = quark(["boot", manifest.replace(/\.toml$/, ".wasm"), "--runtime", runtime],
      { input: "sleep 20\nsvc status sink --json\nsvc events grower --json\n" });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/sender: sent 4, then -8\n/); // E_QFULL
    expect(r.stdout).toMatch(/sender: allocate 16 KiB in grower: 0\n/);
    expect(r.stdout).toMatch(/kernel: fault: grower \(pid \d+\) trapped at its memory limit \(the manifest's memory\)/);
    expect(r.stdout).toMatch(/sender: allocate 1 MiB in grower: -7\n/); // E_CRASHED: the caller runs on
    expect(r.stdout).toMatch(/init: grower \(pid \d+\) crashed: trapped at its memory limit \(the manifest's memory\)\n/);
    const events: { event: string; detail: number }[] = JSON.parse(r.stdout.split("\n").find((l) => l.startsWith('[{"event"'))!);
    expect(events.find((e) => e.event === "crashed")?.detail).toBe(abi.FAULT_MEMORY);
    expect(lifecycle(events)).toEqual(["started", "crashed", "restarting", "restarted"]);
    const sink = JSON.parse(r.stdout.split("\n").find((l) => l.startsWith('{"name":"sink"'))!);
    expect(sink.qubits).toBe(12);
  });
});
