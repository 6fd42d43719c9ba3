// The manager's log lines, through the log service when it was granted one.
import { log } from "../../lib";

export function say(msg: string): void { log(msg); }
