// Chaos, seeded and bounded: 1000 crashes injected at random moments into
// echo, memory and log while a client keeps calling them and init health-checks
// every service every 10 ms (tests/fixtures/chaos).
// Afterwards every service with a restart policy runs, no client got anything
// but a result or a clear error, and the books account for every crash.
import { describe, expect, it, beforeAll } from "vitest";
import { join } from "node:path";
import { quark, root, bootInteractive } from "./helpers";

const manifest = join(root, "tests", "fixtures", "chaos", "image.toml");

describe("chaos", () => {
  beforeAll(() => {
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
  });

  it.each(["node", "wasmtime"])("1000 injected crashes under load: all back, no wrong answer, every crash accounted for (%s)", async (runtime) => {
    // The books are read once both services say they are done, however long a
    // loaded machine takes; the short sleep lets init's 10 ms health check see
    // the last restarted service answer before svc list reads its health.
    const m = bootInteractive(manifest.replace(/\.toml$/, ".wasm"), runtime);
    const done = await Promise.race([
      Promise.all([m.until(/^#chaos /m), m.until(/^#load calls=/m)]).then(() => true), m.exited.then(() => false)]);
    if (done) m.stdin.end("sleep 200\nsvc list --json\n"); // else the checks below say what stopped it
    const r = { code: await m.exited, stdout: m.out(), stderr: m.err() };
    expect(r.code, r.stderr).toBe(0);
    const chaos = /^#chaos echo=(\d+) memory=(\d+) log=(\d+)$/m.exec(r.stdout);
    expect(chaos, "the chaos service did not finish").not.toBeNull();
    const injected: Record<string, number> = { echo: +chaos![1], memory: +chaos![2], log: +chaos![3] };
    expect(injected.echo + injected.memory + injected.log).toBe(1000);
    const load = /^#load calls=(\d+) ok=(\d+) clear=(\d+) wrong=(\d+)/m.exec(r.stdout);
    expect(load, "the load service did not finish").not.toBeNull();
    expect(+load![4]).toBe(0);
    expect(+load![1]).toBe(9000);
    expect(+load![3]).toBeGreaterThan(0); // the crashes were felt
    const services: { name: string; state: string; health: string; faults: number; crashes_logged: number }[] =
      JSON.parse(r.stdout.split("\n").find((l) => l.startsWith('[{"name"'))!);
    for (const s of services) expect(s.state, s.name).toBe("running");
    for (const s of services) expect(s.health, s.name).toBe("healthy");
    for (const [name, n] of Object.entries(injected)) {
      const s = services.find((x) => x.name === name)!;
      expect(s.faults, `${name}: faults the kernel counted`).toBe(n);
      expect(s.crashes_logged, `${name}: crashes init handled and logged`).toBe(n);
    }
    expect(r.stdout.match(/crashed: was made to trap \(proc_crash\)/g)?.length).toBe(1000);
  }, 300_000);
});
