// A service's event log: the last EVENTS things that happened to it, with
// their time, for `svc events` and for tests that account for every crash.
import { sys } from "../lib";
import { publish } from "./registry";

const EVENTS = 64;

export class Events {
  kind: StaticArray<i32> = new StaticArray<i32>(EVENTS);
  time: StaticArray<i64> = new StaticArray<i64>(EVENTS);
  detail: StaticArray<i64> = new StaticArray<i64>(EVENTS);
  count: i32 = 0; // ever recorded; the newest is at (count - 1) % EVENTS

  /** `owner`: the service's index, whom the registry's subscribers hear of. */
  constructor(readonly owner: i32) {}

  /** Record an event and tell the registry's subscribers. */
  add(kind: i32, detail: i64): void {
    const i = this.count % EVENTS;
    const t = sys.time();
    unchecked(this.kind[i] = kind);
    unchecked(this.time[i] = t);
    unchecked(this.detail[i] = detail);
    this.count++;
    publish(this.owner, kind, t, detail);
  }

  /** The k-th newest event's index in the ring, or -1 past the oldest kept. */
  at(k: i32): i32 {
    if (k < 0 || k >= this.count || k >= EVENTS) return -1;
    return (this.count - 1 - k) % EVENTS;
  }
}
