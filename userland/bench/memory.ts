// Memory figures: the kernel's page tables and translation cache, measured
// through the syscalls a service uses, each beside a baseline measured in the
// same run inside the same instance.
import { sys, VM_READ, VM_WRITE, memAlloc, memFree, memHandle } from "../lib";

const RW = VM_READ | VM_WRITE;
const BASE: u32 = 0x40000000; // a region no other figure touches
const FAULT_PAGES = 128;
// Two pages, page-aligned: where the allocator happens to put a buffer moved
// with every change to the bench module, and a source 8 bytes off a 64-byte
// boundary read vm.rw.4k 60% slower under wasmtime (20% under Node), which
// measured the allocator's luck, not the kernel.
const buf = new StaticArray<u8>(8192 + 4096);
@inline function bufPtr(): usize { return (changetype<usize>(buf) + 4095) & ~<usize>4095; }

export type Emit = (name: string, unit: string, batch: i32, samples: Array<i64>, scale: i64) => void;

/** vm.rw.4k and its baseline memory.copy.4k: a translated 4 KiB write + read, against a plain one. */
export function readWrite(samples: i32, batch: i32, emit: Emit): void {
  sys.vm_map(BASE, 1, RW);
  sys.vm_write(BASE, bufPtr(), 4096); // resident from here on
  const vm = new Array<i64>(), plain = new Array<i64>();
  for (let s = 0; s < samples; s++) {
    let t0 = sys.time();
    for (let i = 0; i < batch; i++) {
      sys.vm_write(BASE, bufPtr(), 4096);
      sys.vm_read(BASE, bufPtr() + 4096, 4096);
    }
    vm.push(sys.time() - t0);
    t0 = sys.time();
    for (let i = 0; i < batch; i++) {
      memory.copy(bufPtr() + 4096, bufPtr(), 4096);
      memory.copy(bufPtr(), bufPtr() + 4096, 4096);
    }
    plain.push(sys.time() - t0);
  }
  sys.vm_unmap(BASE, 1);
  emit("vm.rw.4k", "ns", batch, vm, batch);
  emit("memory.copy.4k", "ns", batch, plain, batch);
}

/** vm.map_unmap: map and unmap one page beside a page that keeps the tables alive. */
export function mapUnmap(samples: i32, batch: i32, emit: Emit): void {
  sys.vm_map(BASE, 1, RW);
  const out = new Array<i64>();
  for (let s = 0; s < samples; s++) {
    const t0 = sys.time();
    for (let i = 0; i < batch; i++) {
      sys.vm_map(BASE + 4096, 1, RW);
      sys.vm_unmap(BASE + 4096, 1);
    }
    out.push(sys.time() - t0);
  }
  sys.vm_unmap(BASE, 1);
  emit("vm.map_unmap", "ns", batch, out, batch);
}

/**
 * vm.fault.zero: a one-byte write that takes a demand-zero fault (a frame
 * allocated and zeroed), against vm.write.resident: the same write to a
 * page that is already backed.
 */
export function faults(samples: i32, emit: Emit): void {
  const fault = new Array<i64>(), resident = new Array<i64>();
  for (let s = 0; s < samples; s++) {
    sys.vm_map(BASE, FAULT_PAGES, RW);
    let t0 = sys.time();
    for (let i = 0; i < FAULT_PAGES; i++) sys.vm_write(BASE + <u32>i * 4096, bufPtr(), 1);
    fault.push(sys.time() - t0);
    t0 = sys.time();
    for (let i = 0; i < FAULT_PAGES; i++) sys.vm_write(BASE + <u32>i * 4096, bufPtr(), 1);
    resident.push(sys.time() - t0);
    sys.vm_unmap(BASE, FAULT_PAGES);
  }
  emit("vm.fault.zero", "ns", FAULT_PAGES, fault, FAULT_PAGES);
  emit("vm.write.resident", "ns", FAULT_PAGES, resident, FAULT_PAGES);
}

/**
 * mem.alloc.small: a 64-byte allocation from the memory manager (one call,
 * a chunk of the client's arena), against heap.alloc.64: the same size from
 * the service's own heap (AssemblyScript's allocator, no kernel, no call).
 */
export function smallAlloc(samples: i32, batch: i32, emit: Emit): void {
  const handles = new StaticArray<i64>(batch);
  const ptrs = new StaticArray<usize>(batch);
  memAlloc(64); // the arena is made and mapped on the first allocation: not part of the figure
  memFree(memHandle());
  const viaManager = new Array<i64>(), viaHeap = new Array<i64>();
  for (let s = 0; s < samples; s++) {
    let t0 = sys.time();
    for (let i = 0; i < batch; i++) { memAlloc(64); unchecked(handles[i] = memHandle()); }
    viaManager.push(sys.time() - t0);
    for (let i = 0; i < batch; i++) memFree(unchecked(handles[i]));
    t0 = sys.time();
    for (let i = 0; i < batch; i++) unchecked(ptrs[i] = heap.alloc(64));
    viaHeap.push(sys.time() - t0);
    for (let i = 0; i < batch; i++) heap.free(unchecked(ptrs[i]));
  }
  emit("mem.alloc.small", "ns", batch, viaManager, batch);
  emit("heap.alloc.64", "ns", batch, viaHeap, batch);
}
