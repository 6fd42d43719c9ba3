// One process lifecycle, 100 000 times in one boot, under both hosts: an
// image whose init is qc-cycle (userland/conformance/qc-cycle/) spawns and
// kills victims, restarts one after traps and hot-reloads one, through the
// syscalls alone, and checks that pids, capability slots and frames all come
// back, that a capability to a freed pid is revoked even once the pid is
// reused, and that every new process runs on a pristine instance (a recycled
// one put back by its quark_reset, tools/loader/reset.ts). The host's peak
// memory must not grow with the number of cycles.
import { describe, expect, it, beforeAll } from "vitest";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import * as abi from "../../kernel/abi";
import { buildImage } from "../../tools/lib/build";
import { compileModule } from "../../tools/lib/compile";
import { readImage, linkImage } from "../../tools/lib/image";
import { withModuleName } from "../../tools/lib/wasm-sections";
import { root } from "./helpers";

const dir = join(root, "build", "test-lifecycle");
const MAX_PAGES = 4; // qc-cycle/driver.ts: MAX_PAGES

/** A boot table with no services, whose words after the header are the driver's cycle counts. */
function bootTable(spawns: number, restarts: number, reloads: number): Uint8Array {
  const size = abi.BT_HEADER_BYTES + 12;
  const t = new DataView(new ArrayBuffer(size));
  t.setUint32(abi.BT_MAGIC_OFF, abi.BT_MAGIC, true);
  t.setUint32(abi.BT_ABI_VERSION, abi.ABI_VERSION, true);
  t.setUint32(abi.BT_INIT_MODULE, 1, true);
  t.setUint32(abi.BT_SIZE, size, true);
  [spawns, restarts, reloads].forEach((n, i) => t.setUint32(abi.BT_HEADER_BYTES + 4 * i, n, true));
  return new Uint8Array(t.buffer);
}

let parts: { kernel: Uint8Array; hal: Uint8Array; init: Uint8Array };

function writeImage(name: string, spawns: number, restarts: number, reloads: number): string {
  const file = join(dir, `${name}.wasm`);
  writeFileSync(file, linkImage({ ...parts, services: [], manifestJson: { name, services: [] }, bootTable: bootTable(spawns, restarts, reloads) }));
  return file;
}

interface Run { code: number | null; stdout: string; stderr: string; maxRssKiB: number }

/**
 * `quark boot IMAGE --runtime R`, and the peak resident memory of the
 * largest process it ran (the Node process itself, or the wasmtime host's
 * Python process): getrusage(RUSAGE_CHILDREN) of a wrapper that waited for it.
 */
function boot(image: string, runtime: string, extra: string[] = []): Run {
  const script = [
    "import resource, subprocess, sys",
    "r = subprocess.run(sys.argv[1:], capture_output=True)",
    "sys.stdout.write(r.stdout.decode()); sys.stderr.write(r.stderr.decode())",
    "print('maxrss %d' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)",
    "sys.exit(r.returncode)",
  ].join("\n");
  const r = spawnSync("python3", ["-c", script, process.execPath, join(root, "bin", "quark.mjs"), "boot", image, "--runtime", runtime, ...extra],
    { cwd: root, encoding: "utf8", timeout: 240_000 });
  const rss = /^maxrss (\d+)$/m.exec(r.stdout);
  return { code: r.status, stdout: r.stdout.replace(/^maxrss \d+\n/m, ""), stderr: r.stderr, maxRssKiB: rss ? Number(rss[1]) : NaN };
}

describe("100 000 process lives in one boot", () => {
  let full = "";
  let short = "";
  let past = "";
  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    const built = await buildImage(join(root, "images", "default.toml"), { root, out: join(dir, "default.wasm") });
    const img = readImage(new Uint8Array(readFileSync(built.out)));
    const qc = await compileModule({
      kind: "service", root, name: "qc-cycle", memoryMaxPages: MAX_PAGES,
      entry: join(root, "userland", "conformance", "qc-cycle", "index.ts"),
    });
    parts = { kernel: img.kernel.bytes, hal: img.modules[0].bytes, init: withModuleName(qc.wasm, "init") };
    // 90 000 spawn/kill, 9 000 restarts after a trap, 1 000 hot reloads (each reads the image file again).
    full = writeImage("cycle-100k", 90_000, 9_000, 1_000);
    short = writeImage("cycle-1k", 900, 90, 10);
    // Past the 10 000 instances a wasmtime store holds, for the slow Python trampoline.
    past = writeImage("cycle-12k", 12_000, 90, 10);
  }, 240_000);

  it.each(["node", "wasmtime"])("never runs out of pids, slots, frames or host memory (%s)", (runtime) => {
    const small = boot(short, runtime);
    expect(small.code, small.stdout + small.stderr).toBe(0);
    const r = boot(full, runtime);
    expect(r.stdout, r.stderr).not.toMatch(/FAIL/);
    const summary = /qc-cycle: 100000 cycles \(90000 spawn\/kill, 9000 restarts, 1000 reloads\), 0 failures; processes (\d+) -> (\d+), free slots (\d+) -> (\d+), free frames (\d+) -> (\d+)/.exec(r.stdout);
    expect(summary, r.stdout.slice(-2000) + r.stderr).not.toBeNull();
    const [, p0, p1, s0, s1, f0, f1] = summary!;
    expect([p1, s1, f1]).toEqual([p0, s0, f0]);
    expect(r.code).toBe(0);
    // Bounded memory: 100 times the cycles may cost the host at most 64 MiB
    // more at its peak than the short run. An instance of qc-cycle holds at
    // least 64 KiB of memory, so keeping one per life (as a wasmtime store did
    // before instances were recycled) would need over 6 GB for 100 000.
    console.log(`${runtime}: ${summary![0]}; peak RSS ${small.maxRssKiB} KiB after 1 000 cycles, ${r.maxRssKiB} KiB after 100 000`);
    expect(r.maxRssKiB - small.maxRssKiB, `peak RSS ${small.maxRssKiB} KiB -> ${r.maxRssKiB} KiB`).toBeLessThan(64 * 1024);
  }, 480_000);

  it("recycles the same way through the wasmtime host's Python trampoline (12 100 lives, past a store's 10 000 instances)", () => {
    const r = boot(past, "wasmtime", ["--python-trampoline"]);
    expect(r.stdout).toMatch(/qc-cycle: 12100 cycles \(12000 spawn\/kill, 90 restarts, 10 reloads\), 0 failures/);
    expect(r.code, r.stdout.slice(-2000) + r.stderr).toBe(0);
  }, 240_000);
});
