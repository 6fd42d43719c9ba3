// The console as a driver service (tests/fixtures/console-driver, under both
// hosts; docs/devices.md: The console driver). condrv alone holds the UART's
// registers and receive line; the log writes through it and the shell reads
// and writes through it. The shell's input comes in groups with pauses, so
// the machine waits for input between them: the kernel tells the host so
// from the UART's line, armed by the driver while the shell waits. After
// each group the shell starts a service that has init crash condrv: crasher
// at once (the shell sleeps meanwhile, the rest of the input queued in the
// UART), latecrasher 50 ms later, while the shell waits for input held back
// for 200 ms (the new instance must arm the line again, or the machine would
// halt with input unread). No input is lost, every command is answered once
// and in order, and the log lines written while the driver was down come out
// once it is back. prober gets
// the documented error for every edge value, thief (no grant to the driver)
// reaches the console no way, and the build refuses the UART held by a
// service that is not its driver and a console client without the driver.
import { beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { quark, root } from "./helpers";

const manifest = join(root, "tests", "fixtures", "console-driver", "image.toml");
const image = manifest.replace(/\.toml$/, ".wasm");
const GROUPS = 12;
const PER_GROUP = 40;

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The shell's input, each piece with the pause before it: groups of echo commands, each followed by a crash of condrv. */
function groups(): [number, string][] {
  const out: [number, string][] = [[30, "svc enable crasher\nsvc enable latecrasher\n"]];
  for (let g = 0; g < GROUPS; g++) {
    let text = "";
    for (let i = 0; i < PER_GROUP; i++) text += `echo line-${g}-${i}\n`;
    // An odd group's crash comes while the shell waits for the next group.
    out.push([g > 0 && g % 2 == 0 ? 200 : 30, text + (g % 2 == 0 ? "svc start crasher\nsleep 5\n" : "svc start latecrasher\n")]);
  }
  out.push([200, "svc status condrv\n"]);
  return out;
}

/** Boot with standard input written a group at a time once the system is up, a pause before each. */
function bootFed(runtime: string): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, [join(root, "bin", "quark.mjs"), "boot", image, "--runtime", runtime],
    { cwd: root, stdio: ["pipe", "pipe", "inherit"] });
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => { stdout += d; });
  child.stdin.on("error", () => {});
  const done = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
  void (async () => {
    // Hold the input until the system is up: the pauses then fall where the groups end.
    while (!stdout.includes("] init: ready: ") && child.exitCode === null) await pause(5);
    for (const [ms, piece] of groups()) {
      await pause(ms);
      child.stdin.write(piece);
    }
    child.stdin.end();
  })();
  return done.then((code) => ({ code, stdout }));
}

/** The lines without their time stamps. */
const lines = (stdout: string) => stdout.split("\n").map((l) => l.replace(/^\[\s*[\d.]+\] /, ""));

describe("the console driver", () => {
  beforeAll(() => {
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
  });

  it.each(["node", "wasmtime"])("survives crashes with no input or output lost; edge values and a thief get errors (%s)", async (runtime) => {
    const r = await bootFed(runtime);
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    // Every command answered once, in order, across every crash of the driver.
    const echoed = out.filter((l) => l.startsWith("line-"));
    const want: string[] = [];
    for (let g = 0; g < GROUPS; g++) for (let i = 0; i < PER_GROUP; i++) want.push(`line-${g}-${i}`);
    expect(echoed).toEqual(want);
    expect(out.filter((l) => l === "start: crasher ok")).toHaveLength(GROUPS / 2);
    expect(out.filter((l) => l === "start: latecrasher ok")).toHaveLength(GROUPS / 2);
    // Each crash was asked for and happened; the log lines of the window came out once each.
    expect(out.filter((l) => l === "crasher: crashed condrv: OK" || l === "latecrasher: crashed condrv: OK")).toHaveLength(GROUPS);
    expect(out.filter((l) => /^init: condrv \(pid \d+\) crashed: was made to trap/.test(l))).toHaveLength(GROUPS);
    expect(out.filter((l) => /^init: restarted condrv \(restart \d+\)/.test(l))).toHaveLength(GROUPS);
    expect(out.find((l) => l.startsWith("condrv: running, pid "))).toMatch(new RegExp(`, ${GROUPS} restarts, ${GROUPS} faults, healthy$`));
    expect(out).toContain("prober: held, then the rest of the line");
    expect(out).toContain("prober: 29 checks, 0 answers not as documented");
    expect(out).toContain("thief: the UART derived from the bus: E_PERM, read-only: E_PERM; by name: E_BADSLOT; " +
      "the console driver by name: E_BADSLOT; console writes, reads and UART writes through every slot: 0 accepted");
    expect(r.stdout).not.toContain("stolen");
  });

  it("the build refuses the UART held by a service that does not drive its line, and a console client without the driver", () => {
    const dir = mkdtempSync(join(tmpdir(), "quark-condrv-"));
    const log = join(root, "userland", "log"), condrv = join(root, "userland", "drivers", "console");
    const second = join(dir, "second.toml");
    writeFileSync(second, `[image]\nname = "second"\n\n[service.log]\nmodule = "${log}"\nrequires = ["condrv"]\ncaps = ["condrv"]\n\n` +
      `[service.condrv]\nmodule = "${condrv}"\ncaps = ["uart"]\ninterrupts = ["uart"]\n\n[service.spy]\nmodule = "${log}"\ncaps = ["uart:read"]\n`);
    const a = quark(["build", second]);
    expect(a.code).toBe(1);
    expect(a.stderr).toContain('service "spy" holds the UART without driving its line: the UART is the console driver\'s alone');
    const missing = join(dir, "missing.toml");
    writeFileSync(missing, `[image]\nname = "missing"\n\n[service.log]\nmodule = "${log}"\ncaps = ["condrv"]\n`);
    const b = quark(["build", missing]);
    expect(b.code).toBe(1);
    expect(b.stderr).toContain('service "log" uses the console driver, and the image has no service "condrv"');
    expect(b.stderr).toContain('[service.condrv] with module = "<quark>/userland/drivers/console", caps = ["uart"], interrupts = ["uart"]');
  });

  it("the build refuses the kernel's console to a service in an image with the console driver, and names the fix", () => {
    const dir = mkdtempSync(join(tmpdir(), "quark-condrv-"));
    const log = join(root, "userland", "log"), condrv = join(root, "userland", "drivers", "console");
    const around = join(dir, "around.toml");
    writeFileSync(around, `[image]\nname = "around"\n\n[service.log]\nmodule = "${log}"\nrequires = ["condrv"]\ncaps = ["condrv"]\n\n` +
      `[service.condrv]\nmodule = "${condrv}"\ncaps = ["uart"]\ninterrupts = ["uart"]\n\n[service.loud]\nmodule = "${log}"\ncaps = ["console:write"]\n`);
    const a = quark(["build", around]);
    expect(a.code).toBe(1);
    expect(a.stderr).toContain('service "loud" is granted the kernel\'s console in an image with the console driver: its writes would go around the driver');
    expect(a.stderr).toContain('write through the driver: caps = ["condrv"] and conWrite (userland/lib/console.ts)');
    // Without the driver, nothing goes around it: the grant stands (an image of the kernel's console alone).
    const alone = join(dir, "alone.toml");
    writeFileSync(alone, `[image]\nname = "alone"\n\n[service.loud]\nmodule = "${log}"\ncaps = ["console"]\n`);
    const b = quark(["build", alone]);
    expect(b.code, b.stderr).toBe(0);
  });
});
