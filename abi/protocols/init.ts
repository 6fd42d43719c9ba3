// init's control protocol (the shell and `quark ctl` use it; the manifest grants "init").
// Services are named by index (manifest order); TAG_INIT_FIND turns a name into one.
import type { Protocol } from "../schema";

export const protocol: Protocol = {
  name: "init",
  title: "init's control protocol",
  range: [0x0300, 0x031f],
  last: "TAG_INIT_LAST",
  tags: [
    { name: "TAG_INIT_STATUS", value: "0x0301", doc: "w0 = index; reply: SVC_* state, pid, restarts, faults (kernel's count), crashes logged, qubit quota" },
    { name: "TAG_INIT_COUNT", value: "0x0302", doc: "reply w0 = number of services" },
    { name: "TAG_INIT_NAME", value: "0x0303", doc: "w0 = index; the name into lease 0 (write); reply w0 = its length" },
    { name: "TAG_INIT_FIND", value: "0x0304", doc: "lease 0 (read) = a name; reply w0 = its index (E_BADSLOT: none)" },
    { name: "TAG_INIT_START", value: "0x0305", doc: "w0 = index" },
    { name: "TAG_INIT_STOP", value: "0x0306", doc: "w0 = index" },
    { name: "TAG_INIT_RESTART", value: "0x0307", doc: "w0 = index" },
    { name: "TAG_INIT_HALT", value: "0x0308", doc: "w0 = exit code: stop the machine" },
    { name: "TAG_INIT_CRASH", value: "0x030a", doc: "w0 = index: make it trap at its next entry (chaos testing)" },
    { name: "TAG_INIT_EVENTS", value: "0x0309", doc: "w0 = index, w1 = k (0: newest); reply: EV_* kind, time (ns), detail; E_BADSLOT past the oldest" },
    { name: "TAG_INIT_PAUSE", value: "0x030b", doc: "w0 = index" },
    { name: "TAG_INIT_RESUME", value: "0x030c", doc: "w0 = index" },
    { name: "TAG_INIT_ENABLE", value: "0x030d", doc: "w0 = index" },
    { name: "TAG_INIT_DISABLE", value: "0x030e", doc: "w0 = index (stops it first if it runs)" },
    { name: "TAG_INIT_METRICS", value: "0x030f", doc: "w0 = index; reply: messages handled, CPU (thousands of fuel units), pages, page quota, uptime (ns), errors (handler returns < 0)" },
    { name: "TAG_INIT_DEPS", value: "0x0310", doc: "w0 = index, w1 = k; reply: DEP_* kind, the other service's index; E_BADSLOT past the last" },
    { name: "TAG_INIT_RELOAD", value: "0x0311", doc: "w0 = index, w1 = RELOAD_* flags: replace its module with the new build, keeping its pid and capabilities" },
    { name: "TAG_INIT_CAPS", value: "0x0312", doc: "w0 = index, w1 = k; reply: GRANT_* kind, target, rights, label of its k-th manifest grant; E_BADSLOT past the last" },
    { name: "TAG_INIT_HEALTH_CHECK", value: "0x0313", doc: "run one health check of every service now; reply w0 = services pinged, w1 = ns it took, w2 = health interval (ms)" },
    { name: "TAG_INIT_QPU", value: "0x0314", doc: "for the QPU's driver only (its manifest says driver = \"qpu\"; anyone else: E_PERM): the image's [qpu]; reply w0 = qubits (0: no QPU), w1 = the calibration table's bytes (0: ideal); with lease 0 (write) the table is copied into it (E_NOSPACE if shorter); without a lease nothing is copied" },
  ],
  constants: [
    {
      title: "dependency kinds",
      doc: [
        "TAG_INIT_DEPS reply kinds.",
      ],
      rows: [
        { name: "DEP_REQUIRES", value: 0 },
        { name: "DEP_WANTS", value: 1 },
        { name: "DEP_REQUIRED_BY", value: 2 },
        { name: "DEP_BINDS_TO", value: 3 },
      ],
    },
  ],
};
