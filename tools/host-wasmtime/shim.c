// The host functions of the wasmtime host that the kernel calls while services
// run: host.invoke, host.copy and host.now on every message, host.spawn and
// host.kill on every (re)start. They are written against the engine's C API so
// that neither a message between two instances nor the restart of a crashed
// service enters Python (a Python callback costs tens of microseconds; an
// invoke here costs tens of nanoseconds, a spawn a few microseconds).
//
// The `wasmtime` wheel ships the engine's shared library but no headers, so
// the few types and prototypes used here are declared below. Their layouts
// and signatures match `wasmtime/_bindings.py` of wasmtime 49.0.0; shim.py
// compares the sizes that quark_shim_sizes() reports with that file's ctypes
// structs and refuses the shim when they differ.
//
// Build: cc -O2 -shared -fPIC -o libquarkshim.so shim.c <wheel>/_libwasmtime.so

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

// ---------------------------------------------------------------- C API subset
typedef struct wasmtime_context wasmtime_context_t;
typedef struct wasmtime_caller wasmtime_caller_t;
typedef struct wasm_functype_t wasm_functype_t;
typedef struct wasm_trap_t wasm_trap_t;
typedef struct wasmtime_error wasmtime_error_t;
typedef struct wasmtime_instance_pre wasmtime_instance_pre_t;

typedef struct wasmtime_func {
  uint64_t store_id;
  void *private_;
} wasmtime_func_t;

typedef struct wasmtime_memory {
  struct {
    uint64_t store_id;
    uint32_t private1;
  } inner;
  uint32_t private2;
} wasmtime_memory_t;

typedef struct wasmtime_instance {
  uint64_t store_id;
  size_t private_;
} wasmtime_instance_t;

// Only functions and memories are read out of an extern; `global_` is there
// for the union's size (globals, tables and tags are 24 bytes).
enum { WASMTIME_EXTERN_FUNC = 0, WASMTIME_EXTERN_MEMORY = 3 };

typedef union wasmtime_extern_union {
  wasmtime_func_t func;
  struct {
    uint64_t store_id;
    uint32_t private1, private2, private3;
  } global_;
  wasmtime_memory_t memory;
  void *sharedmemory;
} wasmtime_extern_union_t;

typedef struct wasmtime_extern {
  uint8_t kind;
  wasmtime_extern_union_t of;
} wasmtime_extern_t;

typedef union wasmtime_val_raw {
  int32_t i32;
  int64_t i64;
  float f32;
  double f64;
  uint8_t v128[16];
  uint32_t anyref;
  uint32_t externref;
  uint32_t exnref;
  void *funcref;
} wasmtime_val_raw_t;

typedef struct wasm_byte_vec_t {
  size_t size;
  char *data;
} wasm_byte_vec_t;

typedef wasm_trap_t *(*wasmtime_func_unchecked_callback_t)(
    void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *args_and_results,
    size_t num_args_and_results);

extern void wasmtime_func_new_unchecked(wasmtime_context_t *store, const wasm_functype_t *type,
                                        wasmtime_func_unchecked_callback_t callback, void *env,
                                        void (*finalizer)(void *), wasmtime_func_t *ret);
extern wasmtime_error_t *wasmtime_func_call_unchecked(wasmtime_context_t *store,
                                                      const wasmtime_func_t *func,
                                                      wasmtime_val_raw_t *args_and_results,
                                                      size_t args_and_results_len,
                                                      wasm_trap_t **trap);
extern wasmtime_context_t *wasmtime_caller_context(wasmtime_caller_t *caller);
extern uint8_t *wasmtime_memory_data(const wasmtime_context_t *store, const wasmtime_memory_t *memory);
extern size_t wasmtime_memory_data_size(const wasmtime_context_t *store, const wasmtime_memory_t *memory);
extern wasmtime_error_t *wasmtime_instance_pre_instantiate(const wasmtime_instance_pre_t *instance_pre,
                                                           wasmtime_context_t *store,
                                                           wasmtime_instance_t *instance,
                                                           wasm_trap_t **trap_ptr);
extern bool wasmtime_instance_export_get(wasmtime_context_t *store, const wasmtime_instance_t *instance,
                                         const char *name, size_t name_len, wasmtime_extern_t *item);
extern void wasmtime_extern_delete(wasmtime_extern_t *item);
extern void wasm_trap_message(const wasm_trap_t *trap, wasm_byte_vec_t *out);
extern void wasm_trap_delete(wasm_trap_t *trap);
typedef struct wasm_frame_t wasm_frame_t;
extern wasm_frame_t *wasm_trap_origin(const wasm_trap_t *trap);
extern const wasm_byte_vec_t *wasmtime_frame_module_name(const wasm_frame_t *frame);
extern void wasm_frame_delete(wasm_frame_t *frame);
extern void wasmtime_error_message(const wasmtime_error_t *error, wasm_byte_vec_t *out);
extern void wasmtime_error_delete(wasmtime_error_t *error);
extern void wasm_byte_vec_delete(wasm_byte_vec_t *vec);

// ---------------------------------------------------------------- configuration
// Every number comes from the image's quark.abi section, so none is written
// here. shim.py passes the status codes in the order of quark_abi.h's enum
// (C_INVOKE_TRAPPED ... C_COUNT), generated with quark_abi.py's TRAMPOLINE_CODES.
#include "quark_abi.h"

#define MAX_ENTRIES 8

static int32_t code[C_COUNT];
static bool verbose;
static struct timespec epoch;

// ---------------------------------------------------------------- process table
// One row per pid: the entry functions and the memory of its instance. Only
// spawn and kill write rows, on the engine's one thread, so invoke and copy
// read them without locks.
typedef struct {
  bool present; // an instance fills this row
  bool has_entry[MAX_ENTRIES];
  wasmtime_func_t entry[MAX_ENTRIES];
  bool has_memory;
  wasmtime_memory_t memory;
  // Recycling (tools/loader/reset.ts): what it is an instance of, and its quark_reset if it can be reset.
  const wasmtime_instance_pre_t *pre;
  bool has_reset;
  wasmtime_func_t reset;
} proc_t;

static proc_t *procs;
// Per pid, the name of the module it was last spawned from (a module row's
// string): a trap's note names the service.
static const char **proc_name;
// Hot reload: per pid, an instance staged beside the live one (SPAWN_STAGE)
// until the kernel swaps it in (SPAWN_SWAP) or discards it (SPAWN_DISCARD).
static proc_t *staged;
// nprocs rows are processes'; one more, COPY_HAL (= MAX_PROCS), holds only the HAL's memory for host.copy.
static uint32_t nprocs, nrows, nentries;

// Hot reload: shim.py's loader reads the image file again and hands back the
// InstancePre of module `index` as the file holds it now (it keeps the
// object alive), or an error code (it prints why).
typedef int32_t (*quark_loader_t)(uint32_t pid, uint32_t index, const wasmtime_instance_pre_t **out);
static quark_loader_t loader;

void quark_shim_set_loader(quark_loader_t fn) { loader = fn; }
static char *entry_name[MAX_ENTRIES];

// ---------------------------------------------------------------- module table
// One row per module index, filled by shim.py at boot. A service whose
// imports resolve has an InstancePre (owned by shim.py); one that cannot link
// has the reason instead, printed on each spawn of it as if it were linked then.
typedef struct {
  bool service;
  const wasmtime_instance_pre_t *pre;
  char *name;
  char *link_error;
} module_t;

static module_t *modules;
static uint32_t nmodules;

static char *dup(const char *s) { return s ? strdup(s) : NULL; }

static void free_modules(void) {
  for (uint32_t i = 0; i < nmodules; i++) {
    free(modules[i].name);
    free(modules[i].link_error);
  }
  free(modules);
  modules = NULL;
  nmodules = 0;
}

int quark_shim_configure(uint32_t max_procs, uint32_t entry_count, const int32_t codes[C_COUNT],
                         int32_t verbose_traps) {
  if (entry_count > MAX_ENTRIES) return -1;
  free(procs);
  free(staged);
  free(proc_name);
  procs = calloc(max_procs + 1, sizeof(proc_t));
  staged = calloc(max_procs, sizeof(proc_t));
  proc_name = calloc(max_procs, sizeof(char *));
  if (!procs || !staged || !proc_name) return -1;
  nprocs = max_procs;
  nrows = max_procs + 1;
  nentries = entry_count;
  memcpy(code, codes, sizeof code);
  verbose = verbose_traps != 0;
  free_modules();
  clock_gettime(CLOCK_MONOTONIC, &epoch);
  return 0;
}

void quark_shim_sizes(size_t out[6]) {
  out[0] = sizeof(wasmtime_func_t);
  out[1] = sizeof(wasmtime_memory_t);
  out[2] = sizeof(wasmtime_val_raw_t);
  out[3] = sizeof(wasmtime_instance_t);
  out[4] = sizeof(wasmtime_extern_t);
  out[5] = offsetof(wasmtime_extern_t, of);
}

// The export that entry number `entry` resolves to (quark_start, ...).
int quark_shim_set_entry_name(uint32_t entry, const char *name) {
  if (entry >= nentries) return -1;
  free(entry_name[entry]);
  entry_name[entry] = dup(name);
  return entry_name[entry] ? 0 : -1;
}

int quark_shim_set_module_count(uint32_t count) {
  free_modules();
  modules = calloc(count ? count : 1, sizeof(module_t));
  if (!modules) return -1;
  nmodules = count;
  return 0;
}

// `pre` must outlive the shim's use of it: shim.py keeps its InstancePre.
// Every export among the entry names of a service with a `pre` has been
// checked to be (i32, i32) -> i32: the unchecked call in invoke relies on it.
int quark_shim_set_module(uint32_t index, const char *name, const wasmtime_instance_pre_t *pre,
                          const char *link_error) {
  if (index >= nmodules) return -1;
  module_t *m = &modules[index];
  free(m->name);
  free(m->link_error);
  m->pre = pre;
  m->name = dup(name);
  m->link_error = dup(link_error);
  m->service = m->name && (m->link_error || !link_error);
  return m->service ? 0 : -1;
}

static void clear_proc(uint32_t pid) {
  if (pid < nprocs) memset(&procs[pid], 0, sizeof(proc_t));
}

void quark_shim_set_memory(uint32_t pid, const wasmtime_memory_t *memory) {
  if (pid >= nrows) return;
  procs[pid].memory = *memory;
  procs[pid].has_memory = true;
}

double quark_shim_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)(t.tv_sec - epoch.tv_sec) * 1e9 + (double)(t.tv_nsec - epoch.tv_nsec);
}

// ---------------------------------------------------------------- messages
// The engine's message for a trap or an error, as an owned byte vector.
static wasm_byte_vec_t message_of(wasm_trap_t *trap, wasmtime_error_t *error) {
  wasm_byte_vec_t msg = {0, NULL};
  if (trap) wasm_trap_message(trap, &msg);
  else wasmtime_error_message(error, &msg);
  return msg;
}

// The root cause is the last line of the engine's message: the lines above it
// are a backtrace, thousands deep after a stack exhaustion.
static int root_cause(const wasm_byte_vec_t *msg, const char **text) {
  size_t end = msg->size;
  while (end > 0 && (msg->data[end - 1] == '\0' || msg->data[end - 1] == '\n' || msg->data[end - 1] == ' ')) end--;
  size_t start = end;
  while (start > 0 && msg->data[start - 1] != '\n') start--;
  while (start < end && msg->data[start] == ' ') start++;
  *text = msg->data + start;
  return (int)(end - start);
}

static bool contains(const wasm_byte_vec_t *msg, const char *needle) {
  size_t n = strlen(needle);
  for (size_t i = 0; i + n <= msg->size; i++)
    if (memcmp(msg->data + i, needle, n) == 0) return true;
  return false;
}

static void release(wasm_trap_t *trap, wasmtime_error_t *error) {
  if (trap) wasm_trap_delete(trap);
  if (error) wasmtime_error_delete(error);
}

// ---------------------------------------------------------------- kernel traps
// The kernel's "name" section names it quark-kernel; a trap whose innermost
// frame is in that module is a kernel bug, never the served process's fault.
static const char KERNEL_MODULE[] = QUARK_KERNEL_MODULE_NAME;
static int32_t kernel_trap_pid = -1;

static bool in_kernel(const wasm_trap_t *trap) {
  wasm_frame_t *origin = trap ? wasm_trap_origin(trap) : NULL;
  if (!origin) return false;
  const wasm_byte_vec_t *name = wasmtime_frame_module_name(origin);
  bool kernel = name && name->size == sizeof KERNEL_MODULE - 1 && memcmp(name->data, KERNEL_MODULE, name->size) == 0;
  wasm_frame_delete(origin);
  return kernel;
}

/** The pid being served when the kernel first trapped, or -1. */
int32_t quark_shim_kernel_trap(void) { return kernel_trap_pid; }

// ---------------------------------------------------------------- service traps
// A service's trap, kept until shim.py hands it to the board with the step's
// answer; the board names its kind and prints it (tools/board/exit.ts). The
// trap itself is kept, and its message (a backtrace, formatted with the
// module's names) made only when it is taken: the caller waiting for its
// E_CRASHED never pays for it. At most MAX_NOTES wait: a service trapping in
// a loop cannot grow them.
#define MAX_NOTES 64
typedef struct {
  uint32_t pid;
  char name[64];
  wasm_trap_t *trap;
  wasmtime_error_t *error;
} trap_note_t;

static trap_note_t notes[MAX_NOTES];
static uint32_t notes_taken, notes_count;

/** Keeps the trap (or error) for the board, taking it over; false when the notes are full (the caller releases it). */
static bool note_trap(uint32_t pid, const char *name, wasm_trap_t *trap, wasmtime_error_t *error) {
  if (notes_count >= MAX_NOTES) return false;
  trap_note_t *t = &notes[notes_count++];
  t->pid = pid;
  snprintf(t->name, sizeof t->name, "%s", name ? name : "");
  t->trap = trap;
  t->error = error;
  return true;
}

/** The oldest trap not yet taken: its pid (its name and root cause copied out, NUL-terminated), or -1. */
int32_t quark_shim_take_trap(char name[64], char text[256]) {
  if (notes_taken >= notes_count) {
    notes_taken = notes_count = 0;
    return -1;
  }
  trap_note_t *t = &notes[notes_taken++];
  wasm_byte_vec_t msg = message_of(t->trap, t->error);
  const char *cause;
  int len = root_cause(&msg, &cause);
  memcpy(name, t->name, sizeof t->name);
  snprintf(text, 256, "%.*s", len, cause);
  wasm_byte_vec_delete(&msg);
  release(t->trap, t->error);
  t->trap = NULL;
  t->error = NULL;
  return (int32_t)t->pid;
}

// ---------------------------------------------------------------- host.invoke / copy / now
// (pid, entry, a0, a1) -> i32
static wasm_trap_t *host_invoke(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *io, size_t n) {
  (void)env;
  (void)n;
  uint32_t pid = (uint32_t)io[0].i32, entry = (uint32_t)io[1].i32;
  if (pid >= nprocs || entry >= nentries || !procs[pid].has_entry[entry]) {
    io[0].i32 = code[C_INVOKE_NOENTRY];
    return NULL;
  }
  // A copy: the callee may spawn or kill, rewriting this row, while it runs.
  wasmtime_func_t func = procs[pid].entry[entry];
  wasmtime_val_raw_t args[2];
  args[0].i32 = io[2].i32;
  args[1].i32 = io[3].i32;
  wasm_trap_t *trap = NULL;
  wasmtime_error_t *error = wasmtime_func_call_unchecked(wasmtime_caller_context(caller), &func, args, 2, &trap);
  if (error || trap) {
    if (in_kernel(trap)) {
      if (kernel_trap_pid < 0) kernel_trap_pid = (int32_t)pid;
      release(trap, error);
    } else if (!note_trap(pid, proc_name[pid], trap, error)) {
      release(trap, error);
    }
    io[0].i32 = code[C_INVOKE_TRAPPED];
    return NULL;
  }
  // A handler's own status must never read as this trampoline's verdict.
  int32_t r = args[0].i32;
  io[0].i32 = r == code[C_INVOKE_TRAPPED] || r == code[C_INVOKE_NOENTRY] ? code[C_E_ARG] : r;
  return NULL;
}

// 64-bit sums: `at + len` of two u32 cannot wrap around to pass the check.
static bool range(wasmtime_context_t *cx, uint32_t pid, uint32_t at, uint32_t len, uint8_t **out) {
  if (pid >= nrows || !procs[pid].has_memory) return false;
  size_t size = wasmtime_memory_data_size(cx, &procs[pid].memory);
  if ((uint64_t)at + len > size) return false;
  *out = wasmtime_memory_data(cx, &procs[pid].memory) + at;
  return true;
}

// (src_pid, src, dst_pid, dst, len) -> i32
static wasm_trap_t *host_copy(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *io, size_t n) {
  (void)env;
  (void)n;
  wasmtime_context_t *cx = wasmtime_caller_context(caller);
  uint32_t len = (uint32_t)io[4].i32;
  uint8_t *src, *dst;
  if (!range(cx, (uint32_t)io[0].i32, (uint32_t)io[1].i32, len, &src) ||
      !range(cx, (uint32_t)io[2].i32, (uint32_t)io[3].i32, len, &dst)) {
    io[0].i32 = code[C_E_FAULT];
    return NULL;
  }
  memmove(dst, src, len);
  io[0].i32 = code[C_OK];
  return NULL;
}

// () -> f64
static wasm_trap_t *host_now(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *io, size_t n) {
  (void)env;
  (void)caller;
  (void)n;
  io[0].f64 = quark_shim_now();
  return NULL;
}

// ---------------------------------------------------------------- host.spawn / kill
static bool is_process(uint32_t pid) { return pid < nprocs && pid != (uint32_t)code[C_PID_KERNEL]; }

static int32_t spawn_failed(uint32_t pid, const module_t *m, wasm_trap_t *trap, wasmtime_error_t *error) {
  wasm_byte_vec_t msg = message_of(trap, error);
  int32_t status = code[C_E_LINK];
  if (trap) status = code[C_E_CRASHED];
  // A store never frees an instance, and caps their number (10000 by
  // default): past it every spawn fails this way.
  else if (contains(&msg, "resource limit")) status = code[C_E_NOSPACE];
  if (verbose) {
    const char *text;
    int len = root_cause(&msg, &text);
    fprintf(stderr, "quark: pid %u (%s) %s: %.*s\n", pid, m->name,
            trap ? "trapped while instantiating" : "cannot be instantiated", len, text);
  }
  wasm_byte_vec_delete(&msg);
  // A trap in the start code is the service's, kept for the board like any other.
  if (!trap || !note_trap(pid, m->name, trap, NULL)) release(trap, error);
  else release(NULL, error);
  return status;
}

// ---------------------------------------------------------------- recycled instances
// Dead instances of modules the loader made resettable, kept for the next
// spawn of the same module (tools/host-node/recycle.ts is the Node host's):
// a store never frees an instance, so reusing them is what keeps memory
// bounded over any number of restarts and reloads. At most 2 x MAX_PROCS
// wait per module, as many as could ever be alive at once.
static proc_t *pool;
static uint32_t npool, pool_cap, instances_made;
static bool recycling = true;
// The exports the loader adds to a module it can reset (INIT_EXPORT and
// RESET_EXPORT of the ABI, which shim.py passes in); none: nothing is recycled.
static char *init_name, *reset_name;

void quark_shim_set_recycling(int32_t on) { recycling = on != 0; }

int quark_shim_set_reset_names(const char *init, const char *reset) {
  free(init_name);
  free(reset_name);
  init_name = dup(init);
  reset_name = dup(reset);
  return init_name && reset_name ? 0 : -1;
}
// Instances made since boot, and those waiting in the pool.
void quark_shim_instances(uint32_t out[2]) {
  out[0] = instances_made;
  out[1] = npool;
}

static void recycle(const proc_t *row) {
  if (!recycling || !row->present || !row->has_reset) return;
  uint32_t same = 0;
  for (uint32_t i = 0; i < npool; i++) same += pool[i].pre == row->pre;
  if (same >= 2 * nprocs) return;
  if (npool == pool_cap) {
    uint32_t cap = pool_cap ? 2 * pool_cap : 16;
    proc_t *grown = realloc(pool, cap * sizeof(proc_t));
    if (!grown) return;
    pool = grown;
    pool_cap = cap;
  }
  pool[npool++] = *row;
}

static bool take_pooled(const wasmtime_instance_pre_t *pre, proc_t *out) {
  for (uint32_t i = npool; i-- > 0;) {
    if (pool[i].pre != pre) continue;
    *out = pool[i];
    pool[i] = pool[--npool];
    return true;
  }
  return false;
}

static bool func_export(wasmtime_context_t *cx, wasmtime_instance_t *instance, const char *name,
                        wasmtime_func_t *out) {
  wasmtime_extern_t item;
  if (!wasmtime_instance_export_get(cx, instance, name, strlen(name), &item)) return false;
  if (item.kind == WASMTIME_EXTERN_FUNC) {
    *out = item.of.func;
    return true;
  }
  wasmtime_extern_delete(&item);
  return false;
}

// A new instance of `pre` in `row` (its quark_init in `init`, if it has one).
static int32_t instantiate_new(wasmtime_context_t *cx, uint32_t pid, const module_t *m,
                               const wasmtime_instance_pre_t *pre, proc_t *row, bool *has_init,
                               wasmtime_func_t *init) {
  wasmtime_instance_t instance;
  wasm_trap_t *trap = NULL;
  wasmtime_error_t *error = wasmtime_instance_pre_instantiate(pre, cx, &instance, &trap);
  if (error || trap) return spawn_failed(pid, m, trap, error);
  instances_made++;
  memset(row, 0, sizeof(proc_t));
  row->present = true;
  row->pre = pre;
  for (uint32_t e = 0; e < nentries; e++)
    if (entry_name[e]) row->has_entry[e] = func_export(cx, &instance, entry_name[e], &row->entry[e]);
  wasmtime_extern_t item;
  if (wasmtime_instance_export_get(cx, &instance, "memory", 6, &item)) {
    if (item.kind == WASMTIME_EXTERN_MEMORY) {
      row->memory = item.of.memory;
      row->has_memory = true;
    } else {
      wasmtime_extern_delete(&item);
    }
  }
  row->has_reset = reset_name && func_export(cx, &instance, reset_name, &row->reset);
  *has_init = init_name && func_export(cx, &instance, init_name, init);
  return code[C_OK];
}

// An instance of `pre` ready to run as `pid`, in `row`: a dead one put back
// as new by its quark_reset, or a new one set up by its quark_init. The
// module's start code runs here, metered as `pid` (the kernel's spawnAs); a
// trap in it fails the spawn with E_CRASHED and the instance is kept for
// the next try. The row is filled only once that code has returned: until
// then the pid has no instance to invoke or copy into, and whatever the code
// may have spawned as this pid meanwhile is replaced, not merged.
static int32_t instantiate_into(wasmtime_context_t *cx, uint32_t pid, const module_t *m,
                                const wasmtime_instance_pre_t *pre, proc_t *row) {
  proc_t got;
  wasmtime_func_t setup;
  bool has_setup = take_pooled(pre, &got);
  if (has_setup) setup = got.reset;
  else {
    int32_t status = instantiate_new(cx, pid, m, pre, &got, &has_setup, &setup);
    if (status != code[C_OK]) return status;
  }
  if (has_setup) {
    wasmtime_val_raw_t none[1];
    wasm_trap_t *trap = NULL;
    wasmtime_error_t *error = wasmtime_func_call_unchecked(cx, &setup, none, 0, &trap);
    if (error || trap) {
      recycle(&got);
      spawn_failed(pid, m, trap, error); // says why (--verbose) and releases them
      return code[C_E_CRASHED];
    }
  }
  *row = got;
  return code[C_OK];
}

static int32_t spawn_process(wasmtime_context_t *cx, uint32_t pid, uint32_t index, int32_t flags) {
  if (!is_process(pid)) return code[C_E_ARG];
  if (flags == code[C_SPAWN_SWAP]) {
    if (!staged[pid].present) return code[C_E_ARG];
    proc_t t = procs[pid];
    procs[pid] = staged[pid];
    staged[pid] = t;
    return code[C_OK];
  }
  if (flags == code[C_SPAWN_DISCARD]) {
    recycle(&staged[pid]);
    memset(&staged[pid], 0, sizeof(proc_t));
    return code[C_OK];
  }
  if (flags != 0 && flags != code[C_SPAWN_STAGE]) return code[C_E_ARG];
  if (index >= nmodules || !modules[index].service) return code[C_E_NOMODULE];
  const module_t *m = &modules[index];
  proc_name[pid] = m->name;
  if (flags == code[C_SPAWN_STAGE]) {
    recycle(&staged[pid]);
    memset(&staged[pid], 0, sizeof(proc_t));
    const wasmtime_instance_pre_t *pre = m->pre;
    if (loader) {
      int32_t status = loader(pid, index, &pre);
      if (status != code[C_OK]) return status;
    }
    if (!pre) {
      if (verbose) fprintf(stderr, "quark: pid %u (%s) %s\n", pid, m->name, m->link_error);
      return code[C_E_LINK];
    }
    return instantiate_into(cx, pid, m, pre, &staged[pid]);
  }
  recycle(&procs[pid]);
  clear_proc(pid);
  if (!m->pre) {
    if (verbose) fprintf(stderr, "quark: pid %u (%s) %s\n", pid, m->name, m->link_error);
    return code[C_E_LINK];
  }
  return instantiate_into(cx, pid, m, m->pre, &procs[pid]);
}

// (pid, module, flags) -> i32
static wasm_trap_t *host_spawn(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *io, size_t n) {
  (void)env;
  (void)n;
  io[0].i32 = spawn_process(wasmtime_caller_context(caller), (uint32_t)io[0].i32, (uint32_t)io[1].i32, io[2].i32);
  return NULL;
}

// (pid) -> ()
static wasm_trap_t *host_kill(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *io, size_t n) {
  (void)env;
  (void)caller;
  (void)n;
  uint32_t pid = (uint32_t)io[0].i32;
  if (is_process(pid)) {
    recycle(&procs[pid]);
    recycle(&staged[pid]);
    clear_proc(pid);
    memset(&staged[pid], 0, sizeof(proc_t));
  }
  return NULL;
}

// Creates host.invoke, copy, now, spawn and kill in the store, in that order.
void quark_shim_funcs(wasmtime_context_t *cx, const wasm_functype_t *const types[5],
                      wasmtime_func_t out[5]) {
  static const wasmtime_func_unchecked_callback_t callbacks[5] = {
      host_invoke, host_copy, host_now, host_spawn, host_kill,
  };
  for (int i = 0; i < 5; i++) wasmtime_func_new_unchecked(cx, types[i], callbacks[i], NULL, NULL, &out[i]);
}
