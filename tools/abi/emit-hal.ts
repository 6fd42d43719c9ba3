// Emits, from abi/hal.ts, the HAL's register constants (kernel/abi-hal.ts,
// which kernel/abi.ts re-exports) and the HAL's register dispatch
// (hal/mmio.ts: mmio_read and mmio_write call each register's handler in its
// device's file).
import { halDevices } from "../../abi/hal";
import type { HalDevice, HalRegister } from "../../abi/schema-boot";
import { constLine, generatedHeader, spliceSection } from "./emit-boot-table";
import type { Tables } from "./tables";

const SRC = "abi/hal.ts";

export function emitHal(t: Tables): Array<[string, string]> {
  check();
  return [
    ["docs/hal.md", spliceSection(t.read("docs/hal.md"), "docs/hal.md", "abi:hal", registerTable())],
    ["kernel/abi-hal.ts", constants()], ["hal/mmio.ts", dispatch()],
    ["kernel/devices.ts", kernelWindows()], ["tools/lib/devices.ts", deviceNames()],
  ];
}

const regName = (d: HalDevice, r: HalRegister): string => `${d.prefix}_${r.name}`;
/** The address mmio_read/mmio_write see, as an expression of the generated constants. */
const address = (d: HalDevice, r: HalRegister): string => (d.absolute ? regName(d, r) : `${d.name.toUpperCase()}_BASE + ${regName(d, r)}`);

/** Windows must not overlap, registers must lie in their window and match their access. */
function check(): void {
  // init holds one capability per device from boot, in slots INIT_SLOT_DEVICES + id - 1: ids are 1, 2, ...
  withId().forEach((d, i) => { if (d.id !== i + 1) throw new Error(`${SRC}: device ${d.name} has id ${d.id}; ids run 1, 2, ... in table order`); });
  const sorted = [...halDevices].sort((a, b) => a.base - b.base);
  sorted.forEach((d, i) => {
    const next = sorted[i + 1];
    if (next && d.base + d.size > next.base) throw new Error(`${SRC}: ${d.name}'s window overlaps ${next.name}'s`);
    for (const r of d.registers) {
      if (r.offset < 0 || r.offset + 4 > d.size) throw new Error(`${SRC}: ${regName(d, r)} lies outside ${d.name}'s window`);
      if (r.access.includes("r") !== Boolean(r.read) || r.access.includes("w") !== Boolean(r.write)) {
        throw new Error(`${SRC}: ${regName(d, r)} is "${r.access}" but has ${r.read ? "a" : "no"} read and ${r.write ? "a" : "no"} write handler`);
      }
    }
  });
}

function constants(): string {
  const lines = [
    generatedHeader(SRC),
    "// The HAL's devices, reached by the kernel through hal.mmio_read/mmio_write",
    "// at these addresses; a device with an id (DEV_*) is reached by a service",
    "// holding a K_DEVICE capability, by offset in its window (dev_read/dev_write).",
  ];
  for (const d of halDevices) {
    lines.push(`// ${d.name}: ${d.doc}`);
    if (d.id !== undefined) {
      lines.push(constLine(`DEV_${d.name.toUpperCase()}`, d.id, "its device id"));
      lines.push(constLine(`${d.name.toUpperCase()}_BASE`, d.base, "its register window", true));
      lines.push(constLine(`${d.name.toUpperCase()}_SIZE`, d.size, undefined, true));
    }
    for (const r of d.registers) lines.push(constLine(regName(d, r), d.absolute ? d.base + r.offset : r.offset, `${r.access}: ${r.doc}`, true));
    for (const v of d.values) lines.push(constLine(v.name, v.value, v.doc));
  }
  return lines.join("\n") + "\n";
}

const ACCESS: Record<string, string> = { r: "read", w: "write", rw: "read/write" };
const hex = (n: number): string => `\`0x${n.toString(16).padStart(4, "0")}\``;

/** Text for a Markdown table's cell: a bar would end the cell. */
const cell = (text: string): string => text.replace(/\|/g, "\\|");

/** The register map, for docs/hal.md: every device's window and registers. */
function registerTable(): string {
  return [
    "| device | register | address | access | meaning |",
    "|---|---|---|---|---|",
    ...halDevices.flatMap((d) => [
      `| **${d.name}** (\`hal/${d.file}.ts\`${d.id !== undefined ? `, id \`DEV_${upper(d)}\` = ${d.id}` : ""}) | | ${hex(d.base)}..${hex(d.base + d.size - 1)} | | ${cell(d.doc)} |`,
      ...d.registers.map((r) => `| | \`${regName(d, r)}\` | ${hex(d.base + r.offset)}${d.absolute ? "" : ` (offset ${hex(r.offset)})`} | ${ACCESS[r.access]} | ${cell(r.doc)} |`),
      ...d.values.map((v) => `| | \`${v.name}\` = ${v.value} | | value | ${cell(v.doc ?? "")} |`),
    ]),
  ].join("\n");
}

const withId = (): HalDevice[] => halDevices.filter((d) => d.id !== undefined);
const upper = (d: HalDevice): string => d.name.toUpperCase();

/** The kernel's check of a device capability's register offset: only the device's own window. */
function kernelWindows(): string {
  const names = withId().flatMap((d) => [`DEV_${upper(d)}`, `${upper(d)}_BASE`, `${upper(d)}_SIZE`]);
  const out = [
    generatedHeader(SRC),
    "// The HAL's devices as the kernel sees them: init's capabilities to them at",
    "// boot, and the register window each capability opens (kernel/device.ts",
    "// checks every dev_read and dev_write against it).",
    `import { ${names.join(", ")}, INIT_SLOT_DEVICES, K_DEVICE, R_READ, R_WRITE } from "./abi";`,
    'import { install } from "./cspace";',
    "",
    "/** Gives `pid` (init, at boot) a capability to every device, device `id` in slot INIT_SLOT_DEVICES + id - 1. */",
    "@inline export function installDevices(pid: i32): void {",
    ...withId().map((d) => `  install(pid, INIT_SLOT_DEVICES + DEV_${upper(d)} - 1, K_DEVICE, R_READ | R_WRITE, 0, DEV_${upper(d)}, 0, -1);`),
    "}",
    "",
    "/** The bus address of register `reg` of device `id` (reg >= 0, checked by the caller), or -1 outside its window. */",
    "@inline export function deviceAddress(id: i32, reg: i32): i32 {",
    "  switch (id) {",
    ...withId().map((d) => `    case DEV_${upper(d)}: return reg < ${upper(d)}_SIZE ? ${upper(d)}_BASE + reg : -1;`),
    "  }",
    "  return -1;",
    "}",
  ];
  return out.join("\n") + "\n";
}

/** The devices a manifest may grant by name (caps = ["entropy"]). */
function deviceNames(): string {
  const out = [
    generatedHeader(SRC),
    "// HAL devices a service can be granted by name in a manifest's caps (a",
    "// K_DEVICE capability on the device's register window), with their ids.",
    'import * as abi from "../../kernel/abi";',
    "",
    "export const DEVICES: Record<string, number> = {",
    ...withId().map((d) => `  ${d.name}: abi.DEV_${upper(d)},`),
    "};",
  ];
  return out.join("\n") + "\n";
}

function dispatch(): string {
  const used = (pick: (r: HalRegister) => string | undefined) =>
    halDevices.flatMap((d) => d.registers.filter(pick).map((r) => ({ d, r, fn: pick(r)! })));
  const reads = used((r) => r.read);
  const writes = used((r) => r.write);
  const names = halDevices.flatMap((d) => [
    ...d.registers.map((r) => regName(d, r)),
    ...(d.absolute ? [] : [`${d.name.toUpperCase()}_BASE`]),
  ]);
  const imports = halDevices.map((d) => {
    const fns = [...new Set(d.registers.flatMap((r) => [r.read, r.write]).filter((f): f is string => !!f))];
    return `import { ${fns.join(", ")} } from "./${d.file}";`;
  });
  const out = [
    generatedHeader(SRC),
    "// The register bus: each address of abi/hal.ts goes to its device's handler.",
    "// An unmapped register reads as zero and ignores writes, as on a bus with pull-downs.",
    `import { ${[...new Set(names)].join(", ")} } from "../kernel/abi";`,
    ...imports,
    "",
    "export function mmio_read(addr: i32): i32 {",
    "  switch (addr) {",
    ...reads.map(({ d, r, fn }) => `    case ${address(d, r)}: return ${fn}();`),
    "  }",
    "  return 0;",
    "}",
    "",
    "export function mmio_write(addr: i32, value: i32): void {",
    "  switch (addr) {",
    ...writes.map(({ d, r, fn }) => `    case ${address(d, r)}: ${fn}(value); break;`),
    "  }",
    "}",
  ];
  return out.join("\n") + "\n";
}
