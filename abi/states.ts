// States with names users see: a service's state as init reports it
// (`svc list`), a process's state in the kernel (proc_info PI_STATE), and a
// service's health as the registry keeps it.
import type { NamedSet } from "./schema";

export const serviceStates: NamedSet = {
  fn: "stateName",
  title: "service states",
  doc: ["Service states as init reports them."],
  unknown: "state-%d",
  rows: [
    { name: "SVC_WAITING", value: 0, display: "waiting" },
    { name: "SVC_RUNNING", value: 1, display: "running" },
    { name: "SVC_FAILED", value: 2, display: "failed" },
    { name: "SVC_SKIPPED", value: 3, display: "skipped" },
    { name: "SVC_STOPPED", value: 4, display: "stopped" },
    { name: "SVC_STOPPING", value: 5, display: "stopping", doc: "asked to stop (NOTE_STOP); killed at its stop_timeout" },
    { name: "SVC_DISABLED", value: 6, display: "disabled", doc: "not started, at boot or by svc start, until enabled" },
    { name: "SVC_PAUSED", value: 7, display: "paused" },
    { name: "SVC_STARTING", value: 8, display: "starting", doc: "started, not yet ready (a notify-type service until TAG_REG_READY)" },
  ],
};

export const processStates: NamedSet = {
  fn: "processStateName",
  title: "process states",
  doc: ["A process's state in the kernel (proc_info PI_STATE)."],
  unknown: "process-state-%d",
  rows: [
    { name: "PS_FREE", value: 0, display: "free" },
    { name: "PS_CREATED", value: 1, display: "created" },
    { name: "PS_STARTING", value: 2, display: "starting" },
    { name: "PS_RUNNING", value: 3, display: "running" },
    { name: "PS_CRASHED", value: 4, display: "crashed" },
    { name: "PS_STOPPED", value: 5, display: "stopped" },
    { name: "PS_PAUSED", value: 6, display: "paused", doc: "calls get E_BUSY; sends queue; nothing is delivered until resumed" },
  ],
};

export const healthStates: NamedSet = {
  fn: "healthName",
  title: "health",
  doc: ["A service's health as the registry keeps it (TAG_REG_HEALTH, TAG_REG_EVENT)."],
  unknown: "health-%d",
  rows: [
    { name: "HEALTH_UNKNOWN", value: 0, display: "unknown" },
    { name: "HEALTH_HEALTHY", value: 1, display: "healthy" },
    { name: "HEALTH_DEGRADED", value: 2, display: "degraded" },
    { name: "HEALTH_UNHEALTHY", value: 3, display: "unhealthy" },
  ],
};
