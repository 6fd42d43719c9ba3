// Capability rights. A capability carries a set of these bits; each syscall
// names the rights it needs. The display names are what `caps` prints
// (`call+send`), joined by rightsName().
import type { Group, NamedSet } from "./schema";

export const rights: NamedSet = {
  fn: "rightName",
  title: "rights",
  doc: ["Capability rights (bits); R_ALL is every one."],
  unknown: "right-%d",
  rows: [
    { name: "R_CALL", value: 1, display: "call", doc: "synchronous call to an endpoint" },
    { name: "R_SEND", value: 2, display: "send", doc: "asynchronous send to an endpoint" },
    { name: "R_GRANT", value: 4, display: "grant", doc: "transfer capabilities through this endpoint" },
    { name: "R_SIGNAL", value: 8, display: "signal", doc: "raise notification bits" },
    { name: "R_CONTROL", value: 16, display: "control", doc: "start, stop, restart a process; give it capabilities" },
    { name: "R_READ", value: 32, display: "read", doc: "read (boot info, lease)" },
    { name: "R_WRITE", value: 64, display: "write", doc: "write (console, lease)" },
    { name: "R_SPAWN", value: 128, display: "spawn", doc: "create processes (boot capability)" },
  ],
};


export const leaseRights: Group = {
  title: "lease rights",
  doc: ["Lease rights (the `rights` argument of `lease`)."],
  rows: [
    { name: "LEASE_READ", value: 1 },
    { name: "LEASE_WRITE", value: 2 },
  ],
};
