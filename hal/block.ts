// Block device model: a RAM disk of BLK_SECTOR_COUNT sectors of
// BLK_SECTOR_BYTES, pluggable (abi/hal.ts), so several instances live at
// once, one per bus slot, each with its own sectors. Programmed I/O: select a
// sector (BLK_SECTOR), fill or read the one-sector data window (BLK_DATA), and
// write a command (BLK_CMD); the command is done before that write returns,
// BLK_STATUS says how it went and the slot's interrupt line is raised. No DMA:
// a later model moves sectors through kernel-managed memory instead.
//
// Every handler takes the slot first; the bus calls them only for a slot
// holding a block device (BUS_STATIC_SLOTS <= slot < BUS_SLOT_COUNT) and only
// with a word index inside the data window, so the arrays are indexed unchecked.
import {
  BUS_SLOT_COUNT, BUS_STATIC_SLOTS, BLK_SECTOR_BYTES, BLK_SECTOR_COUNT, BLK_CMD_READ, BLK_CMD_WRITE,
  BLK_IDLE, BLK_DONE, BLK_ERR_SECTOR, BLK_ERR_CMD,
} from "../kernel/abi";
import { raise } from "./intc";

const DISK = BLK_SECTOR_COUNT * BLK_SECTOR_BYTES;
// Per slot: its disk's address, 0 until a command first needs it: a machine
// that plugs no disk never grows the HAL's memory for one (zeroing 704 KiB
// at every boot cost the boot about half a millisecond). Per pluggable slot:
// its data window; per slot (the static ones' few words unused): its registers.
const disks = new StaticArray<usize>(BUS_SLOT_COUNT);
const windows = new StaticArray<u8>((BUS_SLOT_COUNT - BUS_STATIC_SLOTS) * BLK_SECTOR_BYTES);
const sector = new StaticArray<i32>(BUS_SLOT_COUNT);
const command = new StaticArray<i32>(BUS_SLOT_COUNT);
const status = new StaticArray<i32>(BUS_SLOT_COUNT);

/** Slot `slot`'s disk, made (zero, as never used) the first time a command needs it. */
function disk(slot: i32): usize {
  let at = unchecked(disks[slot]);
  if (at == 0) {
    at = heap.alloc(<usize>DISK);
    memory.fill(at, 0, <usize>DISK);
    unchecked(disks[slot] = at);
  }
  return at;
}
@inline function window(slot: i32): usize { return changetype<usize>(windows) + <usize>((slot - BUS_STATIC_SLOTS) * BLK_SECTOR_BYTES); }

/** The slot's disk as never used: at unplug and power-off (the RAM keeps nothing). */
export function blockReset(slot: i32): void {
  const at = unchecked(disks[slot]);
  if (at != 0) memory.fill(at, 0, <usize>DISK);
  memory.fill(window(slot), 0, <usize>BLK_SECTOR_BYTES);
  unchecked(sector[slot] = 0);
  unchecked(command[slot] = 0);
  unchecked(status[slot] = BLK_IDLE);
}

// Register handlers (abi/hal.ts routes each BLK_* register here through the bus).
export function blockSectors(_slot: i32): i32 { return BLK_SECTOR_COUNT; }
export function blockSector(slot: i32): i32 { return unchecked(sector[slot]); }
/** Any value: the command checks it, so a bad sector is an error status, not a refused write. */
export function blockSelect(slot: i32, v: i32): void { unchecked(sector[slot] = v); }
export function blockCmd(slot: i32): i32 { return unchecked(command[slot]); }
export function blockStatus(slot: i32): i32 { return unchecked(status[slot]); }
export function blockData(slot: i32, word: i32): i32 { return load<i32>(window(slot) + (<usize>word << 2)); }
export function blockSetData(slot: i32, word: i32, v: i32): void { store<i32>(window(slot) + (<usize>word << 2), v); }

export function blockCommand(slot: i32, cmd: i32): void {
  unchecked(command[slot] = cmd);
  const s = unchecked(sector[slot]);
  let result = BLK_DONE;
  if (cmd != BLK_CMD_READ && cmd != BLK_CMD_WRITE) result = BLK_ERR_CMD;
  else if (<u32>s >= <u32>BLK_SECTOR_COUNT) result = BLK_ERR_SECTOR;
  else {
    const at = disk(slot) + <usize>s * <usize>BLK_SECTOR_BYTES;
    if (cmd == BLK_CMD_READ) memory.copy(window(slot), at, <usize>BLK_SECTOR_BYTES);
    else memory.copy(at, window(slot), <usize>BLK_SECTOR_BYTES);
  }
  unchecked(status[slot] = result);
  // A command that failed has completed too: the driver learns why from BLK_STATUS.
  raise(1 << slot);
}
