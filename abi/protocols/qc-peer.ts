// qc-peer (userland/conformance/qc-peer): the conformance suite's peer, which
// qc drives to check IPC, leases, capabilities, memory and faults. Words are
// w0..w5 of the message; "status" is the handler's return value.
import type { Protocol } from "../schema";

export const protocol: Protocol = {
  name: "qc-peer",
  title: "conformance peer",
  range: [0x0900, 0x095f],
  tags: [
    { name: "QC_ECHO", value: "0x0901", doc: "reply = the six words" },
    { name: "QC_STATUS", value: "0x0902", doc: "status = w0 (as i32)" },
    { name: "QC_BADGE", value: "0x0903", doc: "reply w0 = the badge the call came with" },
    { name: "QC_TRAP", value: "0x0904", doc: "trap on purpose (as a call or as a queued message)" },
    { name: "QC_PROBE", value: "0x0905", doc: "w0 = QC_PROBE_READ / QC_PROBE_WRITE, w1 = offset, w2 = length, w3 = lease index: one lease_read into (or lease_write from) a local buffer; status = its result; reply w0 = the result, w1 = the sum of the bytes read. A write sends QC_PROBE_BYTE" },
    { name: "QC_SUM", value: "0x0906", doc: "w0 = lease index; reply (sum of its bytes, its length)" },
    { name: "QC_FILL", value: "0x0907", doc: "w0 = byte, w1 = lease index; reply w0 = bytes written" },
    { name: "QC_STATS", value: "0x0908", doc: "reply: queued messages handled since start, calls handled since start, restarts (quark_start's second argument), checksum of QC_SEQ numbers, reply()'s result while handling the last queued message, msg_info() then" },
    { name: "QC_SEQ", value: "0x0909", doc: "(queued) w0 = sequence number, folded into the checksum" },
    { name: "QC_RESET", value: "0x090a", doc: "zero the queued-message count and checksum" },
    { name: "QC_KEEP", value: "0x090b", doc: "keep the capability that came with the call; status = cap_info on it" },
    { name: "QC_USE", value: "0x090c", doc: "status = cap_info on the kept capability (E_STATE if none)" },
    { name: "QC_DROP", value: "0x090d", doc: "delete the kept capability" },
    { name: "QC_CAP_BACK", value: "0x090e", doc: "attach the received capability to the reply; reply w0 = its cap_info" },
    { name: "QC_CAP_BACK_DELETED", value: "0x090f", doc: "attach it to the reply, then delete it before returning" },
    { name: "QC_CALLBACK", value: "0x0910", doc: "call QC_ECHO through the capability that came with the call (else the kept one); reply w0 = that call's status" },
    { name: "QC_INFO", value: "0x0911", doc: "reply: msg_info(), msg_cap(), cap_info on it (or the error), lease count, lease_len(0)" },
    { name: "QC_SLOTS", value: "0x0912", doc: "reply w0 = occupied capability slots" },
    { name: "QC_RECV", value: "0x0913", doc: "where qc-peer receives capabilities (cap_recv): w0 = QC_RECV_ON (the default: a slot the kernel picks, armed again after each capability that arrives), QC_RECV_OFF (disarmed, and left so), QC_RECV_ONCE (slot w1, once); reply w0 = cap_recv's result" },
    { name: "QC_SLOT_INFO", value: "0x0914", doc: "status = cap_info(w0) in qc-peer" },
    { name: "QC_VM_MAP", value: "0x0940", doc: "w0 = vaddr, w1 = npages, w2 = VM_* rights, w3 = byte: vm_map, then (byte != 0) fill each page with the byte; status = the first error; reply w0 = pages written" },
    { name: "QC_VM_UNMAP", value: "0x0941", doc: "w0 = vaddr, w1 = npages" },
    { name: "QC_VM_PROTECT", value: "0x0942", doc: "w0 = vaddr, w1 = npages, w2 = VM_* rights" },
    { name: "QC_VM_READ", value: "0x0943", doc: "w0 = vaddr, w1 = length (<= 4096): vm_read; reply (its result, the sum of the bytes, the first 8 bytes little-endian)" },
    { name: "QC_VM_WRITE", value: "0x0944", doc: "w0 = vaddr, w1 = length (<= 4096), w2 = byte: vm_write that many copies of the byte" },
    { name: "QC_VM_QUERY", value: "0x0945", doc: "w0 = vaddr: vm_query" },
    { name: "QC_MEM_MAP", value: "0x0946", doc: "keep the memory capability that came with the call (replacing the one kept before), then mem_map the kept one at w0 with rights w1; reply w0 = cap_info on it" },
    { name: "QC_MEM_DROP", value: "0x0947", doc: "delete the kept memory capability (its mappings go with it)" },
    { name: "QC_SPIN", value: "0x0950", doc: "loop forever: only the CPU budget ends it" },
    { name: "QC_SPIN_N", value: "0x0951", doc: "w0 = iterations; reply w0 = the iterations done" },
    { name: "QC_HANG_PINGS", value: "0x0952", doc: "from now on, spin forever when pinged (until restarted)" },
    { name: "QC_PID", value: "0x0953", doc: "reply w0 = the peer's own pid (which instance answered)" },
  ],
  constants: [
    {
      title: "qc-peer arguments",
      rows: [
        { name: "QC_RECV_OFF", value: 0 },
        { name: "QC_RECV_ON", value: 1 },
        { name: "QC_RECV_ONCE", value: 2 },
        { name: "QC_PROBE_READ", value: 0 },
        { name: "QC_PROBE_WRITE", value: 1 },
      ],
    },
  ],
};
