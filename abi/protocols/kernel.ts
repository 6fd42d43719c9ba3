// Tags the kernel itself sends: every service's quark_handle may get TAG_PING
// from its supervisor's proc_ping (returning at all is the answer). Tags below
// 0x0100 are the kernel's; these constants live in kernel/abi.ts, since the kernel uses them.
import type { Protocol } from "../schema";

export const protocol: Protocol = {
  name: "kernel",
  title: "the kernel's own messages",
  range: [0x0000, 0x00ff],
  tags: [
    { name: "TAG_PING", value: "0x0010", doc: "from the supervisor's proc_ping, to any service: returning at all is the answer" },
  ],
};
