// The entropy pool's AssemblyScript (hash, MAC, DRBG, health tests), compiled
// as the service compiles it and instantiated on its own, with byte-level
// helpers over its scratch buffer.
import { compileModule } from "../../tools/lib/compile";
import { repoRoot } from "../../tools/lib/root";

const root = repoRoot();

interface Exports {
  memory: WebAssembly.Memory;
  scratch(): number;
  sha256(p: number, len: number, out: number): void;
  sha256Pieces(p: number, len: number, step: number, out: number): void;
  sha256Words(p: number, n: number, out: number): void;
  hmac(key: number, keyLen: number, msg: number, msgLen: number, out: number): void;
  drbgNew(): void;
  drbgInstantiate(seed: number, len: number): void;
  drbgReseed(seed: number, len: number): void;
  drbgGenerate(out: number, n: number): number;
  rctCutoff(alphaLog2: number, h: number): number;
  aptCutoff(alphaLog2: number, h: number, w: number): number;
  aptWindow(binary: number): number;
  healthConfigure(s: number, alphaLog2: number, h: number, binary: number): void;
  healthFeed(s: number, x: number): number;
  healthFeedMany(s: number, p: number, n: number): number;
  healthRctFailures(s: number): number;
  healthAptFailures(s: number): number;
  healthIsHealthy(s: number): number;
}

export interface EntropyCode extends Exports {
  /** Copy `bytes` into scratch at `off`; their address. */
  put(bytes: Uint8Array, off?: number): number;
  /** `n` bytes of memory at address `p`. */
  get(p: number, n: number): Uint8Array;
}

let loaded: Promise<EntropyCode> | undefined;

export function entropyCode(): Promise<EntropyCode> {
  loaded ??= (async () => {
    const { wasm } = await compileModule({ kind: "service", entry: `${root}/tests/harness/as/entropy.ts`, root });
    const module = new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>);
    const abort = () => { throw new Error("abort in the entropy code"); };
    const ex = new WebAssembly.Instance(module, { env: { abort } }).exports as unknown as Exports;
    const base = ex.scratch();
    return {
      ...ex,
      put(bytes: Uint8Array, off = 0): number {
        new Uint8Array(ex.memory.buffer, base + off, bytes.length).set(bytes);
        return base + off;
      },
      get(p: number, n: number): Uint8Array { return new Uint8Array(ex.memory.buffer, p, n).slice(); },
    };
  })();
  return loaded;
}

