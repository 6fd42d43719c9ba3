// Instances and load balancing, end to end: three instances of one service
// behind one name, a client balancing over them through the registry with
// each policy, a circuit breaker that opens and half-opens, and a degraded
// instance that drops out of the registry's answers.
import { describe, expect, it, beforeAll } from "vitest";
import { join } from "node:path";
import { quark, root } from "./helpers";

const manifest = join(root, "tests", "fixtures", "balance", "image.toml");

describe("load balancing", () => {
  beforeAll(() => {
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
  });

  it.each(["node", "wasmtime"])("spreads, trips and heals over the instances of one name (%s)", (runtime) => {
    const r = quark(["boot", manifest.replace(/\.toml$/, ".wasm"), "--runtime", runtime]);
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/init: starting together: worker, worker#2, worker#3\n/);
    expect(out).toContain("client: balance: round-robin over 3 instances: 10 10 10, errors 0");
    // Three failures open the first instance's circuit; the other 27 requests go to the other two.
    expect(out).toContain("client: balance: breaker: 3 failures, then open: yes; served 27");
    expect(out).toContain("client: balance: breaker after 100 ms: trial ok, closed: yes");
    // Six messages were already waiting for the second instance: the twelve balanced sends fill the others up to it.
    expect(out).toContain("client: balance: least-outstanding sends: 6 0 6");
    const spread = /consistent-hash spread (\d+) (\d+) (\d+), same answer twice: yes/.exec(out);
    expect(spread).not.toBeNull();
    const [a, b, c] = spread!.slice(1).map(Number);
    expect(a + b + c).toBe(200);
    expect(Math.min(a, b, c)).toBeGreaterThan(0);
    expect(out).toContain("client: balance: after one instance reported degraded, the registry gives 2 instances");
    const after = /consistent-hash after removal: kept (\d+), moved (\d+) \(all from the gone instance\), other moves 0/.exec(out);
    expect(after).not.toBeNull();
    expect(Number(after![1]) + Number(after![2])).toBe(200);
    expect(Number(after![2])).toBe(c); // exactly the keys the degraded (third) instance had
  });

  it("refuses ctl on an image without a shell, saying what to add", () => {
    const r = quark(["ctl", manifest.replace(/\.toml$/, ".wasm"), "svc list"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/has no shell to run commands: .*\[service\.shell\]/);
  });
});
