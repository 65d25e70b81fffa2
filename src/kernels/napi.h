/*
 * The Node-API plumbing the native kernel's decoders share (src/kernels/napi.c): argument
 * readers, errors with a code, a decode queued on libuv's thread pool, and the registration of a
 * decoder object `{ decode, decodeSync, version }` on the kernel's exports.
 */
#ifndef IMARRAY_NAPI_H
#define IMARRAY_NAPI_H
#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A Uint8Array's memory and length; 0 for anything else. */
int imarray_u8_of(napi_env env, napi_value v, uint8_t **data, size_t *len);
/* An integer from lo to hi (a JS number without a fraction); 0 otherwise. */
/* the (src, dst) Uint8Array arguments of a strip decoder's decodeSync, or 0 with a TypeError ("usage") thrown */
int imarray_two_arrays(napi_env env, napi_callback_info info, const char *usage, uint8_t **src, size_t *slen, uint8_t **dst, size_t *dlen);
int imarray_int_of(napi_env env, napi_value v, int64_t lo, int64_t hi, int64_t *out);
/* n integers from argv, argv[i] from lo[i] to hi[i], into out; 0 with a RangeError thrown that
   names the argument (`fn`: `name.decode`) and its range otherwise. */
int imarray_int_args(napi_env env, const napi_value *argv, size_t n, const int64_t *lo, const int64_t *hi, const char *const *names, const char *fn, int64_t *out);
/* A new Error (a RangeError where code is ERR_OUT_OF_RANGE) with `code` and `msg`, not thrown. */
napi_value imarray_error(napi_env env, const char *code, const char *msg);

/* What a queued decode does: run (on a pool thread), settle (back on the JS thread: the value
   to resolve with, or to reject with when *ok is set false), free the job. */
typedef struct {
  void (*run)(void *job);
  napi_value (*settle)(napi_env env, void *job, bool *ok);
  void (*destroy)(void *job);
} imarray_job_ops;

/* Queues `job` on libuv's thread pool and returns its promise; the `nhold` values in `hold`
   (the job's input and output arrays) are referenced until it settles. On failure to queue it
   throws, frees the job and returns NULL. */
napi_value imarray_queue(napi_env env, const char *name, void *job, const imarray_job_ops *ops, const napi_value *hold, size_t nhold);

/* Runs `job` here and now (a batch's own thread): its settled value, or NULL with it thrown. */
napi_value imarray_run_sync(napi_env env, void *job, const imarray_job_ops *ops);

/* Sets exports[name] = { decode, decodeSync, version } (decode may be NULL: sync only). */
napi_status imarray_register(napi_env env, napi_value exports, const char *name, napi_callback decode, napi_callback decode_sync, const char *version);
#endif
