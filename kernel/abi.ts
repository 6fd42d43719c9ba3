// The quark ABI: the single source of every number shared across the system.
//
// This file is written in the common subset of TypeScript and AssemblyScript
// (plain `export const NAME = <integer>;`), so the kernel, the userland library
// (AssemblyScript) and the Node host and tools (TypeScript) import it as it is,
// and `quark build` embeds every constant in the image's `quark.abi` section,
// from which the wasmtime host (Python) takes its own. No number is written twice.
//
// Layout: ABI version; machine ABI (host <-> kernel); errors; rights; object
// kinds; syscall numbers (the generic `syscall` entry dispatches on these and
// the typed imports of the same name run the same handlers); message tags of
// the kernel and the system services.

// ---------------------------------------------------------------- version
// Bump on any incompatible change to anything below.
export const ABI_VERSION = 1;

// ---------------------------------------------------------------- machine ABI
// Entry points a process may export; `host.invoke(pid, entry, a0, a1)` calls them.
export const ENTRY_START = 0; // quark_start(a0 = pid, a1 = restarts): i32
export const ENTRY_HANDLE = 1; // quark_handle(badge, tag): i32 (the reply status)
export const ENTRY_NOTIFY = 2; // quark_notify(bits, 0): i32
export const ENTRY_COUNT = 4;
export const ENTRY_SAVE = 3; // quark_save(a0 = pid, 0): i32 -- the old instance during a hot reload; handoff_put keeps state for the new one

// What `host.invoke` returns when the callee trapped (i32 minimum). A handler
// cannot produce it: a host that sees a handler return this value, or
// INVOKE_NOENTRY, returns E_ARG instead.
export const INVOKE_TRAPPED = 1 << 31;
// What `host.invoke` returns when the process does not export that entry.
export const INVOKE_NOENTRY = (1 << 31) + 1;

// `kernel.run()` results.
export const RUN_IDLE = 0; // nothing to do until input or the next timer deadline
export const RUN_BUSY = 1; // budget used up with work left: call run() again
export const RUN_HALT = 2; // the system halted; kernel.exit_code() has the code

// `kernel.boot(flags)` flags.
export const BOOT_UNTIL_READY = 1; // halt with code 0 once init reports ready
export const BOOT_QUIET = 2; // services' log lines are not echoed to the console
export const BOOT_INTERACTIVE = 4; // a person or a script drives the console: the shell halts at end of input
export const BOOT_TTY = 8; // that is a terminal: the shell prompts

// Host exit status when the file is not a usable image: unreadable, damaged, or
// built from another checkout (tools/lib/image-check.ts); the same in both hosts.
export const EXIT_BAD_IMAGE = 2;
// Console output a control-socket connection may leave unread (both hosts'
// control.ts/control.py): past it the connection is dropped, so a client that
// stops reading costs the machine nothing.
export const CONTROL_BACKLOG = 4194304;

// Process identifiers: pid 0 is the kernel itself (its memory in host.copy).
export const PID_KERNEL = 0;
export const PID_INIT = 1;
export const MAX_PROCS = 64;
export const CSPACE_SLOTS = 256; // capability slots per process (a memory manager holds one per object)
export const MSG_WORDS = 6; // data words per message (i64 each)
export const MAX_LEASES = 4; // leases per call
export const QUEUE_DEPTH = 16; // asynchronous messages per endpoint
export const MAX_CALL_DEPTH = 16; // nested synchronous calls
// `host.spawn(pid, module, flags)` operations (hot reload, kernel/reload.ts); 0 spawns as always.
export const SPAWN_STAGE = 1; // instantiate the module as read from the image file now into pid's staging slot; the live instance is untouched
export const SPAWN_SWAP = 2; // exchange pid's live and staged instances (module ignored)
export const SPAWN_DISCARD = 3; // drop pid's staged instance (module ignored)
export const HANDOFF_MAX = 4096; // bytes quark_save may hand to the next instance (handoff_put)

// ---------------------------------------------------------------- errors
// Every syscall returns a value >= 0 on success or one of these.
export const OK = 0;
export const E_BADSLOT = -1; // slot number out of range, or the slot is empty
export const E_RIGHTS = -2; // the capability lacks a right the operation needs
export const E_KIND = -3; // the capability names the wrong kind of object
export const E_ARG = -4; // an argument is out of range
export const E_BUSY = -5; // the server is already executing (no re-entry)
export const E_DEAD = -6; // the target process is not running
export const E_CRASHED = -7; // the server trapped while handling this call
export const E_QFULL = -8; // the endpoint's queue is full
export const E_NOSPACE = -9; // no free slot, object or process
export const E_FAULT = -10; // a memory range lies outside a process's memory
export const E_NOLEASE = -11; // no such lease in the current call
export const E_DEPTH = -12; // calls nested too deeply
export const E_NOSYS = -13; // no such syscall
export const E_NOTCALL = -14; // only valid while handling a synchronous call
export const E_LINK = -15; // a module's import cannot be linked
export const E_NOMODULE = -16; // no such module in the image
export const E_NOENTRY = -17; // the process lacks that entry point
export const E_REVOKED = -18; // the object behind the capability is gone
export const E_UNSUPPORTED = -19; // a valid request this system does not support
export const E_TIMEOUT = -20; // a deadline passed
export const E_STATE = -21; // the object is in the wrong state for this
export const E_NOMEM = -22; // over the process's page quota, or no free frame
export const E_UNMAPPED = -23; // no mapping at that virtual address
export const E_PROT = -24; // the mapping does not allow that access
export const E_EOF = -25; // the console's input has ended
export const E_PERM = -26; // not yours: the name or tag belongs to another service
export const E_NORECV = -27; // the receiver has not asked for a capability (no empty slot armed with cap_recv)
export const E_LAST = -27;

// ---------------------------------------------------------------- rights
export const R_CALL = 1; // synchronous call to an endpoint
export const R_SEND = 2; // asynchronous send to an endpoint
export const R_GRANT = 4; // transfer capabilities through this endpoint
export const R_SIGNAL = 8; // raise notification bits
export const R_CONTROL = 16; // start, stop, restart a process; give it capabilities
export const R_READ = 32; // read (boot info, lease)
export const R_WRITE = 64; // write (console, lease)
export const R_SPAWN = 128; // create processes (boot capability)
export const R_ALL = 255;

// Lease rights (the `rights` argument of `lease`).
export const LEASE_READ = 1;
export const LEASE_WRITE = 2;

// ---------------------------------------------------------------- object kinds
export const K_NONE = 0;
export const K_ENDPOINT = 1;
export const K_NOTIFY = 2; // a process's notification word (badge = allowed bits)
export const K_PROCESS = 3;
export const K_CONSOLE = 4;
export const K_BOOT = 5; // machine authority held by init: spawn, boot info, halt
export const K_MEMORY = 6; // a memory object: frames of kernel-managed memory
export const K_DEVICE = 7; // a device's register window in the HAL (badge = device id)

// Initial capability slots of init (PID 1).
export const INIT_SLOT_BOOT = 0;
export const INIT_SLOT_CONSOLE = 1;
export const INIT_SLOT_SELF = 2; // init's own endpoint (for fault reports)
export const INIT_SLOT_DEVICES = 3; // device id d is in slot INIT_SLOT_DEVICES + d - 1

// msg_info() flags, for the server side of a message.
export const MSG_CALL = 1; // a synchronous call (a reply is expected)
export const MSG_CAP = 2; // a capability came with it: msg_cap() names the slot
// cap_recv(slot) arguments besides a slot number: disarm, or let the kernel pick the lowest free slot.
export const RECV_NONE = -1;
export const RECV_ANY = -2;
// msg_info() >> MSG_LEASE_SHIFT is the number of leases.
export const MSG_LEASE_SHIFT = 8;

// Notification bits the kernel raises itself.
export const NOTE_TIMER = 1 << 30;
export const NOTE_STOP = 1 << 29;
export const NOTE_FAULT = 1 << 28; // to the supervisor: a process faulted; read the reports with fault_next
export const NOTE_INPUT = 1 << 27; // console input arrived (or ended) for a process that found none
export const NOTE_TICK = 1 << 26; // a tick_set deadline passed (monitoring: a pending tick alone never keeps the machine awake)

// ---------------------------------------------------------------- syscalls
// Each is a kernel export of the lowercase name without `SYS_` (imported by
// processes from module "quark"), and the generic `syscall(n, a0..a6)` entry
// dispatches on the number. Arguments in order; words are i64.
export const SYS_CALL = 1; // call(slot, tag, w0..w5): status
export const SYS_SEND = 2; // send(slot, tag, w0..w5): 0
export const SYS_REPLY = 3; // reply(w0..w5): 0 -- the reply words of the current call
export const SYS_MSG_WORD = 4; // msg_word(i): i64 -- word i of the message being handled
export const SYS_REPLY_WORD = 5; // reply_word(i): i64 -- word i of the last call's reply
export const SYS_MSG_INFO = 6; // msg_info(): flags
export const SYS_XFER = 7; // xfer(slot): attach a capability to the next call/send (-1 clears)
export const SYS_LEASE = 8; // lease(i, ptr, len, rights): lend memory to the next call
export const SYS_LEASE_LEN = 9; // lease_len(i): length of lease i of the current call
export const SYS_LEASE_READ = 10; // lease_read(i, off, dst, len): bytes copied
export const SYS_LEASE_WRITE = 11; // lease_write(i, off, src, len): bytes copied
export const SYS_CAP_DERIVE = 12; // cap_derive(slot, rights, badge): new slot
export const SYS_CAP_DELETE = 13; // cap_delete(slot)
export const SYS_CAP_REVOKE = 14; // cap_revoke(slot): deletes every capability derived from it
export const SYS_CAP_INFO = 15; // cap_info(slot): kind | rights << 8
export const SYS_CAP_FIND = 16; // cap_find(label): slot
export const SYS_SIGNAL = 17; // signal(slot, bits)
export const SYS_TIMER_SET = 18; // timer_set(deadline_ns): NOTE_TIMER when the clock passes it (0 cancels)
export const SYS_TIME = 19; // time(): ns since boot
export const SYS_CONSOLE_WRITE = 20; // console_write(slot, ptr, len): bytes written
export const SYS_PROC_SPAWN = 21; // proc_spawn(boot_slot, module): process slot
export const SYS_PROC_START = 22; // proc_start(proc_slot): quark_start's status
export const SYS_PROC_ENDPOINT = 23; // proc_endpoint(proc_slot, badge): endpoint slot
export const SYS_CAP_GIVE = 24; // cap_give(proc_slot, slot, rights, label): slot in the target
export const SYS_PROC_RESTART = 25; // proc_restart(proc_slot): quark_start's status
export const SYS_PROC_KILL = 26; // proc_kill(proc_slot)
export const SYS_FAULT_ENDPOINT = 27; // fault_endpoint(boot_slot, ep_slot): where faults are reported
export const SYS_BOOT_READ = 28; // boot_read(boot_slot, off, dst, len): bytes copied
export const SYS_READY = 29; // ready(boot_slot): the system is up
export const SYS_HALT = 30; // halt(boot_slot, code)
export const SYS_MSG_CAP = 31; // msg_cap(): slot of the capability received with the message
export const SYS_REPLY_CAP = 32; // reply_cap(slot): attach a capability to the reply
export const SYS_RECV_CAP = 33; // recv_cap(): slot of the capability received with the last reply
export const SYS_PROC_NOTIFY = 34; // proc_notify(proc_slot, bits): signal capability for those bits
export const SYS_PROC_INFO = 35; // proc_info(proc_slot, field): see PI_*
export const SYS_SELF = 36; // self(): own pid
export const SYS_CAP_LABEL = 37; // cap_label(slot, label): name a slot for cap_find
export const SYS_STATS = 38; // stats(field): kernel counters, see ST_*
// Kernel-managed memory (docs/memory.md): virtual addresses are per process,
// 32-bit, in 4 KiB pages; `rights` are VM_READ | VM_WRITE.
export const SYS_VM_MAP = 39; // vm_map(vaddr, npages, rights): demand-zero anonymous pages
export const SYS_VM_UNMAP = 40; // vm_unmap(vaddr, npages): pages unmapped
export const SYS_VM_PROTECT = 41; // vm_protect(vaddr, npages, rights)
export const SYS_VM_READ = 42; // vm_read(vaddr, dst, len): bytes copied into private memory
export const SYS_VM_WRITE = 43; // vm_write(vaddr, src, len): bytes copied from private memory
export const SYS_VM_QUERY = 44; // vm_query(vaddr): the PTE's flag bits (PTE_*), or E_UNMAPPED
export const SYS_MEM_CREATE = 45; // mem_create(npages): slot of a new memory object
export const SYS_MEM_MAP = 46; // mem_map(slot, vaddr, rights): the whole object, shared
export const SYS_MEM_CLONE = 47; // mem_clone(slot): slot of a copy-on-write clone
export const SYS_MEM_INFO = 48; // mem_info(slot, field): see MI_*
export const SYS_SELF_ENDPOINT = 49; // self_endpoint(badge): a capability to one's own endpoint
export const SYS_DEV_READ = 50; // dev_read(slot, reg): i64 -- a device register (offset in its window), zero-extended
export const SYS_DEV_WRITE = 51; // dev_write(slot, reg, value)
export const SYS_PROC_QUOTA = 52; // proc_quota(proc_slot, pages): the process's page quota
export const SYS_FAULT_NEXT = 53; // fault_next(boot_slot): i64 -- the next fault to handle (FN_*), 0 when none
export const SYS_PROC_BUDGET = 54; // proc_budget(proc_slot, units): i64 fuel per message (0: the default)
export const SYS_CONSOLE_READ = 55; // console_read(slot, dst, len): bytes read; 0: none yet (NOTE_INPUT comes); E_EOF at the end
export const SYS_PROC_CRASH = 56; // proc_crash(proc_slot): the process traps at its next entry (E_STATE: not running, or one pending)
export const SYS_EXIT = 57; // exit(code): stop when the running handler returns; the supervisor hears FAULT_EXIT
export const SYS_PROC_PAUSE = 58; // proc_pause(proc_slot, paused): 1 pauses, 0 resumes
export const SYS_PROC_QUEUE = 59; // proc_queue(proc_slot, depth): how many sends may wait for it (1..QUEUE_DEPTH)
export const SYS_TICK_SET = 60; // tick_set(deadline_ns): NOTE_TICK when the clock passes it (0 cancels); unlike a timer, it keeps nothing awake
export const SYS_PROC_PING = 61; // proc_ping(proc_slot, fuel): enter its quark_handle with TAG_PING under a fuel deadline; its status, E_DEAD, E_BUSY or E_CRASHED (FAULT_HUNG)
export const SYS_PROC_RELOAD = 62; // proc_reload(proc_slot, flags): hot reload (RELOAD_*): a new instance of its module from the image file, same pid; the new quark_start's status, or an error after rolling back
export const SYS_HANDOFF_PUT = 63; // handoff_put(src, len): keep len (<= HANDOFF_MAX) bytes for the next instance; only in quark_save during a reload (E_STATE otherwise)
export const SYS_HANDOFF_GET = 64; // handoff_get(dst, len): copy up to len bytes the previous instance kept; bytes copied; only in a reloaded instance's quark_start (E_STATE otherwise)
export const SYS_CAP_RECV = 65; // cap_recv(slot): the next capability transferred to the caller (with a call or send it gets, or a reply) lands in this empty slot; RECV_ANY: the kernel picks one; RECV_NONE disarms. The slot armed
export const SYS_COUNT = 66;

// CPU: the hosts run every service module through the loader (tools/loader/),
// which puts a fuel charge at each function entry and loop header against the
// kernel's exported global "fuel"; memory syscalls charge their work to it too
// (kernel/cpu.ts: charge). A handler that spends its budget traps, as FAULT_CPU.
export const DEFAULT_CPU_BUDGET = 100000000; // fuel units per handler invocation

// Engine stack (kernel/stack.ts). The loader (tools/loader/) makes every call
// inside a service charge the callee's frame weight, in 8-byte slots, against
// the kernel's exported global "stack"; the kernel gives each entry a window of
// STACK_BUDGET slots, and refuses an entry (E_DEPTH to its caller) when the
// stack left beneath, after STACK_KERNEL_COST for its own and the host's frames,
// could not hold one. STACK_SLOTS is the whole machine's stack in slots, set
// well inside both engines' limits (docs/security.md has the measurements).
export const STACK_SLOTS = 24576;
export const STACK_BUDGET = 2048;
export const STACK_KERNEL_COST = 256;
// The heaviest entry point (exported or start function) the loader accepts:
// an entry's own frame is charged by no call site, so STACK_KERNEL_COST covers it.
export const STACK_ENTRY_MAX = 128;
// The service loader's flags (tools/loader/index.ts: instrument). Only `quark
// bench` passes one, to measure the guard's cost beside the same build with it.
export const LOADER_NO_STACK_GUARD = 1;

// fault_next packs a fault report: pid | cause << 8 | faults since the last report << 16 | messages dropped << 32.
export const FN_CAUSE_SHIFT = 8;
export const FN_COUNT_SHIFT = 16;
export const FN_DROPPED_SHIFT = 32;

// Virtual memory
export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;
export const VM_READ = 1;
export const VM_WRITE = 2;
// Page-table entry bits (u32 PTE: frame number << PAGE_SHIFT | flags).
export const PTE_PRESENT = 1; // backed by a frame
export const PTE_READ = 2;
export const PTE_WRITE = 4;
export const PTE_SHARED = 8; // the frame belongs to a memory object
export const PTE_COW = 16; // copy before the first write
export const PTE_ACCESSED = 32;
export const PTE_DIRTY = 64;
export const PTE_ZERO = 128; // mapped, demand-zero: no frame until first write

// mem_info fields
export const MI_PAGES = 0;
export const MI_MAPPINGS = 1;
export const MI_FRAMES_SHARED = 2; // pages whose frame another object also uses (copy-on-write)

// proc_info fields
export const PI_STATE = 0;
export const PI_PID = 1;
export const PI_RESTARTS = 2;
export const PI_CALLS = 3; // calls and messages handled
export const PI_FAULTS = 4;
export const PI_MODULE = 5;
export const PI_PAGES = 6; // frames charged to the process
export const PI_QUOTA = 7; // its page quota
export const PI_CPU = 8; // fuel spent, in thousands of units
export const PI_BUDGET = 9; // fuel per handler invocation, in thousands of units
export const PI_QUEUE = 10; // its queue depth limit
export const PI_QUEUED = 11; // messages waiting in its queue now
export const PI_ERRORS = 12; // calls and messages its handler answered with an error status
export const DEFAULT_PAGE_QUOTA = 256; // pages (1 MiB) a process may hold until given a quota
export const DEFAULT_RAM_FRAMES = 4096; // 16 MiB of kernel-managed memory unless the manifest says otherwise
export const MAX_RAM_FRAMES = 65536; // 256 MiB
export const MAX_OBJECT_PAGES = 1024; // pages in one memory object (4 MiB)
// Kernel objects come out of page quotas (docs/memory.md): a memory object's
// header sits beside its page-list frame, and mapping records live in record
// frames charged to the mapper, MAP_RECORDS_PER_FRAME to a frame.
export const MAP_RECORDS_PER_FRAME = 128; // 32-byte records in one 4 KiB frame
export const MAP_RECORD_FRAMES = 16; // record frames a process may hold: at most 2048 mappings each
// Bounded kernel work: a syscall whose work grows with its arguments charges its
// caller one unit of fuel per page, table entry, mapping record, capability
// slot or byte it visits (docs/security.md); besides that it does at most
// WORK_UNCHARGED steps (function entries and loop iterations), and at most
// WORK_PER_UNIT steps per unit charged (tests/unit/kernel-work.test.ts).
export const WORK_UNCHARGED = 4096;
export const WORK_PER_UNIT = 8;
// Ending a process (proc_kill, proc_restart, a fault or exit in a call) tears
// down its address space uncharged: at most WORK_PER_FRAME_HELD steps per frame
// it held (a page table's 1024 entries, and margin), so bounded by its page
// quota, which the manifest sets (docs/security.md, "Kernel work per syscall").
export const WORK_PER_FRAME_HELD = 1100;

// Process states
export const PS_FREE = 0;
export const PS_CREATED = 1;
export const PS_STARTING = 2;
export const PS_RUNNING = 3;
export const PS_CRASHED = 4;
export const PS_STOPPED = 5;
export const PS_PAUSED = 6; // calls get E_BUSY; sends queue; nothing is delivered until resumed

// stats fields
export const ST_MESSAGES = 0; // calls plus sends
export const ST_CALLS = 1;
export const ST_SENDS = 2;
export const ST_FAULTS = 3;
export const ST_FREE_SLOTS = 4; // free capability slots, summed over processes
export const ST_FREE_FRAMES = 5;
export const ST_TOTAL_FRAMES = 7;
export const ST_BOOT_FLAGS = 8;
export const ST_PROCS = 6;

// ---------------------------------------------------------------- message tags
// Fault causes (fault_next). A fault is recorded per process and the supervisor
// (the process whose endpoint fault_endpoint named) gets NOTE_FAULT; reports
// are never lost, however many faults come before the supervisor runs.
export const FAULT_TRAP = 1; // trapped in a handler
export const FAULT_START = 2; // trapped in quark_start
export const FAULT_KILLED = 3;
export const FAULT_CPU = 4; // spent its CPU budget in one handler
export const FAULT_INJECTED = 5; // made to trap on purpose (proc_crash: chaos testing)
export const FAULT_EXIT = 6; // not a fault: the process called exit (a graceful stop, or it was done)
export const FAULT_HUNG = 7; // did not answer a ping (proc_ping) within its fuel deadline
export const FAULT_MEMORY = 8; // trapped after the engine refused to grow its memory past the manifest's `memory`
export const FAULT_STACK = 9; // its calls went deeper than its stack window (STACK_BUDGET)
export const FAULT_ABORT = 10; // called abort (AssemblyScript's env.abort): a trap, whether or not the module trapped after it

// Every service's quark_handle may get this from its supervisor's proc_ping: returning at all is the answer.
export const TAG_PING = 0x0010;

// log service: a lease holds the UTF-8 text.
export const TAG_LOG_WRITE = 0x0101; // log a line under the caller's badge
export const TAG_LOG_NAME = 0x0102; // w0 = badge: name it (lease = name); init only
export const TAG_LOG_TAIL = 0x0103; // w0 = k (0: the newest line): the line into lease 0 (write); reply w0 = its length

// echo service
export const TAG_ECHO = 0x0201; // reply = the six words
export const TAG_ECHO_CRASH = 0x0202; // trap on purpose
export const TAG_ECHO_LEASE_SUM = 0x0203; // reply w0 = sum of lease 0's bytes
export const TAG_ECHO_LEASE_FILL = 0x0204; // fill lease 0 with byte w0; reply w0 = bytes
export const TAG_ECHO_STATS = 0x0205; // reply w0 = messages handled since start
export const TAG_ECHO_XFER = 0x0206; // reply with the capability received, w0 = its kind
export const TAG_ECHO_LEASE_READ = 0x0207; // copy lease 0 (up to 4 KiB) into echo's memory; reply w0 = bytes
export const ECHO_HEARTBEAT_MS = 500; // echo heartbeats this often (its manifests promise heartbeat = "1s": it beats twice per promise)

// bench-spin (userland/bench-spin): the target of the limit benchmarks (images/bench.toml gives it a small cpu_budget and queue_depth)
export const TAG_SPIN = 0x0211; // spin until the CPU budget stops the handler (FAULT_CPU: the caller gets E_CRASHED)
export const TAG_SPIN_NOP = 0x0212; // return OK at once

// memory & entropy manager (userland/memory, docs/memory.md)
export const TAG_ENTROPY_GET = 0x0401; // w0 = bytes (<= 48): reply words; or fill lease 0; reply w0 = bytes
export const TAG_ENTROPY_REFRESH = 0x0402; // reseed from the healthy sources now; reply w0 = bits gathered
export const TAG_ENTROPY_STATUS = 0x0403; // reply: available bits, quality (0..100), healthy-source mask, failures
export const TAG_MEM_ALLOC = 0x0411; // w0 = bytes, w1 = MEMTYPE_*; reply cap = the object, w0 = handle
export const TAG_MEM_RELEASE = 0x0412; // w0 = handle
export const TAG_MEM_SHARE = 0x0413; // w0 = handle, w1 = VM_* rights; reply cap = a derived capability
export const TAG_MEM_PROTECT = 0x0414; // w0 = handle, w1 = VM_* rights: the rights shares may have
export const TAG_MEM_STATUS = 0x0415; // reply: free frames, total frames, caller's pages, caller's quota, pages reclaimed, qubits free
export const TAG_MEM_RECLAIMABLE = 0x0416; // register: cap = the client's endpoint; asked to release under pressure
export const TAG_MEM_RECLAIM = 0x0417; // manager -> client: w0 = pages wanted; reply w0 = pages released
export const TAG_ASSOC_PUT = 0x0418; // w0 = store handle, w1..w2 = key, w3..w5 = value
export const TAG_ASSOC_GET = 0x0419; // w0 = handle, w1..w2 = key; reply w0 = 1 found / 0 absent, w1..w3 = value
export const TAG_ASSOC_DEL = 0x041a; // w0 = handle, w1..w2 = key; reply w0 = 1 removed / 0 absent
export const TAG_ASSOC_FIND = 0x041b; // w0 = handle, w1..w3 = value: lookup by content; reply w0 = found, w1..w2 = key
// TAG_MEM_ALLOC reply: w0 = handle, w1 = offset in the arena (small allocations), w2 = bytes granted,
// w3 = MEMKIND_*; the arena's or the object's capability comes with the reply when the client lacks it.
export const MEMKIND_ARENA = 0; // a chunk of the client's arena (map the arena once)
export const MEMKIND_OBJECT = 1; // a memory object of its own
export const MEMKIND_STORE = 2; // an associative store, used through TAG_ASSOC_*
export const MEMKIND_QUBITS = 3; // qubit-register memory: w1 = first qubit, w2 = qubits
export const MEM_SMALL_MAX = 2048; // larger classical requests get an object of their own
export const MEM_ARENA_PAGES = 16; // a client's arena: 64 KiB
export const MEM_CLIENT_QUOTA = 1024; // pages a client may hold through the manager
export const QUBIT_CAPACITY = 64; // qubit-register memory the manager books (until the QPU reports its own)
export const MEMTYPE_CLASSICAL = 0;
export const MEMTYPE_ASSOCIATIVE = 1;
export const MEMTYPE_QUANTUM = 2;

// init's control protocol (the shell and `quark ctl` use it; the manifest grants "init").
// Services are named by index (manifest order); TAG_INIT_FIND turns a name into one.
export const TAG_INIT_STATUS = 0x0301; // w0 = index; reply: SVC_* state, pid, restarts, faults (kernel's count), crashes logged, qubit quota
export const TAG_INIT_COUNT = 0x0302; // reply w0 = number of services
export const TAG_INIT_NAME = 0x0303; // w0 = index; the name into lease 0 (write); reply w0 = its length
export const TAG_INIT_FIND = 0x0304; // lease 0 (read) = a name; reply w0 = its index (E_BADSLOT: none)
export const TAG_INIT_START = 0x0305; // w0 = index
export const TAG_INIT_STOP = 0x0306; // w0 = index
export const TAG_INIT_RESTART = 0x0307; // w0 = index
export const TAG_INIT_HALT = 0x0308; // w0 = exit code: stop the machine
export const TAG_INIT_CRASH = 0x030a; // w0 = index: make it trap at its next entry (chaos testing)
export const TAG_INIT_EVENTS = 0x0309;
export const TAG_INIT_PAUSE = 0x030b; // w0 = index
export const TAG_INIT_RESUME = 0x030c; // w0 = index
export const TAG_INIT_ENABLE = 0x030d; // w0 = index
export const TAG_INIT_DISABLE = 0x030e; // w0 = index (stops it first if it runs)
export const TAG_INIT_METRICS = 0x030f; // w0 = index; reply: messages handled, CPU (thousands of fuel units), pages, page quota, uptime (ns), errors (handler returns < 0)
export const TAG_INIT_DEPS = 0x0310; // w0 = index, w1 = k; reply: DEP_* kind, the other service's index; E_BADSLOT past the last
export const TAG_INIT_RELOAD = 0x0311; // w0 = index, w1 = RELOAD_* flags: replace its module with the new build, keeping its pid and capabilities
export const TAG_INIT_CAPS = 0x0312; // w0 = index, w1 = k; reply: GRANT_* kind, target, rights, label of its k-th manifest grant; E_BADSLOT past the last
export const TAG_INIT_HEALTH_CHECK = 0x0313; // run one health check of every service now; reply w0 = services pinged, w1 = ns it took, w2 = health interval (ms)
export const TAG_INIT_LAST = 0x0313; // the control tags are TAG_INIT_STATUS..TAG_INIT_LAST

// The registry (init's endpoint; every service holds a registry capability labelled "registry",
// badged with its pid | BADGE_REGISTRY, which allows only TAG_REG_*).
export const BADGE_REGISTRY = 1 << 16;
export const TAG_REG_REGISTER = 0x0320; // lease 0 (read) = "name tag tag..."; w0 = version (VERSION_*), w1 = interface hash; reply w0 = entry id; E_PERM: another service's name or tag; E_NOSPACE: over the caller's `registrations`
export const TAG_REG_UNREGISTER = 0x0321; // w0 = entry id (one's own)
export const TAG_REG_LOOKUP = 0x0322; // lease 0 (read) = name, tag or pattern; w0 = LOOKUP_* | flags, w1 = k (the k-th match); reply: entry id, service index, version, interface hash, HEALTH_*, pid; reply cap = its endpoint (call, send), badged with the caller's pid
export const TAG_REG_INFO = 0x0323; // w0 = entry id; lease 0 (write) = "name tag tag..."; reply as TAG_REG_LOOKUP, no capability
export const TAG_REG_HEARTBEAT = 0x0324; // w0 = HEALTH_HEALTHY or HEALTH_DEGRADED, as the service sees itself
export const TAG_REG_READY = 0x0325; // w0 = 1 ready, 0 not ready (readiness; a notify-type service is Starting until it reports ready)
export const TAG_REG_SUBSCRIBE = 0x0326; // lease 0 (read) = a name pattern ("" or "*": all): state changes arrive as sends of TAG_REG_EVENT
export const TAG_REG_UNSUBSCRIBE = 0x0327;
export const TAG_REG_EVENT = 0x0328; // registry -> subscriber (send): w0 = service index, w1 = EV_* kind, w2 = time (ns), w3 = detail, w4 = HEALTH_*, w5 = events this subscriber missed just before this one (its queue was full)
export const TAG_REG_HEALTH = 0x0329; // w0 = service index; reply: HEALTH_*, last heartbeat (ns), last ping (ns), last message (ns), ready, heartbeats missed
export const TAG_REG_COUNT = 0x032a; // reply w0 = entry ids in use are below this
export const TAG_REG_LOAD = 0x032b; // w0 = service index; reply: messages queued for it now, messages it has handled
export const TAG_REG_LAST = 0x032b;
// Client-side load balancing over a name's healthy instances (userland/lib/balance.ts).
export const BALANCE_ROUND_ROBIN = 0;
export const BALANCE_LEAST_OUTSTANDING = 1; // the instance with the fewest messages waiting
export const BALANCE_CONSISTENT_HASH = 2; // a key always goes to the same instance while it is there
export const INSTANCE_SEPARATOR = 0x23; // "#": instance k > 1 of service NAME is named NAME#k
export const LOOKUP_NAME = 0; // exactly this name
export const LOOKUP_TAG = 1; // entries carrying this tag
export const LOOKUP_PATTERN = 2; // names matching a glob (* and ?)
export const LOOKUP_ANY_HEALTH = 1 << 8; // include Degraded, Unhealthy and Unknown entries (default: Healthy only)
export const HEALTH_UNKNOWN = 0;
export const HEALTH_HEALTHY = 1;
export const HEALTH_DEGRADED = 2;
export const HEALTH_UNHEALTHY = 3;
export const RELOAD_ROLLBACK_TEST = 1; // reload, then make the new instance's start trap on purpose (E_CRASHED, rolled back; tests rollback)
export const DEP_REQUIRES = 0;
export const DEP_WANTS = 1;
export const DEP_REQUIRED_BY = 2;
export const DEP_BINDS_TO = 3; // w0 = index, w1 = k (0: newest); reply: EV_* kind, time (ns), detail; E_BADSLOT past the oldest
// A service's events as init records them (detail in parentheses).
export const EV_STARTED = 1;
export const EV_CRASHED = 2; // (the fault cause, FAULT_*)
export const EV_RESTARTING = 3; // (the delay in ms)
export const EV_RESTARTED = 4; // (the restart count)
export const EV_RESTART_FAILED = 5; // (the error)
export const EV_STOPPED = 6;
export const EV_GAVE_UP = 7; // (restarts in the window)
export const EV_EXITED = 8; // (its exit code)
export const EV_STOPPING = 9; // (the deadline in ms)
export const EV_KILLED = 10; // it did not stop by its deadline
export const EV_PAUSED = 11;
export const EV_RESUMED = 12;
export const EV_DISABLED = 13;
export const EV_ENABLED = 14;
export const EV_HELD = 15; // stopped because a required dependency is down (its index)
export const EV_BOUND_RESTART = 16; // restarted with a dependency it binds to (its index)
export const EV_GROUP_RESTART = 17; // restarted with a member of its supervision group (that member's index)
export const EV_REGISTERED = 18; // (the entry id)
export const EV_HEALTHY = 19;
export const EV_DEGRADED = 20; // (heartbeats missed; 0: it said so itself)
export const EV_UNHEALTHY = 21; // (heartbeats missed; 0: a ping failed)
export const EV_UNREGISTERED = 22; // (the entry id)
export const EV_DRAINING = 23; // a reload began: queued messages go to the new instance (messages queued)
export const EV_RELOADED = 24; // (reloads of it so far)
export const EV_RELOAD_FAILED = 25; // rolled back to the old instance (the error)
export const EV_READY = 26; // it reported ready
export const EV_START_TIMEOUT = 27; // not ready within start_timeout (ms)
export const EV_ESCALATED = 28; // gave up: subscribers told, dependents stopped (dependents stopped)
// Service states as init reports them.
export const SVC_WAITING = 0;
export const SVC_RUNNING = 1;
export const SVC_FAILED = 2;
export const SVC_SKIPPED = 3;
export const SVC_STOPPED = 4;
export const SVC_STOPPING = 5; // asked to stop (NOTE_STOP); killed at its stop_timeout
export const SVC_DISABLED = 6; // not started, at boot or by svc start, until enabled
export const SVC_PAUSED = 7;
export const SVC_STARTING = 8; // started, not yet ready (a notify-type service until TAG_REG_READY)

// ---------------------------------------------------------------- HAL registers
// The HAL's devices, reached by the kernel through hal.mmio_read/mmio_write.
export const UART_DATA = 0x1000; // write: TX byte; read: next RX byte, or -1 when empty
export const UART_STATUS = 0x1004; // UART_RX_READY | UART_RX_EOF
export const UART_CTRL = 0x1008; // UART_IRQ_RX: interrupt when input arrives
export const UART_FLUSH = 0x100c; // write: send what the TX buffer holds now (a prompt has no newline)
export const UART_RX_READY = 1;
export const UART_RX_EOF = 2;
export const UART_IRQ_RX = 1;
// Console input in bulk (docs/machine-abi.md): the host stages up to this many
// bytes at hal.uart_rx_buffer() and hal.uart_rx_write(n) moves what fits into
// the RX FIFO (also this size), so a host makes one call per FIFO-full, not one per byte.
export const UART_RX_BUFFER = 4096;
export const TIMER_NOW_LO = 0x2000; // reading LO latches the whole 64-bit ns counter
export const TIMER_NOW_HI = 0x2004;
export const TIMER_CMP_LO = 0x2008; // writing LO arms the comparator (write HI first)
export const TIMER_CMP_HI = 0x200c;
export const TIMER_CTRL = 0x2010; // 1: interrupt when now >= compare
export const INTC_PENDING = 0x3000; // read: pending & enabled lines
export const INTC_ACK = 0x3004; // write: clear these pending bits
export const INTC_ENABLE = 0x3008; // read/write: enabled lines
export const IRQ_TIMER = 1; // line bits
export const IRQ_UART_RX = 2;
export const IRQ_ENTROPY = 4;
// Devices a K_DEVICE capability can name: id, and the register window.
export const DEV_ENTROPY = 1;
export const ENTROPY_BASE = 0x4000;
export const ENTROPY_SIZE = 0x40;
// Entropy device registers (offsets in its window).
export const ENT_SOURCES = 0x00; // number of raw noise sources
export const ENT_SELECT = 0x04; // write: the source the next reads come from
export const ENT_DATA = 0x08; // read: 32 raw bits from the selected source
export const ENT_FAULT = 0x0c; // write: inject a fault into the selected source (ENT_FAULT_*)
export const ENT_FAULT_NONE = 0;
export const ENT_FAULT_STUCK = 1; // the source repeats one value
export const ENT_FAULT_BIASED = 2; // the source's bits are mostly ones

// ---------------------------------------------------------------- boot table
// Binary table built from the manifest, read by init through boot_read. All
// fields u32 little-endian. Header, then one record per service, then arrays
// and strings addressed by byte offsets from the table's start.
export const BT_MAGIC = 0x31544251; // "QBT1"
export const BT_HEADER_BYTES = 32; // magic, version, nservices, init_module, flags, size, 2 reserved
export const BT_MAGIC_OFF = 0; // header offset: BT_MAGIC
export const BT_ABI_VERSION = 4; // header offset: the ABI_VERSION it was built for
export const BT_COUNT = 8; // header offset: number of service records
export const BT_INIT_MODULE = 12; // header offset: init's module index
export const BT_FLAGS = 16; // header offset: flags (none defined: 0)
export const BT_SIZE = 20; // header offset of the whole table's size in bytes
export const BT_RAM_FRAMES = 24; // header offset: frames of kernel-managed memory (physical RAM)
export const BT_HEALTH_MS = 28; // header offset: init's health-check interval in ms (0: no health checks)
export const BT_RECORD_BYTES = 144;
// record field offsets
export const BT_NAME_OFF = 0;
export const BT_NAME_LEN = 4;
export const BT_MODULE = 8;
export const BT_MEM_PAGES = 12;
export const BT_RESTART = 16; // RESTART_*
export const BT_MAX_RESTARTS = 20;
export const BT_WINDOW_MS = 24;
export const BT_NDEPS = 28;
export const BT_DEPS_OFF = 32; // u32 service indices, required deps
export const BT_NGRANTS = 36;
export const BT_GRANTS_OFF = 40; // grant records
export const BT_LABEL = 44; // fnv1a(name)
export const BT_NOPT = 48;
export const BT_OPT_OFF = 52; // u32 service indices, optional deps
export const BT_DELAY_MS = 56; // restart delay
export const BT_PAGE_QUOTA = 60; // pages of kernel-managed memory the service may hold
export const BT_CPU_BUDGET = 64; // fuel units per handler invocation (0: DEFAULT_CPU_BUDGET)
export const BT_BACKOFF = 68; // BACKOFF_*: how the restart delay grows over consecutive failures
export const BT_DELAY_MAX_MS = 72; // the delay's cap
export const BT_STABLE_MS = 76; // running this long resets the count of consecutive failures
export const BT_STOP_MS = 80; // a graceful stop waits this long before killing
export const BT_DISABLED = 84; // 1: not started until enabled
export const BT_BINDS = 88; // bit k: restarted together with required dependency k (binds_to)
export const BT_GROUP = 92; // supervision group: its number + 1 (0: none) | GROUP_* strategy << 16 | position << 24
export const BT_QUEUE_DEPTH = 96; // sends that may wait for it (0: QUEUE_DEPTH)
export const BT_QUBITS = 100; // qubit quota, for the quantum scheduler
export const BT_VERSION = 104; // its interface version (VERSION_*: major << 20 | minor << 10 | patch; 0: none declared)
export const BT_HEARTBEAT_MS = 108; // it promises a heartbeat at least this often (0: none expected)
export const BT_START_TIMEOUT_MS = 112; // a READY_NOTIFY service must report ready within this
export const BT_READY = 116; // READY_*
export const BT_INSTANCES = 120; // how many processes run its module behind its name
export const BT_RANGES_OFF = 124; // per required, then per optional dependency: u32 min version, u32 max version (exclusive)
export const BT_TAGS_OFF = 128; // its registry tags, space-separated UTF-8
export const BT_TAGS_LEN = 132;
export const BT_IFACE = 136; // fnv1a of its interface name: the interface hash it is registered with
export const BT_REGISTRATIONS = 140; // registry entries each of its processes may add besides its manifest entry
export const GROUP_ONE_FOR_ONE = 0; // only the crashed member is restarted
export const GROUP_ONE_FOR_ALL = 1; // every member is restarted with it
export const GROUP_REST_FOR_ONE = 2; // the members after it (in the group's order) are restarted with it
// grant record: 16 bytes
export const BT_GRANT_BYTES = 16;
export const GRANT_KIND = 0; // GRANT_*
export const GRANT_TARGET = 4; // service index for GRANT_SERVICE
export const GRANT_RIGHTS = 8;
export const GRANT_LABEL = 12; // fnv1a of the name the holder finds it by

export const GRANT_SERVICE = 1; // an endpoint of another service
export const GRANT_CONSOLE = 2; // the console device
export const GRANT_DEVICE = 3; // a HAL device's register window (GRANT_TARGET = device id)
export const GRANT_INIT = 4; // init's endpoint, for its control protocol (TAG_INIT_*)

export const READY_STARTED = 0; // ready once quark_start returns
export const READY_NOTIFY = 1; // Starting until it reports ready (TAG_REG_READY), within start_timeout
export const VERSION_MAJOR_SHIFT = 20; // a version as a u32: major << 20 | minor << 10 | patch
export const VERSION_MINOR_SHIFT = 10;
export const VERSION_PART_MAX = 1023; // minor and patch (major: up to 4095)
export const VERSION_ANY_MAX = 0xffffffff; // a range with no upper bound
export const DEFAULT_HEALTH_MS = 1000; // init's default health-check interval
export const PING_FUEL = 1000000; // fuel a service may spend answering a ping
export const HEARTBEATS_MISSED_UNHEALTHY = 3; // this many missed heartbeats make a service Unhealthy (then it is restarted)
// The registry's table is sized from the boot table: one manifest entry per
// process plus its `registrations` quota, so every quota fits; at most REG_ENTRIES.
export const REG_ENTRIES = 512; // the most registry entries init keeps
export const DEFAULT_REGISTRATIONS = 4; // a process's registry entries besides its manifest entry, by default
export const REG_QUOTA_MAX = 64; // the largest `registrations` a service may have
export const REG_NAME_MAX = 128; // bytes of "name tag tag..." in a registration

export const RESTART_NEVER = 0;
export const RESTART_ON_FAILURE = 1;
export const RESTART_ALWAYS = 2;

export const BACKOFF_NONE = 0; // restart at once
export const BACKOFF_FIXED = 1; // restart_delay every time
export const BACKOFF_LINEAR = 2; // restart_delay × the failure's number in the streak
export const BACKOFF_EXPONENTIAL = 3; // restart_delay × 2^(number - 1)
