// The hot host functions of the wasmtime host: host.invoke, host.copy and
// host.now, written against the engine's C API so that a message between two
// instances never enters Python (a Python callback costs tens of microseconds;
// this path costs tens of nanoseconds).
//
// The `wasmtime` wheel ships the engine's shared library but no headers, so
// the few types and prototypes used here are declared below. Their layouts
// match `wasmtime/_bindings.py` of wasmtime 49.0.0; host.py compares the sizes
// that quark_shim_sizes() reports with that file's ctypes structs and refuses
// the shim when they differ.
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
extern void wasm_trap_message(const wasm_trap_t *trap, wasm_byte_vec_t *out);
extern void wasm_trap_delete(wasm_trap_t *trap);
extern void wasmtime_error_message(const wasmtime_error_t *error, wasm_byte_vec_t *out);
extern void wasmtime_error_delete(wasmtime_error_t *error);
extern void wasm_byte_vec_delete(wasm_byte_vec_t *vec);

// ---------------------------------------------------------------- process table
// One row per pid. A row is written only by Python between calls (after a
// spawn, on a kill), so the hot path reads it without locks.
#define MAX_ENTRIES 8

typedef struct {
  bool has_entry[MAX_ENTRIES];
  wasmtime_func_t entry[MAX_ENTRIES];
  bool has_memory;
  wasmtime_memory_t memory;
} proc_t;

static proc_t *procs;
static uint32_t nprocs, nentries;
static int32_t invoke_trapped, invoke_noentry, ok, e_fault;
static bool verbose;
static struct timespec epoch;

// Values come from the image's quark.abi section, so none is written here.
int quark_shim_configure(uint32_t max_procs, uint32_t entry_count, int32_t trapped,
                         int32_t noentry, int32_t status_ok, int32_t status_fault,
                         int32_t verbose_traps) {
  if (entry_count > MAX_ENTRIES) return -1;
  free(procs);
  procs = calloc(max_procs, sizeof(proc_t));
  if (!procs) return -1;
  nprocs = max_procs;
  nentries = entry_count;
  invoke_trapped = trapped;
  invoke_noentry = noentry;
  ok = status_ok;
  e_fault = status_fault;
  verbose = verbose_traps != 0;
  clock_gettime(CLOCK_MONOTONIC, &epoch);
  return 0;
}

void quark_shim_sizes(size_t out[3]) {
  out[0] = sizeof(wasmtime_func_t);
  out[1] = sizeof(wasmtime_memory_t);
  out[2] = sizeof(wasmtime_val_raw_t);
}

void quark_shim_clear(uint32_t pid) {
  if (pid < nprocs) memset(&procs[pid], 0, sizeof(proc_t));
}

// The caller has checked that `func` is (i32, i32) -> i32: the unchecked call relies on it.
void quark_shim_set_entry(uint32_t pid, uint32_t entry, const wasmtime_func_t *func) {
  if (pid >= nprocs || entry >= nentries) return;
  procs[pid].entry[entry] = *func;
  procs[pid].has_entry[entry] = true;
}

void quark_shim_set_memory(uint32_t pid, const wasmtime_memory_t *memory) {
  if (pid >= nprocs) return;
  procs[pid].memory = *memory;
  procs[pid].has_memory = true;
}

double quark_shim_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)(t.tv_sec - epoch.tv_sec) * 1e9 + (double)(t.tv_nsec - epoch.tv_nsec);
}

// ---------------------------------------------------------------- host functions
// Prints the root cause, the last line of the engine's message: the lines
// above it are a backtrace, thousands deep after a stack exhaustion.
static void report(uint32_t pid, wasm_trap_t *trap, wasmtime_error_t *error) {
  wasm_byte_vec_t msg = {0, NULL};
  if (trap) wasm_trap_message(trap, &msg);
  else wasmtime_error_message(error, &msg);
  size_t end = msg.size;
  while (end > 0 && (msg.data[end - 1] == '\0' || msg.data[end - 1] == '\n' || msg.data[end - 1] == ' ')) end--;
  size_t start = end;
  while (start > 0 && msg.data[start - 1] != '\n') start--;
  while (start < end && msg.data[start] == ' ') start++;
  fprintf(stderr, "quark: pid %u trapped: %.*s\n", pid, (int)(end - start), msg.data + start);
  wasm_byte_vec_delete(&msg);
}

// (pid, entry, a0, a1) -> i32
static wasm_trap_t *invoke(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *io, size_t n) {
  (void)env;
  (void)n;
  uint32_t pid = (uint32_t)io[0].i32, entry = (uint32_t)io[1].i32;
  if (pid >= nprocs || entry >= nentries || !procs[pid].has_entry[entry]) {
    io[0].i32 = invoke_noentry;
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
    if (verbose) report(pid, trap, error);
    if (trap) wasm_trap_delete(trap);
    if (error) wasmtime_error_delete(error);
    io[0].i32 = invoke_trapped;
    return NULL;
  }
  io[0].i32 = args[0].i32;
  return NULL;
}

// 64-bit sums: `at + len` of two u32 cannot wrap around to pass the check.
static bool range(wasmtime_context_t *cx, uint32_t pid, uint32_t at, uint32_t len, uint8_t **out) {
  if (pid >= nprocs || !procs[pid].has_memory) return false;
  size_t size = wasmtime_memory_data_size(cx, &procs[pid].memory);
  if ((uint64_t)at + len > size) return false;
  *out = wasmtime_memory_data(cx, &procs[pid].memory) + at;
  return true;
}

// (src_pid, src, dst_pid, dst, len) -> i32
static wasm_trap_t *copy(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *io, size_t n) {
  (void)env;
  (void)n;
  wasmtime_context_t *cx = wasmtime_caller_context(caller);
  uint32_t len = (uint32_t)io[4].i32;
  uint8_t *src, *dst;
  if (!range(cx, (uint32_t)io[0].i32, (uint32_t)io[1].i32, len, &src) ||
      !range(cx, (uint32_t)io[2].i32, (uint32_t)io[3].i32, len, &dst)) {
    io[0].i32 = e_fault;
    return NULL;
  }
  memmove(dst, src, len);
  io[0].i32 = ok;
  return NULL;
}

// () -> f64
static wasm_trap_t *now(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *io, size_t n) {
  (void)env;
  (void)caller;
  (void)n;
  io[0].f64 = quark_shim_now();
  return NULL;
}

// Creates host.invoke, host.copy and host.now in the store, in that order.
void quark_shim_funcs(wasmtime_context_t *cx, const wasm_functype_t *invoke_type,
                      const wasm_functype_t *copy_type, const wasm_functype_t *now_type,
                      wasmtime_func_t out[3]) {
  wasmtime_func_new_unchecked(cx, invoke_type, invoke, NULL, NULL, &out[0]);
  wasmtime_func_new_unchecked(cx, copy_type, copy, NULL, NULL, &out[1]);
  wasmtime_func_new_unchecked(cx, now_type, now, NULL, NULL, &out[2]);
}
