// The syscall ABI: every syscall once, with its number, its arguments and
// their widths, its result, the kernel function that handles it and one doc
// line; then the numbers its arguments and results use. From this table
// `npm run abi` writes the SYS_* numbers (kernel/abi.ts), the generic entry's
// dispatch and argument narrowing (kernel/syscalls.gen.ts), the kernel's export
// list (kernel/index.ts), the userland declarations (userland/lib/sys.ts) and
// the reference table in docs/machine-abi.md.
//
// Widths: i32/u32/usize arguments are 32-bit (slots, indices, pointers,
// lengths, rights) and the generic `syscall` entry refuses a wider value with
// E_ARG; i64 arguments are message words, deadlines and fuel. Every 32-bit
// argument comes before every i64 one.
import type { Group, Syscall } from "./schema";

export const syscalls: Syscall[] = [
  {
    name: "call", number: 1, result: "i32", handler: "call", file: "ipc",
    args: [{ name: "slot", width: "i32" }, { name: "tag", width: "i32" }, { name: "w0", width: "i64" }, { name: "w1", width: "i64" }, { name: "w2", width: "i64" }, { name: "w3", width: "i64" }, { name: "w4", width: "i64" }, { name: "w5", width: "i64" }],
    doc: "call(slot, tag, w0..w5): status",
  },
  {
    name: "send", number: 2, result: "i32", handler: "send", file: "ipc",
    args: [{ name: "slot", width: "i32" }, { name: "tag", width: "i32" }, { name: "w0", width: "i64" }, { name: "w1", width: "i64" }, { name: "w2", width: "i64" }, { name: "w3", width: "i64" }, { name: "w4", width: "i64" }, { name: "w5", width: "i64" }],
    doc: "send(slot, tag, w0..w5): 0",
  },
  {
    name: "reply", number: 3, result: "i32", handler: "reply", file: "ipc",
    args: [{ name: "w0", width: "i64" }, { name: "w1", width: "i64" }, { name: "w2", width: "i64" }, { name: "w3", width: "i64" }, { name: "w4", width: "i64" }, { name: "w5", width: "i64" }],
    doc: "reply(w0..w5): 0 -- the reply words of the current call",
  },
  {
    name: "msg_word", number: 4, result: "i64", handler: "msgWord", file: "ipc",
    args: [{ name: "i", width: "i32" }],
    doc: "msg_word(i): i64 -- word i of the message being handled",
  },
  {
    name: "reply_word", number: 5, result: "i64", handler: "replyWord", file: "ipc",
    args: [{ name: "i", width: "i32" }],
    doc: "reply_word(i): i64 -- word i of the last call's reply",
  },
  {
    name: "msg_info", number: 6, result: "i32", handler: "msgInfo", file: "ipc",
    args: [],
    doc: "msg_info(): flags",
  },
  {
    name: "xfer", number: 7, result: "i32", handler: "xfer", file: "ipc",
    args: [{ name: "slot", width: "i32" }],
    doc: "xfer(slot): attach a capability to the next call/send (-1 clears)",
  },
  {
    name: "lease", number: 8, result: "i32", handler: "setLease", file: "lease",
    args: [{ name: "i", width: "i32" }, { name: "ptr", width: "usize" }, { name: "len", width: "i32" }, { name: "rights", width: "i32" }],
    doc: "lease(i, ptr, len, rights): lend memory to the next call",
  },
  {
    name: "lease_len", number: 9, result: "i32", handler: "leaseLen", file: "lease",
    args: [{ name: "i", width: "i32" }],
    doc: "lease_len(i): length of lease i of the current call",
  },
  {
    name: "lease_read", number: 10, result: "i32", handler: "leaseRead", file: "lease",
    args: [{ name: "i", width: "i32" }, { name: "off", width: "i32" }, { name: "dst", width: "usize" }, { name: "len", width: "i32" }],
    doc: "lease_read(i, off, dst, len): bytes copied",
  },
  {
    name: "lease_write", number: 11, result: "i32", handler: "leaseWrite", file: "lease",
    args: [{ name: "i", width: "i32" }, { name: "off", width: "i32" }, { name: "src", width: "usize" }, { name: "len", width: "i32" }],
    doc: "lease_write(i, off, src, len): bytes copied",
  },
  {
    name: "cap_derive", number: 12, result: "i32", handler: "capDerive", file: "caps",
    args: [{ name: "slot", width: "i32" }, { name: "rights", width: "i32" }, { name: "badge", width: "i32" }],
    doc: "cap_derive(slot, rights, badge): new slot",
  },
  {
    name: "cap_delete", number: 13, result: "i32", handler: "capDelete", file: "caps",
    args: [{ name: "slot", width: "i32" }],
    doc: "cap_delete(slot)",
  },
  {
    name: "cap_revoke", number: 14, result: "i32", handler: "capRevoke", file: "caps",
    args: [{ name: "slot", width: "i32" }],
    doc: "cap_revoke(slot): deletes every capability derived from it",
  },
  {
    name: "cap_info", number: 15, result: "i32", handler: "capInfo", file: "caps",
    args: [{ name: "slot", width: "i32" }],
    doc: "cap_info(slot): kind | rights << 8",
  },
  {
    name: "cap_find", number: 16, result: "i32", handler: "capFind", file: "caps",
    args: [{ name: "label", width: "i32" }],
    doc: "cap_find(label): slot",
  },
  {
    name: "signal", number: 17, result: "i32", handler: "signal", file: "caps",
    args: [{ name: "slot", width: "i32" }, { name: "bits", width: "i32" }],
    doc: "signal(slot, bits)",
  },
  {
    name: "timer_set", number: 18, result: "i32", handler: "timerSet", file: "misc",
    args: [{ name: "deadline", width: "i64" }],
    doc: "timer_set(deadline_ns): NOTE_TIMER when the clock passes it (0 cancels)",
  },
  {
    name: "time", number: 19, result: "i64", handler: "time", file: "misc",
    args: [],
    doc: "time(): ns since boot",
  },
  {
    name: "console_write", number: 20, result: "i32", handler: "consoleWrite", file: "misc",
    args: [{ name: "slot", width: "i32" }, { name: "ptr", width: "usize" }, { name: "len", width: "i32" }],
    doc: "console_write(slot, ptr, len): bytes written",
  },
  {
    name: "proc_spawn", number: 21, result: "i32", handler: "procSpawn", file: "process",
    args: [{ name: "bootSlot", width: "i32" }, { name: "module", width: "i32" }],
    doc: "proc_spawn(boot_slot, module): process slot",
  },
  {
    name: "proc_start", number: 22, result: "i32", handler: "procStart", file: "process",
    args: [{ name: "procSlot", width: "i32" }],
    doc: "proc_start(proc_slot): quark_start's status",
  },
  {
    name: "proc_endpoint", number: 23, result: "i32", handler: "procEndpoint", file: "process",
    args: [{ name: "procSlot", width: "i32" }, { name: "badge", width: "i32" }],
    doc: "proc_endpoint(proc_slot, badge): endpoint slot",
  },
  {
    name: "cap_give", number: 24, result: "i32", handler: "capGive", file: "process",
    args: [{ name: "procSlot", width: "i32" }, { name: "slot", width: "i32" }, { name: "rights", width: "i32" }, { name: "label", width: "i32" }],
    doc: "cap_give(proc_slot, slot, rights, label): slot in the target",
  },
  {
    name: "proc_restart", number: 25, result: "i32", handler: "procRestart", file: "process",
    args: [{ name: "procSlot", width: "i32" }],
    doc: "proc_restart(proc_slot): quark_start's status",
  },
  {
    name: "proc_kill", number: 26, result: "i32", handler: "procKill", file: "process",
    args: [{ name: "procSlot", width: "i32" }],
    doc: "proc_kill(proc_slot)",
  },
  {
    name: "fault_endpoint", number: 27, result: "i32", handler: "faultEndpoint", file: "boot",
    args: [{ name: "bootSlot", width: "i32" }, { name: "epSlot", width: "i32" }],
    doc: "fault_endpoint(boot_slot, ep_slot): where faults are reported",
  },
  {
    name: "boot_read", number: 28, result: "i32", handler: "bootRead", file: "boot",
    args: [{ name: "bootSlot", width: "i32" }, { name: "off", width: "i32" }, { name: "dst", width: "usize" }, { name: "len", width: "i32" }],
    doc: "boot_read(boot_slot, off, dst, len): bytes copied",
  },
  {
    name: "ready", number: 29, result: "i32", handler: "ready", file: "boot",
    args: [{ name: "bootSlot", width: "i32" }],
    doc: "ready(boot_slot): the system is up",
  },
  {
    name: "halt", number: 30, result: "i32", handler: "sysHalt", file: "boot",
    args: [{ name: "bootSlot", width: "i32" }, { name: "code", width: "i32" }],
    doc: "halt(boot_slot, code)",
  },
  {
    name: "msg_cap", number: 31, result: "i32", handler: "msgCap", file: "ipc",
    args: [],
    doc: "msg_cap(): slot of the capability received with the message",
  },
  {
    name: "reply_cap", number: 32, result: "i32", handler: "replyCap", file: "ipc",
    args: [{ name: "slot", width: "i32" }],
    doc: "reply_cap(slot): attach a capability to the reply",
  },
  {
    name: "recv_cap", number: 33, result: "i32", handler: "recvCap", file: "ipc",
    args: [],
    doc: "recv_cap(): slot of the capability received with the last reply",
  },
  {
    name: "proc_notify", number: 34, result: "i32", handler: "procNotify", file: "process",
    args: [{ name: "procSlot", width: "i32" }, { name: "bits", width: "i32" }],
    doc: "proc_notify(proc_slot, bits): signal capability for those bits",
  },
  {
    name: "proc_info", number: 35, result: "i32", handler: "procInfo", file: "process",
    args: [{ name: "procSlot", width: "i32" }, { name: "field", width: "i32" }],
    doc: "proc_info(proc_slot, field): see PI_*",
  },
  {
    name: "self", number: 36, result: "i32", handler: "self", file: "misc",
    args: [],
    doc: "self(): own pid",
  },
  {
    name: "cap_label", number: 37, result: "i32", handler: "capSetLabel", file: "caps",
    args: [{ name: "slot", width: "i32" }, { name: "label", width: "i32" }],
    doc: "cap_label(slot, label): name a slot for cap_find",
  },
  {
    name: "stats", number: 38, result: "i32", handler: "stats", file: "misc",
    args: [{ name: "field", width: "i32" }],
    doc: "stats(field): kernel counters, see ST_*",
  },
  {
    name: "vm_map", number: 39, result: "i32", handler: "vmMap", file: "vm",
    args: [{ name: "vaddr", width: "u32" }, { name: "npages", width: "i32" }, { name: "rights", width: "i32" }],
    doc: "vm_map(vaddr, npages, rights): demand-zero anonymous pages",
  },
  {
    name: "vm_unmap", number: 40, result: "i32", handler: "vmUnmap", file: "vm",
    args: [{ name: "vaddr", width: "u32" }, { name: "npages", width: "i32" }],
    doc: "vm_unmap(vaddr, npages): pages unmapped",
  },
  {
    name: "vm_protect", number: 41, result: "i32", handler: "vmProtect", file: "vm",
    args: [{ name: "vaddr", width: "u32" }, { name: "npages", width: "i32" }, { name: "rights", width: "i32" }],
    doc: "vm_protect(vaddr, npages, rights)",
  },
  {
    name: "vm_read", number: 42, result: "i32", handler: "vmRead", file: "vm",
    args: [{ name: "vaddr", width: "u32" }, { name: "dst", width: "usize" }, { name: "len", width: "i32" }],
    doc: "vm_read(vaddr, dst, len): bytes copied into private memory",
  },
  {
    name: "vm_write", number: 43, result: "i32", handler: "vmWrite", file: "vm",
    args: [{ name: "vaddr", width: "u32" }, { name: "src", width: "usize" }, { name: "len", width: "i32" }],
    doc: "vm_write(vaddr, src, len): bytes copied from private memory",
  },
  {
    name: "vm_query", number: 44, result: "i32", handler: "vmQuery", file: "vm",
    args: [{ name: "vaddr", width: "u32" }],
    doc: "vm_query(vaddr): the PTE's flag bits (PTE_*), or E_UNMAPPED",
  },
  {
    name: "mem_create", number: 45, result: "i32", handler: "memCreate", file: "memobj",
    args: [{ name: "npages", width: "i32" }],
    doc: "mem_create(npages): slot of a new memory object",
  },
  {
    name: "mem_map", number: 46, result: "i32", handler: "memMap", file: "memobj",
    args: [{ name: "slot", width: "i32" }, { name: "vaddr", width: "u32" }, { name: "rights", width: "i32" }],
    doc: "mem_map(slot, vaddr, rights): the whole object, shared",
  },
  {
    name: "mem_clone", number: 47, result: "i32", handler: "memClone", file: "memobj",
    args: [{ name: "slot", width: "i32" }],
    doc: "mem_clone(slot): slot of a copy-on-write clone",
  },
  {
    name: "mem_info", number: 48, result: "i32", handler: "memInfo", file: "memobj",
    args: [{ name: "slot", width: "i32" }, { name: "field", width: "i32" }],
    doc: "mem_info(slot, field): see MI_*",
  },
  {
    name: "self_endpoint", number: 49, result: "i32", handler: "selfEndpoint", file: "misc",
    args: [{ name: "badge", width: "i32" }],
    doc: "self_endpoint(badge): a capability to one's own endpoint",
  },
  {
    name: "dev_read", number: 50, result: "i64", handler: "devRead", file: "device",
    args: [{ name: "slot", width: "i32" }, { name: "reg", width: "i32" }],
    doc: "dev_read(slot, reg): i64 -- a device register (offset in its window), zero-extended",
  },
  {
    name: "dev_write", number: 51, result: "i32", handler: "devWrite", file: "device",
    args: [{ name: "slot", width: "i32" }, { name: "reg", width: "i32" }, { name: "value", width: "i32" }],
    doc: "dev_write(slot, reg, value)",
  },
  {
    name: "proc_quota", number: 52, result: "i32", handler: "procQuota", file: "process",
    args: [{ name: "procSlot", width: "i32" }, { name: "pages", width: "i32" }],
    doc: "proc_quota(proc_slot, pages): the process's page quota",
  },
  {
    name: "fault_next", number: 53, result: "i64", handler: "faultNext", file: "fault",
    args: [{ name: "bootSlot", width: "i32" }],
    doc: "fault_next(boot_slot): i64 -- the next fault to handle (FN_*), 0 when none",
  },
  {
    name: "proc_budget", number: 54, result: "i32", handler: "procBudget", file: "process",
    args: [{ name: "procSlot", width: "i32" }, { name: "units", width: "i64" }],
    doc: "proc_budget(proc_slot, units): i64 fuel per message (0: the default)",
  },
  {
    name: "proc_crash", number: 56, result: "i32", handler: "procCrash", file: "process",
    args: [{ name: "procSlot", width: "i32" }],
    doc: "proc_crash(proc_slot): the process traps at its next entry (E_STATE: not running, or one pending)",
  },
  {
    name: "exit", number: 57, result: "i32", handler: "sysExit", file: "fault",
    args: [{ name: "code", width: "i32" }],
    doc: "exit(code): stop when the running handler returns; the supervisor hears FAULT_EXIT",
  },
  {
    name: "proc_pause", number: 58, result: "i32", handler: "procPause", file: "process",
    args: [{ name: "procSlot", width: "i32" }, { name: "paused", width: "i32" }],
    doc: "proc_pause(proc_slot, paused): 1 pauses, 0 resumes",
  },
  {
    name: "proc_queue", number: 59, result: "i32", handler: "procQueue", file: "process",
    args: [{ name: "procSlot", width: "i32" }, { name: "depth", width: "i32" }],
    doc: "proc_queue(proc_slot, depth): how many sends may wait for it (1..QUEUE_DEPTH)",
  },
  {
    name: "tick_set", number: 60, result: "i32", handler: "tickSet", file: "misc",
    args: [{ name: "deadline", width: "i64" }],
    doc: "tick_set(deadline_ns): NOTE_TICK when the clock passes it (0 cancels); unlike a timer, it keeps nothing awake",
  },
  {
    name: "proc_ping", number: 61, result: "i32", handler: "procPing", file: "process",
    args: [{ name: "procSlot", width: "i32" }, { name: "units", width: "i64" }],
    doc: "proc_ping(proc_slot, fuel): enter its quark_handle with TAG_PING under a fuel deadline; its status, E_DEAD, E_BUSY or E_CRASHED (FAULT_HUNG)",
  },
  {
    name: "proc_reload", number: 62, result: "i32", handler: "procReload", file: "reload",
    args: [{ name: "procSlot", width: "i32" }, { name: "flags", width: "i32" }],
    doc: "proc_reload(proc_slot, flags): hot reload (RELOAD_*): a new instance of its module from the image file, same pid; the new quark_start's status, or an error after rolling back",
  },
  {
    name: "handoff_put", number: 63, result: "i32", handler: "handoffPut", file: "reload",
    args: [{ name: "src", width: "usize" }, { name: "len", width: "i32" }],
    doc: "handoff_put(src, len): keep len (<= HANDOFF_MAX) bytes for the next instance; only in quark_save during a reload (E_STATE otherwise)",
  },
  {
    name: "handoff_get", number: 64, result: "i32", handler: "handoffGet", file: "reload",
    args: [{ name: "dst", width: "usize" }, { name: "len", width: "i32" }],
    doc: "handoff_get(dst, len): copy up to len bytes the previous instance kept; bytes copied; only in a reloaded instance's quark_start (E_STATE otherwise)",
  },
  {
    name: "cap_recv", number: 65, result: "i32", handler: "capRecv", file: "ipc",
    args: [{ name: "slot", width: "i32" }],
    doc: "cap_recv(slot): the next capability transferred to the caller (with a call or send it gets, or a reply) lands in this empty slot; RECV_ANY: the kernel picks one; RECV_NONE disarms. The slot armed",
  },
  {
    name: "irq_mint", number: 66, result: "i32", handler: "irqMint", file: "irq",
    args: [{ name: "bootSlot", width: "i32" }, { name: "line", width: "i32" }],
    doc: "irq_mint(boot_slot, line): slot of a new K_IRQ capability to interrupt line `line` (not the kernel's own lines)",
  },
  {
    name: "irq_bind", number: 67, result: "i32", handler: "irqBind", file: "irq",
    args: [{ name: "slot", width: "i32" }, { name: "bit", width: "i32" }],
    doc: "irq_bind(irq_slot, bit): the line's interrupts raise notification bit `bit` (1 << bit) of the caller; the line stays masked until irq_control enables it (E_PERM: another process holds it)",
  },
  {
    name: "irq_control", number: 68, result: "i32", handler: "irqControl", file: "irq",
    args: [{ name: "slot", width: "i32" }, { name: "flags", width: "i32" }],
    doc: "irq_control(irq_slot, flags): IRQ_CTL_CLEAR forgets the latched interrupt, IRQ_CTL_ENABLE re-arms the line (0 masks it); a line still latched when re-armed is delivered again",
  },
  {
    name: "dma_bind", number: 69, result: "i32", handler: "dmaBind", file: "dma",
    args: [{ name: "slot", width: "i32" }, { name: "on", width: "i32" }],
    doc: "dma_bind(device_slot, on): the device's DMA reaches the caller's kernel-managed memory (its pages, with their rights) from now on (on = 1), or no longer (0); the holder needs R_WRITE; E_UNSUPPORTED: the device does no DMA (BUS_F_DMA) or is gone; E_PERM: another process has it bound (its registers are that process's alone meanwhile); E_NOSPACE: DMA_BINDINGS devices are bound",
  },
  {
    name: "cap_query", number: 70, result: "i32", handler: "capQuery", file: "caps",
    args: [{ name: "slot", width: "i32" }, { name: "what", width: "i32" }],
    doc: "cap_query(slot, what): CQ_TARGET: the pid an endpoint or notification capability delivers to, or a process capability names; CQ_DERIVED: 1 if a capability derived from this one exists now (a copy handed on and not yet deleted, wherever it went), else 0. E_ARG: another `what`, or CQ_TARGET of another kind",
  },
];

/**
 * Numbers of syscalls that left the ABI. A number is never given to another
 * syscall: a module built against the old table fails to link (its import is
 * gone) rather than calling something else, and the generic entry answers
 * E_NOSYS for it.
 */
export const retiredSyscalls: { number: number; name: string; doc: string }[] = [
  { number: 55, name: "console_read", doc: "console input is the console driver's: TAG_CON_READ (abi/protocols/console.ts, docs/devices.md)" },
];

export const syscallConstants: Group[] = [
  {
    title: "initial capabilities",
    doc: [
      "Initial capability slots of init (PID 1).",
    ],
    rows: [
      { name: "INIT_SLOT_BOOT", value: 0 },
      { name: "INIT_SLOT_CONSOLE", value: 1 },
      { name: "INIT_SLOT_SELF", value: 2, doc: "init's own endpoint (for fault reports)" },
      { name: "INIT_SLOT_DEVICES", value: 3, doc: "device id d is in slot INIT_SLOT_DEVICES + d - 1" },
    ],
  },
  {
    title: "messages",
    doc: [
      "msg_info() flags, for the server side of a message; cap_recv(slot) arguments",
      "besides a slot number (disarm, or let the kernel pick the lowest free slot);",
      "msg_info() >> MSG_LEASE_SHIFT is the number of leases.",
    ],
    rows: [
      { name: "MSG_CALL", value: 1, doc: "a synchronous call (a reply is expected)" },
      { name: "MSG_CAP", value: 2, doc: "a capability came with it: msg_cap() names the slot" },
      { name: "RECV_NONE", value: -1 },
      { name: "RECV_ANY", value: -2 },
      { name: "MSG_LEASE_SHIFT", value: 8 },
    ],
  },
  {
    title: "notification bits",
    doc: [
      "Notification bits the kernel raises itself.",
    ],
    rows: [
      { name: "NOTE_TIMER", value: "1 << 30" },
      { name: "NOTE_STOP", value: "1 << 29" },
      { name: "NOTE_FAULT", value: "1 << 28", doc: "to the supervisor: a process faulted; read the reports with fault_next" },
      { name: "NOTE_INPUT", value: "1 << 27", doc: "reserved: the kernel raised it for console input before the console driver (userland/drivers/console) took the UART; it raises it no more, and irq_bind still refuses it" },
      { name: "NOTE_TICK", value: "1 << 26", doc: "a tick_set deadline passed (monitoring: a pending tick alone never keeps the machine awake)" },
    ],
  },
  {
    title: "interrupts",
    doc: [
      "irq_control flags and the interrupt lines (docs/interrupts.md): line l is bit",
      "1 << l of the interrupt controller; a K_IRQ capability's badge is its line.",
      "Delivery masks the line; the driver re-arms it with irq_control.",
    ],
    rows: [
      { name: "IRQ_CTL_ENABLE", value: 1, doc: "re-arm (unmask) the line; without it, irq_control masks it" },
      { name: "IRQ_CTL_CLEAR", value: 2, doc: "forget the interrupt latched on the line (handled), before enabling it" },
      { name: "IRQ_LINE_COUNT", value: 32, doc: "lines of the interrupt controller" },
    ],
  },
  {
    title: "DMA",
    doc: [
      "DMA (docs/devices.md): a device model asks the kernel to move bytes between its own",
      "memory and the virtual addresses of the process that bound it with dma_bind, through",
      "that process's page tables and with its pages' rights (the kernel is the IOMMU).",
    ],
    rows: [
      { name: "DMA_TO_DEVICE", value: 1, doc: "the device reads the process's memory (its pages must be readable)" },
      { name: "DMA_FROM_DEVICE", value: 2, doc: "the device writes the process's memory (its pages must be writable; demand-zero pages are backed, charged to the process)" },
      { name: "DMA_BINDINGS", value: 8, doc: "devices bound for DMA at once, all processes together" },
      { name: "DMA_MAX", value: 65536, doc: "bytes one DMA request may move (a device model asks for no more)" },
      { name: "DMA_DRAIN", value: 32, doc: "requests the kernel serves per poll: a device model that keeps asking cannot hold the kernel" },
    ],
  },
  {
    title: "hot reload",
    doc: [
      "proc_reload flags.",
    ],
    rows: [
      { name: "RELOAD_ROLLBACK_TEST", value: 1, doc: "reload, then make the new instance's start trap on purpose (E_CRASHED, rolled back; tests rollback)" },
    ],
  },
  {
    title: "virtual memory",
    doc: [
      "Kernel-managed memory (docs/memory.md): virtual addresses are per process,",
      "32-bit, in 4 KiB pages; `rights` are VM_READ | VM_WRITE. Page-table entry bits",
      "(u32 PTE: frame number << PAGE_SHIFT | flags).",
    ],
    rows: [
      { name: "PAGE_SIZE", value: 4096 },
      { name: "PAGE_SHIFT", value: 12 },
      { name: "VM_READ", value: 1 },
      { name: "VM_WRITE", value: 2 },
      { name: "PTE_PRESENT", value: 1, doc: "backed by a frame" },
      { name: "PTE_READ", value: 2 },
      { name: "PTE_WRITE", value: 4 },
      { name: "PTE_SHARED", value: 8, doc: "the frame belongs to a memory object" },
      { name: "PTE_COW", value: 16, doc: "copy before the first write" },
      { name: "PTE_ACCESSED", value: 32 },
      { name: "PTE_DIRTY", value: 64 },
      { name: "PTE_ZERO", value: 128, doc: "mapped, demand-zero: no frame until first write" },
    ],
  },
  {
    title: "mem_info fields",
    rows: [
      { name: "MI_PAGES", value: 0 },
      { name: "MI_MAPPINGS", value: 1 },
      { name: "MI_FRAMES_SHARED", value: 2, doc: "pages whose frame another object also uses (copy-on-write)" },
    ],
  },
  {
    title: "cap_query questions",
    rows: [
      { name: "CQ_TARGET", value: 1, doc: "the pid an endpoint or notification delivers to, or a process capability names: a server checks that an endpoint a client hands it is the client's own" },
      { name: "CQ_DERIVED", value: 2, doc: "whether a copy derived from the capability still exists: a server that handed out a copy learns that every holder has gone without being told" },
    ],
  },
  {
    title: "proc_info fields",
    rows: [
      { name: "PI_STATE", value: 0 },
      { name: "PI_PID", value: 1 },
      { name: "PI_RESTARTS", value: 2 },
      { name: "PI_CALLS", value: 3, doc: "calls and messages handled" },
      { name: "PI_FAULTS", value: 4 },
      { name: "PI_MODULE", value: 5 },
      { name: "PI_PAGES", value: 6, doc: "frames charged to the process" },
      { name: "PI_QUOTA", value: 7, doc: "its page quota" },
      { name: "PI_CPU", value: 8, doc: "fuel spent, in thousands of units" },
      { name: "PI_BUDGET", value: 9, doc: "fuel per handler invocation, in thousands of units" },
      { name: "PI_QUEUE", value: 10, doc: "its queue depth limit" },
      { name: "PI_QUEUED", value: 11, doc: "messages waiting in its queue now" },
      { name: "PI_ERRORS", value: 12, doc: "calls and messages its handler answered with an error status" },
    ],
  },
  {
    title: "memory limits",
    doc: [
      "Kernel objects come out of page quotas (docs/memory.md): a memory object's",
      "header sits beside its page-list frame, and mapping records live in record",
      "frames charged to the mapper, MAP_RECORDS_PER_FRAME to a frame.",
    ],
    rows: [
      { name: "DEFAULT_PAGE_QUOTA", value: 256, doc: "pages (1 MiB) a process may hold until given a quota" },
      { name: "DEFAULT_RAM_FRAMES", value: 4096, doc: "16 MiB of kernel-managed memory unless the manifest says otherwise" },
      { name: "MAX_RAM_FRAMES", value: 65536, doc: "256 MiB" },
      { name: "MAX_OBJECT_PAGES", value: 1024, doc: "pages in one memory object (4 MiB)" },
      { name: "MAP_RECORDS_PER_FRAME", value: 128, doc: "32-byte records in one 4 KiB frame" },
      { name: "MAP_RECORD_FRAMES", value: 16, doc: "record frames a process may hold: at most 2048 mappings each" },
    ],
  },
  {
    title: "stats fields",
    rows: [
      { name: "ST_MESSAGES", value: 0, doc: "calls plus sends" },
      { name: "ST_CALLS", value: 1 },
      { name: "ST_SENDS", value: 2 },
      { name: "ST_FAULTS", value: 3 },
      { name: "ST_FREE_SLOTS", value: 4, doc: "free capability slots, summed over processes" },
      { name: "ST_FREE_FRAMES", value: 5 },
      { name: "ST_TOTAL_FRAMES", value: 7 },
      { name: "ST_BOOT_FLAGS", value: 8 },
      { name: "ST_PROCS", value: 6 },
    ],
  },
];
