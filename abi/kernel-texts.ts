// The kernel's own console texts: every word the kernel prints. The kernel is
// held to 32 KiB, and an AssemblyScript string literal costs its UTF-16
// characters plus a 20-byte header and a data segment of its own; these rows
// become one UTF-8 blob instead (kernel/texts.ts), each text named by a
// constant that packs its place and length, so a line costs its bytes once.
// The order of the rows is the blob's; a text is at most 255 bytes.
import type { Text } from "./schema";

export const kernelTexts: Text[] = [
  { name: "KT_KERNEL", value: "kernel: ", doc: "the kernel's prefix on every line it logs" },
  { name: "KT_STAMP_END", value: "] ", doc: "closes a line's time stamp" },
  { name: "KT_BANNER", value: "quark kernel, ABI " },
  { name: "KT_COMMA", value: ", " },
  { name: "KT_PROCESS_SLOTS", value: " process slots, " },
  { name: "KT_MIB", value: " MiB of kernel-managed memory\n" },
  { name: "KT_INIT_FAILED", value: "init failed to start: " },
  { name: "KT_BOOT_FAILED", value: "boot failed: " },
  { name: "KT_NO_BOOT_TABLE", value: "no quark boot table" },
  { name: "KT_OTHER_ABI", value: "built for another ABI" },
  { name: "KT_NO_MEMORY", value: "cannot set up that much memory" },
  { name: "KT_NO_INIT", value: "cannot instantiate init" },
  { name: "KT_UNTIL_READY", value: "halting after ready (--until-ready)\n" },
  { name: "KT_HALT", value: "halt, code " },
  { name: "KT_NL", value: "\n" },
  { name: "KT_FAULT", value: "fault: " },
  { name: "KT_CPU", value: " spent its CPU budget of " },
  { name: "KT_CPU_UNITS", value: " units in one handler" },
  { name: "KT_INJECTED", value: " was made to trap (proc_crash)" },
  { name: "KT_HUNG", value: " did not answer a ping within its deadline" },
  { name: "KT_MEMORY", value: " trapped at its memory limit (the manifest's memory)" },
  { name: "KT_STACK", value: " called deeper than its stack window of " },
  { name: "KT_SLOTS", value: " slots" },
  { name: "KT_ABORTED", value: " aborted" },
  { name: "KT_START_TRAP", value: " trapped while starting" },
  { name: "KT_HANDLER_TRAP", value: " trapped in a handler" },
  { name: "KT_DROPPED", value: "; dropped " },
  { name: "KT_QUEUED", value: " queued messages" },
  { name: "KT_INIT_DIED", value: "panic: init died\n" },
  { name: "KT_EXITED", value: " exited, code " },
  { name: "KT_INIT_EXITED", value: "panic: init exited\n" },
  { name: "KT_UNREADABLE", value: "?", doc: "a service's string the kernel cannot read" },
  { name: "KT_ABORTED_AT", value: " aborted: " },
  { name: "KT_AT", value: " at " },
  { name: "KT_TRACE", value: "trace " },
  { name: "KT_COLON", value: ": " },
  { name: "KT_NAN", value: "NaN" },
  { name: "KT_HUGE", value: "huge" },
  { name: "KT_MINUS_HUGE", value: "-huge" },
  { name: "KT_INIT", value: "init", doc: "PID 1's name" },
  { name: "KT_PID", value: "pid " },
  { name: "KT_OPEN_PID", value: " (pid " },
];
