// A paused client is alive, for the device manager and the quantum scheduler
// alike (clientGone, userland/lib/ended.ts), under both hosts
// (tests/fixtures/paused-client). holder and goner each hold a device handle
// with a power reference and 2 qubits; holder is paused; the registry's
// sends of goner's end are lost to full queues, and the next event makes
// both services sweep: goner's handle and qubits are released, paused
// holder's kept. Resumed, holder uses its handle and its allocation; stopped,
// it loses both through the ordinary event.
import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { quark, root } from "./helpers";

const manifest = join(root, "tests", "fixtures", "paused-client", "image.toml");
const image = manifest.replace(/\.toml$/, ".wasm");

function lines(stdout: string): string[] {
  return stdout.split("\n").map((l) => l.replace(/^\[\s*[\d.]+\] /, ""))
    .filter((l) => /^(pilot|holder): /.test(l) || /^devmgr: (sweep|pid)/.test(l) || /^qsched: pid \d+ \(\w+\) (was found gone|went away)/.test(l));
}

describe("a paused client of the device manager and the quantum scheduler", () => {
  beforeAll(() => {
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
  });

  it.each(["node", "wasmtime"])("keeps its handle and allocation through both sweeps, and loses them when stopped (%s)", (runtime) => {
    const r = quark(["boot", image, "--runtime", runtime]);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout)).toEqual([
      "holder: opened the entropy device: OK, reference: OK, 2 qubits: OK",
      "pilot: before: handles 2, references 2 (entropy 2), miscounted 0; 16 qubits free",
      "pilot: pause holder: OK; a call to it: E_BUSY",
      "pilot: the devmgr's queue filled with 4 sends, the next E_QFULL; the scheduler's with 4 sends, the next E_QFULL",
      "pilot: call goner, which traps: E_CRASHED",
      // Neither service heard of goner's end: nothing was released.
      "pilot: after the lost events: handles 2, references 2 (entropy 2), miscounted 0; 16 qubits free",
      "pilot: stop bystander: OK",
      expect.stringMatching(/^devmgr: sweep after \d+ lost service events: 1 handles of clients that went closed, 0 that nobody holds closed, 0 subscriptions and waits of gone clients forgotten; their references released$/),
      expect.stringMatching(/^qsched: pid \d+ \(goner\) was found gone in a sweep after \d+ lost service events: 2 qubits freed, 0 unfinished jobs ended$/),
      // goner's handle and qubits are gone; paused holder's are kept.
      "pilot: after the sweeps: handles 1, references 1 (entropy 1), miscounted 0; 18 qubits free",
      "pilot: resume holder: OK",
      "holder: my handle: put OK, get OK (1 reference); my allocation: OK (2 qubits)",
      "pilot: holder's check: OK",
      "pilot: stop holder: OK",
      expect.stringMatching(/^devmgr: pid \d+ went away: 1 handles closed, their references released$/),
      expect.stringMatching(/^qsched: pid \d+ \(holder\) went away: 2 qubits freed, 0 unfinished jobs ended$/),
      "pilot: after holder stopped: handles 0, references 0 (entropy 0), miscounted 0; 20 qubits free",
    ]);
  });
});
