// dma: a device that reaches memory by DMA reaches only the kernel-managed
// memory of the process that bound it (dma_bind), through that process's
// page tables and with its pages' rights; everything else is refused before
// a byte moves (kernel/dma.ts). The entropy device is the bus master here:
// ENT_DMA_GO fills ENT_DMA_LEN bytes of the selected source at ENT_DMA_ADDR,
// and ENT_DMA_STATUS says how it went (the kernel serves the request before
// the dev_write that rang the doorbell returns).
import {
  sys, OK, E_ARG, E_STATE, E_UNMAPPED, E_PROT, VM_READ, R_READ, VM_WRITE, PAGE_SIZE, ENT_SELECT, ENT_FAULT,
  ENT_FAULT_NONE, ENT_FAULT_STUCK, ENT_DMA_ADDR, ENT_DMA_LEN, ENT_DMA_GO, ENT_DMA_STATUS, ENT_DMA_MAX, ENT_DMA_BUSY,
  CSPACE_SLOTS, ST_FREE_FRAMES,
} from "../../lib";
import { test, step, check, expect, finish, unsupported } from "./driver";
import { entropyDev } from "./env";

const S = "dma";
const VA: u32 = 0x30000000; // two pages, read-write
const RO: u32 = 0x30100000; // one page, read-only
const HOLE: u32 = 0x30200000; // nothing mapped
const buf = new StaticArray<u8>(512); // qc runs within a small memory limit
@inline function bufPtr(): usize { return changetype<usize>(buf); }

export function addDmaTests(): void {
  test(S, "dma_bind-refuses-what-is-not-a-device-it-may-write", bindRefusals);
  test(S, "a-transfer-without-a-binding-moves-nothing", unbound);
  test(S, "a-bound-device-writes-the-binders-pages", writes);
  test(S, "a-transfer-reproduces-the-source-faults-and-all", stuckSource);
  test(S, "a-transfer-to-an-unmapped-or-read-only-page-is-refused-whole", refusedWhole);
  test(S, "a-transfer-of-a-length-the-device-cannot-make-is-refused", badLengths);
  test(S, "unbinding-ends-the-devices-reach", unbinding);
  step(S, cleanUp);
}

function missing(): bool { return entropyDev < 0; }
const NO_DEVICE = "qc holds no entropy device (the image has no memory service)";

/** One transfer of `len` bytes to `va`; ENT_DMA_STATUS after it. */
function transfer(va: u32, len: i32): i64 {
  sys.dev_write(entropyDev, ENT_SELECT, 0);
  sys.dev_write(entropyDev, ENT_DMA_ADDR, <i32>va);
  sys.dev_write(entropyDev, ENT_DMA_LEN, len);
  sys.dev_write(entropyDev, ENT_DMA_GO, 1);
  return <i64><i32>sys.dev_read(entropyDev, ENT_DMA_STATUS);
}

function mapAll(): bool {
  return expect("vm_map two pages rw", sys.vm_map(VA, 2, VM_READ | VM_WRITE), OK) &&
    expect("vm_map one page r", sys.vm_map(RO, 1, VM_READ), OK);
}

function bindRefusals(): bool {
  if (missing()) return unsupported(NO_DEVICE);
  // No capability at all, an empty slot, a slot past the table: the lookup's errors.
  check(sys.dma_bind(-1, 1) < 0, "dma_bind(-1) succeeded");
  check(sys.dma_bind(CSPACE_SLOTS, 1) < 0, "dma_bind(CSPACE_SLOTS) succeeded");
  expect("dma_bind(on = 2)", sys.dma_bind(entropyDev, 2), E_ARG);
  expect("dma_bind(on = -1)", sys.dma_bind(entropyDev, -1), E_ARG);
  expect("unbinding what is not bound", sys.dma_bind(entropyDev, 0), E_STATE);
  // A read-only copy of the device may not bind it.
  const ro = sys.cap_derive(entropyDev, R_READ, 0);
  if (check(ro >= 0, "cap_derive(entropy, read) failed: " + ro.toString())) {
    check(sys.dma_bind(ro, 1) < 0, "a read-only device capability bound the device");
    sys.cap_delete(ro);
  }
  return finish();
}

function unbound(): bool {
  if (missing()) return unsupported(NO_DEVICE);
  if (!mapAll()) return finish();
  expect("a transfer with no process bound", transfer(VA, 64), E_STATE);
  expect("vm_read after it", sys.vm_read(VA, <i32>bufPtr(), 64), 64);
  let zero = true;
  for (let i = 0; i < 64; i++) if (unchecked(buf[i]) != 0) zero = false;
  check(zero, "a refused transfer wrote the page");
  return finish();
}

function writes(): bool {
  if (missing()) return unsupported(NO_DEVICE);
  if (!expect("dma_bind", sys.dma_bind(entropyDev, 1), OK)) return finish();
  expect("binding again (the same process)", sys.dma_bind(entropyDev, 1), OK);
  const before = sys.stats(ST_FREE_FRAMES);
  // Across the page boundary: both pages are demand-zero, so the transfer backs them.
  const at = VA + PAGE_SIZE - 100;
  expect("a 300-byte transfer", transfer(at, 300), 300);
  expect("frames it backed", before - sys.stats(ST_FREE_FRAMES), 2);
  expect("vm_read", sys.vm_read(at, <i32>bufPtr(), 300), 300);
  let nonzero = 0;
  for (let i = 0; i < 300; i++) if (unchecked(buf[i]) != 0) nonzero++;
  check(nonzero > 250, "300 random bytes have only " + nonzero.toString() + " non-zero");
  expect("vm_read around it", sys.vm_read(VA, <i32>bufPtr(), 8), 8);
  check(load<u64>(bufPtr()) == 0, "the transfer wrote before its address");
  check(transfer(VA, ENT_DMA_MAX) == ENT_DMA_MAX, "a transfer of ENT_DMA_MAX bytes did not complete");
  check(<i32>sys.dev_read(entropyDev, ENT_DMA_STATUS) != ENT_DMA_BUSY, "the device still says busy");
  return finish();
}

function stuckSource(): bool {
  if (missing()) return unsupported(NO_DEVICE);
  sys.dev_write(entropyDev, ENT_SELECT, 0);
  expect("make source 0 stuck", sys.dev_write(entropyDev, ENT_FAULT, ENT_FAULT_STUCK), OK);
  expect("a transfer from the stuck source", transfer(VA, 64), 64);
  sys.dev_write(entropyDev, ENT_SELECT, 0);
  sys.dev_write(entropyDev, ENT_FAULT, ENT_FAULT_NONE);
  expect("vm_read", sys.vm_read(VA, <i32>bufPtr(), 64), 64);
  const w = load<u32>(bufPtr());
  let same = true;
  for (let i = 4; i < 64; i += 4) if (load<u32>(bufPtr() + <usize>i) != w) same = false;
  check(same, "a stuck source's transfer is not one word repeated");
  return finish();
}

function refusedWhole(): bool {
  if (missing()) return unsupported(NO_DEVICE);
  expect("into a hole", transfer(HOLE, 64), E_UNMAPPED);
  expect("into a read-only page", transfer(RO, 64), E_PROT);
  // The first page is writable, the range runs on into the hole after the second: nothing lands.
  expect("vm_read the last bytes before", sys.vm_read(VA + 2 * PAGE_SIZE - 8, <i32>bufPtr(), 8), 8);
  const last = load<u64>(bufPtr());
  expect("vm_write a mark", sys.vm_write(VA + 2 * PAGE_SIZE - 8, <i32>bufPtr() + 8, 8), 8);
  const mark = load<u64>(bufPtr() + 8);
  expect("running off the mapping", transfer(VA + 2 * PAGE_SIZE - 8, 64), E_UNMAPPED);
  expect("vm_read the mark", sys.vm_read(VA + 2 * PAGE_SIZE - 8, <i32>bufPtr(), 8), 8);
  check(load<u64>(bufPtr()) == mark, "a refused transfer wrote the first page (" + last.toString() + ")");
  // Past the top of the address space.
  check(transfer(0xfffffff0, 64) < 0, "a transfer wrapping past 4 GiB was not refused");
  return finish();
}

function badLengths(): bool {
  if (missing()) return unsupported(NO_DEVICE);
  expect("length 0", transfer(VA, 0), E_ARG);
  expect("length -1", transfer(VA, -1), E_ARG);
  expect("length ENT_DMA_MAX + 1", transfer(VA, ENT_DMA_MAX + 1), E_ARG);
  expect("length 1 still works", transfer(VA, 1), 1);
  return finish();
}

function unbinding(): bool {
  if (missing()) return unsupported(NO_DEVICE);
  expect("dma_bind(0)", sys.dma_bind(entropyDev, 0), OK);
  expect("a transfer after it", transfer(VA, 64), E_STATE);
  expect("unbinding twice", sys.dma_bind(entropyDev, 0), E_STATE);
  return finish();
}

function cleanUp(): bool {
  if (missing()) return true;
  sys.dma_bind(entropyDev, 0);
  sys.vm_unmap(VA, 2);
  sys.vm_unmap(RO, 1);
  return true;
}
