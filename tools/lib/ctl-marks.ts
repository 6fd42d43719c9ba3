// What `quark ctl` writes to a shell besides the user's commands, shared by
// ctl.ts (which reads the answers) and the board (which keeps them off the
// console): the shell's prompt, the tag of `status TAG`, and how a log line starts.

/** The shell's prompt on a terminal (userland/shell/index.ts). */
export const PROMPT = "quark> ";

/** Every ctl tag starts with this; no answer of the shell does. */
export const MARK_PREFIX = "quark-ctl-";

/** A log line: "[    0.012345] name: text", as the log service and the kernel stamp them. */
export const LOG_LINE = /^\[ *\d+\.\d{6}\] [a-z][a-z0-9-]*: /;
