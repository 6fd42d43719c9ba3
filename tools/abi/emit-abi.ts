// kernel/abi.ts: the constants everything imports (the kernel, the userland
// library, the tools, the Node host), in the common subset of TypeScript and
// AssemblyScript. Also what `quark build` embeds in an image's quark.abi
// section. Protocol tags other than the kernel's own live in userland/lib/proto/.
import type { Tables } from "./tables";
import type { Constant, Group } from "../../abi/schema";
import { evaluate, groupBlock, header, setGroup } from "./text";

const SOURCES = [
  "abi/machine.ts", "abi/errors.ts", "abi/rights.ts", "abi/objects.ts", "abi/syscalls.ts", "abi/faults.ts",
  "abi/states.ts", "abi/events.ts", "abi/protocols/kernel.ts",
];

const PREAMBLE = `//
// The quark ABI: the machine ABI (host <-> kernel), the syscall ABI, errors,
// rights, object kinds, fault causes, states and events. Written in the common
// subset of TypeScript and AssemblyScript (plain \`export const NAME = <integer>;\`),
// so the kernel, the userland library and the tools import it as it is, and
// \`quark build\` embeds every constant in the image's \`quark.abi\` section.
// Change a number in abi/ and run \`npm run abi\`; docs/architecture.md, "The ABI tables".
// Service protocols: userland/lib/proto/. Boot table and HAL registers: the two
// files re-exported at the end.
`;

/** E_LAST, R_ALL, SYS_COUNT: numbers that follow from a table, so nobody writes them. */
function derived(name: string, value: number, doc: string): Constant {
  return { name, value, doc };
}

function syscallNumbers(t: Tables): Group {
  const rows: Constant[] = t.syscalls.map((s) => ({ name: `SYS_${s.name.toUpperCase()}`, value: s.number, doc: s.doc }));
  const count = Math.max(...t.syscalls.map((s) => s.number)) + 1;
  rows.push(derived("SYS_COUNT", count, "syscall numbers are 1..SYS_COUNT-1"));
  return {
    title: "syscalls",
    doc: [
      "Each is a kernel export of the lowercase name without `SYS_` (imported by",
      "processes from module \"quark\"), and the generic `syscall(n, a0..a7)` entry",
      "dispatches on the number. Arguments in order; words are i64 (abi/syscalls.ts).",
    ],
    rows,
  };
}

function groups(t: Tables): Group[] {
  const errs = setGroup(t.errors);
  const last = Math.min(...t.errors.rows.map((r) => evaluate(r.value)));
  errs.rows.push(derived("E_LAST", last, "the lowest error code"));
  const rights = setGroup(t.rights);
  const all = t.rights.rows.reduce((a, r) => a | evaluate(r.value), 0);
  rights.rows.push(derived("R_ALL", all, "every right"));
  const kernelProtocol = t.protocols.find((p) => p.name === "kernel")!;
  return [
    ...t.machine.machine, errs, rights, t.leaseRights, setGroup(t.objects), ...t.syscallConstants,
    syscallNumbers(t), setGroup(t.faults), t.faultReport, setGroup(t.processStates), setGroup(t.serviceStates),
    setGroup(t.healthStates), setGroup(t.events),
    { title: "the kernel's own messages", doc: kernelProtocol.doc, rows: kernelProtocol.tags }, t.tagRanges,
  ];
}

export function emitAbi(t: Tables): Array<[string, string]> {
  const body = groups(t).map(groupBlock).join("\n");
  const tail = '\nexport * from "./abi-boot";\nexport * from "./abi-hal";\n';
  return [["kernel/abi.ts", header(SOURCES) + PREAMBLE + "\n" + body + tail]];
}
