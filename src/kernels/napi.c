/* The Node-API plumbing the native kernel's decoders share: see napi.h. */
#include "napi.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int imarray_u8_of(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  bool is = false;
  napi_typedarray_type type;
  void *p = NULL;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  if (napi_get_typedarray_info(env, v, &type, len, &p, NULL, NULL) != napi_ok || type != napi_uint8_array) return 0;
  *data = p;
  return 1;
}

int imarray_int_of(napi_env env, napi_value v, int64_t lo, int64_t hi, int64_t *out) {
  double x;
  if (napi_get_value_double(env, v, &x) != napi_ok) return 0;
  if (!(x >= (double)lo && x <= (double)hi) || x != (double)(int64_t)x) return 0;
  *out = (int64_t)x;
  return 1;
}

int imarray_int_args(napi_env env, const napi_value *argv, size_t n, const int64_t *lo, const int64_t *hi, const char *const *names, const char *fn, int64_t *out) {
  for (size_t i = 0; i < n; i++) {
    if (!imarray_int_of(env, argv[i], lo[i], hi[i], &out[i])) {
      char msg[128];
      snprintf(msg, sizeof msg, "%s: %s must be an integer from %lld to %lld", fn, names[i], (long long)lo[i], (long long)hi[i]);
      napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
      return 0;
    }
  }
  return 1;
}

napi_value imarray_error(napi_env env, const char *code, const char *msg) {
  napi_value c, m, err;
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &c);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
  if (strcmp(code, "ERR_OUT_OF_RANGE") == 0) napi_create_range_error(env, c, m, &err);
  else napi_create_error(env, c, m, &err);
  return err;
}

#define MAX_HOLD 4

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref refs[MAX_HOLD];
  size_t nrefs;
  void *job;
  const imarray_job_ops *ops;
} queued;

static void execute(napi_env env, void *data) {
  (void)env;
  queued *q = data;
  q->ops->run(q->job);
}

static void complete(napi_env env, napi_status status, void *data) {
  queued *q = data;
  if (status != napi_ok) {
    napi_reject_deferred(env, q->deferred, imarray_error(env, "ERR_CANCELLED", "the decode was cancelled"));
  } else {
    bool ok = true;
    napi_value v = q->ops->settle(env, q->job, &ok);
    if (ok) napi_resolve_deferred(env, q->deferred, v);
    else napi_reject_deferred(env, q->deferred, v);
  }
  for (size_t i = 0; i < q->nrefs; i++) napi_delete_reference(env, q->refs[i]);
  napi_delete_async_work(env, q->work);
  q->ops->destroy(q->job);
  free(q);
}

napi_value imarray_queue(napi_env env, const char *name, void *job, const imarray_job_ops *ops, const napi_value *hold, size_t nhold) {
  napi_value promise, resource;
  queued *q = calloc(1, sizeof(queued));
  if (q == NULL || nhold > MAX_HOLD) {
    free(q);
    ops->destroy(job);
    napi_throw_error(env, "ERR_MEMORY", "could not queue the decode");
    return NULL;
  }
  q->job = job;
  q->ops = ops;
  for (; q->nrefs < nhold; q->nrefs++) {
    if (napi_create_reference(env, hold[q->nrefs], 1, &q->refs[q->nrefs]) != napi_ok) goto failed;
  }
  if (napi_create_promise(env, &q->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resource) != napi_ok ||
      napi_create_async_work(env, NULL, resource, execute, complete, q, &q->work) != napi_ok ||
      napi_queue_async_work(env, q->work) != napi_ok) goto failed;
  return promise;
failed:
  /* leaks at most a promise never settled; frees nothing that is queued */
  for (size_t i = 0; i < q->nrefs; i++) napi_delete_reference(env, q->refs[i]);
  ops->destroy(job);
  free(q);
  napi_throw_error(env, "ERR_MEMORY", "could not queue the decode");
  return NULL;
}

napi_value imarray_run_sync(napi_env env, void *job, const imarray_job_ops *ops) {
  ops->run(job);
  bool ok = true;
  napi_value v = ops->settle(env, job, &ok);
  ops->destroy(job);
  if (!ok) {
    napi_throw(env, v);
    return NULL;
  }
  return v;
}

int imarray_two_arrays(napi_env env, napi_callback_info info, const char *usage, uint8_t **src, size_t *slen, uint8_t **dst, size_t *dlen) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2 || !imarray_u8_of(env, argv[0], src, slen) || !imarray_u8_of(env, argv[1], dst, dlen)) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", usage);
    return 0;
  }
  return 1;
}

napi_status imarray_register(napi_env env, napi_value exports, const char *name, napi_callback decode, napi_callback decode_sync, const char *version) {
  napi_value obj, fn, ver;
  napi_status st;
  if ((st = napi_create_object(env, &obj)) != napi_ok) return st;
  if (decode != NULL) {
    if ((st = napi_create_function(env, "decode", NAPI_AUTO_LENGTH, decode, NULL, &fn)) != napi_ok) return st;
    if ((st = napi_set_named_property(env, obj, "decode", fn)) != napi_ok) return st;
  }
  if ((st = napi_create_function(env, "decodeSync", NAPI_AUTO_LENGTH, decode_sync, NULL, &fn)) != napi_ok) return st;
  if ((st = napi_set_named_property(env, obj, "decodeSync", fn)) != napi_ok) return st;
  if (version != NULL) {
    if ((st = napi_create_string_utf8(env, version, NAPI_AUTO_LENGTH, &ver)) != napi_ok) return st;
    if ((st = napi_set_named_property(env, obj, "version", ver)) != napi_ok) return st;
  }
  return napi_set_named_property(env, exports, name, obj);
}
