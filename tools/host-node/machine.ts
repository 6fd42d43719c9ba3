// The Node board: instantiates the HAL, the kernel and processes, and
// provides the kernel's host imports. invoke and copy are the only host code
// on the per-message path; both are plain functions that allocate nothing in
// the common case.
import * as abi from "../../kernel/abi";
import type { BootImage } from "./image";
import { rereadModule } from "../board/reload";
import { linkTarget, syscallExports } from "../lib/linkable";
import { prepareService } from "../board/services";
import { InstancePool } from "./recycle";
import { INIT_EXPORT, RESET_EXPORT } from "../loader/reset-name";
import { createHash, randomFillSync } from "node:crypto";
import { KERNEL_MODULE_NAME } from "../lib/abi-texts";

export interface Trap {
  pid: number;
  /** The module the process runs (its service's name). */
  name: string;
  message: string;
  /** The innermost frame was the kernel's: a kernel bug, never a service's fault. */
  inKernel: boolean;
}

// V8 names a frame's module from its "name" section: wasm://wasm/<name>-<hash>.
const KERNEL_FRAME = new RegExp(`wasm://wasm/${KERNEL_MODULE_NAME}-[0-9a-f]+:`);

export interface MachineOptions {
  /** Console bytes (default: standard output). */
  out?: (bytes: Uint8Array) => void;
  /** Called for every trap a process takes (diagnostics; --verbose). */
  onTrap?: (t: Trap) => void;
  /** When the host started (performance.now()); the machine's clock counts from it. */
  t0?: number;
  /** The image file booted: a hot reload (spawn with SPAWN_STAGE) reads the new build from it. Without it, a reload reinstantiates the booted module. */
  imagePath?: string;
  /** Host diagnostics (default: standard error). */
  err?: (line: string) => void;
  /** Say on stderr why a module cannot be spawned, each time it is asked for (as the wasmtime host does). */
  verbose?: boolean;
  /** The service loader's flags (kernel/abi.ts LOADER_*): only `quark bench` sets one, to measure what a guard costs. */
  loaderFlags?: number;
  /** Recycle dead instances (default: unless the environment has QUARK_RECYCLE=0, the bench's comparison). */
  recycle?: boolean;
}

type Entry = (a0: number, a1: number) => number;
/** An instance as a process holds it; `module` and `reset` for recycling (./recycle.ts). */
interface Live { entries: (Entry | undefined)[]; memory: WebAssembly.Memory | undefined; module: WebAssembly.Module; reset: (() => void) | undefined }
// Indexed by ENTRY_* number.
const ENTRY_NAMES = ["quark_start", "quark_handle", "quark_notify", "quark_save"];
const SYSCALLS = syscallExports();

export class NodeMachine {
  readonly kernel: Record<string, any>;
  readonly hal: Record<string, any>;
  private readonly entries: (Entry | undefined)[] = new Array(abi.MAX_PROCS * abi.ENTRY_COUNT).fill(undefined);
  // Per pid, and at COPY_HAL the HAL's: what host.copy reaches.
  private readonly memories: (WebAssembly.Memory | undefined)[] = new Array(abi.COPY_HAL + 1).fill(undefined);
  private readonly views: Uint8Array[] = new Array(abi.COPY_HAL + 1).fill(new Uint8Array(0));
  private readonly imports: (WebAssembly.Imports | string | undefined)[];
  // Per module index: the service module as the loader rewrote it (metered), compiled.
  private readonly loaded: (WebAssembly.Module | undefined)[] = [];
  // Hot reload: per pid, an instance staged beside the live one (SPAWN_STAGE), until swapped or discarded.
  private readonly staged: (Live | undefined)[] = new Array(abi.MAX_PROCS).fill(undefined);
  // Per pid, the live instance's module and reset, so that kill can recycle it.
  private readonly live: (Live | undefined)[] = new Array(abi.MAX_PROCS).fill(undefined);
  private readonly pool: InstancePool<Live>;
  private made = 0;
  // Reloaded modules by the sha256 of their bytes: reloading a build again reuses its instances.
  private readonly reloaded = new Map<string, [WebAssembly.Module | undefined, WebAssembly.Imports | string]>();
  private readonly t0: number;
  readonly traps: Trap[] = [];
  // Per pid, the name of the module it runs: a trap's line names the service.
  private readonly names: string[] = new Array(abi.MAX_PROCS).fill("");
  /** The first trap inside the kernel, if any: the run loop stops on it. */
  kernelTrap: Trap | undefined;

  constructor(private readonly image: BootImage, private readonly opts: MachineOptions = {}) {
    this.t0 = opts.t0 ?? performance.now();
    this.pool = new InstancePool<Live>(opts.recycle ?? process.env.QUARK_RECYCLE !== "0");
    const out = opts.out ?? ((b: Uint8Array) => { process.stdout.write(b); });
    // A service's entry stays undefined until its first spawn links it (compiled()).
    this.imports = image.modules.map((_, i) => (i === 0 ? "the HAL is not a process" : undefined));
    const halInstance = new WebAssembly.Instance(image.hal, {
      host: {
        now: () => (performance.now() - this.t0) * 1e6,
        console_out: (ptr: number, len: number) => out(new Uint8Array(this.hal.memory.buffer, ptr, len).slice()),
        random_fill: (ptr: number, len: number) => this.randomFill(ptr, len),
      },
    });
    this.hal = halInstance.exports as Record<string, any>;
    this.hal.hal_init();
    const kernelInstance = new WebAssembly.Instance(image.kernel, {
      hal: this.hal,
      host: {
        invoke: this.invoke,
        spawn: (pid: number, module: number, flags: number) => this.spawn(pid, module, flags),
        kill: (pid: number) => this.kill(pid),
        copy: this.copy,
      },
    });
    this.kernel = kernelInstance.exports as Record<string, any>;
    this.memories[abi.PID_KERNEL] = this.kernel.memory as WebAssembly.Memory;
    // The kernel moves a device's DMA between its frames and the HAL's memory (kernel/dma.ts).
    this.memories[abi.COPY_HAL] = this.hal.memory as WebAssembly.Memory;
  }

  /** Module `index` compiled (./image.ts) and linked, or why it cannot be; linked at its first spawn. */
  private compiled(index: number): [WebAssembly.Module | undefined, WebAssembly.Imports | string] {
    let imports = this.imports[index];
    if (imports === undefined) {
      const loaded = this.image.services[index] ?? "not a service module";
      if (typeof loaded !== "string") this.loaded[index] = loaded;
      imports = this.imports[index] = typeof loaded === "string" ? loaded : this.link(loaded);
    }
    return [this.loaded[index], imports];
  }

  /**
   * A reloaded service module through the service loader (./loader.ts), which
   * adds the CPU and stack charges, compiled; a string says why it cannot be
   * (a refusal is a link failure: spawn answers E_LINK).
   */
  private load(name: string, bytes: Uint8Array, sha256?: string): WebAssembly.Module | string {
    // The loader and the link policy, as the board applies them for every engine (tools/board/services.ts).
    const prepared = prepareService(bytes, name, this.opts.loaderFlags ?? 0, sha256);
    if (prepared.refused !== undefined) return prepared.refused;
    try {
      return new WebAssembly.Module(prepared.wasm as Uint8Array<ArrayBuffer>);
    } catch (e) {
      return (e as Error).message;
    }
  }

  private linked(mod: WebAssembly.Module | string): [WebAssembly.Module | undefined, WebAssembly.Imports | string] {
    return typeof mod === "string" ? [undefined, mod] : [mod, this.link(mod)];
  }

  /** Resolve a module's imports against the kernel's syscalls once; a string says why it cannot link. */
  private link(mod: WebAssembly.Module): WebAssembly.Imports | string {
    const quark: Record<string, unknown> = {};
    const env: Record<string, unknown> = {};
    for (const imp of WebAssembly.Module.imports(mod)) {
      const target = linkTarget(SYSCALLS, imp.module, imp.name);
      if ("refused" in target) return target.refused;
      const fn = this.kernel[target.export];
      if (fn === undefined) return `import ${imp.module}.${imp.name} is not provided by the kernel`;
      (imp.module === "quark" ? quark : env)[imp.name] = fn;
    }
    return { quark, env } as WebAssembly.Imports;
  }

  // The trap-isolating trampoline: a trap in the callee stops here, never in the kernel's frame.
  private readonly invoke = (pid: number, entry: number, a0: number, a1: number): number => {
    const f = this.entries[pid * abi.ENTRY_COUNT + entry];
    if (f === undefined) return abi.INVOKE_NOENTRY;
    try {
      const r = f(a0, a1);
      // A handler's own status must never read as the trampoline's verdict.
      return r === abi.INVOKE_TRAPPED || r === abi.INVOKE_NOENTRY ? abi.E_ARG : r;
    } catch (e) {
      this.trapped(pid, e);
      return abi.INVOKE_TRAPPED;
    }
  };

  private trapped(pid: number, e: unknown): void {
    const stack = e instanceof Error ? e.stack ?? "" : "";
    const innermost = stack.split("\n").find((l) => l.includes("wasm://")) ?? "";
    const t = { pid, name: this.names[pid] ?? "", message: e instanceof Error ? e.message : String(e), inKernel: KERNEL_FRAME.test(innermost) };
    if (t.inKernel) this.kernelTrap ??= t;
    if (this.traps.length < 1000) this.traps.push(t);
    this.opts.onTrap?.(t);
  }

  private readonly copy = (sp: number, s: number, dp: number, d: number, len: number): number => {
    s >>>= 0; d >>>= 0; len >>>= 0;
    const src = this.view(sp), dst = this.view(dp);
    if (src === undefined || dst === undefined || s + len > src.length || d + len > dst.length) return abi.E_FAULT;
    if (len === 0) return abi.OK;
    if (src === dst) dst.copyWithin(d, s, s + len);
    else dst.set(src.subarray(s, s + len), d);
    return abi.OK;
  };

  /** A byte view of `pid`'s memory, renewed after the memory grows. */
  private view(pid: number): Uint8Array | undefined {
    const m = this.memories[pid];
    if (m === undefined) return undefined;
    let v = this.views[pid];
    if (v.buffer !== m.buffer) { v = new Uint8Array(m.buffer); this.views[pid] = v; }
    return v;
  }

  private spawn(pid: number, module: number, flags: number): number {
    if (pid <= 0 || pid >= abi.MAX_PROCS) return abi.E_ARG;
    if (flags === abi.SPAWN_SWAP) return this.swap(pid);
    if (flags === abi.SPAWN_DISCARD) { this.recycle(this.staged[pid]); this.staged[pid] = undefined; return abi.OK; }
    if (flags !== 0 && flags !== abi.SPAWN_STAGE) return abi.E_ARG;
    if (module <= 0 || module >= this.image.modules.length) return abi.E_NOMODULE;
    this.names[pid] = this.image.modules[module].name;
    let [mod, imports] = this.compiled(module);
    if (flags === abi.SPAWN_STAGE) {
      const fresh = this.rebuilt(pid, module);
      if (typeof fresh === "number") return fresh;
      [mod, imports] = fresh;
    }
    if (typeof imports === "string" || mod === undefined) {
      if (this.opts.verbose) this.say(`quark: pid ${pid} (${this.image.modules[module].name}) ${imports}`);
      return abi.E_LINK;
    }
    if (flags === 0) this.kill(pid);
    else { this.recycle(this.staged[pid]); this.staged[pid] = undefined; }
    const made = this.instantiate(pid, mod, imports);
    if (typeof made === "number") return made;
    if (flags === abi.SPAWN_STAGE) { this.staged[pid] = made; return abi.OK; }
    this.install(pid, made);
    return abi.OK;
  }

  /**
   * An instance of `mod` ready to run as `pid`: a dead one of the same module
   * put back as new by its quark_reset, or a new one set up by its quark_init
   * (tools/loader/reset.ts); or an error code. The module's start code runs
   * here, inside the kernel's host.spawn, metered as `pid`; a trap in it is
   * the spawn's E_CRASHED, and the instance goes back to the pool.
   */
  private instantiate(pid: number, mod: WebAssembly.Module, imports: WebAssembly.Imports): Live | number {
    let inst = this.pool.take(mod);
    let setUp = inst?.reset;
    if (inst === undefined) {
      let made: WebAssembly.Instance;
      try {
        made = new WebAssembly.Instance(mod, imports);
      } catch (e) {
        this.trapped(pid, e);
        return e instanceof WebAssembly.LinkError ? abi.E_LINK : abi.E_CRASHED;
      }
      const fresh = this.exportsOf(made, mod);
      this.made++;
      inst = fresh;
      setUp = fresh.init;
    }
    try {
      setUp?.();
    } catch (e) {
      this.trapped(pid, e);
      this.recycle(inst);
      return abi.E_CRASHED;
    }
    return inst;
  }

  private exportsOf(made: WebAssembly.Instance, module: WebAssembly.Module): Live & { init: (() => void) | undefined } {
    const ex = made.exports as Record<string, unknown>;
    const entries: (Entry | undefined)[] = [];
    for (let i = 0; i < abi.ENTRY_COUNT; i++) {
      const f = ex[ENTRY_NAMES[i]];
      entries.push(typeof f === "function" ? (f as Entry) : undefined);
    }
    const memory = ex.memory instanceof WebAssembly.Memory ? ex.memory : undefined;
    const fn = (name: string) => (typeof ex[name] === "function" ? (ex[name] as () => void) : undefined);
    return { entries, memory, module, reset: fn(RESET_EXPORT), init: fn(INIT_EXPORT) };
  }

  /** Make `inst` pid's live instance. */
  private install(pid: number, inst: Live): void {
    for (let i = 0; i < abi.ENTRY_COUNT; i++) this.entries[pid * abi.ENTRY_COUNT + i] = inst.entries[i];
    this.memories[pid] = inst.memory;
    this.views[pid] = new Uint8Array(0);
    this.live[pid] = inst;
  }

  /** A dead instance goes back to its module's pool if it can be reset (never for a module without quark_reset). */
  private recycle(inst: Live | undefined): void {
    if (inst?.reset !== undefined) this.pool.give(inst.module, inst);
  }

  /** Exchange pid's live and staged instances (hot reload). */
  private swap(pid: number): number {
    const st = this.staged[pid];
    if (st === undefined) return abi.E_ARG;
    this.staged[pid] = this.live[pid];
    this.install(pid, st);
    return abi.OK;
  }

  /**
   * Module `index` as the image file holds it now (it may have been rebuilt
   * since boot), compiled and linked; or an error code, said on stderr.
   */
  private rebuilt(pid: number, index: number): [WebAssembly.Module | undefined, WebAssembly.Imports | string] | number {
    const booted = this.image.modules[index];
    const path = this.opts.imagePath;
    if (path === undefined) return this.compiled(index);
    // The board reads the file again through the same check as at boot, as for every engine (tools/board/reload.ts).
    const bytes = rereadModule(path, booted.name, pid, index, (l) => this.say(l));
    if (typeof bytes === "number") return bytes;
    const key = createHash("sha256").update(bytes).digest("hex");
    let known = this.reloaded.get(key);
    if (known === undefined) {
      const same = Buffer.from(bytes).equals(Buffer.from(booted.bytes));
      known = same ? this.compiled(index) : this.linked(this.load(booted.name, bytes));
      this.reloaded.set(key, known);
    }
    return known;
  }

  private say(line: string): void {
    if (this.opts.err) this.opts.err(line);
    else process.stderr.write(line + "\n");
  }

  private kill(pid: number): void {
    if (pid <= 0 || pid >= abi.MAX_PROCS) return;
    for (let i = 0; i < abi.ENTRY_COUNT; i++) this.entries[pid * abi.ENTRY_COUNT + i] = undefined;
    this.memories[pid] = undefined;
    this.views[pid] = new Uint8Array(0);
    this.recycle(this.live[pid]);
    this.recycle(this.staged[pid]);
    this.live[pid] = undefined;
    this.staged[pid] = undefined;
  }

  /** Instances made since boot, and those waiting in pools (tests and the bench). */
  instanceCounts(): { made: number; pooled: number } { return { made: this.made, pooled: this.pool.size() }; }

  // The HAL's entropy device asks for a few hundred bytes at a time; a bad
  // range is ignored rather than thrown, since a throw would trap the HAL.
  private randomFill(ptr: number, len: number): void {
    ptr >>>= 0; len >>>= 0;
    const mem = this.hal.memory.buffer as ArrayBuffer;
    if (ptr + len > mem.byteLength) return;
    // node:crypto's own call: Web Crypto's getRandomValues costs a boot ~4 ms to load on first use.
    randomFillSync(new Uint8Array(mem, ptr, len));
  }

  /** Nanoseconds on the machine's clock (the HAL's). */
  now(): number { return (performance.now() - this.t0) * 1e6; }

  /** Why module `i` cannot be spawned, or undefined. */
  linkProblem(i: number): string | undefined {
    const r = this.imports[i];
    return typeof r === "string" ? r : undefined;
  }
}
