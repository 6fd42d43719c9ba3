// Emits, from abi/hal.ts, everything that follows from the device rows: the
// register constants (kernel/abi-hal.ts, which kernel/abi.ts re-exports), the
// HAL's register dispatch (hal/mmio.ts) and descriptor table (hal/devices.ts,
// what the bus serves at run time), the kernel's device windows
// (kernel/devices.ts), the device names a manifest may grant and the
// description `quark inspect` lists (tools/lib/devices.ts), and the tables of
// docs/hal.md.
import { halBus, halDevices, halTypes } from "../../abi/hal";
import type { HalDevice, HalRegister, PowerState } from "../../abi/schema-boot";
import { constLine, generatedHeader, spliceSection } from "./emit-boot-table";
import type { Tables } from "./tables";

const SRC = "abi/hal.ts";

export function emitHal(t: Tables): Array<[string, string]> {
  check();
  let doc = spliceSection(t.read("docs/hal.md"), "docs/hal.md", "abi:hal", registerTable());
  doc = spliceSection(doc, "docs/hal.md", "abi:hal-devices", deviceTable());
  return [
    ["docs/hal.md", doc],
    ["kernel/abi-hal.ts", constants()], ["hal/mmio.ts", dispatch()], ["hal/devices.ts", descriptors()],
    ["kernel/devices.ts", kernelWindows()], ["tools/lib/devices.ts", deviceNames()],
    ["userland/lib/devtypes.ts", typeNames()],
  ];
}

/** The device types' display names for services (the shell's dev commands), by DEV_TYPE_* value. */
function typeNames(): string {
  const top = Math.max(...halTypes.map((t) => t.value));
  const names = Array.from({ length: top + 1 }, (_, v) => halTypes.find((t) => t.value === v)?.name ?? "");
  return [
    generatedHeader(SRC),
    "// The device types' names, as `dev plug TYPE` takes them and `dev list` shows them.",
    "",
    `const NAMES: StaticArray<string> = [${names.map((n) => JSON.stringify(n)).join(", ")}];`,
    "",
    "/** DEV_TYPE_* `t`'s name, or \"type-N\" for a value no row of abi/hal.ts has. */",
    "export function devTypeName(t: i64): string {",
    "  if (t > 0 && t < <i64>NAMES.length && unchecked(NAMES[<i32>t]).length > 0) return unchecked(NAMES[<i32>t]);",
    "  return \"type-\" + t.toString();",
    "}",
    "",
    "/** The DEV_TYPE_* named `name`, or -1. */",
    "export function devTypeOf(name: string): i32 {",
    "  for (let t = 1; t < NAMES.length; t++) if (name.length > 0 && unchecked(NAMES[t]) == name) return t;",
    "  return -1;",
    "}",
    "",
    "/** Every type's name, in DEV_TYPE_* order (for a usage line). */",
    `export const DEV_TYPE_LIST = ${JSON.stringify(halTypes.slice().sort((a, b) => a.value - b.value).map((t) => t.name).join(", "))};`,
    "",
  ].join("\n");
}

const regName = (d: HalDevice, r: HalRegister): string => `${d.prefix}_${r.name}`;
const upper = (d: HalDevice): string => d.name.toUpperCase();
const typeConst = (d: HalDevice): string => `DEV_TYPE_${d.type.toUpperCase()}`;
/** The address mmio_read/mmio_write see, as an expression of the generated constants. */
const address = (d: HalDevice, r: HalRegister): string => (d.absolute ? regName(d, r) : `${upper(d)}_BASE + ${regName(d, r)}`);

/** The static devices, by slot; the pluggable models, in table order. */
const statics = (): HalDevice[] => halDevices.filter((d) => d.slot !== undefined).sort((a, b) => a.slot! - b.slot!);
const models = (): HalDevice[] => halDevices.filter((d) => d.pluggable);
const withId = (): HalDevice[] => halDevices.filter((d) => d.id !== undefined);
/** Whether BUS_POWER can take it out of BUS_PWR_ON. */
const managed = (d: HalDevice): boolean => d.power.some((p) => p !== "on");

// BUS_PWR_ON, BUS_PWR_SUSPEND, BUS_PWR_OFF (the bus row's values say the same; check() holds them equal).
const POWER_VALUE: Record<PowerState, number> = { on: 1, suspend: 2, off: 3 };
/** BUS_POWER_CAPS of a device: bit 1 << BUS_PWR_* for each state it supports. */
const powerCaps = (d: HalDevice): number => d.power.reduce((m, p) => m | (1 << POWER_VALUE[p]), 0);
const irqBit = (d: HalDevice): number => (d.irq !== undefined && d.slot !== undefined ? 2 ** d.slot : 0);
const flags = (d: HalDevice): number => (d.pluggable ? 1 : 0) | (d.dma !== "none" ? 2 : 0); // BUS_F_HOTPLUG, BUS_F_DMA

/** The rows must describe a machine that can exist: the generator refuses any other. */
function check(): void {
  const fail = (why: string): never => { throw new Error(`${SRC}: ${why}`); };
  // init holds one capability per device from boot, in slots INIT_SLOT_DEVICES + id - 1: ids are 1, 2, ...
  withId().forEach((d, i) => { if (d.id !== i + 1) fail(`device ${d.name} has id ${d.id}; ids run 1, 2, ... in table order`); });
  if (withId().length >= halBus.firstId) fail(`the static ids reach halBus.firstId (${halBus.firstId})`);
  if (halBus.slots > 32) fail(`${halBus.slots} slots: a slot's line is its bit of a 32-bit register, so at most 32`);
  const bus = halDevices.find((d) => d.name === "bus");
  for (const [p, v] of Object.entries(POWER_VALUE)) {
    if (bus?.values.find((x) => x.name === `BUS_PWR_${p.toUpperCase()}`)?.value !== v) fail(`BUS_PWR_${p.toUpperCase()} must be ${v}`);
  }
  statics().forEach((d, i) => {
    if (d.slot !== i) fail(`static slots run 0, 1, ... without gaps: ${d.name} is in slot ${d.slot}, expected ${i}`);
    if (d.base === undefined) fail(`static device ${d.name} has no window base`);
    if (d.pluggable) fail(`${d.name} has a fixed slot, so it is not pluggable`);
    if (d.base! + d.size > halBus.slotBase) fail(`${d.name}'s window runs into the slots' windows at 0x${halBus.slotBase.toString(16)}`);
  });
  if (statics().length >= halBus.slots) fail("no slot is left for a pluggable device");
  for (const d of models()) {
    if (d.base !== undefined || d.id !== undefined) fail(`pluggable ${d.name} has a base or an id: the bus gives it its slot's`);
    if (d.absolute) fail(`pluggable ${d.name}'s registers are offsets in its window`);
    if (d.size > halBus.slotStride) fail(`${d.name}'s window is larger than a slot's (0x${halBus.slotStride.toString(16)})`);
    if (d.irq !== undefined && d.irq !== "slot") fail(`pluggable ${d.name} raises its slot's line: irq is "slot" or absent`);
  }
  for (const d of halDevices) {
    if (d.slot === undefined && !d.pluggable) fail(`${d.name} has no slot and is not pluggable: it could never be on the bus`);
    if (d.slot !== undefined && d.irq === "slot") fail(`static ${d.name} names its line's constant, not "slot"`);
    if (!halTypes.some((t) => t.name === d.type)) fail(`${d.name}'s type ${d.type} is no row of halTypes`);
    if (!d.power.includes("on")) fail(`${d.name} cannot be on`);
    for (const r of d.registers) {
      const words = r.count ?? 1;
      if (r.offset < 0 || (r.offset & 3) !== 0 || r.offset + 4 * words > d.size) fail(`${regName(d, r)} lies outside ${d.name}'s window, or is not word-aligned`);
      if (r.count !== undefined && !d.pluggable) fail(`${regName(d, r)}: a register array is for a pluggable model's window`);
      if (r.access.includes("r") !== Boolean(r.read) || r.access.includes("w") !== Boolean(r.write)) {
        fail(`${regName(d, r)} is "${r.access}" but has ${r.read ? "a" : "no"} read and ${r.write ? "a" : "no"} write handler`);
      }
    }
  }
  const sorted = statics().slice().sort((a, b) => a.base! - b.base!);
  sorted.forEach((d, i) => {
    const next = sorted[i + 1];
    if (next && d.base! + d.size > next.base!) fail(`${d.name}'s window overlaps ${next.name}'s`);
  });
}

function constants(): string {
  const lines = [
    generatedHeader(SRC),
    "// The HAL's devices, reached by the kernel through hal.mmio_read/mmio_write",
    "// at these addresses; a device with an id (DEV_*) is reached by a service",
    "// holding a K_DEVICE capability, by offset in its window (dev_read/dev_write).",
    "// Device types (BUS_TYPE, BUS_PLUG):",
    ...halTypes.map((t) => constLine(`DEV_TYPE_${t.name.toUpperCase()}`, t.value, t.doc)),
    "// The bus: slot s raises interrupt line s (bit 1 << s); a pluggable device's window is its slot's.",
    constLine("BUS_SLOT_COUNT", halBus.slots, "slots on the bus, static ones included"),
    constLine("BUS_STATIC_SLOTS", statics().length, "slots 0 .. BUS_STATIC_SLOTS - 1 hold the static devices; the others are free for plugs"),
    constLine("BUS_SLOT_BASE", halBus.slotBase, "slot s's window: BUS_SLOT_BASE + s * BUS_SLOT_STRIDE", true),
    constLine("BUS_SLOT_STRIDE", halBus.slotStride, undefined, true),
    constLine("BUS_FIRST_ID", halBus.firstId, "the first id a plug hands out (then one more per plug, never reused)", true),
  ];
  for (const d of halDevices) {
    lines.push(`// ${d.name}: ${d.doc}`);
    if (d.id !== undefined) {
      lines.push(constLine(`DEV_${upper(d)}`, d.id, "its device id"));
      lines.push(constLine(`${upper(d)}_BASE`, d.base!, "its register window", true));
    }
    if (d.id !== undefined || d.pluggable) lines.push(constLine(`${upper(d)}_SIZE`, d.size, d.pluggable ? "its window's size, in its slot's" : undefined, true));
    if (d.irq !== undefined && d.slot !== undefined) lines.push(constLine(d.irq, irqBit(d), `its interrupt line (slot ${d.slot}): the bit in INTC_*`));
    for (const r of d.registers) lines.push(constLine(regName(d, r), d.absolute ? d.base! + r.offset : r.offset, `${r.access}: ${r.doc}`, true));
    for (const v of d.values) lines.push(constLine(v.name, v.value, v.doc, false));
  }
  return lines.join("\n") + "\n";
}

const ACCESS: Record<string, string> = { r: "read", w: "write", rw: "read/write" };
const hex = (n: number): string => `\`0x${n.toString(16).padStart(4, "0")}\``;

/** Text for a Markdown table's cell: a bar would end the cell. */
const cell = (text: string): string => text.replace(/\|/g, "\\|");

/** The register map, for docs/hal.md: every device's window and registers. */
function registerTable(): string {
  const window = (d: HalDevice): string => (d.base !== undefined ? `${hex(d.base)}..${hex(d.base + d.size - 1)}` : `its slot's, ${hex(d.size)} bytes`);
  const where = (d: HalDevice, r: HalRegister): string => {
    const span = r.count ? `..${hex(r.offset + 4 * r.count - 1)}` : "";
    if (d.base === undefined) return `offset ${hex(r.offset)}${span}`;
    return `${hex(d.base + r.offset)}${d.absolute ? "" : ` (offset ${hex(r.offset)}${span})`}`;
  };
  return [
    "| device | register | address | access | meaning |",
    "|---|---|---|---|---|",
    ...halDevices.flatMap((d) => [
      `| **${d.name}** (\`hal/${d.file}.ts\`${d.id !== undefined ? `, id \`DEV_${upper(d)}\` = ${d.id}` : ""}) | | ${window(d)} | | ${cell(d.doc)} |`,
      ...d.registers.map((r) => `| | \`${regName(d, r)}\` | ${where(d, r)} | ${ACCESS[r.access]} | ${cell(r.doc)} |`),
      ...d.values.map((v) => `| | \`${v.name}\` = ${v.value} | | value | ${cell(v.doc ?? "")} |`),
    ]),
  ].join("\n");
}

/** Every device's description, for docs/hal.md: what the bus enumerates and `quark inspect` lists. */
function deviceTable(): string {
  const line = (d: HalDevice): string => (d.irq === undefined ? "none" : d.slot !== undefined ? `${d.slot} (\`${d.irq}\` = ${irqBit(d)})` : "its slot's");
  return [
    "| device | type | slot | id | window | line | power states | DMA | pluggable |",
    "|---|---|---|---|---|---|---|---|---|",
    ...[...statics(), ...models()].map((d) => [
      `**${d.name}**`, `\`${typeConst(d)}\``, d.slot !== undefined ? String(d.slot) : `any free (${statics().length}..${halBus.slots - 1})`,
      d.id !== undefined ? `\`DEV_${upper(d)}\` = ${d.id}` : d.pluggable ? `fresh at each plug (from ${halBus.firstId})` : "none (the kernel's own)",
      d.base !== undefined ? `${hex(d.base)}..${hex(d.base + d.size - 1)}` : `\`BUS_SLOT_BASE\` + slot × \`BUS_SLOT_STRIDE\`, ${hex(d.size)} bytes`,
      line(d), d.power.join(", "), d.dma, d.pluggable ? "yes" : "no (static)",
    ].join(" | ")).map((row) => `| ${row} |`),
    "",
    "| type | value | |",
    "|---|---|---|",
    ...halTypes.map((t) => `| \`DEV_TYPE_${t.name.toUpperCase()}\` | ${t.value} | ${t.doc} |`),
  ].join("\n");
}

/** The kernel's windows of the static devices a capability can name; other ids are the bus's to resolve (kernel/device.ts). */
function kernelWindows(): string {
  const names = withId().flatMap((d) => [`DEV_${upper(d)}`, `${upper(d)}_BASE`, `${upper(d)}_SIZE`]);
  const out = [
    generatedHeader(SRC),
    "// The HAL's static devices as the kernel sees them: init's capabilities to",
    "// them at boot, and the register window each capability opens (kernel/device.ts",
    "// checks every dev_read and dev_write against it, and asks the bus for the",
    "// window of any other id: a hot-plugged device's).",
    `import { ${names.join(", ")}, INIT_SLOT_DEVICES, K_DEVICE, R_READ, R_WRITE, E_ARG } from "./abi";`,
    'import { install } from "./cspace";',
    "",
    "/** Gives `pid` (init, at boot) a capability to every static device, device `id` in slot INIT_SLOT_DEVICES + id - 1. */",
    "@inline export function installDevices(pid: i32): void {",
    ...withId().map((d) => `  install(pid, INIT_SLOT_DEVICES + DEV_${upper(d)} - 1, K_DEVICE, R_READ | R_WRITE, 0, DEV_${upper(d)}, 0, -1);`),
    "}",
    "",
    "/** The address of register `reg` (>= 0, checked by the caller) of static device `id`; E_ARG outside its window; 0 for an id no static device has. */",
    "@inline export function staticAddress(id: i32, reg: i32): i32 {",
    "  switch (id) {",
    ...withId().map((d) => `    case DEV_${upper(d)}: return reg < ${upper(d)}_SIZE ? ${upper(d)}_BASE + reg : E_ARG;`),
    "  }",
    "  return 0;",
    "}",
  ];
  return out.join("\n") + "\n";
}

/** The devices a manifest may grant by name, and the whole description for `quark inspect`. */
function deviceNames(): string {
  const describe = (d: HalDevice): string => JSON.stringify({
    name: d.name, type: d.type, typeValue: halTypes.find((t) => t.name === d.type)!.value, slot: d.slot ?? null,
    id: d.id ?? null, base: d.base ?? null, size: d.size, line: d.irq === undefined ? null : d.slot ?? "slot",
    power: d.power, dma: d.dma, pluggable: d.pluggable, file: `hal/${d.file}.ts`, doc: d.doc,
  });
  const out = [
    generatedHeader(SRC),
    "// HAL devices a service can be granted by name in a manifest's caps (a",
    "// K_DEVICE capability on the device's register window), with their ids; and",
    "// the machine's description (the bus's shape, every static device by slot,",
    "// every pluggable model), which `quark inspect` lists.",
    'import * as abi from "../../kernel/abi";',
    "",
    "export const DEVICES: Record<string, number> = {",
    ...withId().map((d) => `  ${d.name}: abi.DEV_${upper(d)},`),
    "};",
    "",
    "export interface DeviceDescription {",
    "  name: string; type: string; typeValue: number;",
    "  /** A static device's slot; null for a pluggable model. */",
    "  slot: number | null;",
    "  /** The id a K_DEVICE capability names it by; null for the kernel's own devices and pluggable models (a fresh id at each plug). */",
    "  id: number | null;",
    "  /** Its window; base null for a pluggable model (its slot's window). */",
    "  base: number | null; size: number;",
    "  /** Its interrupt line (= its slot), \"slot\" for a pluggable model, null if it raises none. */",
    "  line: number | \"slot\" | null;",
    "  power: string[]; dma: string; pluggable: boolean; file: string; doc: string;",
    "}",
    "",
    `export const BUS = { slots: abi.BUS_SLOT_COUNT, staticSlots: abi.BUS_STATIC_SLOTS, slotBase: abi.BUS_SLOT_BASE, slotStride: abi.BUS_SLOT_STRIDE, firstId: abi.BUS_FIRST_ID };`,
    "",
    "/** The static devices, by slot. */",
    "export const STATIC_DEVICES: DeviceDescription[] = [",
    ...statics().map((d) => `  ${describe(d)},`),
    "];",
    "",
    "/** The models BUS_PLUG can instantiate. */",
    "export const PLUGGABLE_MODELS: DeviceDescription[] = [",
    ...models().map((d) => `  ${describe(d)},`),
    "];",
  ];
  return out.join("\n") + "\n";
}

/** The HAL's handlers a device's registers name, once each. */
const handlers = (d: HalDevice): string[] => [...new Set(d.registers.flatMap((r) => [r.read, r.write]).filter((f): f is string => !!f))];

function dispatch(): string {
  const fixed = statics();
  const used = (pick: (r: HalRegister) => string | undefined) =>
    fixed.flatMap((d) => d.registers.filter(pick).map((r) => ({ d, r, fn: pick(r)! })));
  // A device BUS_POWER can take out of BUS_PWR_ON reads 0 and ignores writes until it is on again.
  const gate = (d: HalDevice): string => (managed(d) ? `busOn(${d.slot}) ? ` : "");
  const reads = used((r) => r.read).map(({ d, r, fn }) => `    case ${address(d, r)}: return ${gate(d)}${fn}()${managed(d) ? " : 0" : ""};`);
  const writes = used((r) => r.write).map(({ d, r, fn }) => managed(d)
    ? `    case ${address(d, r)}: if (busOn(${d.slot})) ${fn}(value); break;`
    : `    case ${address(d, r)}: ${fn}(value); break;`);
  const names = fixed.flatMap((d) => [...d.registers.map((r) => regName(d, r)), ...(d.absolute ? [] : [`${upper(d)}_BASE`])]);
  const imports = fixed.map((d) => {
    const fns = new Set([...handlers(d), d.reset]);
    if (d.file === "bus") for (const f of ["busOn", "slotRead", "slotWrite"]) fns.add(f);
    return `import { ${[...fns].join(", ")} } from "./${d.file}";`;
  });
  const out = [
    generatedHeader(SRC),
    "// The register bus: each address of abi/hal.ts goes to its device's handler;",
    "// an address in the slots' windows goes to the bus, which hands it to the",
    "// device plugged in that slot (hal/bus.ts). An unmapped register reads as zero",
    "// and ignores writes, as on a bus with pull-downs.",
    `import { ${[...new Set([...names, "BUS_SLOT_BASE", "BUS_SLOT_COUNT", "BUS_SLOT_STRIDE"])].join(", ")} } from "../kernel/abi";`,
    ...imports,
    "",
    "/** Every static device as at power-up, in slot order (hal_init). */",
    "export function resetDevices(): void {",
    ...fixed.map((d) => `  ${d.reset}();`),
    "}",
    "",
    "export function mmio_read(addr: i32): i32 {",
    "  switch (addr) {",
    ...reads,
    "  }",
    "  if (<u32>(addr - BUS_SLOT_BASE) < <u32>(BUS_SLOT_COUNT * BUS_SLOT_STRIDE)) return slotRead(addr);",
    "  return 0;",
    "}",
    "",
    "export function mmio_write(addr: i32, value: i32): void {",
    "  switch (addr) {",
    ...writes,
    "  }",
    "  if (<u32>(addr - BUS_SLOT_BASE) < <u32>(BUS_SLOT_COUNT * BUS_SLOT_STRIDE)) slotWrite(addr, value);",
    "}",
  ];
  return out.join("\n") + "\n";
}

/** hal/devices.ts: the descriptor table the bus serves, and the pluggable models' dispatch. */
function descriptors(): string {
  const fixed = statics();
  const plug = models();
  const arr = (name: string, doc: string, values: (number | string)[]): string[] =>
    [`/** ${doc} */`, `export const ${name}: StaticArray<i32> = [${values.join(", ")}];`];
  const typeNames = halTypes.map((t) => `DEV_TYPE_${t.name.toUpperCase()}`);
  const regNames = plug.flatMap((d) => d.registers.map((r) => regName(d, r)));
  const sizeNames = plug.map((d) => `${upper(d)}_SIZE`);
  const imports = [
    ...fixed.filter(managed).map((d) => `import { ${d.reset} } from "./${d.file}";`),
    ...plug.map((d) => `import { ${[...new Set([...handlers(d), d.reset])].join(", ")} } from "./${d.file}";`),
  ];
  const modelCase = (d: HalDevice, body: string): string => `    case ${typeConst(d)}: ${body}`;
  const regReads = (d: HalDevice): string[] => {
    const single = d.registers.filter((r) => r.read && !r.count).map((r) => `        case ${regName(d, r)}: return ${r.read}(slot);`);
    const arrays = d.registers.filter((r) => r.read && r.count).map((r) =>
      `      if (<u32>(off - ${regName(d, r)}) < <u32>${4 * r.count!} && (off & 3) == 0) return ${r.read}(slot, (off - ${regName(d, r)}) >> 2);`);
    return [`    case ${typeConst(d)}: {`, "      switch (off) {", ...single, "      }", ...arrays, "      return 0;", "    }"];
  };
  const regWrites = (d: HalDevice): string[] => {
    const single = d.registers.filter((r) => r.write && !r.count).map((r) => `        case ${regName(d, r)}: ${r.write}(slot, value); return;`);
    const arrays = d.registers.filter((r) => r.write && r.count).map((r) =>
      `      if (<u32>(off - ${regName(d, r)}) < <u32>${4 * r.count!} && (off & 3) == 0) ${r.write}(slot, (off - ${regName(d, r)}) >> 2, value);`);
    return [`    case ${typeConst(d)}: {`, "      switch (off) {", ...single, "      }", ...arrays, "      return;", "    }"];
  };
  const out = [
    generatedHeader(SRC),
    "// The bus's descriptor table (hal/bus.ts serves it through BUS_* registers):",
    "// every static device by slot, every pluggable model by type, and the",
    "// dispatch of a plugged device's registers to its model's handlers, which",
    "// take the slot first (each instance is its own).",
    `import { ${[...typeNames, ...regNames, ...sizeNames, ...(fixed.some((d) => d.id !== undefined) ? withId().map((d) => `DEV_${upper(d)}`) : [])].join(", ")} } from "../kernel/abi";`,
    ...imports,
    "",
    ...arr("staticType", "Per static slot: its DEV_TYPE_*.", fixed.map(typeConst)), "",
    ...arr("staticId", "Per static slot: the id a capability names it by, 0 for the kernel's own.", fixed.map((d) => (d.id !== undefined ? `DEV_${upper(d)}` : 0))), "",
    ...arr("staticBase", "Per static slot: its window's address.", fixed.map((d) => `0x${d.base!.toString(16)}`)), "",
    ...arr("staticSize", "Per static slot: its window's size.", fixed.map((d) => `0x${d.size.toString(16)}`)), "",
    ...arr("staticIrq", "Per static slot: its line's bit (1 << slot), 0 if it raises none.", fixed.map(irqBit)), "",
    ...arr("staticPowerCaps", "Per static slot: bit 1 << BUS_PWR_* for each state it supports.", fixed.map(powerCaps)), "",
    ...arr("staticFlags", "Per static slot: BUS_F_* (BUS_F_DMA if it used DMA).", fixed.map(flags)), "",
    "/** A static device entering BUS_PWR_OFF loses its state: its power-up reset. */",
    "export function staticPowerReset(slot: i32): void {",
    "  switch (slot) {",
    ...fixed.filter(managed).map((d) => `    case ${d.slot}: ${d.reset}(); break;`),
    "  }",
    "}",
    "",
    "/** Whether `type` is a DEV_TYPE_* at all. */",
    "export function typeKnown(type: i32): bool {",
    "  switch (type) {",
    ...halTypes.map((t) => `    case DEV_TYPE_${t.name.toUpperCase()}:`),
    "      return true;",
    "  }",
    "  return false;",
    "}",
    "",
    "/** Whether BUS_PLUG can instantiate `type`. */",
    "export function modelPluggable(type: i32): bool {",
    "  switch (type) {",
    ...plug.map((d) => modelCase(d, "return true;")),
    "  }",
    "  return false;",
    "}",
    "",
    "/** A pluggable model's window size. */",
    "export function modelSize(type: i32): i32 {",
    "  switch (type) {",
    ...plug.map((d) => modelCase(d, `return ${upper(d)}_SIZE;`)),
    "  }",
    "  return 0;",
    "}",
    "",
    "/** Whether a pluggable model raises its slot's line. */",
    "export function modelRaises(type: i32): bool {",
    "  switch (type) {",
    ...plug.map((d) => modelCase(d, `return ${d.irq !== undefined};`)),
    "  }",
    "  return false;",
    "}",
    "",
    "/** A pluggable model's power states: bit 1 << BUS_PWR_* for each. */",
    "export function modelPowerCaps(type: i32): i32 {",
    "  switch (type) {",
    ...plug.map((d) => modelCase(d, `return ${powerCaps(d)};`)),
    "  }",
    "  return 0;",
    "}",
    "",
    "/** A pluggable model's BUS_FLAGS: BUS_F_HOTPLUG, and BUS_F_DMA if it used DMA. */",
    "export function modelFlags(type: i32): i32 {",
    "  switch (type) {",
    ...plug.map((d) => modelCase(d, `return ${flags(d)};`)),
    "  }",
    "  return 0;",
    "}",
    "",
    "/** Slot `slot`'s instance of `type` as never used: at unplug and when it enters BUS_PWR_OFF. */",
    "export function modelReset(type: i32, slot: i32): void {",
    "  switch (type) {",
    ...plug.map((d) => modelCase(d, `${d.reset}(slot); break;`)),
    "  }",
    "}",
    "",
    "/** Register `off` of slot `slot`'s instance of `type` (off < its window's size, checked by the bus). */",
    "export function modelRead(type: i32, slot: i32, off: i32): i32 {",
    "  switch (type) {",
    ...plug.flatMap(regReads),
    "  }",
    "  return 0;",
    "}",
    "",
    "export function modelWrite(type: i32, slot: i32, off: i32, value: i32): void {",
    "  switch (type) {",
    ...plug.flatMap(regWrites),
    "  }",
    "}",
  ];
  return out.join("\n") + "\n";
}
