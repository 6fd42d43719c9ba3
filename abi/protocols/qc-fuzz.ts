// qc-fuzz (userland/conformance/qc-fuzz): seeded random syscalls, and relays
// to qc-peer, driven by qc.
import type { Protocol } from "../schema";

export const protocol: Protocol = {
  name: "qc-fuzz",
  title: "conformance fuzzer",
  range: [0x0960, 0x096f],
  tags: [
    { name: "QC_FUZZ_RUN", value: "0x0960", doc: "w0 = count, w1 = seed: that many seeded random syscalls; reply (count done, hash of the results)" },
    { name: "QC_FUZZ_RELAY", value: "0x0961", doc: "call qc-peer with tag w0 and words w1..w5; reply (its status, its reply w0, the fuzzer's pid)" },
    { name: "QC_FUZZ_RELAY_CAP", value: "0x0962", doc: "the same, with qc-fuzz's own qc-peer capability attached (xfer) to the call" },
  ],
};
