// A capability handed over in a reply is copied when the handler returns, so
// the manager's own intermediate copy can only be deleted afterwards: at the
// start of its next message.
const pending = new StaticArray<i32>(64);
let count = 0;

import { sys } from "../../lib";

export function deferDelete(slot: i32): void {
  if (count == pending.length) { sys.cap_delete(slot); return; } // cannot happen within one handler
  unchecked(pending[count++] = slot);
}

export function flushDeferred(): void {
  while (count > 0) sys.cap_delete(unchecked(pending[--count]));
}
