// Every service protocol, and the tag range left to services written outside
// this repository. Two protocols' ranges never overlap (tests/unit/abi.test.ts).
import type { Group, Protocol } from "../schema";
import { protocol as kernel } from "./kernel";
import { protocol as log } from "./log";
import { protocol as echo } from "./echo";
import { protocol as bench } from "./bench";
import { protocol as init } from "./init";
import { protocol as registry } from "./registry";
import { protocol as memory } from "./memory";
import { protocol as devmgr } from "./devmgr";
import { protocol as driver } from "./driver";
import { protocol as qsched } from "./qsched";
import { protocol as console } from "./console";
import { protocol as qcPeer } from "./qc-peer";
import { protocol as qcFuzz } from "./qc-fuzz";
import { protocol as qcHostile } from "./qc-hostile";

export const protocols: Protocol[] = [kernel, log, echo, bench, init, registry, memory, devmgr, driver, qsched, console, qcPeer, qcFuzz, qcHostile];

/**
 * Tags from TAG_THIRD_PARTY_FIRST up are never given to a protocol in this
 * folder: a service written elsewhere picks its tags there and cannot collide
 * with a system protocol (docs/writing-a-service.md).
 */
export const tagRanges: Group = {
  title: "tag ranges",
  doc: [
    "Tags below TAG_THIRD_PARTY_FIRST belong to the protocols in abi/protocols/;",
    "a service written outside this repository uses tags from TAG_THIRD_PARTY_FIRST",
    "to TAG_THIRD_PARTY_LAST, which no system protocol ever takes.",
  ],
  rows: [
    { name: "TAG_THIRD_PARTY_FIRST", value: "0x1000", doc: "the first tag a third-party service may use" },
    { name: "TAG_THIRD_PARTY_LAST", value: "0x7fffffff", doc: "the last (tags are positive i32)" },
  ],
};
