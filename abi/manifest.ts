// Every key of an image manifest (docs/manifest.md): its table, type, default,
// range, where it lands in the boot table, and one line of documentation. The
// parser (tools/lib/manifest.ts) takes its key lists, defaults and ranges from
// here, the boot-table writer and init's reader carry each `boot` field
// through, and docs/manifest.md's key tables are generated from these rows.
// A new key that init needs: a row here (and its field at the end of the
// record, or of the header for an [image] key, in abi/boot-table.ts), `npm run
// abi`, and the code that uses it; an integer or a duration needs no parser
// code (readServiceNumbers, readImageNumbers).
import type { ManifestKey } from "./schema-boot";

// init holds most settings as i32: a larger value would turn negative there.
const I32_MAX = 0x7fffffff; // as milliseconds, about 24.8 days

export const manifestKeys: ManifestKey[] = [
  // ---------------------------------------------------------------- [image]
  { table: "image", key: "name", type: "string", required: true, field: "name",
    doc: "The image's name: a lowercase letter, then lowercase letters, digits or `-` (`[a-z][a-z0-9-]*`)." },
  { table: "image", key: "description", type: "string", field: "description",
    doc: "Free text, shown by `quark inspect`." },
  { table: "image", key: "ram", type: "pages", default: { abi: "DEFAULT_RAM_FRAMES" }, min: 16, max: { abi: "MAX_RAM_FRAMES" },
    field: "ramFrames", boot: "RAM_FRAMES",
    doc: "Kernel-managed memory, the machine's RAM (`docs/memory.md`): a size in whole 4 KiB pages (`\"16MiB\"`), or a number of pages." },
  { table: "image", key: "health_interval", type: "duration", default: { abi: "DEFAULT_HEALTH_MS" }, min: 0, max: I32_MAX,
    field: "healthMs", boot: "HEALTH_MS",
    doc: "How often init checks every running service: a kernel ping (`proc_ping`, a call with a fuel deadline of `PING_FUEL` units; missing it is `FAULT_HUNG`, handled like a crash) and the heartbeats of services that promised them. `\"0ms\"` turns health checks off. Checks run on ticks, which keep nothing awake: an image with nothing else to do still stops." },

  // ---------------------------------------------------------------- [init]
  { table: "init", key: "module", type: "path", defaultText: "`<repository>/userland/init`",
    doc: "Init's module: a directory holding `index.ts`, or a `.ts` file, relative to the manifest's directory." },

  // ---------------------------------------------------------------- [service.NAME]
  { table: "service", key: "module", type: "path", required: true, field: "module",
    doc: "The service's code: a directory holding `index.ts`, or a `.ts` file. Relative to the manifest's directory; it must exist." },
  { table: "service", key: "description", type: "string", field: "description", doc: "Free text." },
  { table: "service", key: "memory", type: "size", default: "1MiB", min: 65536, max: 268435456,
    field: "memoryBytes", boot: "MEM_PAGES", encode: "wasm-pages",
    doc: "The most memory the service's instance may have: a multiple of 64 KiB from 64 KiB to 256 MiB (see [Sizes](#sizes))." },
  { table: "service", key: "restart", type: "enum", default: "on-failure",
    values: [["never", "RESTART_NEVER"], ["on-failure", "RESTART_ON_FAILURE"], ["always", "RESTART_ALWAYS"]],
    field: "restart", boot: "RESTART", doc: "`\"never\"`, `\"on-failure\"` or `\"always\"`: see [Restarts](#restarts)." },
  { table: "service", key: "max_restarts", type: "integer", default: 5, min: 0, max: I32_MAX, field: "maxRestarts", boot: "MAX_RESTARTS", custom: true,
    counts: "restarts allowed within restart_window",
    doc: "Restarts allowed within `restart_window`; `0` means never restart." },
  { table: "service", key: "restart_window", type: "duration", default: "30s", min: 1, max: I32_MAX, field: "restartWindowMs", boot: "WINDOW_MS",
    doc: "The window over which restarts are counted; at least `1ms`." },
  { table: "service", key: "restart_delay", type: "duration", default: "0ms", min: 0, max: I32_MAX, field: "restartDelayMs", boot: "DELAY_MS",
    doc: "How long init waits before each restart." },
  { table: "service", key: "restart_backoff", type: "enum", default: "fixed",
    values: [["none", "BACKOFF_NONE"], ["fixed", "BACKOFF_FIXED"], ["linear", "BACKOFF_LINEAR"], ["exponential", "BACKOFF_EXPONENTIAL"]],
    field: "restartBackoff", boot: "BACKOFF",
    doc: "How the delay grows over consecutive failures: `none` (restart at once), `fixed` (`restart_delay` each time), `linear` (`restart_delay` × the failure's number in the streak), `exponential` (`restart_delay` × 2^(number − 1))." },
  { table: "service", key: "restart_delay_max", type: "duration", default: "30s", min: 0, max: I32_MAX, field: "restartDelayMaxMs", boot: "DELAY_MAX_MS",
    doc: "The cap on the grown delay." },
  { table: "service", key: "stable_after", type: "duration", default: "10s", min: 0, max: I32_MAX, field: "stableAfterMs", boot: "STABLE_MS",
    doc: "Running this long since the last (re)start ends the streak of consecutive failures, so the next crash starts the backoff over." },
  { table: "service", key: "stop_timeout", type: "duration", default: "1s", min: 0, max: I32_MAX, field: "stopTimeoutMs", boot: "STOP_MS",
    doc: "A graceful stop (`svc stop`, `svc disable`) raises `NOTE_STOP` in the service and kills it if it has not called `exit` by then. A service with no `quark_notify` stops at once." },
  { table: "service", key: "enabled", type: "boolean", default: true, field: "enabled", boot: "DISABLED", encode: "not",
    doc: "`false`: init does not start the service (at boot or by `svc start`) until `svc enable`." },
  { table: "service", key: "page_quota", type: "pages", default: { abi: "DEFAULT_PAGE_QUOTA" }, min: 0, max: { abi: "MAX_RAM_FRAMES" },
    field: "pageQuota", boot: "PAGE_QUOTA",
    doc: "How much kernel-managed memory the service may hold (page tables, pages it writes, memory objects it creates): a size in whole 4 KiB pages, or a number of pages. Over it, the request is refused with `E_NOMEM`." },
  { table: "service", key: "cpu_budget", type: "integer", default: { abi: "DEFAULT_CPU_BUDGET" }, min: 1000, max: 4000000000,
    field: "cpuBudget", boot: "CPU_BUDGET", custom: true, counts: "fuel units one handler invocation may spend",
    doc: "Fuel one handler invocation may spend: every service is metered when a host loads it (the service loader, `docs/architecture.md`, CPU), one unit per function entry and loop iteration. A handler that spends it is stopped like a trap (`FAULT_CPU`), its caller gets `E_CRASHED`, and the restart policy applies." },
  { table: "service", key: "queue_depth", type: "integer", default: { abi: "QUEUE_DEPTH" }, min: 1, max: { abi: "QUEUE_DEPTH" },
    field: "queueDepth", boot: "QUEUE_DEPTH", counts: "sends that may wait for the service",
    doc: "How many asynchronous sends may wait for the service; one more is refused with `E_QFULL`." },
  { table: "service", key: "qubits", type: "integer", default: 0, min: 0, max: { abi: "QUBIT_CAPACITY" },
    field: "qubits", boot: "QUBITS", counts: "qubits the quantum scheduler may give it",
    doc: "The service's qubit quota, recorded for the quantum scheduler (reported by `svc status`)." },
  { table: "service", key: "requires", type: "names", field: "requires",
    doc: "Services that must be running (and ready) before this one starts. Each may carry a version constraint after a space: `\"log ^1.2\"`; see [Versions](#versions)." },
  { table: "service", key: "binds_to", type: "names", field: "bindsTo",
    doc: "Required dependencies the service is restarted with: whenever one of them is restarted, so is this service. Each must also be in `requires`. (Without it, a service whose required dependency goes down for good is stopped, and started again when the dependency is back.)" },
  { table: "service", key: "wants", type: "names", field: "wants",
    doc: "Optional dependencies: services this one uses when they run. They do not hold back its start; init's start message notes any that is not running. A name the image lacks is a warning, not an error. Constraints as for `requires`." },
  { table: "service", key: "caps", type: "caps", field: "caps",
    doc: "What the service may use: see [Capabilities](#capabilities)." },
  { table: "service", key: "interrupts", type: "strings", field: "interrupts",
    doc: "Devices whose interrupt line the service handles, as their driver: each also in `caps`, with a line, and no other service of the image handling it; a single instance. The service gets a `K_IRQ` capability for each line, found by the device's name followed by `.irq` (`irqFind(\"bus\")`), binds it to a notification bit and re-arms it after each interrupt: see `docs/interrupts.md`." },
  { table: "service", key: "version", type: "version", field: "version", boot: "VERSION", encode: "or-zero",
    doc: "The version of the interface the service serves, `MAJOR.MINOR.PATCH` (major up to 4095, the others up to 1023). The registry publishes it; constraints of dependents are checked against it." },
  { table: "service", key: "heartbeat", type: "duration", default: "0ms", min: 0, max: I32_MAX, field: "heartbeatMs", boot: "HEARTBEAT_MS",
    doc: "The service promises a heartbeat (`registry.heartbeat()`, or `registry.startHeartbeat(ms)`) at least this often; `\"0ms\"`: none. One missed: Degraded; `HEARTBEATS_MISSED_UNHEALTHY` (3) missed: Unhealthy, killed, and its restart policy applies." },
  { table: "service", key: "ready", type: "enum", default: "started", values: [["started", "READY_STARTED"], ["notify", "READY_NOTIFY"]],
    field: "ready", boot: "READY",
    doc: "`\"started\"`: running once `quark_start` returns. `\"notify\"`: *Starting* until the service calls `registry.ready()`; what requires it waits, and so does init's ready line." },
  { table: "service", key: "start_timeout", type: "duration", default: "10s", min: 1, max: I32_MAX, field: "startTimeoutMs", boot: "START_TIMEOUT_MS",
    doc: "A `ready = \"notify\"` service that has not reported ready by then is killed (`start-timeout` event) and its restart policy applies." },
  { table: "service", key: "instances", type: "integer", default: 1, min: 1, max: 16, field: "instances", boot: "INSTANCES",
    counts: "processes that run the module behind the service's name",
    doc: "How many processes run the module: `NAME`, `NAME#2` .. `NAME#N`, each supervised on its own and all registered under `NAME`, for client-side load balancing (`Balancer` in `userland/lib/balance.ts`). Grants and dependencies naming `NAME` mean the first. Every instance counts against the 62 processes." },
  { table: "service", key: "tags", type: "strings", field: "tags",
    doc: "Registry tags (1 to 32 of `a-z 0-9 . _ / -`): clients can look the service up by tag. A tag the manifest gives one or more services can be attached at run time only by those services (others get `E_PERM`)." },
  { table: "service", key: "interface", type: "string", defaultText: "the service's name", field: "interface", boot: "IFACE", encode: "fnv1a",
    doc: "The name of the interface it serves; the registry keeps its FNV-1a hash as the entry's interface hash." },
  { table: "service", key: "registrations", type: "integer", default: { abi: "DEFAULT_REGISTRATIONS" }, min: 0, max: { abi: "REG_QUOTA_MAX" },
    field: "registrations", boot: "REGISTRATIONS",
    counts: "registry entries each of its processes may add besides the one init makes from the manifest",
    doc: "How many registry entries each of its processes may add besides the one init makes for it from the manifest; one more is refused with `E_NOSPACE`, for that service only. init sizes the registry to hold every process's manifest entry and whole quota, so no service can use up another's room; the sum over the image must fit the entries init keeps (`REG_ENTRIES`)." },
  { table: "service", key: "ping_fuel", type: "integer", default: { abi: "PING_FUEL" }, min: 1000, max: 4000000000,
    field: "pingFuel", boot: "PING_FUEL", counts: "fuel units it may spend answering a health check's ping",
    doc: "Fuel the service may spend answering a health check's ping (`proc_ping`, every `health_interval`): a service whose ping handler does real work (a self-test, a flush) gets more; one that spends it is hung (`FAULT_HUNG`), handled like a crash." },

  // ---------------------------------------------------------------- [group.NAME]
  { table: "group", key: "strategy", type: "enum", default: "one-for-one",
    values: [["one-for-one", "GROUP_ONE_FOR_ONE"], ["one-for-all", "GROUP_ONE_FOR_ALL"], ["rest-for-one", "GROUP_REST_FOR_ONE"]],
    doc: "When a member is restarted after a failure: `one-for-one` restarts only it; `one-for-all` restarts every other running member too; `rest-for-one` restarts the members listed after it." },
  { table: "group", key: "services", type: "names",
    doc: "The members, in order (the order `rest-for-one` uses)." },
];
