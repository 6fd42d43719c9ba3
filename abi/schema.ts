// The row types of the ABI tables in this folder. The tables are plain data:
// each file exports constants built from these types and nothing else, so a
// reader sees the whole ABI of a layer in one place, and tools/abi/ writes every
// consumer (AssemblyScript, TypeScript, C, Python, the docs) from them.

/**
 * A value is an integer or an integer expression over earlier constants of the
 * same output file (`"1 << 31"`, `"0x0201"`), written as the generated file
 * should show it; the generator evaluates it with JavaScript's rules.
 */
export type Value = number | string;

/** One named number: `export const NAME = value; // doc`. */
export interface Constant {
  name: string;
  value: Value;
  doc?: string;
  /** In a group with `names`: what users see and type for it. */
  display?: string;
}

/** A block of constants under a comment (the comment says why they exist). */
export interface Group {
  title: string;
  doc?: string[];
  rows: Constant[];
  /**
   * If set, the rows are an enumeration (consecutive values, each with its
   * `display`): a function of this name is generated that gives a value's
   * display name, and one of this name and an "s" that lists them all, so a
   * shell, a log and a report print the same word and a parser accepts it.
   */
  names?: string;
  /** If set (with `names`), a constant of this name holding the highest value, for range checks. */
  last?: string;
  /**
   * If set, the rows are bit flags, each with its `display`: a function of
   * this name is generated that names a set of them as `a+b` ("none" for
   * none; a bit no row has reads "?").
   */
  flagNames?: string;
}

/** A number with a name users see: an error, an event, a state, a fault cause. */
export interface Named extends Constant {
  /** What shells, logs and reports print for it. */
  display: string;
  /**
   * For an event: how its detail word reads (`svc events`), with {n} the
   * number, {fault} its faultText, {error} its errorName, {service} the name
   * of the service with that index. None: the detail is not shown.
   */
  detail?: string;
  /** The detail's wording when the word is 0, if it differs. */
  detailZero?: string;
}

/** A set of named numbers with display text; a name function is generated per set. */
export interface NamedSet {
  /** The generated function: `errorName(code)`, `eventName(kind)`, ... */
  fn: string;
  title: string;
  doc?: string[];
  /** If set, a second generated function of this name returns each row's doc (`errorText(code)`). */
  textFn?: string;
  /** What the function returns for a number not in the set; `%d` is replaced by the number. */
  unknown: string;
  rows: Named[];
}

/** A syscall argument: 32-bit ones are narrowed by the generic entry, refused if wider. */
export type Width = "i32" | "u32" | "usize" | "i64";

export interface Arg {
  name: string;
  width: Width;
}

export interface Syscall {
  /** The kernel export and the import name of module "quark"; SYS_<NAME> is its number. */
  name: string;
  number: number;
  args: Arg[];
  result: "i32" | "i64";
  /** The hand-written handler, and the kernel file (without .ts) that exports it. */
  handler: string;
  file: string;
  doc: string;
}

/** A string the tools and hosts share (image section names, module names). */
export interface Text {
  name: string;
  value: string;
  doc?: string;
}

/** A function a host provides to an instance (docs/machine-abi.md). */
export interface HostImport {
  /** Which instance imports it. */
  importer: "kernel" | "hal";
  /** "host" (a host function) or "hal" (the HAL's export of that name). */
  module: "host" | "hal";
  name: string;
  /** The name the importer's code calls it by (kernel/host.ts). */
  localName: string;
  /** AssemblyScript parameters, `name: type`; result "" is void. */
  params: string[];
  result: string;
  doc: string;
}

/** One service's message protocol: its tags lie within its range. */
export interface Protocol {
  /** The file written for it: userland/lib/proto/<name>.ts (or kernel/abi.ts for the kernel's own). */
  name: string;
  title: string;
  doc?: string[];
  /** First and last tag this protocol may use; ranges of two protocols never overlap. */
  range: [number, number];
  tags: Constant[];
  /** If set, a constant of this name is generated holding the highest tag (for range checks in the server). */
  last?: string;
  /** Other numbers of the protocol (reply kinds, flags, limits). */
  constants?: Group[];
}
