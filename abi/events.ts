// Events init records for a service (`svc events`, the registry's TAG_REG_EVENT
// sends); the detail word's meaning is in parentheses. The display names are
// what `svc events` prints and what its JSON carries; `detail` is how
// `svc events` reads the detail word (eventDetail()).
import type { NamedSet } from "./schema";

export const events: NamedSet = {
  fn: "eventName",
  title: "service events",
  doc: ["A service's events as init records them (detail in parentheses)."],
  unknown: "event-%d",
  rows: [
    { name: "EV_STARTED", value: 1, display: "started" },
    { name: "EV_CRASHED", value: 2, display: "crashed", doc: "(the fault cause, FAULT_*)", detail: "{fault}" },
    { name: "EV_RESTARTING", value: 3, display: "restarting", doc: "(the delay in ms)", detail: "in {n} ms" },
    { name: "EV_RESTARTED", value: 4, display: "restarted", doc: "(the restart count)", detail: "restart {n}" },
    { name: "EV_RESTART_FAILED", value: 5, display: "restart-failed", doc: "(the error)", detail: "{error}" },
    { name: "EV_STOPPED", value: 6, display: "stopped" },
    { name: "EV_GAVE_UP", value: 7, display: "gave-up", doc: "(restarts in the window)", detail: "{n} restarts in the window" },
    { name: "EV_EXITED", value: 8, display: "exited", doc: "(its exit code)" },
    { name: "EV_STOPPING", value: 9, display: "stopping", doc: "(the deadline in ms)", detail: "killed if not stopped in {n} ms" },
    { name: "EV_KILLED", value: 10, display: "killed", doc: "it did not stop by its deadline" },
    { name: "EV_PAUSED", value: 11, display: "paused" },
    { name: "EV_RESUMED", value: 12, display: "resumed" },
    { name: "EV_DISABLED", value: 13, display: "disabled" },
    { name: "EV_ENABLED", value: 14, display: "enabled" },
    { name: "EV_HELD", value: 15, display: "held", doc: "stopped because a required dependency is down (its index)", detail: "a required dependency, {service}, is down" },
    { name: "EV_BOUND_RESTART", value: 16, display: "restarted-with", doc: "restarted with a dependency it binds to (its index)", detail: "it binds to {service}" },
    { name: "EV_GROUP_RESTART", value: 17, display: "restarted-with-group", doc: "restarted with a member of its supervision group (that member's index)" },
    { name: "EV_REGISTERED", value: 18, display: "registered", doc: "(the entry id)", detail: "entry {n}" },
    { name: "EV_HEALTHY", value: 19, display: "healthy" },
    { name: "EV_DEGRADED", value: 20, display: "degraded", doc: "(heartbeats missed; 0: it said so itself)", detail: "{n} heartbeats missed", detailZero: "it says so" },
    { name: "EV_UNHEALTHY", value: 21, display: "unhealthy", doc: "(heartbeats missed; 0: a ping failed)", detail: "{n} heartbeats missed", detailZero: "no answer" },
    { name: "EV_UNREGISTERED", value: 22, display: "unregistered", doc: "(the entry id)", detail: "entry {n}" },
    { name: "EV_DRAINING", value: 23, display: "draining", doc: "a reload began: queued messages go to the new instance (messages queued)", detail: "{n} messages queued" },
    { name: "EV_RELOADED", value: 24, display: "reloaded", doc: "(reloads of it so far)", detail: "reload {n}" },
    { name: "EV_RELOAD_FAILED", value: 25, display: "reload-failed", doc: "rolled back to the old instance (the error)", detail: "{error}; the old instance kept" },
    { name: "EV_READY", value: 26, display: "ready", doc: "it reported ready" },
    { name: "EV_START_TIMEOUT", value: 27, display: "start-timeout", doc: "not ready within start_timeout (ms)", detail: "not ready within {n} ms" },
    { name: "EV_ESCALATED", value: 28, display: "escalated", doc: "gave up: subscribers told, dependents stopped (dependents stopped)", detail: "{n} dependents stopped" },
  ],
};
