// What a client that went away leaves in the device manager when the news of
// its end never reaches it, and endpoints handed over that are not the
// client's own, under both hosts (tests/fixtures/devmgr-lost, docs/devices.md:
// Handles). victim holds a handle and a power reference; chaos fills the
// devmgr's queue and makes victim trap, so the registry's event is lost; at
// the next event, which says one was missed, the devmgr sweeps and releases
// victim's reference. chaos then drops sixteen handles without closing them
// and opens a seventeenth: the devmgr finds the dropped ones (nothing is
// derived from its capabilities any more) and closes them first.
import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { quark, root } from "./helpers";

const manifest = join(root, "tests", "fixtures", "devmgr-lost", "image.toml");
const image = manifest.replace(/\.toml$/, ".wasm");

function lines(stdout: string): string[] {
  return stdout.split("\n").map((l) => l.replace(/^\[\s*[\d.]+\] /, "")).filter((l) => l.startsWith("chaos: ") || l.startsWith("devmgr: sweep"));
}

describe("the device manager's books when a client's end is not heard of", () => {
  beforeAll(() => {
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
  });

  it.each(["node", "wasmtime"])("sweeps what lost clients left and refuses endpoints that are not the caller's (%s)", (runtime) => {
    const r = quark(["boot", image, "--runtime", runtime]);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout)).toEqual([
      "chaos: before: handles 1, references 1 (entropy 1), miscounted 0",
      "chaos: the devmgr's queue filled with 4 sends, the next E_QFULL",
      "chaos: call victim, which traps: E_CRASHED",
      // The registry's send of victim's crash found the devmgr's queue full: nothing was closed.
      "chaos: after the lost event: handles 1, references 1 (entropy 1), miscounted 0",
      "chaos: stop bystander: OK",
      expect.stringMatching(/^devmgr: sweep after \d+ lost service events: 1 handles of clients that went closed, 0 that nobody holds closed, 0 subscriptions and waits of gone clients forgotten; their references released$/),
      "chaos: after the next event: handles 0, references 0 (entropy 0), miscounted 0",
      "chaos: bystander's endpoint delivers to pid another; mine to me; a copy derived from mine: 0",
      "chaos: subscribe with bystander's endpoint: E_PERM, wait: E_PERM, wait until bound: E_PERM",
      "chaos: subscribe with its own: OK, wait: OK; copies derived from it now: 1",
      "chaos: edges: query 0 E_ARG, query 3 E_ARG, slot -1 E_BADSLOT, slot 1000 E_BADSLOT, slot 2^31-1 E_BADSLOT",
      "chaos: 16 handles opened, a reference taken through each, deleted without a close: handles 16, references 16 (entropy 16), miscounted 0",
      "devmgr: sweep when an open found no row free: 0 handles of clients that went closed, 16 that nobody holds closed, 0 subscriptions and waits of gone clients forgotten; their references released",
      "chaos: one more open: OK; handles 1, references 0 (entropy 0), miscounted 0",
      "chaos: closed: OK",
      "chaos: done: handles 0, references 0 (entropy 0), miscounted 0",
    ]);
  });
});
