// The machine ABI: what a host (the "board": Node or wasmtime) and a quark
// image agree on. docs/machine-abi.md describes it in prose; every number and
// name below reaches the kernel, the tools and both hosts through `npm run abi`.
import type { Group, HostImport, Text } from "./schema";

export const machine: Group[] = [
  {
    title: "version",
    doc: [
      "Bump on any incompatible change to anything in kernel/abi.ts.",
    ],
    rows: [
      { name: "ABI_VERSION", value: 1 },
    ],
  },
  {
    title: "entry points",
    doc: [
      "Entry points a process may export; `host.invoke(pid, entry, a0, a1)` calls them.",
    ],
    rows: [
      { name: "ENTRY_START", value: 0, doc: "quark_start(a0 = pid, a1 = restarts): i32" },
      { name: "ENTRY_HANDLE", value: 1, doc: "quark_handle(badge, tag): i32 (the reply status)" },
      { name: "ENTRY_NOTIFY", value: 2, doc: "quark_notify(bits, 0): i32" },
      { name: "ENTRY_COUNT", value: 4 },
      { name: "ENTRY_SAVE", value: 3, doc: "quark_save(a0 = pid, 0): i32 -- the old instance during a hot reload; handoff_put keeps state for the new one" },
    ],
  },
  {
    title: "invoke results",
    doc: [
      "What `host.invoke` returns when the callee trapped (i32 minimum), or when the",
      "process does not export that entry. A handler cannot produce them: a host that",
      "sees a handler return one returns E_ARG instead.",
    ],
    rows: [
      { name: "INVOKE_TRAPPED", value: "1 << 31" },
      { name: "INVOKE_NOENTRY", value: "(1 << 31) + 1" },
    ],
  },
  {
    title: "run results",
    doc: [
      "`kernel.run()` results.",
    ],
    rows: [
      { name: "RUN_IDLE", value: 0, doc: "nothing to do until input or the next timer deadline" },
      { name: "RUN_BUSY", value: 1, doc: "budget used up with work left: call run() again" },
      { name: "RUN_HALT", value: 2, doc: "the system halted; kernel.exit_code() has the code" },
    ],
  },
  {
    title: "boot flags",
    doc: [
      "`kernel.boot(flags)` flags.",
    ],
    rows: [
      { name: "BOOT_UNTIL_READY", value: 1, doc: "halt with code 0 once init reports ready" },
      { name: "BOOT_QUIET", value: 2, doc: "only protocol lines (starting with '#') reach the console: the conformance runner and the bench boot with it (quark boot --quiet leaves log lines out in the board instead, keeping the shell's answers)" },
      { name: "BOOT_INTERACTIVE", value: 4, doc: "a person or a script drives the console: the shell halts at end of input" },
      { name: "BOOT_TTY", value: 8, doc: "that is a terminal: the shell prompts" },
      { name: "BOOT_STRICT", value: 16, doc: "a script's commands decide the status: at the end of input the shell halts with the worst of them (0, 1 refused, 2 usage)" },
    ],
  },
  {
    title: "host limits and exit codes",
    doc: [
      "A host's exit status, the same under every engine (docs/machine-abi.md). After",
      "RUN_HALT it is the kernel's exit_code(); otherwise one of these.",
    ],
    rows: [
      { name: "EXIT_NOTHING_CAN_WAKE", value: 0, doc: "next_deadline() is DEADLINE_NEVER, or the input ended and nothing is due" },
      { name: "EXIT_KERNEL_REFUSED", value: 1, doc: "kernel.boot() refused the boot table, or kernel.run() answered no RUN_* value" },
      { name: "EXIT_BAD_IMAGE", value: 2, doc: "not a usable image: unreadable, damaged, or built from another checkout (tools/lib/image-check.ts)" },
      { name: "EXIT_KERNEL_TRAP", value: 3, doc: "the kernel itself trapped: never a service's doing" },
      { name: "EXIT_INTERRUPTED", value: 130, doc: "interrupted (Ctrl-C), as a shell reports SIGINT" },
      { name: "CONTROL_BACKLOG", value: 4194304, doc: "console bytes a control-socket connection may leave unread; past it the connection is dropped, so a client that stops reading costs the machine nothing" },
    ],
  },
  {
    title: "processes and limits",
    doc: [
      "Process identifiers: pid 0 is the kernel itself (its memory in host.copy).",
      "host.copy also reaches the HAL's memory, as COPY_HAL: the kernel moves a device's DMA that way.",
    ],
    rows: [
      { name: "PID_KERNEL", value: 0 },
      { name: "PID_INIT", value: 1 },
      { name: "MAX_PROCS", value: 64 },
      { name: "COPY_HAL", value: 64, doc: "host.copy's name for the HAL's memory (MAX_PROCS: no pid is ever this): where a device's DMA lands or comes from (kernel/dma.ts)" },
      { name: "CSPACE_SLOTS", value: 256, doc: "capability slots per process (a memory manager holds one per object)" },
      { name: "MSG_WORDS", value: 6, doc: "data words per message (i64 each)" },
      { name: "MAX_LEASES", value: 4, doc: "leases per call" },
      { name: "QUEUE_DEPTH", value: 16, doc: "asynchronous messages per endpoint" },
      { name: "MAX_CALL_DEPTH", value: 16, doc: "nested synchronous calls" },
    ],
  },
  {
    title: "spawn operations",
    doc: [
      "`host.spawn(pid, module, flags)` operations (hot reload, kernel/reload.ts); 0 spawns as always.",
    ],
    rows: [
      { name: "SPAWN_STAGE", value: 1, doc: "instantiate the module as read from the image file now into pid's staging slot; the live instance is untouched" },
      { name: "SPAWN_SWAP", value: 2, doc: "exchange pid's live and staged instances (module ignored)" },
      { name: "SPAWN_DISCARD", value: 3, doc: "drop pid's staged instance (module ignored)" },
      { name: "HANDOFF_MAX", value: 4096, doc: "bytes quark_save may hand to the next instance (handoff_put)" },
    ],
  },
  {
    title: "cpu",
    doc: [
      "CPU: the hosts run every service module through the loader (tools/loader/),",
      "which puts a fuel charge at each function entry and loop header against the",
      "kernel's exported global \"fuel\"; memory syscalls charge their work to it too",
      "(kernel/cpu.ts: charge). A handler that spends its budget traps, as FAULT_CPU.",
    ],
    rows: [
      { name: "DEFAULT_CPU_BUDGET", value: 100000000, doc: "fuel units per handler invocation" },
    ],
  },
  {
    title: "engine stack",
    doc: [
      "Engine stack (kernel/stack.ts). The loader (tools/loader/) makes every call",
      "inside a service charge the callee's frame weight, in 8-byte slots, against",
      "the kernel's exported global \"stack\"; the kernel gives each entry a window of",
      "STACK_BUDGET slots, and refuses an entry (E_DEPTH to its caller) when the",
      "stack left beneath, after STACK_KERNEL_COST for its own and the host's frames,",
      "could not hold one. STACK_SLOTS is the whole machine's stack in slots, set",
      "well inside both engines' limits (docs/security.md has the measurements).",
      "STACK_ENTRY_MAX is the heaviest entry point (exported or start function) the",
      "loader accepts: an entry's own frame is charged by no call site, so",
      "STACK_KERNEL_COST covers it. The loader's flags (tools/loader/index.ts:",
      "instrument): only `quark bench` passes one, to measure the guard's cost.",
    ],
    rows: [
      { name: "STACK_SLOTS", value: 24576 },
      { name: "STACK_BUDGET", value: 2048 },
      { name: "STACK_KERNEL_COST", value: 256 },
      { name: "STACK_ENTRY_MAX", value: 128 },
      { name: "LOADER_NO_STACK_GUARD", value: 1 },
    ],
  },
  {
    title: "bounded kernel work",
    doc: [
      "A syscall whose work grows with its arguments charges its",
      "caller one unit of fuel per page, table entry, mapping record, capability",
      "slot or byte it visits (docs/security.md); besides that it does at most",
      "WORK_UNCHARGED steps (function entries and loop iterations), and at most",
      "WORK_PER_UNIT steps per unit charged (tests/unit/kernel-work.test.ts).",
      "Ending a process tears down its address space uncharged: at most",
      "WORK_PER_FRAME_HELD steps per frame it held.",
    ],
    rows: [
      { name: "WORK_UNCHARGED", value: 4096 },
      { name: "WORK_PER_UNIT", value: 8 },
      { name: "WORK_PER_FRAME_HELD", value: 1100 },
    ],
  },
  {
    title: "kernel exit codes",
    doc: ["The exit codes the machine halts with: the kernel's when init cannot start or dies (EX_SOFTWARE), init's and the shell's for a boot or a script that failed."],
    rows: [
      { name: "EXIT_PANIC", value: 70, doc: "init failed to start, died, or exited: the machine cannot go on" },
      { name: "EXIT_SERVICE_FAILED", value: 1, doc: "a service failed to start at boot (its quark_start trapped or was refused, or a requirement failed): init halts with it at ready under BOOT_UNTIL_READY, and at a halt asked with 0 under BOOT_STRICT" },
      { name: "EXIT_SHELL_REFUSED", value: 1, doc: "a shell command the system refused (no such service, a refused request): the shell's status for it" },
      { name: "EXIT_SHELL_USAGE", value: 2, doc: "a shell command that is not one, or lacks a word it needs: the shell's status for it" },
    ],
  },
  {
    title: "tool exit codes",
    doc: ["Statuses of quark's own commands besides 0 (success), 1 (failed) and 2 (usage, or not a usable image): each means one thing a script can test."],
    rows: [
      { name: "EXIT_CONFORMANCE_BROKEN", value: 4, doc: "quark conformance: the run itself broke, so its tests say nothing (the image did not boot or halted early, the suite's protocol was cut or unreadable): not a failed test (1), nor a usage error (2)" },
    ],
  },
  {
    title: "deadline sentinels",
    doc: [
      "What `kernel.next_deadline()` returns besides a host-clock time (ns, >= 0):",
      "the run loops of both hosts and the test bench compare with these names.",
    ],
    rows: [
      { name: "DEADLINE_INPUT", value: -1, doc: "nothing is due, but console input may wake the system" },
      { name: "DEADLINE_NEVER", value: -2, doc: "nothing can wake the system: exit with code 0, printing nothing" },
    ],
  },
];

/**
 * The status codes the wasmtime host's C trampoline (shim.c) needs, in the
 * order shim.py passes them to quark_shim_configure: generated into both
 * quark_abi.h (an enum) and quark_abi.py (a tuple), so the order is written once.
 */
export const trampolineCodes: string[] = [
  "INVOKE_TRAPPED", "INVOKE_NOENTRY", "OK", "E_ARG", "E_CRASHED", "E_FAULT", "E_LINK", "E_NOMODULE",
  "E_NOSPACE", "PID_KERNEL", "SPAWN_STAGE", "SPAWN_SWAP", "SPAWN_DISCARD",
];

/** Names the tools and both hosts share: image sections and module names. */
export const texts: Text[] = [
  { name: "KERNEL_MODULE_NAME", value: "quark-kernel", doc: "the kernel's name in its Wasm name section: a trap whose innermost frame is in it is the kernel's" },
  { name: "HAL_MODULE_NAME", value: "quark-hal", doc: "the HAL's name in its Wasm name section" },
  { name: "KERNEL_REFUSAL_NAME", value: "kernel", doc: "the image itself, as a refusal names it (`module kernel does not compile`)" },
  { name: "SECTION_PREFIX", value: "quark.", doc: "every custom section of an image that quark reads starts with this" },
  { name: "SECTION_ABI", value: "quark.abi", doc: "UTF-8 JSON: every constant of kernel/abi.ts by name" },
  { name: "SECTION_MODULES", value: "quark.modules", doc: "UTF-8 JSON array: name, kind, size, sha256 of each module" },
  { name: "SECTION_MODULE_PREFIX", value: "quark.mod.", doc: "followed by a module's name: that module's bytes" },
  { name: "SECTION_MANIFEST", value: "quark.manifest", doc: "UTF-8 JSON: the manifest as the build normalised it" },
  { name: "SECTION_BOOT", value: "quark.boot", doc: "the boot table init reads through boot_read" },
  { name: "FAULT_CAUSE_EXPORT", value: "fault_cause", doc: "the kernel export fault_cause(pid): i32, the cause (FAULT_*) of pid's last fault not yet asked about, or 0 (each fault answers once): the board asks it once for each service trap an engine reports, in order, so a trap at a limit (CPU budget, stack window, abort, memory) is named by its cause, not by the instruction that stopped it, and a trap the kernel took as no fault (a reload's new build rolled back) by its kind" },
  { name: "INIT_EXPORT", value: "quark_init", doc: "the service loader adds it to a module it can reset: the host calls it on a new instance (data segments, then the module's start function)" },
  { name: "RESET_EXPORT", value: "quark_reset", doc: "the service loader adds it to a module it can reset: the host calls it to give a dead instance to a new process, as new" },
];

/** The process entry points' export names, by ENTRY_* constant. */
export const entryExports: Text[] = [
  { name: "ENTRY_START", value: "quark_start" },
  { name: "ENTRY_HANDLE", value: "quark_handle" },
  { name: "ENTRY_NOTIFY", value: "quark_notify" },
  { name: "ENTRY_SAVE", value: "quark_save" },
];

/** What a host provides to each instance (module "host"). */
export const hostImports: HostImport[] = [
  { importer: "hal", module: "host", name: "now", localName: "host_now", params: [], result: "f64", doc: "monotonic nanoseconds since the host started" },
  { importer: "hal", module: "host", name: "console_out", localName: "host_console_out", params: ["ptr: i32", "len: i32"], result: "", doc: "write `len` bytes of the HAL's memory at `ptr` to standard output" },
  { importer: "hal", module: "host", name: "random_fill", localName: "host_random_fill", params: ["ptr: i32", "len: i32"], result: "", doc: "fill `len` bytes of the HAL's memory at `ptr` from the host's cryptographic random source" },
  { importer: "kernel", module: "host", name: "invoke", localName: "host_invoke", params: ["pid: i32", "entry: i32", "a0: i32", "a1: i32"], result: "i32", doc: "Run an entry of process `pid`; INVOKE_TRAPPED if it trapped, INVOKE_NOENTRY if there is none." },
  { importer: "kernel", module: "host", name: "spawn", localName: "host_spawn", params: ["pid: i32", "module: i32", "flags: i32"], result: "i32", doc: "Instantiate image module `module` afresh as process `pid` (flags: 0, or a SPAWN_* operation)." },
  { importer: "kernel", module: "host", name: "kill", localName: "host_kill", params: ["pid: i32"], result: "", doc: "Drop process `pid`'s instance." },
  { importer: "kernel", module: "host", name: "copy", localName: "host_copy", params: ["srcPid: i32", "src: i32", "dstPid: i32", "dst: i32", "len: i32"], result: "i32", doc: "Copy bytes between memories (pid 0 is the kernel, COPY_HAL the HAL); E_FAULT when out of range." },
  { importer: "kernel", module: "hal", name: "mmio_read", localName: "mmio_read", params: ["addr: i32"], result: "i32", doc: "Read a HAL device register (abi/hal.ts)." },
  { importer: "kernel", module: "hal", name: "mmio_write", localName: "mmio_write", params: ["addr: i32", "value: i32"], result: "", doc: "Write a HAL device register (abi/hal.ts)." },
];
