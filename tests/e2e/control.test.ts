// Controlling a running system: `quark boot --control SOCKET` keeps the
// machine up and listening; each `quark ctl --control SOCKET ...` runs shell
// commands on that same machine (what one changes, the next sees), and `halt`
// stops it, removing the socket.
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createConnection } from "node:net";
import { bootControlled, image, quark, root, until } from "./helpers";
import * as abi from "../../kernel/abi";


describe("quark ctl --control", () => {
  it.each(["node", "wasmtime"])("drives a running system across invocations, then halts it (%s)", async (runtime) => {
    const wasm = await image("default");
    const run = bootControlled(wasm, runtime);
    const { sock, boot, exited } = run;
    try {
      expect(await until(() => existsSync(sock) && run.console.includes("init: ready"), 60_000), "the system came up with its socket").toBe(true);
      // A second system on the same socket is refused; the first keeps it.
      const second = quark(["boot", wasm, "--runtime", runtime, "--control", sock]);
      expect(second.code).toBe(2);
      expect(second.stderr).toMatch(/another system is listening there; halt it \(quark ctl --control .* halt\)/);
      const stop = quark(["ctl", "--control", sock, "svc stop echo", "sleep 20"]);
      expect(stop.code, stop.stderr).toBe(0);
      expect(stop.stdout).toBe("stop: echo ok\n");
      // Another invocation, the same machine: echo is still stopped.
      const status = quark(["ctl", "--control", sock, "svc", "status", "echo", "--json"]);
      expect(status.code, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({ name: "echo", state: "stopped" });
      const start = quark(["ctl", "--control", sock, "svc start echo", "svc status echo"]);
      expect(start.stdout).toMatch(/^start: echo ok\necho: running, pid \d+, 0 restarts, 0 faults, healthy\n$/);
      const halt = quark(["ctl", "--control", sock, "halt"]);
      expect(halt.code, halt.stderr).toBe(0);
      expect(await exited).toBe(0);
      expect(existsSync(sock)).toBe(false);
      expect(run.console).toContain("init: audit: pid 7 (shell), through its init capability: stop echo: ok");
    } finally {
      boot.kill();
    }
  }, 120_000);

  it.each(["node", "wasmtime"])("drops a connection that stops reading, and keeps serving the others (%s)", async (runtime) => {
    const wasm = await image("default");
    const sock = join(mkdtempSync(join(tmpdir(), "quark-ctl-")), "quark.sock");
    // Console to a file, not a pipe: quark ctl below runs synchronously, and a
    // pipe nobody drains meanwhile would stall the machine's own standard output.
    const out = join(dirname(sock), "console.txt");
    const boot = spawn(process.execPath, [join(root, "bin", "quark.mjs"), "boot", wasm, "--runtime", runtime, "--control", sock],
      { cwd: root, stdio: ["ignore", openSync(out, "w"), "pipe"] });
    let errors = "";
    boot.stderr!.on("data", (b) => { errors += b; });
    const console = { includes: (s: string) => existsSync(out) && readFileSync(out, "utf8").includes(s) };
    const exited = new Promise<number | null>((r) => boot.on("exit", (code) => r(code)));
    let mute: ReturnType<typeof createConnection> | undefined;
    try {
      expect(await until(() => existsSync(sock) && console.includes("init: ready"), 60_000), "the system came up with its socket").toBe(true);
      // Asks for far more than CONTROL_BACKLOG of output and never reads it.
      mute = createConnection(sock);
      await new Promise<void>((resolve, reject) => { mute!.once("connect", () => resolve()); mute!.once("error", reject); });
      mute.pause();
      mute.write("help\n".repeat(6000)); // about 1.5 KB of output each: some 9 MB
      expect(await until(() => errors.includes("control connection dropped"), 60_000), errors).toBe(true);
      expect(errors).toContain(`it left ${abi.CONTROL_BACKLOG} bytes of console output unread`);
      const alive = quark(["ctl", "--control", sock, "svc status echo"]);
      expect(alive.code, alive.stdout.slice(-500) + alive.stderr).toBe(0);
      expect(alive.stdout).toMatch(/^echo: running/m);
      expect(quark(["ctl", "--control", sock, "halt"]).code).toBe(0);
      expect(await exited).toBe(0);
    } finally {
      mute?.destroy();
      boot.kill();
    }
  }, 120_000);

  it.each(["node", "wasmtime"])("gives each concurrent client the status of its own commands (%s)", async (runtime) => {
    const wasm = await image("default");
    const run = bootControlled(wasm, runtime);
    const { sock, boot, exited } = run;
    /** `quark ctl --control SOCK ARGS...` as a child running beside the others. */
    const ctl = (...args: string[]) => new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const c = spawn(process.execPath, [join(root, "bin", "quark.mjs"), "ctl", "--control", sock, ...args], { cwd: root });
      let stdout = "", stderr = "";
      c.stdout.on("data", (b) => { stdout += b; });
      c.stderr.on("data", (b) => { stderr += b; });
      c.on("close", (code) => resolve({ code, stdout, stderr }));
    });
    let held: ReturnType<typeof createConnection> | undefined;
    try {
      expect(await until(() => existsSync(sock) && run.console.includes("init: ready"), 60_000), "the system came up with its socket").toBe(true);
      // Two clients at once, one refused and one not, a few times over.
      for (let round = 0; round < 3; round++) {
        const [bad, good] = await Promise.all([ctl("svc stop nosuch", "svc list"), ctl("svc list", "svc status echo")]);
        expect(bad.code, bad.stderr).toBe(abi.EXIT_SHELL_REFUSED);
        expect(bad.stdout).toMatch(/^no service named nosuch \(try svc list\)\nSERVICE /);
        expect(good.code, good.stderr).toBe(0);
        expect(good.stdout).toMatch(/^SERVICE [\s\S]*\necho: running/);
      }
      // A client whose run is cut in two by another's whole run: its failure is still its own, and the other's success its own.
      held = createConnection(sock);
      let heldText = "";
      held.on("data", (b) => { heldText += b; });
      await new Promise<void>((resolve, reject) => { held!.once("connect", () => resolve()); held!.once("error", reject); });
      held.write("status quark-ctl-0a0a-begin\nsvc stop nosuch\n");
      const between = await ctl("svc list");
      expect(between.code, between.stderr).toBe(0);
      expect(between.stdout).toMatch(/^SERVICE /);
      held.write("status quark-ctl-0a0a\n");
      expect(await until(() => /(^|\n)quark-ctl-0a0a \d\n/.test(heldText), 30_000), heldText).toBe(true);
      expect(heldText).toMatch(/(^|\n)no service named nosuch \(try svc list\)\nquark-ctl-0a0a 1\n/);
      expect((await ctl("halt")).code).toBe(0);
      expect(await exited).toBe(0);
    } finally {
      held?.destroy();
      boot.kill();
    }
  }, 120_000);

  it("says how to start a system when there is no socket", () => {
    const r = quark(["ctl", "--control", join(tmpdir(), "no-such-quark.sock"), "svc list"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no control socket there; start the system with quark boot IMAGE --control /);
  });
});
