// `npm run bench -- --json` as a script would read it. Figures are checked
// for shape and sense, never against a time: these machines are shared.
import { beforeAll, describe, expect, it } from "vitest";
import { qsPolicyNames } from "../../userland/lib/proto/qsched";
import { quark } from "./helpers";

// Figures measured against a peer (another system's way of doing the same).
const FIGURES = [
  "ipc.call.roundtrip", "ipc.call.null", "ipc.send.throughput", "lease.copy.4k", "boot.ready", "boot.ready.core", "restart.after_trap",
  "registry.lookup", "registry.lookup.pattern", "registry.lookup.tag",
  // The stack guard's cost: the same round trip beside services loaded without it, in the same run.
  "isolation.stack_guard",
  // A restart on a recycled instance beside the same restart on a fresh one (QUARK_RECYCLE=0), in the same run.
  "proc.restart.recycled",
  // An interrupt to the driver's handler beside a timer notification to the same handler, in the same run.
  "irq.deliver",
  // The device manager: open + close beside a plain call to it; a plug seen by a subscriber beside a send, in the same run.
  "dev.open", "dev.hotplug.seen",
  // Plug to bound beside the same send; a 4 KiB read through the devmgr beside the same sectors read on the registers.
  "dev.hotplug.bound", "dev.read.4k",
  // The QPU engine: a one-qubit gate on 16, 20 and 24 qubits beside a plain Float64Array kernel, on 16 beside the npm
  // quantum-circuit package; SIMD beside scalar; fused beside unfused.
  "qpu.gate.16q", "qpu.gate.20q", "qpu.gate.24q", "qpu.gate.16q.qc", "qpu.simd", "qpu.fusion",
  // A qubit allocation through the quantum scheduler beside a plain call to it.
  "qpu.alloc",
  // A 64-byte console line through the console driver beside the kernel's own console_write of it.
  "con.write.line",
  // The scheduler's workload (virtual time): coherence-aware's mean wait and success beside FIFO's; multiprogramming's
  // throughput beside none, same policy.
  "qpu.qos.wait", "qpu.qos.esp", "qpu.qos.mp.throughput",
];
// Service-management figures with no peer: quark's own cost of a limit or of monitoring.
const OWN = [
  "limit.cpu.stop", "limit.queue.refuse", "limit.quota.refuse", "monitor.check", "monitor.check.init", "monitor.heartbeat",
];

describe("quark bench --json", () => {
  // One run for every check below.
  let r: ReturnType<typeof quark>;
  let out: any;
  beforeAll(() => {
    r = quark(["bench", "--json", "--quick"], { timeoutMs: 900_000 });
    out = r.code === 0 ? JSON.parse(r.stdout) : undefined;
  }, 900_000);
  const find = (name: string, host: string) => out.results.find((x: any) => x.name === name && x.host === host);

  it("carries the scheduler's workload: every run under each host, the same in virtual time, and its done-when figures", () => {
    expect(r.code, r.stderr).toBe(0);
    expect(out.qos.same_across_hosts).toBe(true);
    for (const host of ["node", "wasmtime"]) {
      const runs = out.qos.runs[host];
      expect(runs.length).toBe(4 * qsPolicyNames().length); // each policy, without and with multiprogramming, under both arrivals
      for (const x of runs) {
        expect(["poisson", "backlog"]).toContain(x.arrivals);
        expect(qsPolicyNames()).toContain(x.policy);
        expect(["none", "multi"]).toContain(x.mix);
        for (const k of ["wait_mean_ns", "wait_p95_ns", "esp_ppm", "util_ppm", "energy_uj", "throughput_mhz"]) expect(x[k]).toBeGreaterThanOrEqual(0);
      }
      const t = find("qpu.qos.mp.throughput", host);
      expect(typeof t.fidelity_loss_percent).toBe("number");
      for (const name of ["qpu.qos.wait", "qpu.qos.esp", "qpu.qos.mp.throughput"]) {
        expect(typeof find(name, host).target).toBe("string");
        expect(typeof find(name, host).target_met).toBe("boolean");
      }
    }
  });

  it("prints one JSON object: the machine, and every figure under both hosts beside its peer", () => {
    expect(r.code, r.stderr).toBe(0);
    expect(out.machine).toMatchObject({ cores: expect.any(Number), node: expect.any(String), v8: expect.any(String) });
    expect(out.machine.wasmtime).toMatch(/^49\.0\.0/);
    for (const host of ["node", "wasmtime"]) {
      for (const name of FIGURES) {
        const f = find(name, host);
        expect(f, `${name} under ${host}`).toBeDefined();
        expect(f.samples).toBeGreaterThan(0);
        expect(typeof f.peer).toBe("string");
        expect(f.ratio).toBeGreaterThan(0);
        if (name === "ipc.send.throughput" || f.unit !== "ns") expect(f.p50).toBeGreaterThan(0);
        else {
          expect(f.p50_ns).toBeGreaterThan(0);
          expect(f.p99_ns).toBeGreaterThanOrEqual(f.p50_ns);
          expect(f.peer_p50_ns).toBeGreaterThan(0);
        }
      }
    }
  });

  it("gives irq.deliver's p99 beside its peer's, and sets the devices' and the QPU engine's figures beside the issues' bounds", () => {
    expect(r.code, r.stderr).toBe(0);
    for (const host of ["node", "wasmtime"]) {
      const f = find("irq.deliver", host);
      expect(f.peer).toMatch(/timer notification/);
      expect(f.peer_p99_ns).toBeGreaterThanOrEqual(f.peer_p50_ns);
      expect(f.target).toMatch(/^p99 < 5 µs/);
      expect(f.target_met).toBe(f.p99_ns < 5000);
      const bound = find("dev.hotplug.bound", host);
      expect(bound.target).toMatch(/^p99 < 1 ms/);
      expect(bound.target_met).toBe(bound.p99_ns < 1_000_000);
      const gate = find("qpu.gate.20q", host);
      expect(gate.target).toMatch(/1\.5 ns/);
      expect(gate.target_met).toBe(gate.p50_ns <= 1.5);
      // quantum-circuit at 20 qubits takes ~20 s, so only a full run measures it (its bound: tests/unit/stats.test.ts).
      expect(find("qpu.gate.20q.qc", host)).toBeUndefined();
    }
  });

  it("measures the CLI's start-up (quark --version, quark inspect) beside node -e 0 in the same run, as a multiple with its target", () => {
    expect(r.code, r.stderr).toBe(0);
    for (const name of ["cli.start.version", "cli.start.inspect"]) {
      const f = find(name, "node");
      expect(f, name).toBeDefined();
      expect(f.peer).toMatch(/^node -e 0/);
      expect(f.p50_ns).toBeGreaterThan(0);
      expect(f.peer_p50_ns).toBeGreaterThan(0);
      expect(f.bare_multiple).toBeCloseTo(f.p50_ns / f.peer_p50_ns, 3); // the JSON rounds each field
      expect(f.target).toMatch(/1\.5× node -e 0/);
      expect(typeof f.target_met).toBe("boolean");
    }
  });

  it("measures a whole boot of the core image to ready (quark boot --until-ready, spawn to exit) under each host, beside node -e 0", () => {
    expect(r.code, r.stderr).toBe(0);
    for (const host of ["node", "wasmtime"]) {
      const f = find("cli.boot.core", host);
      expect(f, host).toBeDefined();
      expect(f.peer).toMatch(/^node -e 0/);
      expect(f.bare_multiple).toBeCloseTo(f.p50_ns / f.peer_p50_ns, 3);
      // The part of it from the image's read to the ready line, from the same host, is shorter.
      expect(find("boot.ready.core", host).p50_ns).toBeLessThan(f.p50_ns);
    }
  });

  it("measures ipc.floor under both hosts and sets ipc.call.roundtrip beside it as a multiple, in the same run", () => {
    expect(r.code, r.stderr).toBe(0);
    for (const host of ["node", "wasmtime"]) {
      const floor = find("ipc.floor", host);
      const call = find("ipc.call.roundtrip", host);
      expect(floor, `ipc.floor under ${host}`).toBeDefined();
      expect(floor.unit).toBe("ns");
      expect(floor.p50_ns).toBeGreaterThan(0);
      expect(floor.p99_ns).toBeGreaterThanOrEqual(floor.p50_ns);
      // The same batching as quark's own figure, so the two differ only by the kernel.
      expect(floor.batch).toBe(call.batch);
      expect(floor.samples).toBe(call.samples);
      expect(floor.peer).toBeNull();
      // The floor runs through the trampoline the host itself runs.
      if (host === "node") expect(floor.trampoline).toBe("JS try/catch");
      else expect(floor.trampoline === "C shim").toBe(/\(C trampoline\)/.test(out.machine.wasmtime));
      expect(call.floor_p50_ns).toBe(floor.p50_ns);
      expect(call.floor_multiple).toBeCloseTo(call.p50_ns / floor.p50_ns, 3);
      // The MessageChannel peer stays beside it.
      expect(call.peer).toMatch(/MessageChannel/);
      expect(call.target).toMatch(/ipc\.floor/);
      expect(typeof call.target_met).toBe("boolean");
      expect(call.target_met).toBe(call.floor_multiple <= 4);
      // The same call to a handler that answers at once: the floor's shape exactly.
      const bare = find("ipc.call.null", host);
      expect(bare.floor_p50_ns).toBe(floor.p50_ns);
      expect(bare.floor_multiple).toBeCloseTo(bare.p50_ns / floor.p50_ns, 3);
    }
  });

  it("reports the limit and monitoring figures under both hosts, with what they were measured under", () => {
    expect(r.code, r.stderr).toBe(0);
    for (const host of ["node", "wasmtime"]) {
      for (const name of OWN) {
        const f = find(name, host);
        expect(f, `${name} under ${host}`).toBeDefined();
        expect(f.unit).toBe("ns");
        expect(f.samples).toBeGreaterThan(0);
        expect(f.batch).toBeGreaterThan(0);
        expect(f.p50_ns).toBeGreaterThan(0);
        expect(f.p99_ns).toBeGreaterThanOrEqual(f.p50_ns);
        expect(f.peer).toBeNull();
      }
      expect(find("limit.cpu.stop", host).cpu_budget).toBeGreaterThan(0);
      expect(find("limit.queue.refuse", host).queue_depth).toBeGreaterThan(0);
      expect(find("limit.quota.refuse", host).pages).toBeGreaterThan(find("limit.quota.refuse", host).page_quota);
      const check = find("monitor.check", host);
      expect(check.services).toBeGreaterThan(0);
      expect(check.interval_ms).toBeGreaterThan(0);
      expect(find("registry.lookup", host).query).toBe("echo");
      expect(find("restart.after_trap", host).restart_delay_ms).toBe(0);
    }
  });

  it("derives monitor.overhead and sets it and restart.after_trap beside the issue's targets", () => {
    expect(r.code, r.stderr).toBe(0);
    for (const host of ["node", "wasmtime"]) {
      const o = find("monitor.overhead", host);
      expect(o, `monitor.overhead under ${host}`).toBeDefined();
      expect(o.unit).toBe("%");
      expect(o.p50).toBeGreaterThan(0);
      expect(o.p99).toBeGreaterThanOrEqual(o.p50);
      expect(o.checks_per_s).toBeGreaterThan(0);
      expect(o.heartbeats_per_s).toBeGreaterThan(0);
      for (const name of ["monitor.overhead", "restart.after_trap"]) {
        const f = find(name, host);
        expect(typeof f.target, `${name} under ${host}`).toBe("string");
        expect(typeof f.target_met).toBe("boolean");
      }
    }
  });

  it("cross-checks monitoring on the host: the default image idle with and without health checks", () => {
    expect(r.code, r.stderr).toBe(0);
    const m = out.monitor_host;
    expect(m).toMatchObject({ host: "node", health_interval_ms: expect.any(Number), note: expect.any(String) });
    expect(m.health_interval_ms).toBeGreaterThan(0);
    for (const v of [m.with_checks, m.without_checks]) {
      expect(v.cpu_ns).toBeGreaterThanOrEqual(0);
      expect(v.window_ns).toBeGreaterThan(0);
      expect(Number.isFinite(v.cpu_percent)).toBe(true);
    }
    expect(Number.isFinite(m.difference_percent)).toBe(true);
  });
});
