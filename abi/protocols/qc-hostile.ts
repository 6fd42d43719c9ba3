// qc-hostile (userland/conformance/qc-hostile): deep stacks and aborts, for
// the hostile suite.
import type { Protocol } from "../schema";

export const protocol: Protocol = {
  name: "qc-hostile",
  title: "conformance hostile service",
  range: [0x0970, 0x097f],
  tags: [
    { name: "QC_DEEP", value: "0x0970", doc: "w0 = frames to recurse before the syscall, w1 = QC_DEEP_SELF (self()) or QC_DEEP_CALL (a call to qc-peer); status = that syscall's result" },
    { name: "QC_ABORT_AND_RETURN", value: "0x0971", doc: "calls env.abort, then returns 42 as if nothing happened" },
  ],
  constants: [
    {
      title: "qc-hostile arguments",
      rows: [
        { name: "QC_DEEP_SELF", value: 0 },
        { name: "QC_DEEP_CALL", value: 1 },
      ],
    },
  ],
};
