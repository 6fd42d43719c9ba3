// The device manager's protocol (userland/devmgr, docs/devices.md: The device
// manager). Two kinds of capability reach it: the one a manifest grants
// (caps = ["devmgr"], badged with the client's pid: enumeration, open, power
// policy, events, plug) and a handle that TAG_DEV_OPEN hands out (badged
// DEVMGR_HANDLE_BADGE | generation | index: one open of one device, answering
// only TAG_DEV_GET, TAG_DEV_PUT, TAG_DEV_HANDLE, TAG_DEV_CLOSE and the I/O
// tags TAG_DEV_READ, TAG_DEV_WRITE, TAG_DEV_IOCTL, which it forwards to the
// device's driver: abi/protocols/driver.ts).
import type { Protocol } from "../schema";

export const protocol: Protocol = {
  name: "devmgr",
  title: "device manager",
  range: [0x0500, 0x057f],
  tags: [
    { name: "TAG_DEV_COUNT", value: "0x0501", doc: "reply: bus slots, BUS_SEQ last seen, idle delay (ms), handles open, handle table size, devices present" },
    { name: "TAG_DEV_INFO", value: "0x0502", doc: "w0 = slot; reply: DEVST_*, type, id, BUS_PWR_* (0: empty), references held, DEVPOL_*" },
    { name: "TAG_DEV_TIMES", value: "0x0503", doc: "w0 = slot; reply: ns on, ns suspended, ns off (the bus's accounting), driver (service index: the driver bound to it, or for a static device the service the manifest grants it to; -1: none), handles open on it" },
    { name: "TAG_DEV_FIND", value: "0x0504", doc: "w0 = device id; reply w0 = its slot (E_ARG: no device has it now)" },
    { name: "TAG_DEV_OPEN", value: "0x0505", doc: "w0 = device id; reply cap = the handle, w0 = handle number; E_ARG: not present; E_NOSPACE: every handle in use" },
    { name: "TAG_DEV_REVOKE", value: "0x0506", doc: "w0 = handle number (one the caller opened): close it and delete every copy; its references are released" },
    { name: "TAG_DEV_POWER", value: "0x0507", doc: "w0 = device id, w1 = DEVPOL_*: on, off, or auto (managed by references); reply w0 = BUS_PWR_* now" },
    { name: "TAG_DEV_IDLE", value: "0x0508", doc: "w0 = idle delay in ms (0..DEVMGR_IDLE_MAX_MS; -1: leave it); reply w0 = the delay" },
    { name: "TAG_DEV_EVENTS", value: "0x0509", doc: "w0 = a sequence number; reply the first event after it: seq (0: none yet), DEVEV_*, slot, type, id, events after w0 no longer kept (missed)" },
    { name: "TAG_DEV_SUBSCRIBE", value: "0x050a", doc: "cap = the subscriber's endpoint: every later event comes as a TAG_DEV_EVENT send; reply w0 = BUS_SEQ now; E_NOSPACE: DEVMGR_SUBSCRIBERS reached" },
    { name: "TAG_DEV_EVENT", value: "0x050b", doc: "devmgr -> subscriber (send): seq, DEVEV_*, slot, type, id, events this subscriber missed just before this one (its queue was full)" },
    { name: "TAG_DEV_WAIT", value: "0x050c", doc: "w0 = type (0: any), w1 = id (0: any); reply w0 = the id if such a device is present now (w1 = slot), else 0 and, with an endpoint cap, a TAG_DEV_PRESENT send when one is; E_NOSPACE: DEVMGR_WAITERS reached" },
    { name: "TAG_DEV_PRESENT", value: "0x050d", doc: "devmgr -> waiter (send): id, slot, type, seq of the plug" },
    { name: "TAG_DEV_PLUG", value: "0x050e", doc: "w0 = DEV_TYPE_*: BUS_PLUG; reply: slot, id, seq; the bus's errors (E_NOSPACE, E_UNSUPPORTED, E_ARG)" },
    { name: "TAG_DEV_UNPLUG", value: "0x050f", doc: "w0 = device id: BUS_UNPLUG; reply w0 = seq; its handles are revoked" },
    { name: "TAG_DEV_AUDIT", value: "0x0510", doc: "reply: handles open, references held, devices whose count differs from their handles' sum, a checksum of (handle, device, references)" },
    { name: "TAG_DEV_RELEASE_ALL", value: "0x0511", doc: "revoke every handle the caller opened and end its subscriptions and waits (what its crash or exit does); reply: handles revoked, subscriptions and waits ended" },
    { name: "TAG_DEV_DRIVER", value: "0x0512", doc: "from a driver, through its devmgr capability: cap = an endpoint to itself (badged DRV_BADGE), w0 = its restarts; the devmgr checks the caller against the manifest's driver records (GRANT_DRIVER) and binds it to every matching device; reply w0 = the DEV_TYPE_* it drives; E_PERM: no record names the caller; E_ARG: no endpoint; E_BUSY: the records are not read yet (try again)" },
    { name: "TAG_DEV_WAIT_BOUND", value: "0x0513", doc: "w0 = type (0: any), w1 = id (0: any); reply w0 = the id if such a device is present and bound to a driver now (w1 = slot, w2 = type, w3 = driver's service index), else 0 and, with an endpoint cap, a TAG_DEV_BOUND send when one is; E_NOSPACE: DEVMGR_WAITERS reached" },
    { name: "TAG_DEV_BOUND", value: "0x0514", doc: "devmgr -> waiter (send): id, slot, type, the driver's service index" },
    { name: "TAG_DEV_GET", value: "0x0520", doc: "through a handle: take a power reference (the device is powered on); reply: this handle's references, the device's" },
    { name: "TAG_DEV_PUT", value: "0x0521", doc: "through a handle: drop one; E_STATE if this handle holds none; reply as TAG_DEV_GET" },
    { name: "TAG_DEV_HANDLE", value: "0x0522", doc: "through a handle: reply id, slot, this handle's references, the device's, BUS_PWR_*, handle number" },
    { name: "TAG_DEV_CLOSE", value: "0x0523", doc: "through a handle: release its references and revoke it (every copy)" },
    { name: "TAG_DEV_READ", value: "0x0524", doc: "through a handle: w0 = byte offset, w1 = length (multiples of the device's block, at most DEVMGR_IO_MAX), lease 0 writable for the data; reply w0 = bytes read. E_STATE: no driver bound (yet, or since its crash); E_UNSUPPORTED: a static device its manifest holder drives through a protocol of its own (the UART: the console driver's); E_CRASHED: the driver died in this request; E_DEAD: the device was unplugged during it; E_ARG: offset or length; E_NOLEASE, E_RIGHTS, E_FAULT: the lease" },
    { name: "TAG_DEV_WRITE", value: "0x0525", doc: "through a handle: w0 = byte offset, w1 = length, lease 0 readable with the data; reply w0 = bytes written; errors as TAG_DEV_READ" },
    { name: "TAG_DEV_IOCTL", value: "0x0526", doc: "through a handle: w0 = DEVIO_*, w1 = its argument; reply as the operation says; E_UNSUPPORTED: an operation the driver does not know; other errors as TAG_DEV_READ" },
  ],
  constants: [
    {
      title: "device manager",
      doc: [
        "Handles are badged DEVMGR_HANDLE_BADGE | generation << DEVMGR_GEN_SHIFT | index; a client's own",
        "capability is badged with its pid (below DEVMGR_HANDLE_BADGE).",
      ],
      rows: [
        { name: "DEVMGR_HANDLE_BADGE", value: "1 << 24", doc: "set in every handle's badge" },
        { name: "DEVMGR_GEN_SHIFT", value: 8, doc: "the handle's generation sits above its index" },
        { name: "DEVMGR_HANDLES", value: 64, doc: "handles open at once, all clients together (TAG_DEV_OPEN: E_NOSPACE past it)" },
        { name: "DEVMGR_CLIENT_HANDLES", value: 16, doc: "handles one client may hold at once (TAG_DEV_OPEN: E_NOSPACE past it), so no client can take the whole table from the others" },
        { name: "DEVMGR_CLIENT_SUBSCRIBERS", value: 2, doc: "subscriptions one client may hold" },
        { name: "DEVMGR_CLIENT_WAITERS", value: 4, doc: "waits one client may have pending" },
        { name: "DEVMGR_SUBSCRIBERS", value: 8, doc: "event subscribers" },
        { name: "DEVMGR_WAITERS", value: 16, doc: "TAG_DEV_WAIT calls waiting at once" },
        { name: "DEVMGR_EVENTS", value: 64, doc: "events kept for TAG_DEV_EVENTS (older ones count as missed)" },
        { name: "DEVMGR_IDLE_MS", value: 100, doc: "the default idle delay: a device with no references left is suspended this long after" },
        { name: "DEVMGR_IDLE_MAX_MS", value: 3600000, doc: "the longest idle delay (an hour)" },
        { name: "DEVMGR_REFS_MAX", value: 65535, doc: "references one handle may hold (TAG_DEV_GET: E_NOSPACE past it)" },
        { name: "DEVMGR_DRIVERS", value: 8, doc: "driver records (services with a driver key) the devmgr keeps; more are ignored, with a log line" },
        { name: "DEVMGR_MATCH_MAX", value: 4, doc: "conditions in one driver_match (the build refuses more)" },
        { name: "DEVMGR_IO_MAX", value: 8192, doc: "bytes one TAG_DEV_READ or TAG_DEV_WRITE moves at most (the devmgr's buffer)" },
      ],
    },
    {
      title: "device states",
      doc: ["TAG_DEV_INFO's w0."],
      rows: [
        { name: "DEVST_EMPTY", value: 0, doc: "no device in the slot" },
        { name: "DEVST_PRESENT", value: 1 },
      ],
    },
    {
      title: "power policies",
      doc: ["TAG_DEV_POWER's w1 and TAG_DEV_INFO's w5."],
      rows: [
        { name: "DEVPOL_AUTO", value: 0, doc: "on while references are held; suspended the idle delay after the last put" },
        { name: "DEVPOL_ON", value: 1, doc: "kept on" },
        { name: "DEVPOL_OFF", value: 2, doc: "kept off (its state lost); gets are counted but do not power it" },
      ],
    },
    {
      title: "device properties",
      doc: [
        "What a driver_match condition names (GRANT_MATCH's target); the type is the driver key itself.",
        "A device has every property; one that does not apply to it reads 0 (sectors of a non-block device).",
      ],
      rows: [
        { name: "DEVP_ID", value: 1, doc: "its id" },
        { name: "DEVP_SLOT", value: 2, doc: "its bus slot" },
        { name: "DEVP_SECTORS", value: 3, doc: "a block device's sector count (BLK_SECTORS)" },
      ],
    },
    {
      title: "bind operators",
      doc: ["A driver_match condition's comparison (GRANT_MATCH's rights): property OP value."],
      rows: [
        { name: "BIND_EQ", value: 1, doc: "==" },
        { name: "BIND_NE", value: 2, doc: "!=" },
        { name: "BIND_LT", value: 3, doc: "<" },
        { name: "BIND_GE", value: 4, doc: ">=" },
      ],
    },
    {
      title: "device I/O controls",
      doc: ["TAG_DEV_IOCTL's and TAG_DRV_IOCTL's operation."],
      rows: [
        { name: "DEVIO_INFO", value: 1, doc: "reply: the device's size in bytes, its block size in bytes" },
      ],
    },
    {
      title: "device events",
      doc: ["TAG_DEV_EVENT's and TAG_DEV_EVENTS's kind."],
      rows: [
        { name: "DEVEV_PLUG", value: 1 },
        { name: "DEVEV_UNPLUG", value: 2 },
      ],
    },
  ],
};
