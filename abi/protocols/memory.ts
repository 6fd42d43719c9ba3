// The memory & entropy manager's protocol (userland/memory, docs/memory.md).

import type { Protocol } from "../schema";

export const protocol: Protocol = {
  name: "memory",
  title: "memory & entropy manager",
  range: [0x0400, 0x04ff],
  tags: [
    { name: "TAG_ENTROPY_GET", value: "0x0401", doc: "w0 = bytes (<= 48): reply words; or fill lease 0; reply w0 = bytes" },
    { name: "TAG_ENTROPY_REFRESH", value: "0x0402", doc: "reseed from the healthy sources now; reply w0 = bits gathered" },
    { name: "TAG_ENTROPY_STATUS", value: "0x0403", doc: "reply: available bits, quality (0..100), healthy-source mask, failures" },
    { name: "TAG_MEM_ALLOC", value: "0x0411", doc: "w0 = bytes, w1 = MEMTYPE_*; reply cap = the object, w0 = handle" },
    { name: "TAG_MEM_RELEASE", value: "0x0412", doc: "w0 = handle" },
    { name: "TAG_MEM_SHARE", value: "0x0413", doc: "w0 = handle, w1 = VM_* rights; reply cap = a derived capability" },
    { name: "TAG_MEM_PROTECT", value: "0x0414", doc: "w0 = handle, w1 = VM_* rights: the rights shares may have" },
    { name: "TAG_MEM_STATUS", value: "0x0415", doc: "reply: free frames, total frames, caller's pages, caller's quota, pages reclaimed, qubits free" },
    { name: "TAG_MEM_RECLAIMABLE", value: "0x0416", doc: "register: cap = the client's endpoint; asked to release under pressure" },
    { name: "TAG_MEM_RECLAIM", value: "0x0417", doc: "manager -> client: w0 = pages wanted; reply w0 = pages released" },
    { name: "TAG_ASSOC_PUT", value: "0x0418", doc: "w0 = store handle, w1..w2 = key, w3..w5 = value" },
    { name: "TAG_ASSOC_GET", value: "0x0419", doc: "w0 = handle, w1..w2 = key; reply w0 = 1 found / 0 absent, w1..w3 = value" },
    { name: "TAG_ASSOC_DEL", value: "0x041a", doc: "w0 = handle, w1..w2 = key; reply w0 = 1 removed / 0 absent" },
    { name: "TAG_ASSOC_FIND", value: "0x041b", doc: "w0 = handle, w1..w3 = value: lookup by content; reply w0 = found, w1..w2 = key" },
  ],
  constants: [
    {
      title: "allocation kinds",
      doc: [
        "TAG_MEM_ALLOC reply: w0 = handle, w1 = offset in the arena (small allocations), w2 = bytes granted,",
        "w3 = MEMKIND_*; the arena's or the object's capability comes with the reply when the client lacks it.",
      ],
      rows: [
        { name: "MEMKIND_ARENA", value: 0, doc: "a chunk of the client's arena (map the arena once)" },
        { name: "MEMKIND_OBJECT", value: 1, doc: "a memory object of its own" },
        { name: "MEMKIND_STORE", value: 2, doc: "an associative store, used through TAG_ASSOC_*" },
        { name: "MEMKIND_QUBITS", value: 3, doc: "qubit-register memory: w1 = first qubit, w2 = qubits" },
      ],
    },
    {
      title: "limits",
      rows: [
        { name: "MEM_SMALL_MAX", value: 2048, doc: "larger classical requests get an object of their own" },
        { name: "MEM_ARENA_PAGES", value: 16, doc: "a client's arena: 64 KiB" },
        { name: "MEM_CLIENT_QUOTA", value: 1024, doc: "pages a client may hold through the manager" },
        { name: "QUBIT_CAPACITY", value: 64, doc: "qubit-register memory the manager books (until the QPU reports its own)" },
      ],
    },
    {
      title: "memory types",
      doc: [
        "TAG_MEM_ALLOC's w1.",
      ],
      rows: [
        { name: "MEMTYPE_CLASSICAL", value: 0 },
        { name: "MEMTYPE_ASSOCIATIVE", value: 1 },
        { name: "MEMTYPE_QUANTUM", value: 2 },
      ],
    },
  ],
};
