// The real kernel module on a test bench: the HAL is the real one, and the
// processes are JavaScript functions the test supplies. A test's code runs as
// init (pid 1) inside quark_start, so it calls the kernel's syscalls directly
// as that process, with a Uint8Array as its private memory.
import * as abi from "../../kernel/abi";
import { compileModule } from "../../tools/lib/compile";
import { repoRoot } from "../../tools/lib/root";

const root = repoRoot();
let modules: Promise<{ kernel: WebAssembly.Module; hal: WebAssembly.Module }> | undefined;

function compiled() {
  modules ??= (async () => {
    const [k, h] = await Promise.all([
      compileModule({ kind: "kernel", entry: `${root}/kernel/index.ts`, root }),
      compileModule({ kind: "hal", entry: `${root}/hal/index.ts`, root }),
    ]);
    return { kernel: new WebAssembly.Module(k.wasm as Uint8Array<ArrayBuffer>), hal: new WebAssembly.Module(h.wasm as Uint8Array<ArrayBuffer>) };
  })();
  return modules;
}

export type Kernel = Record<string, (...args: any[]) => any> & { memory: WebAssembly.Memory };

export interface Bench {
  k: Kernel;
  /** init's private memory. */
  mem: Uint8Array;
  console: string[];
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
export async function asInit<T>(body: (b: Bench) => T, opts: { frames?: number; privateBytes?: number } = {}): Promise<T> {
  const { kernel, hal } = await compiled();
  const consoleLines: string[] = [];
  let halEx: any;
  halEx = new WebAssembly.Instance(hal, halImports(hal, consoleLines, () => halEx)).exports;
  halEx.hal_init();
  const mem = new Uint8Array(opts.privateBytes ?? 1 << 20);
  let k!: Kernel;
  let result: T | undefined;
  let thrown: unknown;
  const memories = (pid: number): Uint8Array | undefined =>
    pid === 0 ? new Uint8Array(k.memory.buffer) : pid === 1 ? mem : undefined;
  const inst = new WebAssembly.Instance(kernel, {
    hal: halEx,
    host: {
      invoke: (pid: number, entry: number) => {
        if (pid !== 1 || entry !== abi.ENTRY_START) return abi.INVOKE_NOENTRY;
        try { result = body({ k, mem, console: consoleLines }); } catch (e) { thrown = e; }
        return abi.OK;
      },
      spawn: (pid: number) => (pid === 1 ? abi.OK : abi.E_NOMODULE),
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
  const table = new Uint8Array(abi.BT_HEADER_BYTES);
  const v = new DataView(table.buffer);
  v.setUint32(0, abi.BT_MAGIC, true);
  v.setUint32(4, abi.ABI_VERSION, true);
  v.setUint32(12, 1, true);
  v.setUint32(abi.BT_SIZE, table.length, true);
  v.setUint32(abi.BT_RAM_FRAMES, opts.frames ?? 1024, true);
  const at = k.boot_buffer(table.length);
  new Uint8Array(k.memory.buffer, at, table.length).set(table);
  const status = k.boot(0);
  if (status !== abi.OK) throw new Error(`kernel.boot failed with ${status}: ${consoleLines.join("")}`);
  if (thrown) throw thrown;
  return result as T;
}
