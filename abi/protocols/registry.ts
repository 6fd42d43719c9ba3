// The registry (init's endpoint; every service holds a registry capability labelled
// "registry", badged with its pid | BADGE_REGISTRY, which allows only TAG_REG_*).
import type { Protocol } from "../schema";

export const protocol: Protocol = {
  name: "registry",
  title: "the registry",
  range: [0x0320, 0x03ff],
  last: "TAG_REG_LAST",
  tags: [
    { name: "TAG_REG_REGISTER", value: "0x0320", doc: "lease 0 (read) = \"name tag tag...\"; w0 = version (VERSION_*), w1 = interface hash; reply w0 = entry id; E_PERM: another service's name or tag; E_NOSPACE: over the caller's `registrations`" },
    { name: "TAG_REG_UNREGISTER", value: "0x0321", doc: "w0 = entry id (one's own)" },
    { name: "TAG_REG_LOOKUP", value: "0x0322", doc: "lease 0 (read) = name, tag or pattern; w0 = LOOKUP_* | flags, w1 = k (the k-th match); reply: entry id, service index, version, interface hash, HEALTH_*, pid; reply cap = its endpoint (call, send), badged with the caller's pid" },
    { name: "TAG_REG_INFO", value: "0x0323", doc: "w0 = entry id; lease 0 (write) = \"name tag tag...\"; reply as TAG_REG_LOOKUP, no capability" },
    { name: "TAG_REG_HEARTBEAT", value: "0x0324", doc: "w0 = HEALTH_HEALTHY or HEALTH_DEGRADED, as the service sees itself" },
    { name: "TAG_REG_READY", value: "0x0325", doc: "w0 = 1 ready, 0 not ready (readiness; a notify-type service is Starting until it reports ready)" },
    { name: "TAG_REG_SUBSCRIBE", value: "0x0326", doc: "lease 0 (read) = a name pattern (\"\" or \"*\": all): state changes arrive as sends of TAG_REG_EVENT" },
    { name: "TAG_REG_UNSUBSCRIBE", value: "0x0327" },
    { name: "TAG_REG_EVENT", value: "0x0328", doc: "registry -> subscriber (send): w0 = service index, w1 = EV_* kind, w2 = time (ns), w3 = detail, w4 = HEALTH_*, w5 = events this subscriber missed just before this one (its queue was full)" },
    { name: "TAG_REG_HEALTH", value: "0x0329", doc: "w0 = service index; reply: HEALTH_*, last heartbeat (ns), last ping (ns), last message (ns), ready, heartbeats missed" },
    { name: "TAG_REG_COUNT", value: "0x032a", doc: "reply w0 = entry ids in use are below this" },
    { name: "TAG_REG_LOAD", value: "0x032b", doc: "w0 = service index; reply: messages queued for it now, messages it has handled" },
  ],
  constants: [
    {
      title: "badge",
      rows: [
        { name: "BADGE_REGISTRY", value: "1 << 16" },
      ],
    },
    {
      title: "lookups",
      doc: [
        "TAG_REG_LOOKUP's w0: what the query is, and flags.",
      ],
      rows: [
        { name: "LOOKUP_NAME", value: 0, doc: "exactly this name" },
        { name: "LOOKUP_TAG", value: 1, doc: "entries carrying this tag" },
        { name: "LOOKUP_PATTERN", value: 2, doc: "names matching a glob (* and ?)" },
        { name: "LOOKUP_ANY_HEALTH", value: "1 << 8", doc: "include Degraded, Unhealthy and Unknown entries (default: Healthy only)" },
      ],
    },
    {
      title: "load balancing",
      doc: [
        "Client-side load balancing over a name's healthy instances (userland/lib/balance.ts).",
      ],
      rows: [
        { name: "BALANCE_ROUND_ROBIN", value: 0 },
        { name: "BALANCE_LEAST_OUTSTANDING", value: 1, doc: "the instance with the fewest messages waiting" },
        { name: "BALANCE_CONSISTENT_HASH", value: 2, doc: "a key always goes to the same instance while it is there" },
        { name: "INSTANCE_SEPARATOR", value: "0x23", doc: "\"#\": instance k > 1 of service NAME is named NAME#k" },
      ],
    },
  ],
};
