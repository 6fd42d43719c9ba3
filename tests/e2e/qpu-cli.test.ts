// quark qpu run and the shell's qpu commands (docs/qpu.md: Running programs),
// as a user runs them: usage errors exit 2 before anything boots; an image
// without a scheduler says so under both hosts.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { quark, root } from "./helpers";
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
