// The real kernel module on a test bench: the HAL is the real one, and the
// processes are JavaScript functions the test supplies. A test's code runs as
// init (pid 1) inside quark_start, so it calls the kernel's syscalls directly
// as that process, with a Uint8Array as its private memory; `b.asProcess` runs
// more code as a process init spawned, with a page quota of its own, and
// `b.spawn` creates one whose entries (start, handle, notify, save) are
// JavaScript functions the kernel enters like any process's exports.
//
// With `instrument`, the kernel is a copy whose every function entry, return
// and loop header calls out to a counter (binaryen's log-execution pass):
// `b.steps()` is a deterministic measure of the work the kernel did for the
// syscalls of the process `b` runs as. Steps taken while another process's
// entry runs (a handler a call entered, a start, a save) are counted for that
// entry, not for the caller: a caller's count is the kernel's own work.
import binaryen from "binaryen";
import * as abi from "../../kernel/abi";
import { headerOnlyBootTable } from "../../tools/lib/boot-table";
import { compileModule } from "../../tools/lib/compile";
import { repoRoot } from "../../tools/lib/root";

const root = repoRoot();
type Modules = { kernel: WebAssembly.Module; counted: WebAssembly.Module; hal: WebAssembly.Module };
let modules: Promise<Modules> | undefined;

/** The kernel with a call to env.log_execution at every function entry, return and loop header. */
function counted(wasm: Uint8Array): WebAssembly.Module {
  const read = binaryen.readBinary as unknown as (data: Uint8Array, features: number) => binaryen.Module;
  const mod = read(wasm, binaryen.Features.All);
  try {
    // What AssemblyScript emits, and nothing newer (compact imports, ...) in the re-encoding.
    mod.setFeatures(binaryen.Features.MVP | binaryen.Features.MutableGlobals | binaryen.Features.SignExt |
      binaryen.Features.NontrappingFPToInt | binaryen.Features.BulkMemory | binaryen.Features.BulkMemoryOpt);
    mod.runPasses(["log-execution"]);
    return new WebAssembly.Module(mod.emitBinary() as Uint8Array<ArrayBuffer>);
  } finally {
    mod.dispose();
  }
}

function compiled() {
  modules ??= (async () => {
    const [k, h] = await Promise.all([
      compileModule({ kind: "kernel", entry: `${root}/kernel/index.ts`, root }),
      compileModule({ kind: "hal", entry: `${root}/hal/index.ts`, root }),
    ]);
    const wasm = k.wasm as Uint8Array<ArrayBuffer>;
    return { kernel: new WebAssembly.Module(wasm), counted: counted(wasm), hal: new WebAssembly.Module(h.wasm as Uint8Array<ArrayBuffer>) };
  })();
  return modules;
}

export type Kernel = Record<string, (...args: any[]) => any> & { memory: WebAssembly.Memory };

/** An entry of a process on the bench: its status (nothing: OK). */
export type Entry = (b: Bench, a0: number, a1: number) => number | void;
export interface Entries { start?: Entry; handle?: Entry; notify?: Entry; save?: Entry }
const ENTRY_NAMES: Record<number, keyof Entries> = {
  [abi.ENTRY_START]: "start", [abi.ENTRY_HANDLE]: "handle", [abi.ENTRY_NOTIFY]: "notify", [abi.ENTRY_SAVE]: "save",
};
export interface Spawned { slot: number; pid: number; status: number }

export interface Bench {
  k: Kernel;
  /** The HAL's exports (uart_rx_write, ...). */
  hal: Record<string, any>;
  /** The running process's private memory. */
  mem: Uint8Array;
  console: string[];
  /** Steps the kernel has taken for this entry's syscalls so far (function entries, returns, loop headers; not those of entries they ran); 0 unless instrumented. */
  steps(): number;
  /** The running process's fuel left (kernel work charged to it comes off this). */
  fuel(): bigint;
  /** Spawn a process with `quota` pages and run `body` as it, in its quark_start; returns what `body` returns. */
  asProcess<U>(quota: number, body: (b: Bench) => U, privateBytes?: number): U;
  /**
   * As the running process (it must hold init's boot capability): spawn a
   * process with `quota` pages whose entries are `entries` (a missing one is
   * INVOKE_NOENTRY), and start it unless `start` is false.
   */
  spawn(quota: number, entries?: Entries, opts?: { privateBytes?: number; start?: boolean }): Spawned;
  /** Replace the running process's entries. */
  setEntries(entries: Entries): void;
}

/** Any host import the HAL declares, with working now/console/random. */
function halImports(mod: WebAssembly.Module, out: string[], hal: () => any): WebAssembly.Imports {
  const t0 = performance.now();
  const host: Record<string, unknown> = {
    now: () => (performance.now() - t0) * 1e6,
    console_out: (p: number, n: number) => out.push(new TextDecoder().decode(new Uint8Array(hal().memory.buffer, p, n))),
    random_fill: (p: number, n: number) => crypto.getRandomValues(new Uint8Array(hal().memory.buffer, p, n)),
  };
  for (const i of WebAssembly.Module.imports(mod)) if (i.module === "host" && !(i.name in host)) host[i.name] = () => 0;
  return { host } as WebAssembly.Imports;
}

/**
 * Boot a fresh kernel with `frames` of RAM and run `body` as init. Returns
 * whatever `body` returns; a trap anywhere fails the test (nothing catches it).
 */
export async function asInit<T>(
  body: (b: Bench) => T, opts: { frames?: number; privateBytes?: number; instrument?: boolean } = {},
): Promise<T> {
  const { kernel: plain, counted: instrumented, hal } = await compiled();
  const kernel = opts.instrument ? instrumented : plain;
  // Steps per level of nested entries: the kernel's work for the syscalls of
  // the entry running at that level (1: init's start).
  const levelSteps: number[] = [0];
  let level = 0;
  const consoleLines: string[] = [];
  let halEx: any;
  halEx = new WebAssembly.Instance(hal, halImports(hal, consoleLines, () => halEx)).exports;
  halEx.hal_init();
  const mem = new Uint8Array(opts.privateBytes ?? 1 << 20);
  let k!: Kernel;
  let result: T | undefined;
  let thrown: unknown;
  const procMem = new Map<number, Uint8Array>([[1, mem]]);
  const procEntries = new Map<number, Entries>([[1, { start: (b) => { result = body(b); } }]]);
  const memories = (pid: number): Uint8Array | undefined =>
    pid === 0 ? new Uint8Array(k.memory.buffer) : pid === abi.COPY_HAL ? new Uint8Array(halEx.memory.buffer) : procMem.get(pid);
  let next: { entries: Entries; mem: Uint8Array } | undefined; // what the next host.spawn creates
  const bench = (m: Uint8Array, at: number): Bench => ({
    k, hal: halEx, mem: m, console: consoleLines, steps: () => levelSteps[at] ?? 0,
    fuel: () => (k.fuel as unknown as WebAssembly.Global).value as bigint,
    spawn(quota, entries = {}, o = {}) {
      next = { entries, mem: new Uint8Array(o.privateBytes ?? 1 << 20) };
      const slot = k.proc_spawn(abi.INIT_SLOT_BOOT, 1);
      next = undefined;
      if (slot < 0) throw new Error(`proc_spawn: ${slot}`);
      if (k.proc_quota(slot, quota) !== abi.OK) throw new Error("proc_quota failed");
      const pid = k.proc_info(slot, abi.PI_PID);
      const status = o.start === false ? abi.OK : k.proc_start(slot);
      return { slot, pid, status };
    },
    asProcess<U>(quota: number, run: (b: Bench) => U, privateBytes = 1 << 20): U {
      let out: U | undefined, err: unknown, ran = false;
      const once: Entry = (b) => {
        if (ran) return;
        ran = true;
        try { out = run(b); } catch (e) { err = e; }
      };
      const { status } = this.spawn(quota, { start: once }, { privateBytes });
      if (err) throw err;
      if (!ran) throw new Error(`proc_start: ${status}`);
      return out as U;
    },
    setEntries(entries) { procEntries.set(k.self(), entries); },
  });
  const inst = new WebAssembly.Instance(kernel, {
    // binaryen names the counter's import after the module of the kernel's first
    // import, which depends on the order code first uses them: offer it in both.
    hal: { ...halEx, log_execution: () => { levelSteps[level]++; } },
    host: {
      log_execution: () => { levelSteps[level]++; },
      invoke: (pid: number, entry: number, a0: number, a1: number) => {
        const run = procEntries.get(pid)?.[ENTRY_NAMES[entry]];
        if (!run) return abi.INVOKE_NOENTRY;
        level++;
        levelSteps[level] ??= 0;
        try {
          const r = run(bench(procMem.get(pid)!, level), a0, a1);
          return typeof r === "number" ? r : abi.OK;
        } catch (e) {
          // Init's start is the outermost entry: what its body throws fails the test.
          if (pid !== 1) throw e;
          thrown = e;
          return abi.OK;
        } finally {
          level--;
        }
      },
      // A fresh instance takes the entries and memory the bench's spawn set up;
      // a restart, or a reload's staged instance, keeps the process's own.
      spawn: (pid: number, _module: number, op: number) => {
        if (op === 0 && next) {
          procEntries.set(pid, next.entries);
          procMem.set(pid, next.mem);
          next = undefined;
        }
        return abi.OK;
      },
      kill: () => {},
      copy: (sp: number, s: number, dp: number, d: number, n: number) => {
        s >>>= 0; d >>>= 0; n >>>= 0;
        const a = memories(sp), b = memories(dp);
        if (!a || !b || s + n > a.length || d + n > b.length) return abi.E_FAULT;
        b.set(a.slice(s, s + n), d);
        return abi.OK;
      },
    },
  });
  k = inst.exports as unknown as Kernel;
  const table = headerOnlyBootTable(1, opts.frames ?? 1024); // init is module 1
  const at = k.boot_buffer(table.length);
  new Uint8Array(k.memory.buffer, at, table.length).set(table);
  const status = k.boot(0);
  if (status !== abi.OK) throw new Error(`kernel.boot failed with ${status}: ${consoleLines.join("")}`);
  if (thrown) throw thrown;
  return result as T;
}
