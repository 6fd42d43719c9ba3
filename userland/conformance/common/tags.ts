// Message tags of the conformance suite: qc drives qc-peer and qc-fuzz with
// them. They are private to these three services (0x0900..), so they live here
// rather than in kernel/abi.ts.

// ---------------------------------------------------------------- qc-peer
// Words are w0..w5 of the message; "status" is the handler's return value.
export const QC_ECHO = 0x0901; // reply = the six words
export const QC_STATUS = 0x0902; // status = w0 (as i32)
export const QC_BADGE = 0x0903; // reply w0 = the badge the call came with
export const QC_TRAP = 0x0904; // trap on purpose (as a call or as a queued message)
// w0 = QC_PROBE_READ / QC_PROBE_WRITE, w1 = offset, w2 = length, w3 = lease index:
// one lease_read into (or lease_write from) a local buffer; status = its result;
// reply w0 = the result, w1 = the sum of the bytes read. A write sends QC_PROBE_BYTE.
export const QC_PROBE = 0x0905;
export const QC_SUM = 0x0906; // w0 = lease index; reply (sum of its bytes, its length)
export const QC_FILL = 0x0907; // w0 = byte, w1 = lease index; reply w0 = bytes written
// reply: queued messages handled since start, calls handled since start,
// restarts (quark_start's second argument), checksum of QC_SEQ numbers,
// reply()'s result while handling the last queued message, msg_info() then.
export const QC_STATS = 0x0908;
export const QC_SEQ = 0x0909; // (queued) w0 = sequence number, folded into the checksum
export const QC_RESET = 0x090a; // zero the queued-message count and checksum
export const QC_KEEP = 0x090b; // keep the capability that came with the call; status = cap_info on it
export const QC_USE = 0x090c; // status = cap_info on the kept capability (E_STATE if none)
export const QC_DROP = 0x090d; // delete the kept capability
export const QC_CAP_BACK = 0x090e; // attach the received capability to the reply; reply w0 = its cap_info
export const QC_CAP_BACK_DELETED = 0x090f; // attach it to the reply, then delete it before returning
// Call QC_ECHO through the capability that came with the call (else the kept
// one); reply w0 = that call's status.
export const QC_CALLBACK = 0x0910;
// reply: msg_info(), msg_cap(), cap_info on it (or the error), lease count, lease_len(0)
export const QC_INFO = 0x0911;
export const QC_SLOTS = 0x0912; // reply w0 = occupied capability slots
// Where qc-peer receives capabilities (cap_recv): w0 = QC_RECV_ON (the default:
// a slot the kernel picks, armed again after each capability that arrives),
// QC_RECV_OFF (disarmed, and left so), QC_RECV_ONCE (slot w1, once; not armed
// again). Reply w0 = cap_recv's result.
export const QC_RECV = 0x0913;
export const QC_SLOT_INFO = 0x0914; // status = cap_info(w0) in qc-peer
export const QC_RECV_OFF = 0;
export const QC_RECV_ON = 1;
export const QC_RECV_ONCE = 2;

// Kernel-managed memory in qc-peer's own address space; status = the syscall's result.
// w0 = vaddr, w1 = npages, w2 = VM_* rights, w3 = byte: vm_map, then (byte != 0)
// fill each page with the byte; status = the first error; reply w0 = pages written.
export const QC_VM_MAP = 0x0940;
export const QC_VM_UNMAP = 0x0941; // w0 = vaddr, w1 = npages
export const QC_VM_PROTECT = 0x0942; // w0 = vaddr, w1 = npages, w2 = VM_* rights
// w0 = vaddr, w1 = length (<= 4096): vm_read; reply (its result, the sum of the bytes, the first 8 bytes little-endian)
export const QC_VM_READ = 0x0943;
export const QC_VM_WRITE = 0x0944; // w0 = vaddr, w1 = length (<= 4096), w2 = byte: vm_write that many copies of the byte
export const QC_VM_QUERY = 0x0945; // w0 = vaddr: vm_query
// Keep the memory capability that came with the call (replacing the one kept
// before), then mem_map the kept one at w0 with rights w1; reply w0 = cap_info on it.
export const QC_MEM_MAP = 0x0946;
export const QC_SPIN = 0x0950; // loop forever: only the CPU budget ends it
export const QC_SPIN_N = 0x0951; // w0 = iterations; reply w0 = the iterations done
export const QC_MEM_DROP = 0x0947; // delete the kept memory capability (its mappings go with it)
export const QC_HANG_PINGS = 0x0952; // from now on, spin forever when pinged (until restarted)
export const QC_PID = 0x0953; // reply w0 = the peer's own pid (which instance answered)

export const QC_PROBE_READ = 0;
export const QC_PROBE_WRITE = 1;
export const QC_PROBE_BYTE: u8 = 0xa5;

/** The peer's running checksum after handling QC_SEQ `seq`; qc folds the same way. */
@inline export function foldSeq(sum: i64, seq: i64): i64 { return sum * 31 + seq + 1; }

// ---------------------------------------------------------------- qc-fuzz
// w0 = count, w1 = seed: that many seeded random syscalls; reply (count done, hash of the results).
export const QC_FUZZ_RUN = 0x0920;
// Call qc-peer with tag w0 and words w1..w5; reply (its status, its reply w0, the fuzzer's pid).
export const QC_FUZZ_RELAY = 0x0921;
// The same, with qc-fuzz's own qc-peer capability attached (xfer) to the call.
export const QC_FUZZ_RELAY_CAP = 0x0922;

// ---------------------------------------------------------------- qc-hostile
// w0 = frames to recurse before the syscall, w1 = QC_DEEP_SELF (self()) or
// QC_DEEP_CALL (a call to qc-peer); status = that syscall's result.
export const QC_DEEP = 0x0940;
export const QC_DEEP_SELF = 0;
export const QC_DEEP_CALL = 1;
export const QC_ABORT_AND_RETURN = 0x0941; // calls env.abort, then returns 42 as if nothing happened
