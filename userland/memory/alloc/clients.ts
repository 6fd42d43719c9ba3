// What each client holds through the manager, by badge (init mints each
// client's capability with its pid, so a badge is a pid below MAX_PROCS).
import { MAX_PROCS, MEM_CLIENT_QUOTA } from "../../lib";

export const cPages = new StaticArray<i32>(MAX_PROCS); // pages charged to the client
export const cArena = new StaticArray<i32>(MAX_PROCS); // the manager's capability to its arena, or -1
export const cReclaim = new StaticArray<i32>(MAX_PROCS); // its endpoint for reclaim requests, or -1

export function clientsInit(): void {
  for (let p = 0; p < MAX_PROCS; p++) { unchecked(cPages[p] = 0); unchecked(cArena[p] = -1); unchecked(cReclaim[p] = -1); }
}

@inline export function validClient(badge: i32): bool { return badge > 0 && badge < MAX_PROCS; }

/** Can the client take `pages` more without going over its quota? */
@inline export function fits(badge: i32, pages: i32): bool {
  return <i64>unchecked(cPages[badge]) + pages <= MEM_CLIENT_QUOTA;
}

export function chargeClient(badge: i32, pages: i32): void { unchecked(cPages[badge] = unchecked(cPages[badge]) + pages); }
