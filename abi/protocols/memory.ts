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
    { name: "TAG_ENTROPY_FEED", value: "0x0404", doc: "lease 0 readable = raw bits, 8 per byte, bit 0 of byte 0 first; w0 = bits (1 .. ENT_FEED_MAX_BITS, within the lease), w1 = the min-entropy each bit carries, in ppm of a bit (0 .. 1000000): the bits are one source of the caller's, tested by the SP 800-90B health tests and credited at that figure while they pass (docs/entropy.md: Fed sources); reply: bits credited, bits the pool would take now (0: none), the caller's source index, 1 if the source is in the pool. Needs MEM_FEED_RIGHT on the caller's grant (`memory:call+control`): E_PERM otherwise; E_BUSY: init cannot answer now (try again); E_ARG: bits or min-entropy out of range, bits past the lease; E_NOSPACE: ENT_MAX_SOURCES sources already; E_NOLEASE, E_RIGHTS, E_FAULT: the lease; E_UNSUPPORTED: no entropy device" },
    { name: "TAG_ENTROPY_SOURCE", value: "0x0405", doc: "w0 = source index (0 .. sources - 1); reply: ENT_SRC_*, ENT_STATE_*, ENT_WHY_* (why it last went out), bytes it gave, bits it has been credited, min-entropy per bit or sample (ppm of a bit); with lease 0 writable (optional), its first 8 bytes (the start of the start-up test, never absorbed) written there. E_ARG: no such source; E_UNSUPPORTED: no entropy device" },
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
      title: "entropy sources",
      doc: [
        "TAG_ENTROPY_SOURCE's reply: what a source is, where it stands, why it last went out.",
      ],
      rows: [
        { name: "MEM_FEED_RIGHT", value: 16, doc: "R_CONTROL on a service's manifest grant of the memory service (`memory:call+control`): the right to feed it raw bits (TAG_ENTROPY_FEED); the manager reads it from init (TAG_INIT_CAPS)" },
        { name: "ENT_MAX_SOURCES", value: 8, doc: "sources of the pool at most: the device's raw sources, then one per feeding service" },
        { name: "ENT_FEED_MAX_BITS", value: 8192, doc: "bits of one TAG_ENTROPY_FEED" },
        { name: "ENT_FEED_TEST_PPM", value: 500000, doc: "a fed source's health tests use the cutoffs of its claimed min-entropy, never of less than this (0.5 bit per bit)" },
        { name: "ENT_SRC_DEVICE", value: 1, doc: "a raw source of the HAL's entropy device" },
        { name: "ENT_SRC_FED", value: 2, doc: "a source a service feeds (TAG_ENTROPY_FEED): the quantum scheduler's QPU measurements" },
        { name: "ENT_STATE_STARTING", value: 0, doc: "not through its start-up test yet" },
        { name: "ENT_STATE_IN", value: 1, doc: "healthy: its samples are absorbed and credited" },
        { name: "ENT_STATE_OUT", value: 2, doc: "a health test failed: out until a whole window passes" },
        { name: "ENT_WHY_NONE", value: 0, doc: "never failed" },
        { name: "ENT_WHY_RCT", value: 1, doc: "the repetition count test failed" },
        { name: "ENT_WHY_APT", value: 2, doc: "the adaptive proportion test failed" },
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
