// Fault causes (fault_next). A fault is recorded per process and the supervisor
// (the process whose endpoint fault_endpoint named) gets NOTE_FAULT; reports
// are never lost, however many faults come before the supervisor runs. The
// display text is the one wording the kernel's log, init's log and the shell's
// `svc events` use: it reads after the service's name ("echo spent ...").
import type { Group, NamedSet } from "./schema";

export const faults: NamedSet = {
  fn: "faultText",
  title: "fault causes",
  doc: [
    "Fault causes (fault_next). A fault is recorded per process and the supervisor",
    "(the process whose endpoint fault_endpoint named) gets NOTE_FAULT; reports",
    "are never lost, however many faults come before the supervisor runs.",
  ],
  unknown: "faulted (cause %d)",
  rows: [
    { name: "FAULT_TRAP", value: 1, display: "trapped in a handler", doc: "trapped in a handler" },
    { name: "FAULT_START", value: 2, display: "trapped while starting", doc: "trapped in quark_start" },
    { name: "FAULT_KILLED", value: 3, display: "was killed" },
    { name: "FAULT_CPU", value: 4, display: "spent its CPU budget in one handler", doc: "spent its CPU budget in one handler" },
    { name: "FAULT_INJECTED", value: 5, display: "was made to trap (proc_crash)", doc: "made to trap on purpose (proc_crash: chaos testing)" },
    { name: "FAULT_EXIT", value: 6, display: "exited", doc: "not a fault: the process called exit (a graceful stop, or it was done)" },
    { name: "FAULT_HUNG", value: 7, display: "did not answer a ping within its deadline", doc: "did not answer a ping (proc_ping) within its fuel deadline" },
    { name: "FAULT_MEMORY", value: 8, display: "trapped at its memory limit (the manifest's memory)", doc: "trapped after the engine refused to grow its memory past the manifest's `memory`" },
    { name: "FAULT_STACK", value: 9, display: "called deeper than its stack window", doc: "its calls went deeper than its stack window (STACK_BUDGET)" },
    { name: "FAULT_ABORT", value: 10, display: "aborted", doc: "called abort (AssemblyScript's env.abort): a trap, whether or not the module trapped after it" },
  ],
};

export const faultReport: Group = {
  title: "fault reports",
  doc: ["fault_next packs a fault report: pid | cause << 8 | faults since the last report << 16 | messages dropped << 32."],
  rows: [
    { name: "FN_CAUSE_SHIFT", value: 8 },
    { name: "FN_COUNT_SHIFT", value: 16 },
    { name: "FN_DROPPED_SHIFT", value: 32 },
  ],
};
