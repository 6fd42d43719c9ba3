// quark boot and quark ctl as a script drives them: the arguments in the
// order the usage line shows, exit statuses a script can test, the shell's
// answers on stdout and the reasons on stderr, under both runtimes.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { image, quark, root } from "./helpers";

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
});
