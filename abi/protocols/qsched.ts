// The quantum scheduler's protocol (userland/qsched, docs/quantum.md). The
// scheduler is the QPU's driver (manifest driver = "qpu"): it alone touches
// the device; clients reach it with a capability (caps = ["qsched:call"],
// badged with the client's pid by init) and own the allocations and jobs
// they made. Jobs run in the scheduler's virtual time: a job's duration comes
// from the calibration (docs/quantum.md: Virtual time), so STATUS reports
// virtual nanoseconds, not the host's clock.
//
// Every call answers an error code or OK with reply words. A refusal that
// needs more than a code (a program that does not parse, a pair that is not
// coupled, a job too long for the qubits' coherence, a quota) also keeps a
// reason: TAG_QS_REASON reads its QS_WHY_* code and its text.
import type { Protocol } from "../schema";

export const protocol: Protocol = {
  name: "qsched",
  title: "quantum scheduler",
  doc: [
    "A client's qubits (its allocations plus the qubits of its largest unfinished job without an allocation) never exceed",
    "its manifest `qubits` quota: past it ALLOC and SUBMIT answer E_QUOTA and the scheduler's log line names the quota.",
    "Job, allocation and client tables are shared fairly: past a client's share E_NOSPACE, the others keep theirs.",
    "A client that crashes, exits or is stopped loses its allocations and its unfinished jobs.",
    "Every tag answers E_PERM to a caller whose manifest grants it no qsched (whatever capability it found), E_BUSY to a",
    "client's first call while init cannot answer (try again), E_NOSPACE when QS_CLIENTS other clients are known, and",
    "E_ARG for a tag outside this table. Reading (STATUS, RESULTS, REASON, LAYOUT, CANCEL, WAIT) another client's job is E_PERM.",
  ],
  range: [0x0600, 0x067f],
  last: "TAG_QS_LAST",
  tags: [
    { name: "TAG_QS_ALLOC", value: "0x0601", doc: "w0 = qubits (1 .. the QPU's); the policy picks free physical qubits and books them for the caller; reply: allocation id, qubits, mask of its physical qubits 0..63, mask of 64..127, qubits the caller now holds, its quota. E_ARG: count; E_QUOTA: past the quota; E_BUSY: not that many qubits free now (others hold them); E_NOSPACE: QS_CLIENT_ALLOCS or QS_ALLOCS reached; E_STATE: no QPU attached" },
    { name: "TAG_QS_RELEASE", value: "0x0602", doc: "w0 = allocation id (the caller's): free its qubits; reply w0 = qubits the caller still holds. E_BADSLOT: no such allocation; E_PERM: another client's; E_BUSY: a job of the caller on it is unfinished (cancel it first)" },
    { name: "TAG_QS_SUBMIT", value: "0x0603", doc: "lease 0 readable = OpenQASM 2.0 or 3 text (1 .. QS_SOURCE_MAX bytes); w0 = shots (1 .. QPU_MAX_SHOTS), w1 = seed (64 bits), w2 = allocation id (0: none, the policy places the job), w3 = QS_SUBMIT_* flags, w4 = its arrival in virtual time (ns, up to 2^62; 0: now, the virtual clock): the job starts no earlier, and its waiting time counts from it; an arrival ahead of the clock needs the admin right (docs/quantum.md: Arrivals and recalibration); reply: job id, qubits, queue position (0: next), virtual submit time (ns), estimated duration (ns), estimated success probability (ppm). E_ARG: shots, flags, an arrival out of range or a program that does not parse (QS_WHY_PARSE); E_UNSUPPORTED: no placement can run it (QS_WHY_UNCOUPLED, QS_WHY_NOMAP, QS_WHY_COHERENCE, QS_WHY_TOO_BIG); E_QUOTA: its qubits past the quota; E_BADSLOT, E_PERM: the allocation; E_PERM: an arrival ahead of the clock without the admin right; E_NOSPACE: QS_CLIENT_QUEUE or QS_QUEUE unfinished jobs, or QS_POOL_BYTES of compiled jobs; E_NOLEASE, E_RIGHTS, E_FAULT: the lease; E_STATE: no QPU attached" },
    { name: "TAG_QS_STATUS", value: "0x0604", doc: "w0 = job id (the caller's); reply: QS_JOB_*, queue position (0: next; -1: ended), virtual submit time, virtual start (projected while queued), virtual end (projected while queued), outcomes when done or the error code it ended with (QS_JOB_FAILED: see TAG_QS_REASON). E_BADSLOT: no such job (or its record was reused); E_PERM: another client's" },
    { name: "TAG_QS_CANCEL", value: "0x0605", doc: "w0 = job id (the caller's, queued): it ends QS_JOB_CANCELLED (a waiter is told); reply w0 = jobs still queued ahead of the next. E_STATE: it has ended already; E_BADSLOT, E_PERM as TAG_QS_STATUS" },
    { name: "TAG_QS_WAIT", value: "0x0606", doc: "w0 = job id (the caller's); cap = an endpoint to the caller (passing it needs `qsched:call+grant`; optional once given: the scheduler keeps the last one per client), through which a TAG_QS_DONE send comes when the job ends; reply w0 = 1 if it has ended already (no send), 0 if armed. E_STATE: no endpoint given yet; E_ARG: the cap is not an endpoint; E_PERM: an endpoint that does not deliver to the caller; E_BADSLOT, E_PERM as TAG_QS_STATUS" },
    { name: "TAG_QS_DONE", value: "0x0607", doc: "qsched -> waiter (send): job id, QS_JOB_*, outcomes or the error code, virtual end time (ns)" },
    { name: "TAG_QS_RESULTS", value: "0x0608", doc: "w0 = job id (the caller's, QS_JOB_DONE), w1 = first entry (0 ..), w2 = QS_RES_*; lease 0 writable: QS_RES_ENTRIES writes results entries of QRES_ENTRY_BYTES (outcome low, high, count, 0; ascending by outcome) as many as fit; QS_RES_TEXT writes lines `BITS COUNT` with BITS in Qiskit's order (registers from the program, the last declared leftmost, separated by spaces; bit 0 of each rightmost), whole lines as many as fit; reply: entries written, entries in all, classical bits, shots, registers. E_STATE: not done; E_ARG: first past the entries, or another mode; E_NOSPACE: the lease holds not even one; E_NOLEASE, E_RIGHTS, E_FAULT: the lease; E_BADSLOT, E_PERM as TAG_QS_STATUS" },
    { name: "TAG_QS_JOBS", value: "0x0609", doc: "w0 = k (0: the oldest record), w1 = QS_LIST_*; reply the k-th job kept: id, owner's pid (0: it went away), QS_JOB_*, qubits, shots, virtual end (projected while queued). Anyone may list; only the owner reads status and results. E_BADSLOT past the last (or k < 0); E_ARG: another mode" },
    { name: "TAG_QS_POLICY", value: "0x060a", doc: "w0 = QS_POL_* to set or -1 to leave, w1 = QS_MIX_* flags or -1, w2 = the success-probability loss allowed to batching and multiprogramming, in ppm (0 .. 1000000) or -1; reply: policy, flags, loss (ppm), changes so far. Setting needs the admin right (QS_ADMIN_RIGHT on the caller's manifest grant, `qsched:call+control`): E_PERM otherwise; every change is logged with who, the old and the new settings. E_ARG: a value out of range" },
    { name: "TAG_QS_CALIBRATION", value: "0x060b", doc: "reply: qubits the QPU allows, calibrated qubits (0: ideal), coupled pairs, calibration table bytes (0: ideal), QPU device id (0: none attached); with lease 0 writable and at least that long, the table as the device reads it (docs/qpu.md: Calibration tables) is written there. E_NOSPACE: the lease is shorter than the table; E_RIGHTS, E_FAULT: the lease" },
    { name: "TAG_QS_REASON", value: "0x060c", doc: "w0 = job id (the caller's) or 0 for the caller's last refused call; lease 0 writable (optional): the reason as a line of text; reply: QS_WHY_*, text bytes (written up to the lease's length), and for QS_WHY_DEVICE the device's QPU_REASON, QPU_REASON_AT, QPU_REASON_A, QPU_REASON_B. E_BADSLOT, E_PERM as TAG_QS_STATUS" },
    { name: "TAG_QS_LAYOUT", value: "0x060d", doc: "w0 = QS_OF_JOB or QS_OF_ALLOC, w1 = its id (the caller's); lease 0 writable (optional): one byte per logical qubit, its physical qubit; reply: qubits, estimated success probability (ppm), duration (virtual ns, every shot), energy (µJ, docs/quantum.md: Energy), batch (0: runs alone, else the id of the first job it runs with), QS_POL_* that placed it. E_BADSLOT, E_PERM as TAG_QS_STATUS; E_STATE: a queued job has no placement yet; E_ARG: another kind. For an allocation only the first word (the rest 0)" },
    { name: "TAG_QS_HOLD", value: "0x060f", doc: "w0 = a virtual time (ns) no run may start after (0: no hold; -1: leave it); reply: the hold, 1 if a run is on the QPU or a queued job may still start at or before the hold (0: the scheduler waits for the hold to move or jobs to end), the virtual clock, jobs unfinished, recalibrations pending. A client that submits arrivals in order holds the scheduler at the last one it submitted, so no job starts before every job that arrived by then is known. Setting needs the admin right (E_PERM otherwise, logged); E_ARG: below -1" },
    { name: "TAG_QS_RECALIBRATE", value: "0x0610", doc: "lease 0 readable = a calibration table (docs/qpu.md: Calibration tables) with as many qubit records as the QPU's; w0 = the virtual time it takes effect (ns; 0: at the next run): before the first run that starts at or after it the scheduler takes the table, the device gets it cut down to each run's qubits (QPU_CMD_CALIBRATE), and every queued job is re-estimated where it would run (one that no placement can run now ends QS_JOB_FAILED with the reason); reply: recalibrations pending, the virtual time it takes effect. Needs the admin right (E_PERM otherwise, logged). E_ARG: a table that does not hold together, another qubit count, a negative time or one before a pending recalibration's; E_NOSPACE: QS_RECAL_PENDING pending; E_STATE: no QPU attached, or an ideal one; E_NOLEASE, E_RIGHTS, E_FAULT: the lease" },
    { name: "TAG_QS_HARVEST", value: "0x0611", doc: "reply: QS_HARVEST_* (what the entropy harvest does now), harvest runs, bits fed to the memory service's pool, their QPU time (virtual ns, kept apart: never on the clock), the min-entropy per bit claimed for the last run (ppm of a bit), feeds in a row the pool kept out (docs/quantum.md: The QPU as an entropy source). Anyone the manifest grants the scheduler may read it" },
    { name: "TAG_QS_INFO", value: "0x060e", doc: "reply: QPU device id (0: none attached), qubits it allows, qubits free, jobs unfinished, the virtual clock (ns: the end of the last job run), jobs run" },
  ],
  constants: [
    {
      title: "quantum scheduler",
      doc: ["Rights, flags and limits of TAG_QS_*."],
      rows: [
        { name: "QS_ADMIN_RIGHT", value: 16, doc: "R_CONTROL on a client's manifest grant (`qsched:call+control`): the right to set the policy; the scheduler reads it from init (TAG_INIT_CAPS)" },
        { name: "QS_SUBMIT_MAP", value: 1, doc: "SUBMIT flag: choose physical qubits where every pair a two-qubit gate uses is coupled (within the allocation, if one is named); without it a gate on a pair the placement does not couple is refused naming the pair" },
        { name: "QS_OF_JOB", value: 1, doc: "TAG_QS_LAYOUT of a job" },
        { name: "QS_OF_ALLOC", value: 2, doc: "TAG_QS_LAYOUT of an allocation" },
        { name: "QS_RES_ENTRIES", value: 0, doc: "TAG_QS_RESULTS as results entries" },
        { name: "QS_RES_TEXT", value: 1, doc: "TAG_QS_RESULTS as Qiskit-order bitstring lines" },
        { name: "QS_LIST_ALL", value: 0, doc: "TAG_QS_JOBS: every job kept" },
        { name: "QS_LIST_MINE", value: 1, doc: "TAG_QS_JOBS: the caller's only" },
        { name: "QS_LOSS_DEFAULT_PPM", value: 50000, doc: "the default loss bound: batching or multiprogramming is admitted only while each job's estimated success probability stays within 5 % of its probability alone" },
        { name: "QS_RESET_NS", value: 250000, doc: "time between shots (ns): IBM's default repetition delay (default_rep_delay, 250 µs), added to every shot's schedule" },
        { name: "QS_RECAL_PENDING", value: 8, doc: "recalibrations waiting for their virtual time at once (TAG_QS_RECALIBRATE: E_NOSPACE past it)" },
        { name: "QS_CLIENTS", value: 16, doc: "clients with allocations or jobs at once (E_NOSPACE past it)" },
        { name: "QS_ALLOCS", value: 32, doc: "allocations at once, all clients" },
        { name: "QS_CLIENT_ALLOCS", value: 8, doc: "allocations one client may hold" },
        { name: "QS_JOBS", value: 1024, doc: "job records kept; an ended job's record (and results) is reused, oldest first, when a new job needs one" },
        { name: "QS_QUEUE", value: 512, doc: "unfinished jobs, all clients" },
        { name: "QS_CLIENT_QUEUE", value: 128, doc: "unfinished jobs one client may have (TAG_QS_SUBMIT: E_NOSPACE past it)" },
        { name: "QS_SOURCE_MAX", value: 65536, doc: "bytes of one program's OpenQASM text" },
        { name: "QS_POOL_BYTES", value: 4194304, doc: "bytes of compiled jobs and results kept at once, all jobs" },
        { name: "QS_RESULT_ENTRIES", value: 4096, doc: "distinct outcomes one job's results keep (more: the job fails, QS_WHY_RESULTS)" },
      ],
    },
    {
      title: "entropy harvest",
      doc: ["TAG_QS_HARVEST's w0."],
      rows: [
        { name: "QS_HARVEST_OFF", value: 0, doc: "no harvest: no memory service granted (memory:call+control), or no QPU yet" },
        { name: "QS_HARVEST_ON", value: 1, doc: "the pool wants bits: the QPU harvests whenever no job can run" },
        { name: "QS_HARVEST_FULL", value: 2, doc: "the pool is full: asked again after the next user run" },
        { name: "QS_HARVEST_KEPT_OUT", value: 3, doc: "the pool kept the bits out QS_HARVEST_TRIES feeds in a row: again after a recalibration" },
        { name: "QS_HARVEST_REFUSED", value: 4, doc: "the memory service or the QPU refused (no feed right, a refused run): never again in this instance" },
        { name: "QS_HARVEST_TRIES", value: 4, doc: "feeds in a row the pool may keep out before the harvest stops" },
      ],
    },
    {
      title: "job states",
      doc: ["TAG_QS_STATUS's w0, TAG_QS_DONE's w1."],
      rows: [
        { name: "QS_JOB_QUEUED", value: 1, doc: "waiting for the QPU, in virtual-time order" },
        { name: "QS_JOB_RUNNING", value: 2, doc: "on the QPU now" },
        { name: "QS_JOB_DONE", value: 3, doc: "ran; its results are kept" },
        { name: "QS_JOB_FAILED", value: 4, doc: "refused when it came to run (the device's reason, or its owner went): TAG_QS_REASON says why" },
        { name: "QS_JOB_CANCELLED", value: 5, doc: "cancelled by its owner before it ran" },
      ],
    },
    {
      title: "policies",
      doc: ["TAG_QS_POLICY's w0: how the scheduler picks physical qubits for a job (docs/quantum.md: Policies, and Adding a policy)."],
      names: "qsPolicyName",
      last: "QS_POL_LAST",
      rows: [
        { name: "QS_POL_FIFO", value: 1, display: "fifo", doc: "jobs in submission order on the lowest free physical qubits whose coupling fits" },
        { name: "QS_POL_ERROR", value: 2, display: "error-rate", doc: "error-rate-minimising: the placement with the highest estimated success probability (gate errors, readout, decoherence)" },
        { name: "QS_POL_COHERENCE", value: 3, display: "coherence", doc: "coherence-aware: a job whose duration would exceed its qubits' coherence window goes to better qubits, or is refused with the reason (QS_WHY_COHERENCE)" },
        { name: "QS_POL_ENERGY", value: 4, display: "energy", doc: "energy-minimising: the placement with the least estimated energy (docs/quantum.md: Energy)" },
      ],
    },
    {
      title: "mixing",
      doc: ["TAG_QS_POLICY's w1: how queued jobs may share the QPU."],
      flagNames: "qsMixName",
      rows: [
        { name: "QS_MIX_BATCH", value: 1, display: "batch", doc: "batching: queued jobs with the same program and allocation run as one device run" },
        { name: "QS_MIX_MULTI", value: 2, display: "multi", doc: "multiprogramming: small jobs run together on disjoint qubits, if each keeps its success probability within the loss bound" },
      ],
    },
    {
      title: "refusal reasons",
      doc: ["TAG_QS_REASON's w0."],
      rows: [
        { name: "QS_WHY_NONE", value: 0, doc: "no refusal" },
        { name: "QS_WHY_PARSE", value: 1, doc: "the OpenQASM text does not parse (the parser's message)" },
        { name: "QS_WHY_QUOTA", value: 2, doc: "past the caller's qubits quota" },
        { name: "QS_WHY_UNCOUPLED", value: 3, doc: "a two-qubit gate on a pair the placement does not couple (the pair named)" },
        { name: "QS_WHY_NOMAP", value: 4, doc: "no free physical qubits couple every pair the job uses" },
        { name: "QS_WHY_COHERENCE", value: 5, doc: "the job's duration exceeds the coherence window of every placement" },
        { name: "QS_WHY_TOO_BIG", value: 6, doc: "more qubits than the QPU allows, or than the allocation holds" },
        { name: "QS_WHY_DEVICE", value: 7, doc: "the QPU refused the job (its QPU_REASON)" },
        { name: "QS_WHY_RESULTS", value: 8, doc: "more distinct outcomes than QS_RESULT_ENTRIES" },
        { name: "QS_WHY_GONE", value: 9, doc: "its owner went away, or the QPU was detached" },
        { name: "QS_WHY_CANCELLED", value: 10, doc: "cancelled by its owner" },
        { name: "QS_WHY_FULL", value: 11, doc: "a table or the pool is full" },
        { name: "QS_WHY_ADMIN", value: 12, doc: "a policy change without the admin right" },
      ],
    },
  ],
};
