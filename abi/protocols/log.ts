// The log service's protocol (userland/log): a lease holds the UTF-8 text.

import type { Protocol } from "../schema";

export const protocol: Protocol = {
  name: "log",
  title: "log service",
  range: [0x0100, 0x01ff],
  tags: [
    { name: "TAG_LOG_WRITE", value: "0x0101", doc: "log a line under the caller's badge" },
    { name: "TAG_LOG_NAME", value: "0x0102", doc: "w0 = badge: name it (lease = name); init only" },
    { name: "TAG_LOG_TAIL", value: "0x0103", doc: "w0 = k (0: the newest line): the line into lease 0 (write); reply w0 = its length" },
  ],
};
