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
  /** The TOML table it belongs to: [image], [init], [service.NAME] or [group.NAME]. */
  table: "image" | "init" | "service" | "group";
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
  /** The HAL's handlers (hal/*.ts): what a read returns, what a write does. */
  read?: string;
  write?: string;
  doc: string;
}

export interface HalDevice {
  name: string;
  /** Its window in the HAL's register space: registers are at base + offset. */
  base: number;
  size: number;
  /** The file of hal/ that models it (its handlers live there). */
  file: string;
  /** A device a K_DEVICE capability can name: its id (DEV_<name>). Absent: the kernel's own. */
  id?: number;
  /** Register names are <prefix>_<name>. */
  prefix: string;
  /** Whether the constants are absolute addresses (the kernel's devices) or offsets in the window (a device a service reaches with dev_read/dev_write). */
  absolute: boolean;
  registers: HalRegister[];
  /** Bits and values its registers hold. */
  values: { name: string; value: number; doc?: string }[];
  doc: string;
}
