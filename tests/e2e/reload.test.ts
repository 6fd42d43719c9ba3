// Hot reload, end to end, under both hosts (tests/fixtures/reload): a client
// keeps calling and sending to echo while echo is reloaded (by the shell, and
// by the client itself with its sends still queued); echo keeps its pid, its
// message count moves to the new instance (quark_save / handoff), queued
// messages reach the new instance, and a failed start rolls back. Then the
// image file on disk is replaced by new builds between boot and reload: one
// whose echo cannot start (rolled back), one with a changed echo (it runs).
import { describe, expect, it, beforeAll } from "vitest";
import { copyFileSync, mkdtempSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { image as defaultImage, quark, root, bootInteractive } from "./helpers";

const dir = join(root, "tests", "fixtures", "reload");
const built = (name: string) => join(dir, `${name}.wasm`);

/** Put `from` at `to` as a build does: a whole new file, renamed into place. */
function replaceFile(from: string, to: string): void {
  copyFileSync(from, to + ".tmp");
  renameSync(to + ".tmp", to);
}

function bootedCopy(): string {
  const path = join(mkdtempSync(join(tmpdir(), "quark-reload-")), "reload.wasm");
  copyFileSync(built("image"), path);
  return path;
}

const summaries = (out: string) => out.split("\n").filter((l) => /client: round \d+: /.test(l));
const json = (out: string, start: string) => out.split("\n").filter((l) => l.startsWith(start)).map((l) => JSON.parse(l));

/** The client's summaries: nothing but results and clear errors, and echo's count accounts for every accepted message. */
function expectClientSawNothingWrong(out: string): void {
  expect(out).not.toContain("client: unexpected");
  const lines = summaries(out);
  expect(lines.length).toBeGreaterThan(0);
  for (const l of lines) expect(l).toMatch(/echo accepted (\d+), refused 0, 0 unexpected; echo counted \1 \(all of them\)$/);
}

describe("hot reload", () => {
  beforeAll(() => {
    for (const m of ["image", "v2", "broken"]) {
      const b = quark(["build", join(dir, `${m}.toml`)]);
      expect(b.code, b.stderr).toBe(0);
    }
  });

  it.each(["node", "wasmtime"])("swaps echo under load: same pid, state handed over, queue drained, rollback keeps the old one (%s)", (runtime) => {
    const r = quark(["boot", bootedCopy(), "--runtime", runtime], {
      input: "sleep 60\nsvc status echo --json\nsvc reload echo\nsleep 30\nsvc reload echo --json\nsvc reload echo --rollback-test\n" +
        "svc reload echo --rollback-test --json\nsleep 300\nsvc status echo --json\nsvc events echo --json\n",
    });
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout;
    // The client's own reload, with its three sends queued: they were delivered to the new instance.
    expect(out).toMatch(/init: reloaded echo \(pid \d+\) in \d+\.\d+ µs; ([3-9]|\d\d+) queued messages drained \(asked by pid \d+\)/);
    expect(out).toContain("client: reloaded echo with its queue holding my 3 sends: ok");
    // The shell's.
    expect(out).toMatch(/^reload: echo ok, pid \d+$/m);
    const [before, after] = json(out, '{"name":"echo"');
    expect(before.state).toBe("running");
    expect(after).toMatchObject({ state: "running", pid: before.pid, restarts: 0, faults: 0 });
    const reloads = json(out, '{"service":"echo"');
    expect(reloads[0]).toMatchObject({ ok: true, error: 0, pid: before.pid, pid_before: before.pid, state: "running" });
    // Rollback: the new instance's start is made to trap; the old one keeps answering.
    expect(out).toContain("init: reload of echo failed: E_CRASHED; the old instance keeps running");
    expect(out).toContain("reload: echo failed: E_CRASHED; the old instance keeps running");
    expect(reloads[1]).toMatchObject({ ok: false, error: -7, pid: before.pid, state: "running" });
    // After every reload and both rollbacks, the client still saw only results, and echo's count (handed over) adds up.
    expectClientSawNothingWrong(out);
    expect(out.lastIndexOf("client: round")).toBeGreaterThan(out.lastIndexOf("reload: echo failed"));
    const events: { event: string; detail: number }[] = json(out, '[{"event"').at(-1);
    const kinds = events.map((e) => e.event).filter((e) => e.startsWith("reload") || e === "draining");
    expect(kinds).toEqual(["draining", "reloaded", "draining", "reloaded", "draining", "reloaded", "draining", "reload-failed", "draining", "reload-failed"]);
    expect(events.filter((e) => e.event === "reloaded").map((e) => e.detail)).toEqual([1, 2, 3]);
    expect(events.filter((e) => e.event === "reload-failed").map((e) => e.detail)).toEqual([-7, -7]);
  });

  it.each(["node", "wasmtime"])("reloads echo from the image file rebuilt after boot: a broken build rolls back, a changed one runs (%s)", async (runtime) => {
    const image = bootedCopy();
    const child = bootInteractive(image, runtime);
    const until = child.until;

    child.stdin.write("svc status echo --json\n");
    await until(/^\{"name":"echo"/m);
    replaceFile(built("broken"), image); // rebuilt: echo's start now fails
    child.stdin.write("svc reload echo\n");
    await until(/^reload: echo .*$/m);
    replaceFile(built("v2"), image); // rebuilt again: a working, changed echo
    child.stdin.write("svc reload echo --json\nsleep 300\nsvc status echo --json\n");
    child.stdin.end();
    const code = await child.exited, out = child.out();
    expect(code, child.err()).toBe(0);

    expect(out).toContain("init: reload of echo failed: E_ARG; the old instance keeps running");
    expect(out).toContain("reload: echo failed: E_ARG; the old instance keeps running");
    const [before, after] = json(out, '{"name":"echo"');
    const [reload] = json(out, '{"service":"echo"');
    expect(reload).toMatchObject({ ok: true, pid: before.pid, pid_before: before.pid, state: "running" });
    expect(after).toMatchObject({ state: "running", pid: before.pid, restarts: 0 });
    // The new code answers (build 2), and the count the old build kept moved to it.
    expect(out).toContain("client: echo build 2");
    expectClientSawNothingWrong(out);
    expect(out.lastIndexOf("client: round")).toBeGreaterThan(out.indexOf("client: echo build 2"));
  });

  it.each(["node", "wasmtime"])("quark ctl IMAGE svc reload echo, and a reload of a stopped service is refused (%s)", async (runtime) => {
    const img = await defaultImage("default");
    const r = quark(["ctl", "--runtime", runtime, img, "svc reload echo", "svc reload echo --json", "svc stop echo", "sleep 50", "svc reload echo"]);
    expect(r.code, r.stderr).toBe(1); // ctl's status: the last reload was refused
    expect(r.stdout).toMatch(/^reload: echo ok, pid \d+\n\{"service":"echo","ok":true,"error":0,"pid":(\d+),"pid_before":\1,"state":"running"\}\n/);
    expect(r.stdout).toContain("reload: echo refused: it is stopped\n");
  });
});
