// quark qpu run and the shell's qpu commands (docs/qpu.md: Running programs),
// as a user runs them: usage errors exit 2 before anything boots; an image
// without a scheduler says so under both hosts.
import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { image, quark, root } from "./helpers";
import { programLine } from "../../tools/lib/qpu-run";

const fixture = join(root, "tests", "fixtures", "qpu-image", "image.toml");

describe("quark qpu run: usage", () => {
  it.each([
    [["qpu"], "quark qpu: missing run; see quark qpu --help"],
    [["qpu", "run"], "quark qpu: missing FILE.qasm; see quark qpu --help"],
    [["qpu", "rnu", "x.qasm"], "quark qpu: quark qpu runs a program: quark qpu run FILE.qasm (did you mean run?); see quark qpu --help"],
    [["qpu", "run", "x.qasm", "--shots", "0"], 'quark qpu: --shots must be a whole number from 1 to 1048576, not "0"; see quark qpu --help'],
    [["qpu", "run", "x.qasm", "--shots", "1e3"], 'quark qpu: --shots must be a whole number from 1 to 1048576, not "1e3"; see quark qpu --help'],
    [["qpu", "run", "x.qasm", "--seed=-1"], 'quark qpu: --seed must be a whole number from 0 to 9007199254740991, not "-1"; see quark qpu --help'],
    [["qpu", "run", "x.qasm", "--seed", "9007199254740992"], 'quark qpu: --seed must be a whole number from 0 to 9007199254740991, not "9007199254740992"; see quark qpu --help'],
    [["qpu", "run", "x.qasm", "--ideal", "--calibration", "c.toml"], "quark qpu: --calibration and --ideal both replace the QPU's calibration: give one; see quark qpu --help"],
    [["qpu", "run", "x.qasm", "--conf", "conf.json"], "quark qpu: --conf goes with --calibration props_NAME.json; see quark qpu --help"],
    [["qpu", "run", "x.qasm", "--runtime", "jvm"], 'quark qpu: --runtime must be one of node, wasmtime (got "jvm"); see quark qpu --help'],
    [["qpu", "run", "x.qasm", "--shot", "3"], "quark qpu: unknown option --shot (did you mean --shots?); see quark qpu --help"],
  ])("quark %j exits 2: %s", (args, line) => {
    const r = quark(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(line);
    expect(r.stdout).toBe("");
  });

  it("says what it does in --help, options with their ranges", () => {
    const r = quark(["qpu", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("usage: quark qpu run FILE.qasm [--shots N] [--seed S] [--calibration FILE] [--conf FILE] [--ideal] [--image MANIFEST] [--runtime node|wasmtime] [--json]");
    expect(r.stdout).toContain("--calibration FILE or --ideal build a\ntemporary image from the manifest with its [qpu] calibration replaced");
    expect(r.stdout).toContain("prints FILE:LINE:COL: message and exits 1");
  });

  it("an unreadable file is one line and exit 1", () => {
    const r = quark(["qpu", "run", "no-such.qasm"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe("quark qpu: no-such.qasm: cannot read it (ENOENT)");
  });

  it("sends a program as one shell line the shell turns back: \\n a line break, \\\\ a backslash", () => {
    expect(programLine('OPENQASM 2.0;\r\ninclude "qelib1.inc";\nqreg q[1]; // \\ a\n\n')).toBe('OPENQASM 2.0;\\ninclude "qelib1.inc";\\nqreg q[1]; // \\\\ a');
  });
});

describe("the shell's qpu commands without a scheduler", () => {
  it.each(["node", "wasmtime"])("are refused with one line saying so (%s)", (runtime) => {
    const r = quark(["ctl", fixture, "--runtime", runtime, "qpu jobs"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("qpu: no quantum scheduler in this image (a qsched service granted to the shell: see images/default.toml)\n");
    const u = quark(["ctl", fixture, "--runtime", runtime, "help"]);
    expect(u.stdout).toContain("  qpu run [--shots N] [--seed S] [--json] PROGRAM");
  });
});

// ---------------------------------------------------------------- on the default image

const dir = join(root, "tests", "fixtures", "qpu-cli");
const bell = join("tests", "fixtures", "qpu-cli", "bell.qasm");
const ghz = join("tests", "fixtures", "qpu-cli", "ghz.qasm");

function counts(stdout: string): Array<[string, number]> {
  return stdout.trim().split("\n").map((l) => { const i = l.lastIndexOf(" "); return [l.slice(0, i), Number(l.slice(i + 1))]; });
}

describe("quark qpu run on the default image", () => {
  beforeAll(async () => { await image("default"); }, 300_000);

  const runs: Record<string, string[]> = {};

  it.each(["node", "wasmtime"])("runs Bell and GHZ with a seed, printing sorted counts in Qiskit's order (%s)", (runtime) => {
    const b = quark(["qpu", "run", bell, "--shots", "1000", "--seed", "7", "--runtime", runtime]);
    expect(b.code, b.stderr).toBe(0);
    const bc = counts(b.stdout);
    expect(bc.map(([k]) => k)).toEqual([...bc.map(([k]) => k)].sort());
    expect(bc.reduce((n, [, c]) => n + c, 0)).toBe(1000);
    // Kolkata's noise leaves most shots on 00 and 11.
    expect(bc.filter(([k]) => k === "00" || k === "11").reduce((n, [, c]) => n + c, 0)).toBeGreaterThan(900);
    const g = quark(["qpu", "run", ghz, "--shots", "1000", "--seed", "7", "--runtime", runtime]);
    expect(g.code, g.stderr).toBe(0);
    const gc = counts(g.stdout);
    // b (q[2]) is declared last: leftmost, then a's two bits, a[0] rightmost.
    expect(gc.every(([k]) => /^[01] [01]{2}$/.test(k))).toBe(true);
    expect(gc.filter(([k]) => k === "0 00" || k === "1 11").reduce((n, [, c]) => n + c, 0)).toBeGreaterThan(850);
    runs[runtime] = [b.stdout, g.stdout];
  });

  it("gives the same counts under both runtimes for the same seed", () => {
    expect(runs.wasmtime).toEqual(runs.node);
  });

  it("--json prints exactly counts, shots, qubits, seed and duration_us; without --seed the seed it used repeats the run", () => {
    const r = quark(["qpu", "run", bell, "--shots", "500", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(["counts", "shots", "qubits", "seed", "duration_us"]);
    expect(j.shots).toBe(500);
    expect(j.qubits).toBe(2);
    expect(Number.isSafeInteger(j.seed)).toBe(true);
    expect(j.duration_us).toBeGreaterThan(0);
    expect(Object.values(j.counts as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(500);
    const again = quark(["qpu", "run", bell, "--shots", "500", "--json", "--seed", String(j.seed), "--runtime", "wasmtime"]);
    expect(JSON.parse(again.stdout).counts).toEqual(j.counts);
  });

  it("--ideal gives Bell only 00 and 11", () => {
    const r = quark(["qpu", "run", bell, "--shots", "2000", "--seed", "11", "--ideal", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j.counts).sort()).toEqual(["00", "11"]);
    expect(j.counts["00"] + j.counts["11"]).toBe(2000);
  });

  it("--calibration takes a Qiskit props JSON (a 5-qubit device) and our TOML", () => {
    const props = join(root, "tests", "fixtures", "qpu-image", "props_manila.json");
    const r = quark(["qpu", "run", ghz, "--shots", "1000", "--seed", "3", "--calibration", props, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.qubits).toBe(3);
    expect(Object.keys(j.counts).length).toBeGreaterThan(2); // noisy: more than the two ideal outcomes
    const t = quark(["qpu", "run", ghz, "--shots", "1000", "--seed", "3", "--calibration", join(root, "hal", "qpu", "calibrations", "manila.toml"), "--json"]);
    expect(t.code, t.stderr).toBe(0);
    const bad = quark(["qpu", "run", ghz, "--calibration", join(dir, "bell.qasm")]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toMatch(/^quark qpu: --calibration: bell.qasm: not JSON /);
  });

  it("a program that does not parse: FILE:LINE:COL: message, exit 1", () => {
    const r = quark(["qpu", "run", join("tests", "fixtures", "qpu-cli", "broken.qasm")]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe("tests/fixtures/qpu-cli/broken.qasm:6:9: expected ';' after the gate's operands");
    expect(r.stdout).toBe("");
  });
});

// ---------------------------------------------------------------- the shell, through quark ctl

const BELL_LINE = 'OPENQASM 2.0; include "qelib1.inc"; qreg q[2]; creg c[2]; h q[0]; cx q[0], q[1]; measure q -> c;';

describe("the shell's qpu commands on the default image", () => {
  beforeAll(async () => { await image("default"); }, 300_000);

  const outputs: Record<string, string> = {};

  it.each(["node", "wasmtime"])("run, jobs, status, results, policy and calibration answer (%s)", async (runtime) => {
    const img = await image("default");
    const r = quark(["ctl", img, "--runtime", runtime, `qpu run --shots 100 --seed 5 ${BELL_LINE}`, `qpu run --json --shots 100 --seed 5 ${BELL_LINE}`,
      "qpu jobs --json", "qpu status 1", "qpu results 1 --json", "qpu policy", "qpu policy error-rate", "qpu policy", "qpu calibration --json", "qpu calibration"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    // The first run's text lines, then the same run as JSON.
    const json = lines.findIndex((l) => l.startsWith('{"counts"'));
    const text = Object.fromEntries(lines.slice(0, json).map((l) => [l.split(" ")[0], Number(l.split(" ")[1])]));
    const run = JSON.parse(lines[json]);
    expect(run.counts).toEqual(text);
    expect(run).toMatchObject({ shots: 100, qubits: 2, seed: 5, job: 2 });
    expect(Object.values(text).reduce((a, b) => a + b, 0)).toBe(100);
    const jobs = JSON.parse(lines[json + 1]);
    expect(jobs.map((j: { job: number; owner: string; state: string; qubits: number; shots: number }) => [j.job, j.owner, j.state, j.qubits, j.shots]))
      .toEqual([[1, "shell", "done", 2, 100], [2, "shell", "done", 2, 100]]);
    expect(lines[json + 2]).toMatch(/^job 1: done, submitted [\d.]+ us, start [\d.]+ us, end [\d.]+ us \(virtual\), \d outcomes$/);
    expect(JSON.parse(lines[json + 3]).counts).toEqual(text);
    expect(lines[json + 4]).toMatch(/^policy fifo; mixing .*; 0 changes$/);
    expect(lines[json + 5]).toMatch(/^policy error-rate \(set\); .*; 1 changes$/);
    expect(lines[json + 6]).toMatch(/^policy error-rate; /);
    const cal = JSON.parse(lines[json + 7]);
    expect(cal).toMatchObject({ qpu: "qpu-256", qubits: 20, calibrated_qubits: 27, pairs: 56 });
    expect(cal.figures).toHaveLength(27);
    expect(cal.figures[0].t1_us).toBeCloseTo(121.043, 3);
    expect(lines[json + 8]).toBe("qpu-256: 20 qubits, calibrated as a 27-qubit device, 56 coupled pairs, 7224 bytes");
    expect(lines[json + 9]).toBe("  QUBIT T1_US    T2_US    READOUT_ERROR");
    outputs[runtime] = r.stdout.replace(/[\d.]+ us/g, "N us");
  });

  it("answers the same under both hosts", () => {
    expect(outputs.wasmtime).toEqual(outputs.node);
  });

  it.each(["node", "wasmtime"])("refuses what the scheduler refuses (1) and what is not a command (2), with a line each (%s)", async (runtime) => {
    const img = await image("default");
    const refused = quark(["ctl", img, "--runtime", runtime, "qpu run OPENQASM 2.0;\\nqreg q[1];\\n  h q[0];", "qpu status 99", "qpu results 99",
      "qpu run OPENQASM 2.0; qreg q[30]; creg c[1]; measure q[0] -> c[0];"]);
    expect(refused.code).toBe(1);
    expect(refused.stdout.split("\n").slice(0, 3)).toEqual([
      "qpu run: 3:3: unknown gate 'h' (include \"qelib1.inc\"?)",
      "qpu status: job 99: no such job (try qpu jobs)",
      "qpu results: job 99: E_BADSLOT",
    ]);
    expect(refused.stdout.split("\n")[3]).toMatch(/^qpu run: .*30/);
    for (const [cmd, said] of [
      ["qpu", "qpu needs a command: run, jobs, status, results, policy, calibration (try help)"],
      ["qpu stats 1", "unknown qpu command: stats (did you mean status?)"],
      ["qpu status", "qpu status needs a job id (try qpu jobs)"],
      ["qpu status x1", 'qpu status: ID must be a whole number from 1 to 2147483647, not "x1"'],
      ["qpu run --shots 0 OPENQASM 2.0;", 'qpu run: --shots must be a whole number from 1 to 1048576, not "0"'],
      ["qpu run --seed", "qpu run: --seed must be a whole number from 0 to 9223372036854775807"],
      ["qpu run", "qpu run needs an OpenQASM program after its options, e.g. qpu run OPENQASM 2.0; qreg q[1]; creg c[1]; h q[0]; measure q -> c;"],
      ["qpu policy fast", "qpu policy: unknown policy fast; the policies: fifo, error-rate, coherence, energy"],
      ["qpu policy fifi", "qpu policy: unknown policy fifi (did you mean fifo?); the policies: fifo, error-rate, coherence, energy"],
    ]) {
      const u = quark(["ctl", img, "--runtime", runtime, cmd]);
      expect([u.code, u.stdout.trim()], cmd).toEqual([2, said]);
    }
  });
});
