// Error codes: every syscall returns a value >= 0 on success or one of these.
// Users see the name (`E_CRASHED`), never the bare number: errorName() and
// errorText() are generated from this table for AssemblyScript and TypeScript.
// E_LAST (the lowest code) is derived from it.
import type { NamedSet } from "./schema";

export const errors: NamedSet = {
  fn: "errorName",
  textFn: "errorText",
  title: "errors",
  doc: ["Every syscall returns a value >= 0 on success or one of these."],
  unknown: "error %d",
  rows: [
    { name: "OK", value: 0, display: "OK", doc: "success" },
    { name: "E_BADSLOT", value: -1, display: "E_BADSLOT", doc: "slot number out of range, or the slot is empty" },
    { name: "E_RIGHTS", value: -2, display: "E_RIGHTS", doc: "the capability lacks a right the operation needs" },
    { name: "E_KIND", value: -3, display: "E_KIND", doc: "the capability names the wrong kind of object" },
    { name: "E_ARG", value: -4, display: "E_ARG", doc: "an argument is out of range" },
    { name: "E_BUSY", value: -5, display: "E_BUSY", doc: "the server is already executing (no re-entry)" },
    { name: "E_DEAD", value: -6, display: "E_DEAD", doc: "the target process is not running" },
    { name: "E_CRASHED", value: -7, display: "E_CRASHED", doc: "the server trapped while handling this call" },
    { name: "E_QFULL", value: -8, display: "E_QFULL", doc: "the endpoint's queue is full" },
    { name: "E_NOSPACE", value: -9, display: "E_NOSPACE", doc: "no free slot, object or process" },
    { name: "E_FAULT", value: -10, display: "E_FAULT", doc: "a memory range lies outside a process's memory" },
    { name: "E_NOLEASE", value: -11, display: "E_NOLEASE", doc: "no such lease in the current call" },
    { name: "E_DEPTH", value: -12, display: "E_DEPTH", doc: "calls nested too deeply" },
    { name: "E_NOSYS", value: -13, display: "E_NOSYS", doc: "no such syscall" },
    { name: "E_NOTCALL", value: -14, display: "E_NOTCALL", doc: "only valid while handling a synchronous call" },
    { name: "E_LINK", value: -15, display: "E_LINK", doc: "a module's import cannot be linked" },
    { name: "E_NOMODULE", value: -16, display: "E_NOMODULE", doc: "no such module in the image" },
    { name: "E_NOENTRY", value: -17, display: "E_NOENTRY", doc: "the process lacks that entry point" },
    { name: "E_REVOKED", value: -18, display: "E_REVOKED", doc: "the object behind the capability is gone" },
    { name: "E_UNSUPPORTED", value: -19, display: "E_UNSUPPORTED", doc: "a valid request this system does not support" },
    { name: "E_TIMEOUT", value: -20, display: "E_TIMEOUT", doc: "a deadline passed" },
    { name: "E_STATE", value: -21, display: "E_STATE", doc: "the object is in the wrong state for this" },
    { name: "E_NOMEM", value: -22, display: "E_NOMEM", doc: "over the process's page quota, or no free frame" },
    { name: "E_UNMAPPED", value: -23, display: "E_UNMAPPED", doc: "no mapping at that virtual address" },
    { name: "E_PROT", value: -24, display: "E_PROT", doc: "the mapping does not allow that access" },
    { name: "E_EOF", value: -25, display: "E_EOF", doc: "the console's input has ended" },
    { name: "E_PERM", value: -26, display: "E_PERM", doc: "not yours: the name or tag belongs to another service" },
    { name: "E_NORECV", value: -27, display: "E_NORECV", doc: "the receiver has not asked for a capability (no empty slot armed with cap_recv)" },
    { name: "E_QUOTA", value: -28, display: "E_QUOTA", doc: "past a quota the manifest sets for the caller (its qubits, at the quantum scheduler)" },
  ],
};
