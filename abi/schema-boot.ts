// Row types of the tables that describe what the build hands to a booted
// image: the manifest's keys (abi/manifest.ts), the boot table that carries
// them to init (abi/boot-table.ts), and the HAL's registers (abi/hal.ts).
// Plain data: the generator (tools/abi/emit-*.ts) turns the rows into code.

/** A number the ABI names elsewhere: written as the constant's name, never twice as a number. */
export interface AbiRef { abi: string }

/** One u32 field of the boot table's header or of a record; offsets follow from the order. */
export interface BootField {
  /** The offset constant is BT_<name> (GRANT_<name> for a grant record). */
  name: string;
  /** Its property in the decoded table (tools/lib/boot-table.ts's BootService, init's Spec). */
  field: string;
  /**
   * How init holds it: a number (i32 or u32), a flag (bool: non-zero), or
   * `{ is: "CONST", field }`, a flag named `field` that is true when the
   * value equals that constant.
   * Absent: init does not read it through the generated reader (layout fields
   * such as offsets and counts, which init's own code follows). In the header,
   * how bootinfo.ts holds it. A key landing in an i32 must have a max below 2^31.
   */
  init?: "i32" | "u32" | "bool" | { is: string; field: string };
  /**
   * layout: an offset or a count the encoder plans (tools/lib/boot-table.ts);
   * derived: computed from the manifest by hand-written code (an index, a hash);
   * absent: the value of the manifest key whose `boot` names this field.
   */
  source?: "layout" | "derived";
  doc: string;
}

export interface BootTableFormat {
  magic: number;
  /** Every field of the table is this many bytes, little-endian. */
  width: 4;
  header: BootField[];
  record: BootField[];
  grant: BootField[];
  /** Named values the fields hold (kinds, policies, strategies), as constants. */
  values: { name: string; value: number; doc?: string }[];
}

export type KeyType =
  | "string" | "integer" | "boolean" | "duration" | "size" | "pages" | "enum"
  | "names" | "strings" | "caps" | "version" | "path";

/** One key of a manifest table. */
export interface ManifestKey {
  /** The TOML table it belongs to: [image], [init], [service.NAME], [group.NAME] or [qpu]. */
  table: "image" | "init" | "service" | "group" | "qpu";
  key: string;
  type: KeyType;
  /**
   * As written in a manifest ("30s", "1MiB", 5, true, "on-failure"), or an ABI
   * constant (for pages, a count). Absent: the key is `required`, or has no
   * value unless given (`defaultText` says what then).
   */
  default?: string | number | boolean | AbiRef;
  /** The default in words, where it is not a value ("the service's name"). */
  defaultText?: string;
  required?: boolean;
  /** Bounds, inclusive: a count, milliseconds for a duration, 4 KiB pages for pages. */
  min?: number | AbiRef;
  max?: number | AbiRef;
  /** enum: each word a manifest may use and the ABI constant the boot table carries for it. */
  values?: [string, string][];
  /** Its property in the parsed manifest (tools/lib/manifest.ts's Manifest or ServiceSpec). */
  field?: string;
  /** The boot-table record field it lands in (BT_<boot>), if init needs it. */
  boot?: string;
  /** How it is written there, when not as it is: "not" (a boolean inverted), "wasm-pages" (bytes to 64 KiB pages), "fnv1a" (a name's hash), "or-zero" (absent: 0). */
  encode?: "not" | "wasm-pages" | "fnv1a" | "or-zero";
  /** The parser checks it with code of its own (messages of its own); else an integer or a duration is checked from this row alone. */
  custom?: boolean;
  /** integer: what it counts, for the hint of an out-of-range value ("sends that may wait for the service"). */
  counts?: string;
  /** One line for docs/manifest.md (Markdown). */
  doc: string;
}

/** One register of a HAL device, at `offset` in its window. */
export interface HalRegister {
  name: string;
  offset: number;
  access: "r" | "w" | "rw";
  /**
   * The HAL's handlers (hal/*.ts): what a read returns, what a write does.
   * A static device's take no argument (a write's: the value); a pluggable
   * model's take its slot first, since several instances run at once.
   */
  read?: string;
  write?: string;
  /** An array of this many 32-bit registers from `offset` (a data window): the handlers take the word's index after the slot. */
  count?: number;
  doc: string;
}

/** A power state a device may support, as the bus's BUS_POWER register names it (BUS_PWR_*). */
export type PowerState = "on" | "suspend" | "off";

/**
 * One device model of the HAL, described once: the register constants, the
 * HAL's dispatch and descriptor table, the kernel's windows, the doc tables,
 * the manifest's device names and `quark inspect` all come from these rows
 * (tools/abi/emit-hal.ts; docs/devices.md says how to add one).
 */
export interface HalDevice {
  name: string;
  /** Its type: a row of halTypes (the constant DEV_TYPE_<TYPE>). */
  type: string;
  /** A static device's fixed slot on the bus (its interrupt line is its slot). Absent: a pluggable model, which gets a free slot at each plug. */
  slot?: number;
  /** A static device's window in the HAL's register space: registers are at base + offset. Absent for a pluggable model: its window is its slot's (BUS_SLOT_BASE + slot * BUS_SLOT_STRIDE). */
  base?: number;
  size: number;
  /** The file of hal/ that models it (its handlers live there). */
  file: string;
  /** A static device a K_DEVICE capability can name: its id (DEV_<name>). Absent: the kernel's own, or a pluggable model (the bus gives each plug a fresh id). */
  id?: number;
  /** Register names are <prefix>_<name>. */
  prefix: string;
  /** Whether the constants are absolute addresses (the kernel's devices) or offsets in the window (a device a service reaches with dev_read/dev_write). */
  absolute: boolean;
  /**
   * Its interrupt line: a static device's names the constant (IRQ_<...>,
   * bit 1 << slot); a pluggable model's is "slot" (each instance raises its
   * slot's line). Absent: it raises none.
   */
  irq?: string;
  /** The power states it supports; ["on"] alone: it is always on (BUS_POWER ignores it). */
  power: PowerState[];
  /**
   * Whether it reaches memory by DMA: "none" (programmed I/O through its
   * registers only), or "bus-master": it asks the kernel, through the DMA
   * queue (hal/dma.ts), to move bytes between its memory and the process
   * that bound it with dma_bind (kernel/dma.ts).
   */
  dma: "none" | "bus-master";
  /** Whether BUS_PLUG may instantiate it (true only for a model without a slot). */
  pluggable: boolean;
  /**
   * The handler that puts it back as at power-up: called at hal_init for a
   * static device, and when it enters BUS_PWR_OFF; for a pluggable model (with
   * the slot) when it is unplugged and when it enters BUS_PWR_OFF.
   */
  reset: string;
  registers: HalRegister[];
  /** Bits and values its registers hold. */
  values: { name: string; value: number; doc?: string }[];
  doc: string;
}

/** A device type (DEV_TYPE_<NAME>): what a driver binds to; several models may share one. */
export interface HalType { name: string; value: number; doc: string }

/** The bus's shape: how many slots, where a slot's window lies, the first id it hands out. */
export interface HalBus {
  /** Slots on the bus, static ones included; a slot's interrupt line is its number, so at most 32. */
  slots: number;
  /** Slot s's window (a pluggable device's) starts at slotBase + s * slotStride. */
  slotBase: number;
  slotStride: number;
  /** The first id a plug hands out; ids below it are the static devices'. */
  firstId: number;
}
