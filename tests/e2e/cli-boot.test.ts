// quark boot and quark ctl as a script drives them: the arguments in the
// order the usage line shows, exit statuses a script can test, the shell's
// answers on stdout and the reasons on stderr, under both runtimes.
import { describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bootControlled, image, quark, root, until } from "./helpers";
import * as abi from "../../kernel/abi";
import { ConsoleFilter } from "../../tools/board/console-filter";
import { serviceTrapped, trapKind } from "../../tools/board/exit";
import { trapKinds, TRAP_OTHER } from "../../abi/traps";

const RUNTIMES = ["node", "wasmtime"];


/** A shell pipeline, as a script writes it; QUARK is the CLI. */
function sh(script: string) {
  const r = spawnSync("sh", ["-c", script], {
    cwd: root, encoding: "utf8", timeout: 180_000,
    env: { ...process.env, QUARK: `${process.execPath} ${join(root, "bin", "quark.mjs")}` },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("quark ctl's arguments", () => {
  it.each(RUNTIMES)("takes --runtime after the image, in the usage line's order (%s)", async (runtime) => {
    const wasm = await image("default");
    const r = quark(["ctl", wasm, "--runtime", runtime, "svc", "list"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^SERVICE +STATE +HEALTH +PID +RESTARTS\n/);
    expect(r.stdout).toMatch(/^echo +running +\S+ +3 +0$/m);
    expect(r.stdout).not.toMatch(/unknown command/);
  });

  it("names a mistyped option of its own and exits 2 (usage)", async () => {
    const wasm = await image("default");
    const r = quark(["ctl", "--runtim", "wasmtime", wasm, "svc", "list"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("quark ctl: unknown option --runtim (did you mean --runtime?); see quark ctl --help\n");
    const bad = quark(["ctl", wasm, "svc", "list", "--runtime", "wasmtim"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--runtime must be one of node, wasmtime \(got "wasmtim"\)/);
  });

  it("--help states every option, the description and the exit statuses", () => {
    const r = quark(["ctl", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: quark ctl IMAGE\.wasm\|MANIFEST\.toml COMMAND\.\.\. \[--runtime node\|wasmtime\] \[--control SOCKET\]\n/);
    expect(r.stdout).toMatch(/--control SOCKET +the socket of a running system/);
    expect(r.stdout).toMatch(/With an image: boot it, run the commands, halt\./);
    expect(r.stdout).toMatch(/Exit status: the worst of the commands/);
  });
});

describe("a reader that goes away", () => {
  it.each(RUNTIMES)("quark boot | head -1 ends quietly, no EPIPE trace (%s)", async (runtime) => {
    const wasm = await image("default");
    // The status goes to stdout after head has gone: quark's own, not head's.
    const r = sh(`( printf 'svc list\\nsvc list\\nsvc top\\n' | $QUARK boot '${wasm}' --runtime ${runtime}; echo "status $?" >&2 ) | head -1`);
    expect(r.stdout).toMatch(/^\[ *\d+\.\d{6}\] kernel: quark kernel[^\n]*\n$/);
    expect(r.stderr).toBe("status 0\n");
  });

  // inspect and help write their answer whole, on the descriptor (tools/quark/out.ts), not through the stream.
  it("quark inspect --json | head -c 10 and quark help | true end quietly with 0", async () => {
    const wasm = await image("default");
    const r = sh(`( $QUARK inspect '${wasm}' --json; echo "status $?" >&2 ) | head -c 10; ( $QUARK help; echo "status $?" >&2 ) | true`);
    expect(r.stdout).toBe("{\n  \"file\"".slice(0, 10));
    expect(r.stderr).toBe("status 0\nstatus 0\n");
  });
});

describe("the shell's commands decide quark ctl's status", () => {
  it.each(RUNTIMES)("0 when all ran, 1 for a refusal, 2 for a word that is no command, CODE after halt CODE (%s)", async (runtime) => {
    const wasm = await image("default");
    const ok = quark(["ctl", wasm, "svc status echo", "svc list", "--runtime", runtime]);
    expect(ok.code, ok.stderr).toBe(0);
    const nosuch = quark(["ctl", wasm, "svc status nosuch", "--runtime", runtime]);
    expect([nosuch.code, nosuch.stdout, nosuch.stderr]).toEqual([1, "no service named nosuch (try svc list)\n", ""]);
    const typo = quark(["ctl", wasm, "svc", "lis", "--runtime", runtime]);
    expect([typo.code, typo.stdout]).toEqual([2, "unknown svc command: lis (did you mean list?)\n"]);
    // The worst of them: a usage error after a refusal is 2.
    const both = quark(["ctl", wasm, "svc stop nosuch", "frob", "svc list", "--runtime", runtime]);
    expect(both.code).toBe(2);
    expect(both.stdout).toMatch(/^no service named nosuch \(try svc list\)\nunknown command: frob \(did you mean [a-z]+\?\)|^no service named nosuch \(try svc list\)\nunknown command: frob \(try help\)/);
    expect(both.stdout).toMatch(/^SERVICE/m);
    const halted = quark(["ctl", wasm, "svc status nosuch", "halt 7", "--runtime", runtime]);
    expect(halted.code).toBe(7);
  });

  it.each(RUNTIMES)("a piped boot exits 0 at the end of input, with the worst status under --strict (%s)", async (runtime) => {
    const wasm = await image("default");
    const input = "svc status nosuch\nstatus\nsvc list\nstatus\nsvc restart echo\n";
    const plain = quark(["boot", wasm, "--quiet", "--runtime", runtime], { input });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/^no service named nosuch \(try svc list\)\nstatus 1\nSERVICE[^]*\nstatus 0\nrestart: echo ok\n$/);
    expect(quark(["boot", wasm, "--strict", "--runtime", runtime], { input }).code).toBe(0); // `status` took the refusal
    expect(quark(["boot", wasm, "--strict", "--runtime", runtime], { input: "svc list\nsvc stop nosuch\n" }).code).toBe(1);
    expect(quark(["boot", wasm, "--strict", "--runtime", runtime], { input: "svc lis\nsvc list\n" }).code).toBe(2);
    expect(quark(["boot", wasm, "--strict", "--runtime", runtime], { input: "svc list\n" }).code).toBe(0);
  });
});

describe("svc stop waits", () => {
  it.each(RUNTIMES)("until the service has stopped; --no-block returns while it stops (%s)", async (runtime) => {
    const wasm = await image("default");
    const r = quark(["ctl", wasm, "svc stop echo", "svc status echo", "svc start echo", "svc status echo", "svc restart echo", "svc status echo", "--runtime", runtime]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^stop: echo ok\necho: stopped, pid 3, 0 restarts, 0 faults\nstart: echo ok\necho: running, pid 3, 0 restarts, 0 faults[^\n]*\nrestart: echo ok\necho: running, pid 3, 1 restarts, 0 faults/);
    // echo exits as soon as it hears NOTE_STOP, so right after the request it is stopping.
    const nb = quark(["ctl", wasm, "svc stop echo --no-block", "svc status echo", "sleep 50", "svc status echo", "--runtime", runtime]);
    expect(nb.code, nb.stderr).toBe(0);
    expect(nb.stdout).toMatch(/^stop: echo ok\necho: stopping, pid 3[^\n]*\necho: stopped, pid 3/);
  });

  it.each(RUNTIMES)("the README's shell block prints what it shows (%s)", async (runtime) => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const block = /\n```\n\$ (printf [^\n]*\| npx quark boot images\/default\.wasm --quiet)\n([^]*?)```\n/.exec(readme);
    expect(block, "the README's shell block").not.toBeNull();
    await image("default");
    const r = sh(`${block![1].replace("npx quark", "$QUARK")} --runtime ${runtime}`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(block![2]);
  });
});

describe("--quiet", () => {
  it.each(RUNTIMES)("leaves the log lines out and the shell's answers in (%s)", async (runtime) => {
    const wasm = await image("default");
    const r = quark(["boot", wasm, "--quiet", "--runtime", runtime], { input: "svc list\nsvc events echo\nsvc list --json\n" });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/^\[ *\d+\.\d{6}\] [a-z-]+: /m);
    expect(r.stdout).toMatch(/^SERVICE +STATE +HEALTH +PID +RESTARTS\n/);
    expect(r.stdout).toMatch(/^\[\d+\.\d{6}\] echo started$/m); // an answer in brackets stays
    expect(JSON.parse(r.stdout.split("\n").find((l) => l.startsWith("[{"))!)).toHaveLength(7);
    expect(quark(["boot", "--help"]).stdout).toMatch(/--quiet +only the console and errors: no build progress, no log lines/);
  });
});

describe("--control", () => {
  it.each(RUNTIMES)("is refused for an image without a shell, saying why (%s)", async (runtime) => {
    const manifest = join(root, "tests", "fixtures", "cycle", "image.toml");
    const sock = join(mkdtempSync(join(tmpdir(), "quark-boot-")), "q.sock");
    const r = quark(["boot", manifest, "--control", sock, "--runtime", runtime]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--control needs a shell in the image, and \S+cycle\/image\.wasm has none .*boot it without --control/);
    expect(existsSync(sock)).toBe(false);
    const ctl = quark(["ctl", "--control", sock, "svc list"]);
    expect(ctl.code).toBe(1);
    expect(ctl.stderr).toMatch(/no control socket there; start the system with quark boot IMAGE --control \S+ \(its image needs a shell; the socket goes when the system halts\)/);
  });

  it.each(RUNTIMES)("ctl's marks stay off the running system's console, and its status comes back (%s)", async (runtime) => {
    const wasm = await image("default");
    const run = bootControlled(wasm, runtime);
    const { sock, boot, exited } = run;
    try {
      expect(await until(() => existsSync(sock) && run.console.includes("init: ready"), 60_000)).toBe(true);
      const bad = quark(["ctl", "--control", sock, "svc status nosuch"]);
      expect([bad.code, bad.stdout]).toEqual([1, "no service named nosuch (try svc list)\n"]);
      const good = quark(["ctl", "--control", sock, "svc stop echo", "svc status echo"]);
      expect([good.code, good.stdout]).toEqual([0, "stop: echo ok\necho: stopped, pid 3, 0 restarts, 0 faults\n"]);
      expect(quark(["ctl", "--control", sock, "halt"]).code).toBe(0);
      expect(await exited).toBe(0);
      expect(run.console).toContain("no service named nosuch (try svc list)\n");
      expect(run.console).toContain("echo: stopped, pid 3");
      expect(run.console).not.toContain("quark-ctl-");
    } finally {
      boot.kill();
    }
  }, 120_000);
});

describe("a service that fails to start", () => {
  // An image whose service traps in quark_start (restart never: init gives up at once), and the shell.
  function brokenImage(): string {
    const dir = mkdtempSync(join(tmpdir(), "quark-broken-"));
    mkdirSync(join(dir, "broken"));
    writeFileSync(join(dir, "broken", "index.ts"), "export function quark_start(pid: i32, restarts: i32): i32 {\n  unreachable();\n  return 0;\n}\n");
    writeFileSync(join(dir, "image.toml"), [
      '[image]\nname = "broken"\n',
      `[service.log]\nmodule = ${JSON.stringify(join(root, "userland", "log"))}\nrequires = ["condrv"]\ncaps = ["condrv"]\n`,
      '[service.broken]\nmodule = "broken"\nrequires = ["log"]\nrestart = "never"\n',
      `[service.shell]\nmodule = ${JSON.stringify(join(root, "userland", "shell"))}\nrequires = ["condrv"]\ncaps = ["condrv:call+grant", "init", "log"]\n`,
      `[service.condrv]\nmodule = ${JSON.stringify(join(root, "userland", "drivers", "console"))}\ncaps = ["uart"]\ninterrupts = ["uart"]\n`,
    ].join("\n"));
    const b = quark(["build", join(dir, "image.toml")]);
    expect(b.code, b.stderr).toBe(0);
    return join(dir, "image.wasm");
  }
  let wasm: string;
  // The board names the trap as it happens (under every engine), then the services that did not start.
  const TRAPPED = "quark: broken (pid 3) trapped: unreachable\n";
  const NOT_STARTED = TRAPPED + "quark: not every service started: broken (its quark_start trapped)\n";

  it.each(RUNTIMES)("fails --until-ready with EXIT_SERVICE_FAILED, naming it and why on stderr (%s)", (runtime) => {
    wasm ??= brokenImage();
    const r = quark(["boot", wasm, "--until-ready", "--runtime", runtime]);
    expect(r.code).toBe(abi.EXIT_SERVICE_FAILED);
    expect(r.stderr).toBe(NOT_STARTED);
    expect(r.stdout).toMatch(/init: failed to start broken \(pid 3\): its quark_start trapped\n/);
    expect(r.stdout).toMatch(/init: ready: 3 of 4 services running, boot took [\d.]+ ms; failed to start: broken \(its quark_start trapped\)\n/);
    const quiet = quark(["boot", wasm, "--until-ready", "--quiet", "--runtime", runtime]);
    expect([quiet.code, quiet.stdout, quiet.stderr]).toEqual([abi.EXIT_SERVICE_FAILED, "", NOT_STARTED]);
  });

  it.each(RUNTIMES)("fails a piped boot under --strict and quark ctl; a plain piped boot exits 0 (%s)", (runtime) => {
    wasm ??= brokenImage();
    const strict = quark(["boot", wasm, "--strict", "--quiet", "--runtime", runtime], { input: "svc status log\n" });
    expect([strict.code, strict.stderr]).toEqual([abi.EXIT_SERVICE_FAILED, NOT_STARTED]);
    expect(strict.stdout).toMatch(/^log: running/);
    const ctl = quark(["ctl", wasm, "svc status broken", "--runtime", runtime]);
    expect([ctl.code, ctl.stderr]).toEqual([abi.EXIT_SERVICE_FAILED, NOT_STARTED]);
    expect(ctl.stdout).toMatch(/^broken: failed, pid 3, 0 restarts, 1 faults/);
    // Without --strict a piped boot's status is the script's (README: images whose services are expected to fail).
    const plain = quark(["boot", wasm, "--quiet", "--runtime", runtime], { input: "svc status log\n" });
    expect([plain.code, plain.stderr]).toEqual([0, TRAPPED]);
  });

  it.each(RUNTIMES)("a default image boots with --until-ready and --strict: exit 0, nothing on stderr (%s)", async (runtime) => {
    const ok = await image("default");
    const r = quark(["boot", ok, "--until-ready", "--runtime", runtime]);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toMatch(/init: ready: 7 of 7 services running, boot took [\d.]+ ms\n/);
    expect(quark(["boot", ok, "--strict", "--runtime", runtime], { input: "svc list\n" }).code).toBe(0);
  });
});

describe("the board's console filter, in any chunking", () => {
  const text = [
    "[    0.001000] kernel: quark kernel\n", "quark> quark-ctl-0a1b2c-begin 2\n", "quark> SERVICE  STATE\n",
    "[0.013796] echo started\n", "[{\"name\":\"log\"}]\n", "quark-ctl-0a1b2c 1\n", "quark> q\n", "quark-ct\n", "quark> ",
  ].join("");
  function run(o: { marks: boolean; logs: boolean }, size: number): string {
    const f = new ConsoleFilter(o);
    const bytes = new TextEncoder().encode(text);
    let out = "";
    for (let i = 0; i < bytes.length; i += size) out += Buffer.from(f.pass(bytes.subarray(i, i + size))).toString();
    return out + Buffer.from(f.flush()).toString();
  }
  it.each([1, 2, 7, 1000])("drops marks and log lines, keeps the rest, prompts at once (chunks of %i)", (size) => {
    expect(run({ marks: true, logs: true }, size)).toBe(
      "quark> quark> SERVICE  STATE\n[0.013796] echo started\n[{\"name\":\"log\"}]\nquark> q\nquark-ct\nquark> ");
    expect(run({ marks: true, logs: false }, size)).toBe(
      "[    0.001000] kernel: quark kernel\nquark> quark> SERVICE  STATE\n[0.013796] echo started\n[{\"name\":\"log\"}]\nquark> q\nquark-ct\nquark> ");
    expect(run({ marks: false, logs: true }, size)).toBe(text.replace("[    0.001000] kernel: quark kernel\n", ""));
  });
});

/** tests/fixtures/NAME/image.toml's image, built at the first call only. */
function fixtureImage(name: string): () => string {
  let wasm: string | undefined;
  return () => {
    if (wasm) return wasm;
    const manifest = join(root, "tests", "fixtures", name, "image.toml");
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
    return (wasm = manifest.replace(/\.toml$/, ".wasm"));
  };
}

describe("traps and exits name the service and the cause", () => {
  // tests/fixtures/traps: unreach reaches `unreachable`, oob reads past its memory, quitter exits with code 1.
  const built = fixtureImage("traps");
  const TRAP_LINES = [
    "quark: unreach (pid 2) trapped: unreachable",
    "quark: oob (pid 3) trapped: out of bounds memory access",
  ];
  const trapLines = (stderr: string) => stderr.split("\n").filter((l) => / trapped: /.test(l));

  it.each(RUNTIMES)("one line on stderr per trap, with its kind, without --verbose; the kernel's lines name the service (%s)", (runtime) => {
    const r = quark(["boot", built(), "--runtime", runtime], { input: "" });
    expect(r.code, r.stderr).toBe(0);
    expect(trapLines(r.stderr)).toEqual(TRAP_LINES);
    expect(r.stdout).toMatch(/kernel: fault: unreach \(pid 2\) trapped while starting\n/);
    expect(r.stdout).toMatch(/kernel: fault: oob \(pid 3\) trapped while starting\n/);
    expect(r.stdout).toMatch(/kernel: quitter \(pid 4\) exited, code 1\n/);
    expect(r.stdout).not.toMatch(/kernel: (fault: )?pid \d/);
  });

  it.each(RUNTIMES)("--verbose adds the engine's own message to the same line (%s)", (runtime) => {
    const r = quark(["boot", built(), "--runtime", runtime, "--verbose"], { input: "" });
    expect(r.code, r.stderr).toBe(0);
    const lines = trapLines(r.stderr);
    expect(lines).toHaveLength(2);
    lines.forEach((l, i) => expect(l.startsWith(TRAP_LINES[i] + " (")).toBe(true));
    expect(lines[1]).toMatch(/out of bounds/);
  });

  it("the same lines under the Python trampoline", () => {
    const r = quark(["boot", built(), "--runtime", "wasmtime", "--python-trampoline"], { input: "" });
    expect(r.code, r.stderr).toBe(0);
    expect(trapLines(r.stderr)).toEqual(TRAP_LINES);
  });
});

describe("a trap at a limit is named by the kernel's cause", () => {
  // tests/fixtures/limit-traps: each service traps while starting at a limit the
  // kernel enforces; the engines see `unreachable` (or a failed grow), the
  // kernel's fault_cause says why, and the board's line says it the same way.
  const built = fixtureImage("limit-traps");
  const LIMIT_LINES = [
    "quark: spinner (pid 2) spent its CPU budget in one handler",
    "quark: deep (pid 3) called deeper than its stack window",
    "quark: aborter (pid 4) aborted",
    "quark: grower (pid 5) trapped at its memory limit (the manifest's memory)",
    // A crash loop: each trap asks the kernel once, each fault answers once.
    ...Array(4).fill("quark: looper (pid 6) spent its CPU budget in one handler"),
  ];
  const boardLines = (stderr: string) => stderr.split("\n").filter((l) => /^quark: \w+ \(pid \d+\) /.test(l));
  const ENGINES: [string, string[]][] = [
    ["node", ["--runtime", "node"]],
    ["wasmtime (C trampoline)", ["--runtime", "wasmtime"]],
    ["wasmtime (Python trampoline)", ["--runtime", "wasmtime", "--python-trampoline"]],
  ];

  it.each(ENGINES)("CPU budget, stack window, abort and memory limit, one line per trap (%s)", (_name, flags) => {
    const r = quark(["boot", built(), ...flags], { input: "" });
    expect(r.code, r.stderr).toBe(0);
    expect(boardLines(r.stderr)).toEqual(LIMIT_LINES);
    expect(r.stderr).not.toMatch(/trapped: unreachable/);
    expect(r.stdout).toMatch(/kernel: fault: spinner \(pid 2\) spent its CPU budget of 100000 units in one handler\n/);
  });

  it("--verbose keeps the engine's message beside the cause", () => {
    const r = quark(["boot", built(), "--verbose"], { input: "" });
    const lines = boardLines(r.stderr);
    expect(lines).toHaveLength(LIMIT_LINES.length);
    lines.forEach((l, i) => expect(l.startsWith(LIMIT_LINES[i] + " (")).toBe(true));
  });

  it("a cause the kernel did not record at a limit keeps the trap's kind", () => {
    expect(serviceTrapped({ pid: 3, name: "echo", message: "unreachable", cause: abi.FAULT_TRAP }, false)).toBe("quark: echo (pid 3) trapped: unreachable");
    expect(serviceTrapped({ pid: 3, name: "echo", message: "unreachable", cause: abi.FAULT_START }, false)).toBe("quark: echo (pid 3) trapped: unreachable");
    expect(serviceTrapped({ pid: 3, name: "echo", message: "unreachable", cause: 0 }, false)).toBe("quark: echo (pid 3) trapped: unreachable");
    expect(serviceTrapped({ pid: 3, name: "echo", message: "unreachable", cause: abi.FAULT_CPU }, false)).toBe("quark: echo (pid 3) spent its CPU budget in one handler");
  });
});

describe("svc stop of a service that ignores the request", () => {
  // tests/fixtures/stubborn: stubborn takes NOTE_STOP and carries on; its stop_timeout is 300 ms.
  it.each(RUNTIMES)("waits until init kills it at its stop_timeout, then says so and exits 1 (%s)", (runtime) => {
    const b = quark(["build", join(root, "tests", "fixtures", "stubborn", "image.toml")]);
    expect(b.code, b.stderr).toBe(0);
    const wasm = join(root, "tests", "fixtures", "stubborn", "image.wasm");
    const r = quark(["ctl", wasm, "--runtime", runtime, "svc stop stubborn", "svc status stubborn", "svc events stubborn"]);
    expect(r.code, r.stderr).toBe(abi.EXIT_SHELL_REFUSED);
    expect(r.stdout.replace(/^\[\d+\.\d+\] /gm, "[T] ")).toBe([
      "stop: stubborn killed: it did not stop within its stop_timeout",
      "stubborn: stopped, pid 3, 0 restarts, 0 faults",
      "[T] stubborn started",
      "[T] stubborn healthy",
      "[T] stubborn stopping (killed if not stopped in 300 ms)",
      "[T] stubborn killed",
      "",
    ].join("\n"));
  });
});

describe("a trap's kind", () => {
  it("is one word per trap for V8's and wasmtime's messages, and 'trap' for a message no row knows", () => {
    for (const row of trapKinds) {
      for (const m of [...row.v8, ...row.wasmtime]) expect(trapKind(`RuntimeError: ${m}`), m).toBe(row.kind);
    }
    expect(trapKind("wasm trap: wasm `unreachable` instruction executed")).toBe("unreachable");
    expect(trapKind("Maximum call stack size exceeded")).toBe("call stack exhausted");
    expect(trapKind("something new")).toBe(TRAP_OTHER);
    expect(serviceTrapped({ pid: 7, name: "", message: "unreachable" }, false)).toBe("quark: pid 7 trapped: unreachable");
  });
});
