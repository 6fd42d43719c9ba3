// Console input, driven the way a script or a hostile user drives it: many
// commands piped at once, lines far past the shell's limit, numbers out of
// range or malformed, input trickling in small pieces, and a control socket
// flooded with commands. Every command must be answered, under both hosts,
// and the exit code must be the one the shell's halt asked for.
import { describe, expect, it, beforeAll } from "vitest";
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { image, quark, root } from "./helpers";
import { bootNode } from "../../tools/host-node/run";

let wasm: string;
beforeAll(async () => { wasm = await image("default"); });

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const STATUS = /^echo: running, pid \d+, \d+ restarts, \d+ faults/gm;
const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;

/** `text` in pieces of 1 to 700 bytes (a fixed pseudo-random sequence), with a short pause before each. */
async function* trickle(text: string): AsyncGenerator<string> {
  let seed = 12345;
  for (let at = 0; at < text.length;) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const n = 1 + (seed % 700);
    await pause(2);
    yield text.slice(at, at + n);
    at += n;
  }
}

/** Boot through the CLI with standard input fed from `pieces`, as a slow writer would. */
function bootFed(runtime: string, pieces: AsyncIterable<string>): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, [join(root, "bin", "quark.mjs"), "boot", wasm, "--runtime", runtime],
    { cwd: root, stdio: ["pipe", "pipe", "inherit"] });
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => { stdout += d; });
  child.stdin.on("error", () => {}); // a host that halted early stops reading: not this test's failure
  const done = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
  void (async () => {
    for await (const p of pieces) {
      if (!child.stdin.write(p)) await new Promise((r) => child.stdin.once("drain", r));
    }
    child.stdin.end();
  })();
  return done.then((code) => ({ code, stdout }));
}

const LINES = 1500;
const MANY = "svc status echo\n".repeat(LINES);

// Each refused command is followed by an echo that must still run.
const NUMBERS: [string, RegExp][] = [
  ["sleep 9223372036854", /^sleep: MS must be a whole number from 0 to \d+, not "9223372036854"$/m],
  ["sleep 99999999999999999999999", /^sleep: MS must be a whole number from 0 to \d+, not "99999999999999999999999"$/m],
  ["sleep -5", /^sleep: MS must be a whole number from 0 to \d+, not "-5"$/m],
  ["sleep 1e3", /^sleep: MS must be a whole number from 0 to \d+, not "1e3"$/m],
  ["sleep 12abc", /^sleep: MS must be a whole number from 0 to \d+, not "12abc"$/m],
  ["sleep", /^sleep: MS must be a whole number from 0 to \d+$/m],
  ["halt 256", /^halt: CODE must be a whole number from 0 to 255, not "256"$/m],
  ["halt -1", /^halt: CODE must be a whole number from 0 to 255, not "-1"$/m],
  ["halt 4294967299", /^halt: CODE must be a whole number from 0 to 255, not "4294967299"$/m],
  ["halt x", /^halt: CODE must be a whole number from 0 to 255, not "x"$/m],
  ["log 0", /^log: N must be a whole number from 1 to \d+, not "0"$/m],
  ["log 99999999999999999999", /^log: N must be a whole number from 1 to \d+, not "99999999999999999999"$/m],
];

const HOSTILE = [
  "echo start",
  "x".repeat(5 * 1024), "echo after-5k",
  "y".repeat(3_000_000), "echo after-3m",
  ...NUMBERS.flatMap(([cmd], i) => [cmd, `echo after-number-${i}`]),
  "sleep 5", "echo after-sleep",
  "halt 3",
  "echo after-halt",
  "",
].join("\n");

describe.each(["node", "wasmtime"])("console input under %s", (runtime) => {
  it(`answers all ${LINES} piped commands, then halts with code 0 at the end of input`, () => {
    const r = quark(["boot", wasm, "--runtime", runtime], { input: MANY });
    expect(count(r.stdout, STATUS)).toBe(LINES);
    expect(r.stdout).toMatch(/init: halting, code 0 \(asked by pid \d+\)\n/);
    expect(r.code, r.stderr).toBe(0);
  });

  describe("a hostile script", () => {
    let out = "";
    let code: number | null = null;
    beforeAll(() => {
      const r = quark(["boot", wasm, "--runtime", runtime], { input: HOSTILE });
      out = r.stdout;
      code = r.code;
    });

    it("refuses a 5 KiB line and a 3 MB line with their lengths, and runs the commands after each", () => {
      const limit = /^line too long \(5120 bytes; the limit is (\d+)\)$/m.exec(out);
      expect(limit, out.slice(-2000)).not.toBeNull();
      expect(Number(limit![1])).toBeLessThan(5120);
      expect(out).toMatch(new RegExp(`^line too long \\(3000000 bytes; the limit is ${limit![1]}\\)$`, "m"));
      expect(out).toMatch(/^start\n(.*\n)*line too long \(5120 .*\nafter-5k\nline too long \(3000000 .*\nafter-3m\n/m);
    });

    it("refuses out-of-range and malformed numbers, saying what it expected, and goes on", () => {
      NUMBERS.forEach(([cmd, answer], i) => {
        expect(out, cmd).toMatch(answer);
        expect(out, cmd).toContain(`\nafter-number-${i}\n`);
      });
      expect(out).toContain("\nafter-sleep\n");
    });

    it("exits with the code its halt gave, and runs nothing after the halt", () => {
      expect(out).toMatch(/init: halting, code 3 \(asked by pid \d+\)\n/);
      expect(out).not.toContain("after-halt");
      expect(code).toBe(3);
    });
  });

  it("loses nothing of input that arrives slowly, in pieces that split lines anywhere", async () => {
    const script = Array.from({ length: 200 }, (_, i) => (i % 2 ? "svc status echo" : `echo piece-${i}`)).join("\n") + "\nhalt 6\n";
    const r = await bootFed(runtime, trickle(script));
    expect(count(r.stdout, STATUS)).toBe(100);
    for (let i = 0; i < 200; i += 2) expect(r.stdout).toContain(`\npiece-${i}\n`);
    expect(r.code).toBe(6);
  }, 60_000);

  it("loses nothing a control-socket connection floods in, and halts with the code asked", async () => {
    const sock = join(mkdtempSync(join(tmpdir(), "quark-input-")), "quark.sock");
    const boot = spawn(process.execPath, [join(root, "bin", "quark.mjs"), "boot", wasm, "--runtime", runtime, "--control", sock],
      { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    let console = "";
    boot.stdout.setEncoding("utf8").on("data", (d: string) => { console += d; });
    const exited = new Promise<number | null>((r) => boot.on("close", (c) => r(c)));
    try {
      while (!(existsSync(sock) && console.includes("init: ready"))) {
        expect(boot.exitCode, "the system came up with its socket").toBeNull();
        await pause(20);
      }
      const c = connect(sock);
      let seen = "";
      c.setEncoding("utf8").on("data", (d: string) => { seen += d; });
      c.on("error", () => {});
      const closed = new Promise((r) => c.on("close", r));
      c.write(MANY + "z".repeat(100_000) + "\necho flood-done\nhalt 5\n");
      expect(await exited).toBe(5);
      await closed; // everything the machine printed has been read
      expect(count(seen, STATUS)).toBe(LINES);
      expect(seen).toContain("line too long (100000 bytes; the limit is");
      expect(seen).toContain("\nflood-done\n");
    } finally {
      boot.kill();
    }
  }, 60_000);
});

describe("the Node host's input API", () => {
  it("takes console input from an async iterator that yields slowly, and returns the halt's code", async () => {
    const script = Array.from({ length: 60 }, (_, i) => `echo slow-${i}`).join("\n") + "\nsvc status echo\nhalt 9\n";
    let out = "";
    const dec = new TextDecoder();
    const code = await bootNode(wasm, { interactive: true, input: trickle(script), out: (b) => { out += dec.decode(b, { stream: true }); } });
    for (let i = 0; i < 60; i++) expect(out).toContain(`\nslow-${i}\n`);
    expect(count(out, STATUS)).toBe(1);
    expect(code).toBe(9);
  }, 60_000);
});
