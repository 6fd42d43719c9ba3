// The quantum scheduler (userland/qsched, docs/quantum.md) end to end under
// both hosts, through the CLI (tests/fixtures/qsched): the devmgr plugs the
// image's QPU and binds qsched to it as its driver; lab allocates within and
// past its quota, submits Bell and GHZ with seeds, cancels a queued job,
// waits for a TAG_QS_DONE and reads status in virtual time and counts in
// Qiskit's order; hostile sends edge values, others' ids, bad leases, a
// policy change without the right, and floods its queue; crasher dies with
// an allocation and two queued jobs; admin changes the policy; outsider,
// without the grant, is refused though the registry hands it a capability.
import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { quark, root } from "./helpers";

const manifest = join(root, "tests", "fixtures", "qsched", "image.toml");
const image = manifest.replace(/\.toml$/, ".wasm");

/** The lines of `who`, without their time stamps. */
function linesOf(stdout: string, who: string): string[] {
  return stdout.split("\n").map((l) => l.replace(/^\[\s*[\d.]+\] /, "")).filter((l) => l.startsWith(who + ": ")).map((l) => l.slice(who.length + 2));
}

describe("the quantum scheduler", () => {
  beforeAll(() => {
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
  });

  const labs: Record<string, string[]> = {};

  it.each(["node", "wasmtime"])("serves its clients within their quotas, in virtual time (%s)", (runtime) => {
    const r = quark(["boot", image, "--runtime", runtime]);
    expect(r.code, r.stderr).toBe(0);
    const qs = linesOf(r.stdout, "qsched");
    expect(qs).toContain("QPU: ideal, 20 qubits");

    // lab: quota 4.
    const lab = linesOf(r.stdout, "lab");
    labs[runtime] = lab;
    expect(lab[0]).toBe("info: qubits 20, free 20, queued 0, clock 0");
    expect(lab).toContain("alloc 3: OK, qubits mask 7, held 3 of 4");
    const quota = "past its quota of 4 (the manifest's qubits)";
    expect(lab).toContain(`alloc 2 more: E_QUOTA (2: an allocation of 2 qubits would make 5 qubits, ${quota})`);
    expect(lab).toContain(`bell while holding 3: E_QUOTA (2: a job of 2 qubits would make 5 qubits, ${quota})`);
    expect(qs).toContain(`pid 5 (lab): refused, over its qubits quota: an allocation of 2 qubits would make 5 qubits, ${quota}`);
    expect(lab).toContain("release: OK, held 0");
    expect(lab).toContain("release again: E_BADSLOT");
    expect(lab).toContain(`a 5-qubit job: E_QUOTA (2: a job of 5 qubits would make 5 qubits, ${quota})`);
    expect(lab).toContain("a program that does not parse: E_ARG (1: 3:1: unknown gate 'cx' (include \"qelib1.inc\"?))");

    // Virtual time: 1000 shots of (the schedule + the 250 µs reset) each; ghz starts when bell ends.
    const bell = /^submit bell: OK, 2 qubits, position 0, submitted at 0 ns, about (\d+) ns, success 1000000 ppm$/.exec(lab.find((l) => l.startsWith("submit bell"))!);
    expect(bell).not.toBeNull();
    const bellNs = Number(bell![1]);
    expect(bellNs).toBeGreaterThan(1000 * 250000);
    expect(lab).toContain("cancel it: OK; again: E_STATE");
    expect(lab).toContain("status of the cancelled: state 5, position -1, submit 0, start 0, end 0, outcome 0 (10: cancelled by its owner)");
    expect(lab).toContain(`status of bell, queued: state 1, position 0, submit 0, start 0, end ${bellNs}, outcome 0`);
    expect(lab).toContain("wait without an endpoint: E_STATE");
    expect(lab).toContain("wait with another service's endpoint: E_PERM");
    expect(lab).toContain("wait for ghz: OK, ended already 0");
    const done = lab.find((l) => l.startsWith("done: "))!;
    const m = /^done: job ghz, state 3, outcomes 2, end (\d+)$/.exec(done);
    expect(m, done).not.toBeNull();
    expect(lab).toContain(`bell: state 3, position -1, submit 0, start 0, end ${bellNs}, outcome 2`);
    expect(lab).toContain(`ghz: state 3, position -1, submit 0, start ${bellNs}, end ${m![1]}, outcome 2`);
    const bc = /^bell counts: 00 (\d+), 11 (\d+)$/.exec(lab.find((l) => l.startsWith("bell counts"))!);
    expect(Number(bc![1]) + Number(bc![2])).toBe(1000);
    expect(Math.abs(Number(bc![1]) - 500)).toBeLessThan(80); // five standard deviations
    const gc = /^ghz counts: 000 (\d+), 111 (\d+)$/.exec(lab.find((l) => l.startsWith("ghz counts"))!);
    expect(Number(gc![1]) + Number(gc![2])).toBe(1000);
    expect(lab).toContain("wait for a job that ended: OK, ended already 1");
    expect(lab).toContain(`results into 8 bytes: E_NOSPACE; text into 4: E_NOSPACE; a read-only lease: E_RIGHTS; from entry 1: OK, 1 of 2, outcome 3 count ${bc![2]}; from 3: E_ARG; mode 7: E_ARG`);
    expect(lab).toContain("alloc 4: OK, mask 15");
    expect(lab).toContain("release while its job is queued: E_BUSY");
    expect(lab).toContain("its layout: OK, 4 qubits: 0 1 2 3");
    expect(lab).toContain("layout of the queued job: E_STATE");
    expect(lab).toContain("policy read: OK, a known policy");

    // hostile: quota 2, no grant right.
    const h = linesOf(r.stdout, "hostile");
    expect(h).toEqual([
      "alloc 0, -1, 2^40, 21, 3: E_ARG E_ARG E_ARG E_ARG E_QUOTA",
      "release 0, -1, 2^40: E_BADSLOT E_BADSLOT E_BADSLOT; ids 1..8, none its own: 0 released, E_PERM for others'",
      "another client's job: status E_PERM, cancel E_PERM, wait E_PERM, results E_PERM, reason E_PERM, layout E_PERM",
      "no such job (0, -1, 2^40): E_BADSLOT E_BADSLOT E_BADSLOT E_BADSLOT E_BADSLOT E_BADSLOT",
      "submit without a lease: E_NOLEASE",
      "submit through a write-only lease: E_RIGHTS",
      "submit of 0 bytes: E_ARG (1: a program of 0 bytes: 1 to 65536)",
      "submit of QS_SOURCE_MAX + 1 bytes: E_ARG",
      "shots 0, -1, 2^21; flags 2; another's allocation 1: E_ARG E_ARG E_ARG E_ARG E_BADSLOT",
      "garbage: E_ARG (1: 1:1: expected 'OPENQASM 2.0;' or 'OPENQASM 3.0;' first)",
      "a Bell (its whole quota): OK; a 3-qubit job: E_QUOTA (2: a job of 3 qubits would make 3 qubits, past its quota of 2 (the manifest's qubits))",
      "jobs -1, 2^40, mode 7: E_BADSLOT E_BADSLOT E_ARG",
      "policy set (no admin right): E_PERM (12: setting the policy needs the admin right (qsched:call+control)); bad values: E_ARG E_ARG E_ARG",
      "calibration into a read-only lease (ideal: nothing to write): OK",
      "layout kind 9: E_ARG; an unknown tag: E_ARG; a driver tag: E_ARG",
      "a 1-qubit job of its own: OK; results before it ran: E_STATE",
      "flood: 126 queued, then E_NOSPACE (11: QS_CLIENT_QUEUE (128) jobs unfinished)",
    ]);
    expect(qs.some((l) => /^audit: pid 6 \(hostile\) may not change the policy \(policy energy, .*\): its grant lacks the admin right \(qsched:call\+control\)$/.test(l))).toBe(true);

    // crasher: its qubit and jobs go with it.
    expect(linesOf(r.stdout, "crasher")).toEqual(["alloc 1: OK", "two jobs: OK OK", "crashing"]);
    expect(qs).toContain("pid 7 (crasher) went away: 1 qubits freed, 2 unfinished jobs ended");
    // admin: policy changes, audited with who, the old and the new settings.
    const admin = linesOf(r.stdout, "admin");
    expect(admin).toEqual([
      "set error-rate, batching, 2 %: OK, now 2 1 20000, changes 1",
      // 4000 gates on 12 qubits placed in any order: the search scores fewer placements and stays within its fuel.
      "a heavy search, cut short: OK, 12 qubits",
      "back to fifo: OK, changes 2",
      "jobs left by a client that went: state 4 state 4",
    ]);
    expect(qs).toContain("audit: pid 8 (admin) set the scheduler's policy error-rate, mixing batch, loss 20000 ppm (was policy fifo, mixing none, loss 50000 ppm)");
    expect(qs).toContain("audit: pid 8 (admin) set the scheduler's policy fifo, mixing none, loss 20000 ppm (was policy error-rate, mixing batch, loss 20000 ppm)");
    // outsider: no grant, refused whatever capability it finds.
    expect(linesOf(r.stdout, "outsider")).toEqual(["its qsched capability: none", "through the registry: a capability; info E_PERM, alloc E_PERM"]);
    expect(r.stdout).not.toMatch(/qsched.*trapped|kernel: fault: qsched/);
  });

  it("gives the same virtual times and counts under both hosts", () => {
    expect(labs.wasmtime).toEqual(labs.node);
  });
});

// The policies on a calibrated 5-qubit line whose qubit 1 is bad, qubit 4
// reads out fast and the pair 3-4 has the shortest cx
// (tests/fixtures/qsched/line5.toml): each policy changes where the same
// program runs, and the refusals that depend on it.
describe("the quantum scheduler's policies", () => {
  const m = join(root, "tests", "fixtures", "qsched", "policy.toml");
  beforeAll(() => {
    const b = quark(["build", m]);
    expect(b.code, b.stderr).toBe(0);
  });

  const pols: Record<string, string[]> = {};

  it.each(["node", "wasmtime"])("places jobs by fifo, error rate, energy and coherence (%s)", (runtime) => {
    const r = quark(["boot", m.replace(/\.toml$/, ".wasm"), "--runtime", runtime]);
    expect(r.code, r.stderr).toBe(0);
    const pol = linesOf(r.stdout, "pol");
    pols[runtime] = pol;
    expect(pol[0]).toBe("calibration into 807 bytes: E_NOSPACE; into 808: magic 314c4351, qubits 5");
    expect(pol[1]).toBe("calibration: allows 5, 5 calibrated qubits, 8 coupled pairs, 808 bytes");
    const step = (prefix: string) => {
      const l = pol.find((x) => x.startsWith(prefix + ": "))!;
      const g = /: OK, on ([\d ]+), success (\d+) ppm, (\d+) ns, (\d+) uJ; counts (.*)$/.exec(l);
      expect(g, l).not.toBeNull();
      return { on: g![1], ppm: Number(g![2]), ns: Number(g![3]), uj: Number(g![4]), counts: g![5] };
    };
    const fifo = step("fifo, bell"), error = step("error-rate, bell"), energy = step("energy, bell");
    // FIFO: the lowest coupled qubits, the bad one among them.
    expect(fifo.on).toBe("0 1");
    // Error-rate: the best pair, far more likely to succeed; and its counts show it (fewer 01 and 10).
    expect(error.on).toBe("2 3");
    expect(error.ppm).toBeGreaterThan(4 * fifo.ppm);
    const wrong = (c: string) => [...c.matchAll(/(01|10) (\d+)/g)].reduce((n, x) => n + Number(x[2]), 0);
    expect(wrong(error.counts)).toBeLessThan(wrong(fifo.counts));
    // Energy: the pair with the shortest cx (3-4), less energy for a lower success than error-rate's.
    expect(energy.on).toBe("3 4");
    expect(energy.uj).toBeLessThan(error.uj);
    expect(energy.ppm).toBeLessThan(error.ppm);
    // Coherence: two readouts in a row (10 µs) exceed qubit 1's window (6 µs): FIFO keeps 0 1, coherence moves it.
    expect(step("fifo, two readouts").on).toBe("0 1");
    expect(step("coherence, two readouts").on).toBe("2 3");
    // An interaction no order-keeping placement couples: refused naming the pair, placed when mapping is asked for.
    expect(step("fifo, q0-q2 mapped").on).toBe("1 0 2");
    expect(pol).toContain("fifo, q0-q2 unmapped: E_UNSUPPORTED (3: a two-qubit gate on qubits 0, 2: physical qubits 0, 2 are not coupled (no routing; QS_SUBMIT_MAP lets the scheduler choose coupled qubits))");
    // A job too long for every qubit: FIFO runs it, coherence-aware refuses it with the reason.
    expect(pol).toContain("fifo, 80 readouts in a row: OK, 65000000 ns");
    // Coherence-aware waits: error-rate's allocation takes 2 3, the only free pair long-lived enough; the job stays queued
    // until it is released, then runs there.
    expect(pol).toContain("error-rate allocation of 2: OK, mask 12");
    expect(pol).toContain("coherence, two readouts, 2 3 held: OK");
    expect(pol).toContain("a while later: state 1; release the allocation: OK");
    expect(step("coherence, after the release, two readouts").on).toBe("2 3");
    // A job left waiting: the scheduler's timer sleeps, so the machine halts by itself (the boot ends).
    expect(pol.slice(-2)).toEqual(["again an allocation of 2: OK, mask 12", "a job left waiting for it: OK"]);
    expect(pol).toContain("coherence, 80 readouts in a row: E_UNSUPPORTED (5: a shot takes 120.0 µs on its best placement, longer than the coherence window (min T1, T2) of 90.0 µs there: no qubits of this QPU keep it coherent)");
  });

  it("gives the same placements and noisy counts under both hosts", () => {
    expect(pols.wasmtime).toEqual(pols.node);
  });
});

// Batching and multiprogramming (tests/fixtures/qsched/mix.toml, on
// line5.toml): two jobs queued together share one run of the device when the
// setting allows it and the second keeps its estimated success within the
// loss bound; each gets its own counts (the marginal over its bits).
describe("the quantum scheduler's batching and multiprogramming", () => {
  const m = join(root, "tests", "fixtures", "qsched", "mix.toml");
  beforeAll(() => {
    const b = quark(["build", m]);
    expect(b.code, b.stderr).toBe(0);
  });

  const mixes: Record<string, string[]> = {};
  type Part = { on: string; shared: boolean; ppm: number; from: number; to: number; total: number };
  const part = (s: string): Part => {
    const g = /^on ([\d ]+), (shared|alone), (\d+) ppm, from (\d+) to (\d+); (.*)$/.exec(s.trim());
    expect(g, s).not.toBeNull();
    const total = [...g![6].matchAll(/[01]+ (\d+)/g)].reduce((n, x) => n + Number(x[1]), 0);
    return { on: g![1], shared: g![2] === "shared", ppm: Number(g![3]), from: Number(g![4]), to: Number(g![5]), total };
  };

  it.each(["node", "wasmtime"])("shares runs within the loss bound (%s)", (runtime) => {
    const r = quark(["boot", m.replace(/\.toml$/, ".wasm"), "--runtime", runtime]);
    expect(r.code, r.stderr).toBe(0);
    const lines = linesOf(r.stdout, "mixer");
    mixes[runtime] = lines;
    const step = (what: string): [Part, Part] => {
      const l = lines.find((x) => x.startsWith(what + ": first "))!;
      expect(l, what).toBeDefined();
      const [a, b] = l.slice(what.length + ": first ".length).split(" | second ");
      const pa = part(a), pb = part(b);
      expect(pa.total).toBe(1000);
      expect(pb.total).toBe(1000);
      return [pa, pb];
    };
    // Without mixing, one after the other.
    const [a0, b0] = step("alone");
    expect([a0.shared, b0.shared]).toEqual([false, false]);
    expect(b0.from).toBe(a0.to);
    const single = a0.to - a0.from;
    // Multiprogramming under FIFO: the second Bell goes beside the first, on 2 3, in the same run.
    const [a1, b1] = step("multi fifo");
    expect([a1.on, b1.on, a1.shared, b1.shared]).toEqual(["0 1", "2 3", true, true]);
    expect([b1.from, b1.to]).toEqual([a1.from, a1.to]);
    expect(a1.to - a1.from).toBe(single);
    // Under error-rate the second Bell's best pair is taken: beside it on 0 1 it would lose far more than 5 %, so it runs alone;
    // with the bound at 100 % it shares.
    const [a2, b2] = step("multi error 5%");
    expect([a2.on, b2.on, b2.shared]).toEqual(["2 3", "2 3", false]);
    expect(b2.from).toBe(a2.to);
    const [a3, b3] = step("multi error 100%");
    expect([a3.on, b3.on, b3.shared]).toEqual(["2 3", "0 1", true]);
    expect(b3.ppm).toBeLessThan(0.95 * a3.ppm);
    // A one-qubit job loses nothing on qubit 4: within 5 %, it shares.
    const [, b4] = step("multi error 5%, one qubit");
    expect([b4.on, b4.shared]).toEqual(["4", true]);
    // Batching: two copies of one program in one run, the 250 µs between shots paid once.
    const [a5, b5] = step("batch");
    expect([a5.on, b5.on, a5.shared, b5.shared]).toEqual(["0 1", "0 1", true, true]);
    expect([b5.from, b5.to]).toEqual([a5.from, a5.to]);
    expect(a5.to - a5.from).toBeLessThan(2 * single);
    expect(a5.to - a5.from).toBeGreaterThan(single);
  });

  it("gives the same shared runs and counts under both hosts", () => {
    expect(mixes.wasmtime).toEqual(mixes.node);
  });
});

// The scheduler crashes (TAG_INIT_CRASH) and init restarts it: the device
// manager binds the QPU to the new instance, which reads the calibration
// again; the jobs of the old one are gone, and the same job with the same
// seed gives the same counts (tests/fixtures/qsched/restart.toml).
describe("the quantum scheduler after a crash", () => {
  const m = join(root, "tests", "fixtures", "qsched", "restart.toml");
  beforeAll(() => {
    const b = quark(["build", m]);
    expect(b.code, b.stderr).toBe(0);
  });

  it.each(["node", "wasmtime"])("is bound to the QPU again and runs jobs as before (%s)", (runtime) => {
    const r = quark(["boot", m.replace(/\.toml$/, ".wasm"), "--runtime", runtime]);
    expect(r.code, r.stderr).toBe(0);
    const s = linesOf(r.stdout, "survivor");
    expect(s.length).toBe(6);
    expect(s[0]).toBe("bell: OK; wait OK");
    expect(s[1]).toMatch(/^counts: 00 \d+, 11 \d+$/);
    expect(s.slice(2)).toEqual([
      "crash qsched: OK; its next call: E_CRASHED",
      "the old job after the restart: E_BADSLOT",
      "bell: OK; wait OK",
      "again: the same counts",
    ]);
    expect(linesOf(r.stdout, "qsched").filter((l) => l.startsWith("QPU"))).toEqual(["QPU 256 attached", "QPU: ideal, 20 qubits", "QPU 256 attached", "QPU: ideal, 20 qubits"]);
  });
});

// A client's end the scheduler never hears of (tests/fixtures/qsched/lost.toml):
// the registry's send of victim's crash finds qsched's queue full; at the next
// service event, which says events were missed, qsched sweeps init's books and
// frees the qubits victim held.
describe("the quantum scheduler when a client's end is lost", () => {
  const m = join(root, "tests", "fixtures", "qsched", "lost.toml");
  beforeAll(() => {
    const b = quark(["build", m]);
    expect(b.code, b.stderr).toBe(0);
  });

  it.each(["node", "wasmtime"])("sweeps up what the client held at the next event (%s)", (runtime) => {
    const r = quark(["boot", m.replace(/\.toml$/, ".wasm"), "--runtime", runtime]);
    expect(r.code, r.stderr).toBe(0);
    expect(linesOf(r.stdout, "victim")).toEqual(["alloc 2: OK"]);
    expect(linesOf(r.stdout, "chaos")).toEqual([
      "before: 18 qubits free",
      "the scheduler's queue filled: the next send E_QFULL",
      "call victim, which traps: E_CRASHED",
      "after the lost event: 18 qubits free",
      "stop bystander: OK",
      "after the next event: 20 qubits free",
    ]);
    expect(linesOf(r.stdout, "qsched").some((l) => /^pid \d+ \(victim\) was found gone in a sweep after \d+ lost service events: 2 qubits freed, 0 unfinished jobs ended$/.test(l))).toBe(true);
  });
});
