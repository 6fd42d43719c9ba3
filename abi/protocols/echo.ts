// The echo service's protocol (userland/echo): the benchmarks' and tests' peer.

import type { Protocol } from "../schema";

export const protocol: Protocol = {
  name: "echo",
  title: "echo service",
  range: [0x0200, 0x020f],
  tags: [
    { name: "TAG_ECHO", value: "0x0201", doc: "reply = the six words" },
    { name: "TAG_ECHO_CRASH", value: "0x0202", doc: "trap on purpose" },
    { name: "TAG_ECHO_LEASE_SUM", value: "0x0203", doc: "reply w0 = sum of lease 0's bytes" },
    { name: "TAG_ECHO_LEASE_FILL", value: "0x0204", doc: "fill lease 0 with byte w0; reply w0 = bytes" },
    { name: "TAG_ECHO_STATS", value: "0x0205", doc: "reply w0 = messages handled since start" },
    { name: "TAG_ECHO_XFER", value: "0x0206", doc: "reply with the capability received, w0 = its kind" },
    { name: "TAG_ECHO_LEASE_READ", value: "0x0207", doc: "copy lease 0 (up to 4 KiB) into echo's memory; reply w0 = bytes" },
  ],
  constants: [
    {
      title: "echo",
      rows: [
        { name: "ECHO_HEARTBEAT_MS", value: 500, doc: "echo heartbeats this often (its manifests promise heartbeat = \"1s\": it beats twice per promise)" },
      ],
    },
  ],
};
