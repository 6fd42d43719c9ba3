// Dead instances kept for reuse, per module (docs/architecture.md, Recycled
// instances). A module the loader made resettable (tools/loader/reset.ts)
// can have a dead instance put back exactly as new by its quark_reset, which
// is cheaper than instantiating and, under wasmtime, the only way to keep
// memory bounded: its store never frees an instance. At most 2 × MAX_PROCS
// wait per module, as many as could ever be alive at once (a live and a
// staged one per pid), so a pool never grows past what the machine once
// used. The wasmtime host keeps the same pools (shim.c, shim.py).
import * as abi from "../../kernel/abi";

export const POOL_MAX = 2 * abi.MAX_PROCS;

export class InstancePool<T> {
  private readonly free = new Map<object, T[]>();
  private pooled = 0;

  /** `enabled` false: nothing is kept, every spawn instantiates (the bench's comparison). */
  constructor(private readonly enabled: boolean) {}

  take(module: object): T | undefined {
    const list = this.free.get(module);
    const inst = list?.pop();
    if (inst !== undefined) this.pooled--;
    return inst;
  }

  give(module: object, inst: T): void {
    if (!this.enabled) return;
    let list = this.free.get(module);
    if (list === undefined) { list = []; this.free.set(module, list); }
    if (list.length >= POOL_MAX) return;
    list.push(inst);
    this.pooled++;
  }

  /** Instances waiting, over every module. */
  size(): number { return this.pooled; }
}
