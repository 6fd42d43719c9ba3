// A victim: every process of qc-cycle but the driver. At each start it checks
// that its instance is as a fresh one (its globals, a data segment, zeroed
// memory, the allocator), then spoils all of it, maps and writes a page of
// kernel-managed memory, and grows its memory by a page: whatever instance the
// host gives the next process of this module must not show any of it.
import { sys, arg, reply, OK, E_ARG, VM_READ, VM_WRITE, PAGE_SIZE } from "../../lib";
import { T_VERDICT, T_CRASH, T_SIZE, T_GROW, DIRTY_GLOBAL, DIRTY_DATA, DIRTY_ZERO, T_PROBE, VICTIM_VADDR } from "./protocol";

let lives = 0; // 1 once an instance has started
let verdict = 0;
const pattern: StaticArray<u32> = [0x01234567, 0x89abcdef, 0xdeadbeef, 0x0badf00d]; // a data segment
const zeros = memory.data(4096); // zero in a fresh instance
let kept: Array<i32> | null = null; // an allocation that outlives start in a used instance

function inspect(): i32 {
  let v = 0;
  if (lives != 0 || kept != null) v |= DIRTY_GLOBAL;
  if (pattern[0] != 0x01234567 || pattern[3] != 0x0badf00d) v |= DIRTY_DATA;
  for (let i = 0; i < 4096; i += 4) if (load<u32>(zeros + i) != 0) { v |= DIRTY_ZERO; break; }
  // A fresh allocator puts the first block at the same place every time: the
  // driver compares it across lives (a used heap would put it elsewhere).
  probeAt = changetype<usize>(new Array<i32>(4));
  return v;
}

let probeAt: usize = 0;

function spoil(): void {
  lives = 1;
  kept = new Array<i32>(64);
  pattern[0] = 0; pattern[3] = 0;
  memory.fill(zeros, 0xab, 4096);
  if (memory.size() < 4) memory.grow(1);
  if (sys.vm_map(VICTIM_VADDR, 1, VM_READ | VM_WRITE) == OK) sys.vm_write(VICTIM_VADDR, zeros, PAGE_SIZE);
}

export function victimStart(): i32 {
  verdict = inspect();
  spoil();
  return OK;
}

export function victimHandle(tag: i32): i32 {
  if (tag == T_VERDICT) return verdict;
  if (tag == T_CRASH) unreachable();
  if (tag == T_SIZE) return memory.size();
  if (tag == T_PROBE) return <i32>probeAt;
  if (tag == T_GROW) return memory.grow(<i32>arg(0));
  reply();
  return E_ARG;
}
