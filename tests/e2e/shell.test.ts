// The console's shell, driven the way a script drives it: commands on
// standard input, one result per command, a clean halt at end of input.
import { describe, expect, it, beforeAll } from "vitest";
import { image, quark, lifecycle } from "./helpers";

let wasm: string;
beforeAll(async () => { wasm = await image("default"); });

const SCRIPT = ["svc list", "svc stop echo", "sleep 30", "svc status echo", "svc stop echo", "svc start echo",
  "svc status echo --json", "svc restart nosuch", "svc list --json", "frobnicate",
  "svc pause log", "svc status log", "svc resume log",
  "svc disable memory", "sleep 30", "svc start memory", "svc enable memory", "svc start memory", "svc events memory --json", ""].join("\n");

describe.each(["node", "wasmtime"])("the shell under %s", (runtime) => {
  let out = "";
  let code: number | null = null;
  beforeAll(() => {
    const r = quark(["boot", wasm, "--runtime", runtime], { input: SCRIPT });
    out = r.stdout;
    code = r.code;
  });

  it("halts cleanly, exit 0, at the end of its input", () => {
    expect(code).toBe(0);
    expect(out).toMatch(/init: halting, code 0 \(asked by pid \d+\)\n/);
    expect(out).not.toContain("quark> "); // no prompts when the input is not a terminal
  });

  it("lists every service with its state, pid and restarts", () => {
    expect(out).toMatch(/SERVICE +STATE +HEALTH +PID +RESTARTS\n/);
    for (const name of ["log", "echo", "memory", "shell", "condrv"]) expect(out).toMatch(new RegExp(`\\n${name} +running +healthy +\\d+ +0\\n`));
  });

  it("stops a service gracefully and starts it again, and init logs who asked", () => {
    // stop waits until echo has stopped (echo exits when asked, NOTE_STOP), then answers.
    expect(out).toMatch(/init: stopping echo \(asked by pid \d+\)\n(.*\n)*?.*init: echo stopped\n(.*\n)*?stop: echo ok\n/);
    expect(out).toMatch(/echo: stopped, pid \d+, 0 restarts, 0 faults\n/);
    expect(out).toContain("stop: echo refused: it is stopped");
    expect(out).toMatch(/init: started echo \(asked by pid \d+\)\n(.*init: audit: .*\n)?start: echo ok\n/);
  });

  it("pauses and resumes a service", () => {
    expect(out).toMatch(/pause: log ok\nlog: paused, pid \d+/);
    expect(out).toContain("resume: log ok");
  });

  it("refuses to start a disabled service until it is enabled, and logs each step as an event", () => {
    expect(out).toContain("start: memory refused: it is disabled");
    expect(out).toMatch(/enable: memory ok\n(.*\n)*start: memory ok\n/);
    const events: { event: string }[] = JSON.parse(out.split("\n").find((l) => l.startsWith('[{"event":"started"'))!);
    expect(lifecycle(events)).toEqual(["started", "disabled", "stopping", "exited", "enabled", "started"]);
  });

  it("answers --json with JSON a script can read", () => {
    const lines = out.split("\n");
    const one = JSON.parse(lines.find((l) => l.startsWith('{"name":"echo"'))!);
    expect(one).toMatchObject({ name: "echo", state: "running", restarts: 0 });
    const all = JSON.parse(lines.find((l) => l.startsWith("[{"))!);
    expect(all.map((s: { name: string }) => s.name)).toEqual(["log", "echo", "memory", "devmgr", "qsched", "shell", "condrv"]);
  });

  it("names what it does not know, with a way forward", () => {
    expect(out).toContain("no service named nosuch (try svc list)");
    expect(out).toContain("unknown command: frobnicate (try help)");
  });
});

describe.each(["node", "wasmtime"])("quark ctl under %s", (runtime) => {
  it("runs one command and prints only its answer", () => {
    const r = quark(["ctl", "--runtime", runtime, wasm, "svc", "list", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout.trim());
    expect(rows.map((s: { name: string }) => s.name)).toEqual(["log", "echo", "memory", "devmgr", "qsched", "shell", "condrv"]);
  });

  it("runs several commands in order", () => {
    const r = quark(["ctl", "--runtime", runtime, wasm, "svc stop echo", "sleep 20", "svc status echo"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("stop: echo ok\necho: stopped, pid 3, 0 restarts, 0 faults\n");
  });
});

describe("svc check", () => {
  it("pings every running service now and reports their health", () => {
    const r = quark(["ctl", wasm, "svc check --json", "svc stop echo", "sleep 20", "svc check"]);
    expect(r.code, r.stderr).toBe(0);
    const [json, stop, summary, ...rows] = r.stdout.trim().split("\n");
    expect(JSON.parse(json)).toMatchObject({ pinged: 7, services: [
      { name: "log", health: "healthy" }, { name: "echo", health: "healthy" }, { name: "memory", health: "healthy" },
      { name: "devmgr", health: "healthy" }, { name: "qsched", health: "healthy" }, { name: "shell", health: "healthy" },
      { name: "condrv", health: "healthy" },
    ] });
    expect(stop).toBe("stop: echo ok");
    expect(summary).toMatch(/^pinged 6 services in \d+ µs$/);
    expect(rows).toContain("echo        unknown");
  });
});

describe("svc top and svc deps", () => {
  it("report per-service metrics and dependency relations", () => {
    const r = quark(["ctl", wasm, "svc top --json", "svc deps log --json", "svc deps echo"]);
    expect(r.code, r.stderr).toBe(0);
    const [topLine, depsLine, ...rest] = r.stdout.trim().split("\n");
    const top = JSON.parse(topLine);
    expect(top.map((s: { name: string }) => s.name)).toEqual(["log", "echo", "memory", "devmgr", "qsched", "shell", "condrv"]);
    const log = top.find((s: { name: string }) => s.name === "log");
    expect(log.messages).toBeGreaterThan(0); // every boot line went through it
    expect(log.uptime_ns).toBeGreaterThan(0);
    expect(top.find((s: { name: string }) => s.name === "memory").page_quota).toBe(2048);
    const deps = JSON.parse(depsLine);
    expect(deps).toEqual(expect.arrayContaining([{ relation: "required-by", service: "echo" }, { relation: "required-by", service: "memory" }]));
    expect(rest).toContain("echo requires log");
  });
});

describe("the audit trail", () => {
  it.each(["node", "wasmtime"])("logs who asked for each operation, through what, and the result, and reads it back (%s)", (runtime) => {
    const r = quark(["ctl", "--runtime", runtime, wasm, "svc stop echo", "svc start log", "sleep 20", "log 30"]);
    expect(r.code, r.stderr).toBe(1); // the start of log was refused: it runs already
    expect(r.stdout).toContain("start: log refused: it is running\n");
    expect(r.stdout).toMatch(/\n  \[ *\d+\.\d{6}\] init: audit: pid \d+ \(shell\), through its init capability: stop echo: ok\n/);
    expect(r.stdout).toMatch(/\n  \[ *\d+\.\d{6}\] init: audit: pid \d+ \(shell\), through its init capability: start log: E_STATE\n/);
  });
});
