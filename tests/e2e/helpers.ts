// Shared by the end-to-end tests: build images once, run the real CLI, and
// compare boot logs with their timings taken out.
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { buildImage } from "../../tools/lib/build";
import { repoRoot } from "../../tools/lib/root";

export const root = repoRoot();

const built = new Map<string, Promise<string>>();

/** Build images/<name>.toml (once per test process); the image's path. */
export function image(name: string): Promise<string> {
  let p = built.get(name);
  if (!p) {
    p = buildImage(join(root, "images", `${name}.toml`), { root }).then((r) => r.out);
    built.set(name, p);
  }
  return p;
}

/** Run `quark ARGS...` as a user would, through bin/quark.mjs. */
export function quark(args: string[], opts: { input?: string; timeoutMs?: number } = {}) {
  const r = spawnSync(process.execPath, [join(root, "bin", "quark.mjs"), ...args], {
    cwd: root,
    encoding: "utf8",
    input: opts.input ?? "",
    timeout: opts.timeoutMs ?? 180_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A boot log with time stamps and durations replaced, for comparing hosts. */
export function withoutTimings(log: string): string {
  return log
    .replace(/^\[\s*\d+\.\d+\] /gm, "[T] ")
    .replace(/\d+(\.\d+)? (ms|µs)/g, "N $2");
}

// Events of the registry and of health checks, which come and go with the
// health interval; tests about the lifecycle look at the others.
const MONITORING = new Set(["healthy", "degraded", "unhealthy", "registered", "unregistered"]);

/** The lifecycle events among `events` (svc events --json), by name. */
export function lifecycle(events: { event: string }[]): string[] {
  return events.map((e) => e.event).filter((e) => !MONITORING.has(e));
}

/**
 * `quark boot IMAGE --runtime R` with its standard input open for shell
 * commands: `until(pattern)` resolves once the console shows it; `out()` and
 * `err()` are what it printed so far; `exited` is its exit code.
 */
export function bootInteractive(image: string, runtime: string) {
  const child = spawn(process.execPath, [join(root, "bin", "quark.mjs"), "boot", image, "--runtime", runtime], { cwd: root });
  let out = "";
  let err = "";
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    out += d;
    for (const w of waiters.splice(0)) if (w.pattern.test(out)) w.resolve(); else waiters.push(w);
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  const exited = new Promise<number | null>((res) => child.on("close", (code) => res(code)));
  const until = (pattern: RegExp) => new Promise<void>((resolve) => {
    if (pattern.test(out)) resolve(); else waiters.push({ pattern, resolve });
  });
  return { stdin: child.stdin, until, exited, out: () => out, err: () => err };
}

/** Polls `ok` every 50 ms for up to `ms`; its last answer. */
export async function until(ok: () => boolean, ms: number): Promise<boolean> {
  for (const t0 = Date.now(); Date.now() - t0 < ms;) {
    if (ok()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return ok();
}

/**
 * `quark boot IMAGE --runtime RUNTIME --control SOCK` as a child process, its
 * console collected in `console`; the socket is in a fresh directory.
 */
export function bootControlled(wasm: string, runtime: string) {
  const sock = join(mkdtempSync(join(tmpdir(), "quark-control-")), "quark.sock");
  const boot = spawn(process.execPath, [join(root, "bin", "quark.mjs"), "boot", wasm, "--runtime", runtime, "--control", sock],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  const run = { sock, boot, console: "", exited: new Promise<number | null>((r) => boot.on("exit", (code) => r(code))) };
  boot.stdout!.on("data", (b) => { run.console += b; });
  return run;
}
