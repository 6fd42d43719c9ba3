// The boot table: the binary form of a manifest, built by `quark build`
// (tools/lib/boot-table.ts), carried in the image's `quark.boot` section and
// read by the kernel (its header) and by init (userland/init/bootinfo.ts)
// through boot_read. A header, one fixed-size record per service in manifest
// order, then arrays and strings addressed by byte offsets from the table's
// start (an empty one has offset 0). Every field is a u32, little-endian; a
// field's offset follows from its place in the list, so a new field goes at
// the end of its list (the table's ABI version names the whole layout).
//
// A field whose value comes from a manifest key names no source here: the
// key's row in abi/manifest.ts names the field (`boot`), and the generated
// writer and readers carry the value through.
import type { BootTableFormat } from "./schema-boot";

export const bootTable: BootTableFormat = {
  magic: 0x31544251, // "QBT1"
  width: 4,
  header: [
    { name: "MAGIC_OFF", field: "magic", source: "layout", doc: "BT_MAGIC" },
    { name: "ABI_VERSION", field: "version", source: "layout", doc: "the ABI_VERSION it was built for" },
    { name: "COUNT", field: "count", source: "layout", doc: "number of service records" },
    { name: "INIT_MODULE", field: "initModule", source: "layout", doc: "init's module index" },
    { name: "FLAGS", field: "flags", source: "layout", doc: "flags (none defined: 0)" },
    { name: "SIZE", field: "size", source: "layout", doc: "the whole table's size in bytes" },
    { name: "RAM_FRAMES", field: "ramFrames", doc: "frames of kernel-managed memory (physical RAM)" },
    { name: "HEALTH_MS", field: "healthMs", init: "i32", doc: "init's health-check interval in ms (0: no health checks)" },
    { name: "QPU_QUBITS", field: "qpuQubits", source: "layout", doc: "the qubits the image's QPU allows ([qpu] qubits; 0: the image has no QPU)" },
    { name: "QPU_CAL_OFF", field: "qpuCalOff", source: "layout", doc: "the QPU's calibration table (abi/qpu.ts's layout, as the QPU's QPU_CMD_CALIBRATE reads it): offset" },
    { name: "QPU_CAL_LEN", field: "qpuCalLen", source: "layout", doc: "the calibration table's length in bytes (0: an ideal QPU)" },
  ],
  record: [
    { name: "NAME_OFF", field: "nameOff", source: "layout", doc: "its name, UTF-8: offset" },
    { name: "NAME_LEN", field: "nameLen", source: "layout", doc: "its name's length in bytes" },
    { name: "MODULE", field: "module", source: "derived", init: "i32", doc: "its module's index in the image" },
    { name: "MEM_PAGES", field: "memPages", doc: "its instance's memory limit in 64 KiB pages" },
    { name: "RESTART", field: "restart", init: "i32", doc: "RESTART_*" },
    { name: "MAX_RESTARTS", field: "maxRestarts", init: "i32", doc: "restarts allowed within the window" },
    { name: "WINDOW_MS", field: "windowMs", init: "i32", doc: "the window restarts are counted over" },
    { name: "NDEPS", field: "ndeps", source: "layout", doc: "number of required dependencies" },
    { name: "DEPS_OFF", field: "depsOff", source: "layout", doc: "u32 service indices, required deps" },
    { name: "NGRANTS", field: "ngrants", source: "layout", doc: "number of grant records" },
    { name: "GRANTS_OFF", field: "grantsOff", source: "layout", doc: "grant records" },
    { name: "LABEL", field: "label", source: "derived", doc: "fnv1a(name)" },
    { name: "NOPT", field: "nopt", source: "layout", doc: "number of optional dependencies" },
    { name: "OPT_OFF", field: "optOff", source: "layout", doc: "u32 service indices, optional deps" },
    { name: "DELAY_MS", field: "delayMs", init: "i32", doc: "restart delay" },
    { name: "PAGE_QUOTA", field: "pageQuota", init: "i32", doc: "pages of kernel-managed memory the service may hold" },
    { name: "CPU_BUDGET", field: "cpuBudget", init: "u32", doc: "fuel units per handler invocation (0: DEFAULT_CPU_BUDGET)" },
    { name: "BACKOFF", field: "backoff", init: "i32", doc: "BACKOFF_*: how the restart delay grows over consecutive failures" },
    { name: "DELAY_MAX_MS", field: "delayMaxMs", init: "i32", doc: "the delay's cap" },
    { name: "STABLE_MS", field: "stableMs", init: "i32", doc: "running this long resets the count of consecutive failures" },
    { name: "STOP_MS", field: "stopMs", init: "i32", doc: "a graceful stop waits this long before killing" },
    { name: "DISABLED", field: "disabled", init: "bool", doc: "1: not started until enabled" },
    { name: "BINDS", field: "binds", source: "derived", init: "u32", doc: "bit k: restarted together with required dependency k (binds_to)" },
    { name: "GROUP", field: "group", source: "derived", init: "u32", doc: "supervision group: its number + 1 (0: none) | GROUP_* strategy << 16 | position << 24" },
    { name: "QUEUE_DEPTH", field: "queueDepth", init: "i32", doc: "sends that may wait for it (0: QUEUE_DEPTH)" },
    { name: "QUBITS", field: "qubits", init: "i32", doc: "qubit quota, for the quantum scheduler" },
    { name: "VERSION", field: "version", init: "u32", doc: "its interface version (VERSION_*: major << 20 | minor << 10 | patch; 0: none declared)" },
    { name: "HEARTBEAT_MS", field: "heartbeatMs", init: "i32", doc: "it promises a heartbeat at least this often (0: none expected)" },
    { name: "START_TIMEOUT_MS", field: "startTimeoutMs", init: "i32", doc: "a READY_NOTIFY service must report ready within this" },
    { name: "READY", field: "ready", init: { is: "READY_NOTIFY", field: "notifyReady" }, doc: "READY_*" },
    { name: "INSTANCES", field: "instances", init: "i32", doc: "how many processes run its module behind its name" },
    { name: "RANGES_OFF", field: "rangesOff", source: "layout", doc: "per required, then per optional dependency: u32 min version, u32 max version (exclusive)" },
    { name: "TAGS_OFF", field: "tagsOff", source: "layout", doc: "its registry tags, space-separated UTF-8" },
    { name: "TAGS_LEN", field: "tagsLen", source: "layout", doc: "the tags' length in bytes" },
    { name: "IFACE", field: "iface", init: "i32", doc: "fnv1a of its interface name: the interface hash it is registered with" },
    { name: "REGISTRATIONS", field: "registrations", init: "i32", doc: "registry entries each of its processes may add besides its manifest entry" },
    { name: "PING_FUEL", field: "pingFuel", init: "u32", doc: "fuel it may spend answering a health check's ping" },
  ],
  grant: [
    { name: "KIND", field: "kind", source: "layout", doc: "GRANT_*" },
    { name: "TARGET", field: "target", source: "layout", doc: "service index for GRANT_SERVICE, device id for GRANT_DEVICE, line for GRANT_IRQ, DEV_TYPE_* for GRANT_DRIVER, DEVP_* for GRANT_MATCH" },
    { name: "RIGHTS", field: "rights", source: "layout", doc: "R_* bits (GRANT_MATCH: BIND_*)" },
    { name: "LABEL", field: "label", source: "layout", doc: "fnv1a of the name the holder finds it by (GRANT_MATCH: the value)" },
  ],
  values: [
    { name: "GROUP_ONE_FOR_ONE", value: 0, doc: "only the crashed member is restarted" },
    { name: "GROUP_ONE_FOR_ALL", value: 1, doc: "every member is restarted with it" },
    { name: "GROUP_REST_FOR_ONE", value: 2, doc: "the members after it (in the group's order) are restarted with it" },
    { name: "GRANT_SERVICE", value: 1, doc: "an endpoint of another service" },
    { name: "GRANT_CONSOLE", value: 2, doc: "the console device" },
    { name: "GRANT_DEVICE", value: 3, doc: "a HAL device's register window (GRANT_TARGET = device id)" },
    { name: "GRANT_INIT", value: 4, doc: "init's endpoint, for its control protocol (TAG_INIT_*)" },
    { name: "GRANT_IRQ", value: 5, doc: "a device's interrupt line (GRANT_TARGET = the line), written after the device's own grant" },
    { name: "GRANT_DRIVER", value: 6, doc: "no capability: the service drives devices of type GRANT_TARGET, bound by the device manager (docs/devices.md), which reads it with TAG_INIT_CAPS" },
    { name: "GRANT_MATCH", value: 7, doc: "no capability: one condition of the GRANT_DRIVER before it (GRANT_TARGET = DEVP_*, GRANT_RIGHTS = BIND_*, GRANT_LABEL = the value)" },
    { name: "GRANT_PLUG", value: 8, doc: "no capability: the device manager plugs a device of type GRANT_TARGET on the bus at its first start (the image's [qpu]), read with TAG_INIT_CAPS" },
    { name: "READY_STARTED", value: 0, doc: "ready once quark_start returns" },
    { name: "READY_NOTIFY", value: 1, doc: "Starting until it reports ready (TAG_REG_READY), within start_timeout" },
    { name: "VERSION_MAJOR_SHIFT", value: 20, doc: "a version as a u32: major << 20 | minor << 10 | patch" },
    { name: "VERSION_MINOR_SHIFT", value: 10 },
    { name: "VERSION_PART_MAX", value: 1023, doc: "minor and patch (major: up to 4095)" },
    { name: "VERSION_ANY_MAX", value: 0xffffffff, doc: "a range with no upper bound" },
    { name: "DEFAULT_HEALTH_MS", value: 1000, doc: "init's default health-check interval" },
    { name: "PING_FUEL", value: 1000000, doc: "fuel a service may spend answering a ping" },
    { name: "HEARTBEATS_MISSED_UNHEALTHY", value: 3, doc: "this many missed heartbeats make a service Unhealthy (then it is restarted)" },
    { name: "REG_ENTRIES", value: 512, doc: "the most registry entries init keeps (the registry is sized from the boot table: each process's manifest entry and its `registrations` quota)" },
    { name: "DEFAULT_REGISTRATIONS", value: 4, doc: "a process's registry entries besides its manifest entry, by default" },
    { name: "REG_QUOTA_MAX", value: 64, doc: "the largest `registrations` a service may have" },
    { name: "REG_NAME_MAX", value: 128, doc: "bytes of \"name tag tag...\" in a registration" },
    { name: "RESTART_NEVER", value: 0 },
    { name: "RESTART_ON_FAILURE", value: 1 },
    { name: "RESTART_ALWAYS", value: 2 },
    { name: "BACKOFF_NONE", value: 0, doc: "restart at once" },
    { name: "BACKOFF_FIXED", value: 1, doc: "restart_delay every time" },
    { name: "BACKOFF_LINEAR", value: 2, doc: "restart_delay × the failure's number in the streak" },
    { name: "BACKOFF_EXPONENTIAL", value: 3, doc: "restart_delay × 2^(number - 1)" },
  ],
};
