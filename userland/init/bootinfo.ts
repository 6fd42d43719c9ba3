// The boot table (abi/boot-table.ts), read once through boot_read: each
// record becomes a Service (service.ts) whose spec is what the record says.
// The settings are read by the generated readSpec (spec.ts); this file
// follows the offsets to the lists and strings.
import {
  sys, INIT_SLOT_BOOT, BT_MAGIC, BT_MAGIC_OFF, BT_HEADER_BYTES, BT_SIZE, BT_RECORD_BYTES, BT_NAME_OFF, BT_NAME_LEN,
  BT_NDEPS, BT_DEPS_OFF, BT_NGRANTS, BT_GRANTS_OFF, BT_NOPT, BT_OPT_OFF, BT_GRANT_BYTES, BT_RANGES_OFF,
  BT_COUNT, BT_TAGS_OFF, BT_TAGS_LEN, GRANT_KIND, GRANT_TARGET, GRANT_RIGHTS, GRANT_LABEL, GRANT_SERVICE,
  BT_QPU_QUBITS, BT_QPU_CAL_OFF, BT_QPU_CAL_LEN,
} from "../lib";
import { setQpu } from "./qpu";

import { Grant, Service, services } from "./service";
import { ImageSpec, Spec, SpecLists, readImageSpec, readSpec } from "./spec";

let table = new StaticArray<u8>(0);

/** What the manifest's [image] says (the health-check interval, ...), from the table's header; all 0 until it is read. */
export let image: ImageSpec = readImageSpec(changetype<usize>(new StaticArray<u8>(BT_HEADER_BYTES)));

@inline function u32at(off: i32): i32 { return <i32>load<u32>(changetype<usize>(table) + <usize>off); }

/** Read the boot table into `services`, in manifest order; false if it is unreadable. */
export function readBootTable(): bool {
  const head = new StaticArray<u8>(BT_HEADER_BYTES);
  if (sys.boot_read(INIT_SLOT_BOOT, 0, changetype<usize>(head), BT_HEADER_BYTES) != BT_HEADER_BYTES) return false;
  if (load<u32>(changetype<usize>(head) + BT_MAGIC_OFF) != <u32>BT_MAGIC) return false;
  const size = <i32>load<u32>(changetype<usize>(head) + BT_SIZE);
  if (size < BT_HEADER_BYTES) return false;
  table = new StaticArray<u8>(size);
  if (sys.boot_read(INIT_SLOT_BOOT, 0, changetype<usize>(table), size) != size) return false;
  return parse(size);
}

function parse(size: i32): bool {
  const n = u32at(BT_COUNT);
  image = readImageSpec(changetype<usize>(table));
  if (!fits(BT_HEADER_BYTES, n, BT_RECORD_BYTES, size)) return false;
  // Every record is checked before any is used: init never reads past the table or indexes past its services.
  for (let i = 0; i < n; i++) if (!sound(BT_HEADER_BYTES + i * BT_RECORD_BYTES, n, size)) return false;
  for (let i = 0; i < n; i++) services.push(new Service(i, spec(BT_HEADER_BYTES + i * BT_RECORD_BYTES)));
  return qpu(size);
}

/** The image's QPU, if it has one: its qubits and its calibration table (which must lie inside the table). */
function qpu(size: i32): bool {
  const qubits = u32at(BT_QPU_QUBITS), off = u32at(BT_QPU_CAL_OFF), len = u32at(BT_QPU_CAL_LEN);
  if (qubits == 0) return true;
  if (!fits(off, len, 1, size)) return false;
  const cal = new StaticArray<u8>(len);
  memory.copy(changetype<usize>(cal), changetype<usize>(table) + <usize>off, <usize>len);
  setQpu(qubits, cal);
  return true;
}

/** Whether `count` items of `width` bytes at byte `off` lie inside the table (u64: no count can wrap). */
function fits(off: i32, count: i32, width: i32, size: i32): bool {
  return <u64><u32>off + <u64><u32>count * <u64>width <= <u64><u32>size;
}

/** Whether every list and string of the record at `r` lies inside the table and names services that exist. */
function sound(r: i32, n: i32, size: i32): bool {
  const nd = u32at(r + BT_NDEPS), no = u32at(r + BT_NOPT), ng = u32at(r + BT_NGRANTS);
  const rangesOff = u32at(r + BT_RANGES_OFF);
  if (!fits(u32at(r + BT_NAME_OFF), u32at(r + BT_NAME_LEN), 1, size) || !fits(u32at(r + BT_TAGS_OFF), u32at(r + BT_TAGS_LEN), 1, size)) return false;
  if (!fits(u32at(r + BT_DEPS_OFF), nd, 4, size) || !fits(u32at(r + BT_OPT_OFF), no, 4, size) || !fits(u32at(r + BT_GRANTS_OFF), ng, BT_GRANT_BYTES, size)) return false;
  if (rangesOff != 0 && !(fits(rangesOff, nd, 8, size) && fits(rangesOff + nd * 8, no, 8, size))) return false;
  if (!below(u32at(r + BT_DEPS_OFF), nd, n) || !below(u32at(r + BT_OPT_OFF), no, n)) return false;
  for (let k = 0; k < ng; k++) {
    const g = u32at(r + BT_GRANTS_OFF) + k * BT_GRANT_BYTES;
    if (u32at(g + GRANT_KIND) == GRANT_SERVICE && <u32>u32at(g + GRANT_TARGET) >= <u32>n) return false;
  }
  return true;
}

/** Whether the `count` service indices at `off` are all below `n`. */
function below(off: i32, count: i32, n: i32): bool {
  for (let k = 0; k < count; k++) if (<u32>u32at(off + k * 4) >= <u32>n) return false;
  return true;
}

/** The manifest's settings in the record at `r`. */
function spec(r: i32): Spec {
  const deps = indices(u32at(r + BT_DEPS_OFF), u32at(r + BT_NDEPS));
  const wants = indices(u32at(r + BT_OPT_OFF), u32at(r + BT_NOPT));
  return readSpec(changetype<usize>(table) + <usize>r, new SpecLists(
    text(u32at(r + BT_NAME_OFF), u32at(r + BT_NAME_LEN)),
    deps,
    wants,
    ranges(u32at(r + BT_RANGES_OFF), 2 * (deps.length + wants.length)),
    text(u32at(r + BT_TAGS_OFF), u32at(r + BT_TAGS_LEN)),
    grants(u32at(r + BT_GRANTS_OFF), u32at(r + BT_NGRANTS)),
  ));
}

function text(off: i32, len: i32): string {
  return String.UTF8.decodeUnsafe(changetype<usize>(table) + <usize>off, <usize>len);
}

function indices(off: i32, n: i32): i32[] {
  const a = new Array<i32>();
  for (let k = 0; k < n; k++) a.push(u32at(off + k * 4));
  return a;
}

/** Version ranges: `n` words at `off`, or none if the record has none (off 0). */
function ranges(off: i32, n: i32): u32[] {
  const a = new Array<u32>();
  if (off != 0) for (let k = 0; k < n; k++) a.push(<u32>u32at(off + k * 4));
  return a;
}

function grants(off: i32, n: i32): Grant[] {
  const a = new Array<Grant>();
  for (let k = 0; k < n; k++) {
    const g = off + k * BT_GRANT_BYTES;
    a.push(new Grant(u32at(g + GRANT_KIND), u32at(g + GRANT_TARGET), u32at(g + GRANT_RIGHTS), u32at(g + GRANT_LABEL)));
  }
  return a;
}
