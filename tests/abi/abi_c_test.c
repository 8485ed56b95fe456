/* abi_c_test.c -- tests libtenzro_tee.so through its C ABI, loaded with
 * dlopen as a node loads it.
 *
 *   abi_c_test PATH/libtenzro_tee.so SCRATCH_DIR
 *
 * Writes its config files and databases under a fresh directory
 * SCRATCH_DIR/abi_c_test-<pid>-<k>, so runs never see each other's state.
 * Prints every failed check with its line, then exactly "N passed, M failed";
 * exits 0 only when M is 0 (2 on a bad command line).
 *
 * C99, only libc, libdl and pthreads: the header must be enough for a C host.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tenzro_tee.h"

/* ---- checks -------------------------------------------------------------- */

static pthread_mutex_t g_check_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned long g_pass;
static unsigned long g_fail;

typedef int32_t (*negotiate_fn)(uint32_t, const tee_api**);
typedef const char* (*status_str_fn)(int32_t);
typedef const char* (*abi_hash_fn)(void);

static const tee_api* api;       /* the negotiated table */
static status_str_fn status_str; /* tee_status_str from the plugin */

static const char* name_of(int32_t st) {
  const char* s = status_str != NULL ? status_str(st) : NULL;
  return s != NULL ? s : "?";
}

/* Thread-safe: the threaded section checks from its workers. */
static void check_at(int ok, const char* expr, int line) {
  pthread_mutex_lock(&g_check_mu);
  if (ok) {
    ++g_pass;
  } else {
    ++g_fail;
    fprintf(stderr, "abi_c_test.c:%d: FAILED: %s\n", line, expr);
  }
  pthread_mutex_unlock(&g_check_mu);
}

/* got is evaluated before the call, so last_error (same thread) describes it. */
static void check_status_at(int32_t got, int32_t want1, int32_t want2, const tee_handle* h,
                            const char* expr, int line) {
  pthread_mutex_lock(&g_check_mu);
  if (got == want1 || got == want2) {
    ++g_pass;
  } else {
    const char* err = api != NULL && api->last_error != NULL ? api->last_error(h) : NULL;
    ++g_fail;
    fprintf(stderr, "abi_c_test.c:%d: FAILED: %s\n    got %s (%d), want %s (%d)", line, expr,
            name_of(got), (int)got, name_of(want1), (int)want1);
    if (want2 != want1) fprintf(stderr, " or %s (%d)", name_of(want2), (int)want2);
    fprintf(stderr, "; last_error: %s\n", err != NULL ? err : "(null)");
  }
  pthread_mutex_unlock(&g_check_mu);
}

#define CHECK(cond) check_at((cond) ? 1 : 0, #cond, __LINE__)
/* h: the handle whose last_error explains a failure (NULL for open). */
#define CHECK_ST(h, expr, want) check_status_at((expr), (want), (want), (h), #expr, __LINE__)
#define CHECK_ST2(h, expr, want1, want2) \
  check_status_at((expr), (want1), (want2), (h), #expr, __LINE__)

static int finish(void) {
  printf("%lu passed, %lu failed\n", g_pass, g_fail);
  fflush(stdout);
  return g_fail == 0 ? 0 : 1;
}

/* The rest cannot run; a failed CHECK has already been counted. */
static int bail(void) {
  (void)finish();
  return 1;
}

/* ---- helpers ------------------------------------------------------------- */

/* ISO C has no conversion between object and function pointers; POSIX
 * guarantees dlsym's result has the function pointer's representation, so the
 * bits are copied into the function-pointer variable at fn_out. */
static int load_symbol(void* lib, const char* name, void* fn_out, size_t fn_size) {
  void* sym = dlsym(lib, name);
  if (sym == NULL || fn_size != sizeof sym) return 0;
  memcpy(fn_out, &sym, sizeof sym);
  return 1;
}

/* Distinct ids: tag and n in the first five bytes, filler after. */
static void make_id(uint8_t out[32], unsigned tag, unsigned n) {
  unsigned i;
  out[0] = (uint8_t)tag;
  out[1] = (uint8_t)(n >> 24);
  out[2] = (uint8_t)(n >> 16);
  out[3] = (uint8_t)(n >> 8);
  out[4] = (uint8_t)n;
  for (i = 5; i < 32; ++i) out[i] = (uint8_t)(tag * 31u + n * 7u + i * 13u);
}

static void make_u256(uint8_t out[32], uint64_t v) {
  unsigned i;
  memset(out, 0, 32);
  for (i = 0; i < 8; ++i) out[31 - i] = (uint8_t)(v >> (8 * i));
}

static int is_zero(const uint8_t* b, size_t n) {
  size_t i;
  for (i = 0; i < n; ++i)
    if (b[i] != 0) return 0;
  return 1;
}

/* acc += x (256-bit big-endian); returns the carry out. */
static unsigned u256_add(uint8_t acc[32], const uint8_t x[32]) {
  unsigned carry = 0;
  int i;
  for (i = 31; i >= 0; --i) {
    unsigned v = (unsigned)acc[i] + (unsigned)x[i] + carry;
    acc[i] = (uint8_t)(v & 0xffu);
    carry = v >> 8;
  }
  return carry;
}

/* out = 2 * x; returns the bit shifted out. */
static unsigned u256_double(uint8_t out[32], const uint8_t x[32]) {
  unsigned carry = 0;
  int i;
  for (i = 31; i >= 0; --i) {
    unsigned v = ((unsigned)x[i] << 1) | carry;
    out[i] = (uint8_t)(v & 0xffu);
    carry = v >> 8;
  }
  return carry;
}

/* Index of id in an id-ordered weight list, or -1. */
static long find_weight(const tee_weight* w, size_t n, const uint8_t id[32]) {
  size_t i;
  if (w == NULL) return -1;
  for (i = 0; i < n; ++i)
    if (memcmp(w[i].validator_id, id, 32) == 0) return (long)i;
  return -1;
}

/* Field by field: tee_record has padding after evidence_hash (valid_until is
 * 8-aligned), whose bytes the plugin need not write, so memcmp of the whole
 * struct could differ on bytes that are not fields. */
static int record_eq(const tee_record* a, const tee_record* b) {
  return memcmp(a->validator_id, b->validator_id, 32) == 0 &&
         memcmp(a->stake_be, b->stake_be, 32) == 0 && a->tee_type == b->tee_type &&
         a->status == b->status && a->reason == b->reason &&
         memcmp(a->evidence_hash, b->evidence_hash, 32) == 0 && a->valid_until == b->valid_until &&
         a->registered_at == b->registered_at && a->verified_at_epoch == b->verified_at_epoch &&
         a->registered_epoch == b->registered_epoch;
}

static int contains(const char* s, const char* needle) {
  return s != NULL && strstr(s, needle) != NULL;
}

static int write_file(const char* path, const char* text, size_t len) {
  FILE* f = fopen(path, "wb");
  int ok;
  if (f == NULL) return 0;
  ok = fwrite(text, 1, len, f) == len;
  if (fclose(f) != 0) ok = 0;
  return ok;
}

static int write_text(const char* path, const char* text) {
  return write_file(path, text, strlen(text));
}

/* ---- SHA-256 (FIPS 180-4), to check evidence_hash independently ---------- */

static const uint32_t kSha256K[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u,
    0xab1c5ed5u, 0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu,
    0x9bdc06a7u, 0xc19bf174u, 0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu,
    0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau, 0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u,
    0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u, 0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu,
    0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u, 0xa2bfe8a1u, 0xa81a664bu,
    0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u, 0x19a4c116u,
    0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u,
    0xc67178f2u};

static uint32_t rotr32(uint32_t x, unsigned n) { return (x >> n) | (x << (32u - n)); }

static void sha256_block(uint32_t st[8], const uint8_t* p) {
  uint32_t w[64], a, b, c, d, e, f, g, h;
  unsigned i;
  for (i = 0; i < 16; ++i)
    w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
           (uint32_t)p[4 * i + 3];
  for (i = 16; i < 64; ++i) {
    uint32_t s0 = rotr32(w[i - 15], 7) ^ rotr32(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = rotr32(w[i - 2], 17) ^ rotr32(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  a = st[0];
  b = st[1];
  c = st[2];
  d = st[3];
  e = st[4];
  f = st[5];
  g = st[6];
  h = st[7];
  for (i = 0; i < 64; ++i) {
    uint32_t t1 = h + (rotr32(e, 6) ^ rotr32(e, 11) ^ rotr32(e, 25)) + ((e & f) ^ (~e & g)) +
                  kSha256K[i] + w[i];
    uint32_t t2 = (rotr32(a, 2) ^ rotr32(a, 13) ^ rotr32(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  st[0] += a;
  st[1] += b;
  st[2] += c;
  st[3] += d;
  st[4] += e;
  st[5] += f;
  st[6] += g;
  st[7] += h;
}

static void sha256(const uint8_t* data, size_t len, uint8_t out[32]) {
  uint32_t st[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                    0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};
  uint8_t blk[64];
  uint64_t bits = (uint64_t)len * 8u;
  unsigned i;
  while (len >= 64) {
    sha256_block(st, data);
    data += 64;
    len -= 64;
  }
  memset(blk, 0, sizeof blk);
  if (len > 0) memcpy(blk, data, len);
  blk[len] = 0x80;
  if (len >= 56) {
    sha256_block(st, blk);
    memset(blk, 0, sizeof blk);
  }
  for (i = 0; i < 8; ++i) blk[63 - i] = (uint8_t)(bits >> (8 * i));
  sha256_block(st, blk);
  for (i = 0; i < 8; ++i) {
    out[4 * i] = (uint8_t)(st[i] >> 24);
    out[4 * i + 1] = (uint8_t)(st[i] >> 16);
    out[4 * i + 2] = (uint8_t)(st[i] >> 8);
    out[4 * i + 3] = (uint8_t)st[i];
  }
}

/* ---- host callbacks ------------------------------------------------------ */

/* Callbacks may come from plugin threads (fetchers), hence the lock. */
typedef struct host_state {
  pthread_mutex_t mu;
  unsigned long log_lines;
  unsigned long events[5]; /* by TEE_EVENT_*, [0] = unknown */
} host_state;

static void host_log(void* user, int32_t level, const char* line, size_t len) {
  host_state* hs = (host_state*)user;
  (void)level;
  pthread_mutex_lock(&hs->mu);
  ++hs->log_lines;
  pthread_mutex_unlock(&hs->mu);
  if (line == NULL) len = 0;
  fprintf(stderr, "[plugin] %.*s\n", len > 4096 ? 4096 : (int)len, line != NULL ? line : "");
}

static void host_event(void* user, const uint8_t id[32], int32_t event, int32_t reason) {
  host_state* hs = (host_state*)user;
  (void)id;
  (void)reason;
  pthread_mutex_lock(&hs->mu);
  if (event >= TEE_EVENT_REGISTERED && event <= TEE_EVENT_EXPIRING)
    ++hs->events[event];
  else
    ++hs->events[0];
  pthread_mutex_unlock(&hs->mu);
}

static unsigned long event_count(host_state* hs, int32_t event) {
  unsigned long n;
  pthread_mutex_lock(&hs->mu);
  n = hs->events[event];
  pthread_mutex_unlock(&hs->mu);
  return n;
}

/* ---- threaded section ---------------------------------------------------- */

#define T0 1767225600u /* 2026-01-01T00:00:00Z */
#define EPOCH_SECS 3600u
#define MAX_AGE 86400u

#define N_THREADS 4u
#define PER_THREAD 50u
#define THREAD_TAG 0x80u

typedef struct worker_arg {
  tee_handle* h;
  unsigned t;
  const tee_weight* w1; /* epoch 1 weights, read-only */
  size_t n1;
} worker_arg;

static void* worker(void* p) {
  const worker_arg* a = (const worker_arg*)p;
  unsigned i;
  for (i = 0; i < PER_THREAD; ++i) {
    uint8_t id[32], stake[32], lid[32];
    tee_register_result res;
    make_id(id, THREAD_TAG + a->t, i);
    make_u256(stake, 100u + i);
    memset(&res, 0xEE, sizeof res);
    CHECK_ST(a->h, api->register_validator(a->h, id, stake, TEE_TYPE_NONE, NULL, 0, NULL, T0, &res),
             TEE_OK);
    CHECK(res.attested == 0 && res.reason == TEE_FAIL_NONE && res.valid_until == -1);
    CHECK_ST(a->h, api->leader(a->h, 1, (uint64_t)a->t * 1000u + i, lid), TEE_OK);
    CHECK(find_weight(a->w1, a->n1, lid) >= 0);
  }
  return NULL;
}

/* ---- the test ------------------------------------------------------------ */

static char g_run[2048];

/* g_run + "/" + leaf, or exit: a truncated path would test the wrong thing. */
static const char* run_path(char* buf, size_t size, const char* leaf) {
  int n = snprintf(buf, size, "%s/%s", g_run, leaf);
  if (n < 0 || (size_t)n >= size) {
    fprintf(stderr, "scratch path too long\n");
    (void)finish();
    exit(1);
  }
  return buf;
}

/* The full config of the main handle. */
static int write_main_config(const char* cfg, const char* db, int simulation) {
  char text[8192];
  int n = snprintf(text, sizeof text,
                   "# written by abi_c_test\n"
                   "[tee]\n"
                   "db_path = '%s'\n"
                   "rocksdb_memory_mb = 32\n"
                   "log_level = \"warn\"\n"
                   "\n"
                   "[tee.consensus]\n"
                   "simulation = %s\n"
                   "collateral_admission = \"consensus\"\n"
                   "max_evidence_bytes = 4096\n"
                   "multiplier = 2\n"
                   "max_age_secs = 86400\n"
                   "expiry_window_secs = 21600\n",
                   db, simulation ? "true" : "false");
  if (n < 0 || (size_t)n >= sizeof text) return 0;
  return write_text(cfg, text);
}

/* [tee] with db_path and one more line; [tee.consensus] lines if given. */
static int write_small_config(const char* cfg, const char* db, const char* tee_line,
                              const char* consensus_line) {
  char text[8192];
  int n = snprintf(text, sizeof text, "[tee]\ndb_path = '%s'\n%s\n%s%s\n", db, tee_line,
                   consensus_line != NULL ? "[tee.consensus]\n" : "",
                   consensus_line != NULL ? consensus_line : "");
  if (n < 0 || (size_t)n >= sizeof text) return 0;
  return write_text(cfg, text);
}

int main(int argc, char** argv) {
  static int sentinel_object;
  tee_handle* const sentinel = (tee_handle*)(void*)&sentinel_object;
  const char* plugin;
  const char* scratch;
  void* lib;
  negotiate_fn negotiate = NULL;
  abi_hash_fn abi_hash = NULL;
  const tee_api* table = NULL;
  host_state hs;
  tee_host_callbacks cb;
  tee_handle* h = NULL;
  tee_handle* h2 = NULL;
  char cfg_main[2304], db_main[2304], path[2304], db_other[2304];
  uint8_t idA[32], idB[32], idC[32], idD[32], idE[32], idF[32], idX[32], idUnknown[32];
  uint8_t stake1000[32], stake3000[32], zero32[32], chal[32], seed1[32], seed2[32];
  uint8_t junk[5000], ev_hash[32], digest[32];
  uint8_t* ev = NULL;
  size_t ev_len = 0;
  const uint8_t* evp;
  size_t evl;
  tee_register_result res;
  tee_record rec, recA_before, recA_after;
  tee_epoch_report rep1, rep1b, rep2, rep2b;
  tee_weight* w1 = NULL;
  size_t n1 = 0;
  unsigned i;
  int k;

  if (argc != 3) {
    fprintf(stderr, "usage: abi_c_test PATH/libtenzro_tee.so SCRATCH_DIR\n");
    return 2;
  }
  plugin = argv[1];
  scratch = argv[2];
  /* Paths go into TOML literal strings ('...'), which cannot hold a quote. */
  if (strchr(scratch, '\'') != NULL || strchr(scratch, '\n') != NULL) {
    fprintf(stderr, "scratch dir must not contain a quote or newline\n");
    return 2;
  }
  (void)mkdir(scratch, 0755);
  for (k = 0; k < 1000; ++k) {
    int n = snprintf(g_run, sizeof g_run, "%s/abi_c_test-%ld-%d", scratch, (long)getpid(), k);
    if (n < 0 || (size_t)n >= sizeof g_run) {
      fprintf(stderr, "scratch path too long\n");
      return 2;
    }
    if (mkdir(g_run, 0700) == 0) break;
  }
  if (k == 1000) {
    fprintf(stderr, "cannot create a run directory under %s\n", scratch);
    return 1;
  }

  memset(&hs, 0, sizeof hs);
  pthread_mutex_init(&hs.mu, NULL);
  memset(&cb, 0, sizeof cb);
  cb.size = (uint32_t)sizeof cb;
  cb.user = &hs;
  cb.log = host_log;
  cb.validator_event = host_event;
  cb.collateral_fetched = NULL;

  make_id(idA, 1, 1);
  make_id(idB, 1, 2);
  make_id(idC, 1, 3);
  make_id(idD, 1, 4);
  make_id(idE, 1, 5);
  make_id(idF, 1, 6);
  make_id(idX, 0x20, 1);
  make_id(idUnknown, 1, 99);
  make_u256(stake1000, 1000);
  make_u256(stake3000, 3000);
  memset(zero32, 0, sizeof zero32);
  for (i = 0; i < 32; ++i) {
    chal[i] = (uint8_t)(0xC0u + i);
    seed1[i] = (uint8_t)(0x51u + i);
    seed2[i] = (uint8_t)(0x52u * (i + 1u));
  }
  for (i = 0; i < sizeof junk; ++i) junk[i] = (uint8_t)(i * 7u + 3u);

  /* The test's own SHA-256 first: FIPS 180-2 "abc". */
  {
    static const uint8_t abc_hash[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
                                         0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
                                         0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
                                         0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    sha256((const uint8_t*)"abc", 3, digest);
    CHECK(memcmp(digest, abc_hash, 32) == 0);
  }

  /* ---- loading and negotiation ---------------------------------------- */
  lib = dlopen(plugin, RTLD_NOW | RTLD_LOCAL);
  CHECK(lib != NULL);
  if (lib == NULL) {
    const char* e = dlerror();
    fprintf(stderr, "dlopen %s: %s\n", plugin, e != NULL ? e : "?");
    return bail();
  }
  CHECK(load_symbol(lib, "tee_negotiate", &negotiate, sizeof negotiate));
  CHECK(load_symbol(lib, "tee_status_str", &status_str, sizeof status_str));
  CHECK(load_symbol(lib, "tee_abi_hash", &abi_hash, sizeof abi_hash));
  if (negotiate == NULL) {
    dlclose(lib);
    return bail();
  }

  /* A newer host gets this table and reads its version and size. */
  CHECK_ST(NULL, negotiate(TEE_ABI_VERSION + 1u, &table), TEE_OK);
  CHECK(table != NULL && table->abi_version == TEE_ABI_VERSION &&
        table->size == (uint32_t)sizeof(tee_api));
  table = NULL;
  CHECK_ST(NULL, negotiate(0u, &table), TEE_ERR_ABI_VERSION);
  CHECK_ST(NULL, negotiate(TEE_ABI_VERSION, NULL), TEE_ERR_INVALID_ARGUMENT);
  table = NULL;
  CHECK_ST(NULL, negotiate(TEE_ABI_VERSION, &table), TEE_OK);
  CHECK(table != NULL);
  if (table == NULL) {
    dlclose(lib);
    return bail();
  }
  CHECK(table->abi_version == TEE_ABI_VERSION);
  CHECK(table->size >= sizeof(tee_api));
  if (table->size < sizeof(tee_api)) {
    dlclose(lib); /* the fields past size are not there */
    return bail();
  }
  CHECK(table->open != NULL && table->close != NULL && table->register_validator != NULL &&
        table->register_batch != NULL && table->deregister != NULL &&
        table->submit_collateral != NULL && table->get_record != NULL && table->on_epoch != NULL &&
        table->get_weights != NULL && table->leader != NULL && table->schedule != NULL &&
        table->verify != NULL && table->simulate_evidence != NULL && table->free != NULL &&
        table->last_error != NULL && table->status != NULL);
  if (!(table->open != NULL && table->close != NULL && table->register_validator != NULL &&
        table->register_batch != NULL && table->deregister != NULL &&
        table->submit_collateral != NULL && table->get_record != NULL && table->on_epoch != NULL &&
        table->get_weights != NULL && table->leader != NULL && table->schedule != NULL &&
        table->verify != NULL && table->simulate_evidence != NULL && table->free != NULL &&
        table->last_error != NULL && table->status != NULL)) {
    dlclose(lib);
    return bail();
  }
  api = table;
  {
    const tee_api* again = NULL;
    CHECK_ST(NULL, negotiate(TEE_ABI_VERSION, &again), TEE_OK);
    CHECK(again == table); /* one static table */
  }

  if (abi_hash != NULL) {
    const char* s = abi_hash();
    CHECK(s != NULL && s[0] != '\0');
  }
  if (status_str != NULL) {
    static const char* const names[] = {"TEE_OK",
                                        "TEE_ERR_INVALID_ARGUMENT",
                                        "TEE_ERR_CONFIG",
                                        "TEE_ERR_STORAGE",
                                        "TEE_ERR_NOT_FOUND",
                                        "TEE_ERR_EPOCH_ORDER",
                                        "TEE_ERR_TOO_LARGE",
                                        "TEE_ERR_SIMULATION_DISABLED",
                                        "TEE_ERR_UNSUPPORTED",
                                        "TEE_ERR_OVERFLOW",
                                        "TEE_ERR_NO_SNAPSHOT",
                                        "TEE_ERR_EMPTY",
                                        "TEE_ERR_PARAMS_MISMATCH",
                                        "TEE_ERR_ABI_VERSION",
                                        "TEE_ERR_COLLATERAL",
                                        "TEE_ERR_INTERNAL",
                                        "TEE_ERR_AUTHENTICATION"};
    int32_t c;
    CHECK(status_str(TEE_OK) != NULL && strcmp(status_str(TEE_OK), "TEE_OK") == 0);
    for (c = 0; c <= TEE_ERR_AUTHENTICATION; ++c) {
      const char* s = status_str(c);
      CHECK(s != NULL && strcmp(s, names[c]) == 0);
    }
    CHECK(status_str(TEE_ERR_AUTHENTICATION + 1) != NULL &&
          strcmp(status_str(TEE_ERR_AUTHENTICATION + 1), "TEE_ERR_UNKNOWN") == 0);
    CHECK(status_str(9999) != NULL && strcmp(status_str(9999), "TEE_ERR_UNKNOWN") == 0);
    CHECK(status_str(-1) != NULL && strcmp(status_str(-1), "TEE_ERR_UNKNOWN") == 0);
  }

  /* ---- open: argument and config errors ------------------------------- */
  run_path(cfg_main, sizeof cfg_main, "main.toml");
  run_path(db_main, sizeof db_main, "db_main");
  CHECK(write_main_config(cfg_main, db_main, 1));

  h = sentinel;
  CHECK_ST(NULL, api->open(NULL, NULL, &h), TEE_ERR_INVALID_ARGUMENT);
  CHECK(h == NULL); /* on failure *out is NULL */
  CHECK(api->last_error(NULL) != NULL && api->last_error(NULL)[0] != '\0');

  h = sentinel;
  CHECK_ST(NULL, api->open(run_path(path, sizeof path, "missing.toml"), NULL, &h), TEE_ERR_CONFIG);
  CHECK(h == NULL);
  CHECK(api->last_error(NULL) != NULL && api->last_error(NULL)[0] != '\0');

  /* Config paths that are not regular files, or too large: TEE_ERR_CONFIG at
   * once (/dev/zero used to be read until the OOM killer came; /dev/urandom
   * and a FIFO without a writer hung). */
  {
    const char* devices[] = {"/dev/zero", "/dev/urandom", NULL, NULL};
    char fifo[2304], big_cfg[2304];
    size_t m;
    FILE* f;
    run_path(fifo, sizeof fifo, "config.fifo");
    CHECK(mkfifo(fifo, 0600) == 0);
    devices[2] = fifo;
    run_path(big_cfg, sizeof big_cfg, "big.toml");
    f = fopen(big_cfg, "w");
    CHECK(f != NULL);
    if (f != NULL) {
      fputs("[tee]\ndb_path = 'x'\n", f);
      for (m = 0; m < ((size_t)1 << 20); ++m) fputc('#', f);
      fputc('\n', f);
      fclose(f);
    }
    devices[3] = big_cfg;
    for (m = 0; m < 4; ++m) {
      h = sentinel;
      CHECK_ST(NULL, api->open(devices[m], NULL, &h), TEE_ERR_CONFIG);
      CHECK(h == NULL);
      CHECK(api->last_error(NULL)[0] != '\0');
    }
  }

  run_path(path, sizeof path, "malformed.toml");
  CHECK(write_text(path, "[tee\ndb_path = \n"));
  h = sentinel;
  CHECK_ST(NULL, api->open(path, NULL, &h), TEE_ERR_CONFIG);
  CHECK(h == NULL);

  run_path(path, sizeof path, "unknown_key.toml");
  CHECK(write_small_config(path, run_path(db_other, sizeof db_other, "db_unknown_key"), "bogus = 1",
                           NULL));
  h = sentinel;
  CHECK_ST(NULL, api->open(path, NULL, &h), TEE_ERR_CONFIG);
  CHECK(h == NULL);
  CHECK(contains(api->last_error(NULL), "bogus"));

  run_path(path, sizeof path, "bad_multiplier.toml");
  CHECK(write_small_config(path, run_path(db_other, sizeof db_other, "db_bad_multiplier"), "",
                           "simulation = true\nmultiplier = 0"));
  h = sentinel;
  CHECK_ST(NULL, api->open(path, NULL, &h), TEE_ERR_CONFIG);
  CHECK(h == NULL);
  CHECK(contains(api->last_error(NULL), "multiplier"));

  /* db_path is the one required key. */
  run_path(path, sizeof path, "no_db_path.toml");
  CHECK(write_text(path, "[tee]\nlog_level = \"warn\"\n"));
  h = sentinel;
  CHECK_ST(NULL, api->open(path, NULL, &h), TEE_ERR_CONFIG);
  CHECK(h == NULL);
  CHECK(contains(api->last_error(NULL), "db_path"));

  CHECK_ST(NULL, api->open(cfg_main, NULL, NULL), TEE_ERR_INVALID_ARGUMENT);

  h = NULL;
  CHECK_ST(NULL, api->open(cfg_main, &cb, &h), TEE_OK);
  CHECK(h != NULL);
  if (h == NULL) {
    dlclose(lib);
    return bail();
  }

  /* RocksDB holds a lock on the directory while the first handle lives. */
  h2 = sentinel;
  CHECK_ST(NULL, api->open(cfg_main, NULL, &h2), TEE_ERR_STORAGE);
  CHECK(h2 == NULL);
  if (h2 != NULL && h2 != sentinel) api->close(h2);

    /* ---- register_validator: rejected calls store nothing --------------- */
#define EXPECT_REJECTED(call, want)                                     \
  do {                                                                  \
    CHECK_ST(h, (call), (want));                                        \
    CHECK(api->last_error(h) != NULL && api->last_error(h)[0] != '\0'); \
    CHECK_ST(h, api->get_record(h, idX, &rec), TEE_ERR_NOT_FOUND);      \
  } while (0)

  CHECK_ST(NULL,
           api->register_validator(NULL, idX, stake1000, TEE_TYPE_NONE, NULL, 0, NULL, T0, &res),
           TEE_ERR_INVALID_ARGUMENT);
  CHECK_ST(h, api->get_record(h, idX, &rec), TEE_ERR_NOT_FOUND);
  EXPECT_REJECTED(
      api->register_validator(h, NULL, stake1000, TEE_TYPE_NONE, NULL, 0, NULL, T0, &res),
      TEE_ERR_INVALID_ARGUMENT);
  EXPECT_REJECTED(api->register_validator(h, idX, NULL, TEE_TYPE_NONE, NULL, 0, NULL, T0, &res),
                  TEE_ERR_INVALID_ARGUMENT);
  EXPECT_REJECTED(api->register_validator(h, idX, zero32, TEE_TYPE_NONE, NULL, 0, NULL, T0, &res),
                  TEE_ERR_INVALID_ARGUMENT);
  EXPECT_REJECTED(
      api->register_validator(h, idX, stake1000, TEE_TYPE_SIMULATED, NULL, 16, chal, T0, &res),
      TEE_ERR_INVALID_ARGUMENT);
  EXPECT_REJECTED(
      api->register_validator(h, idX, stake1000, TEE_TYPE_SIMULATED, junk, 16, NULL, T0, &res),
      TEE_ERR_INVALID_ARGUMENT);
  EXPECT_REJECTED(
      api->register_validator(h, idX, stake1000, TEE_TYPE_SIMULATED, junk, 5000, chal, T0, &res),
      TEE_ERR_TOO_LARGE);
  EXPECT_REJECTED(api->register_validator(h, idX, stake1000, 99, junk, 16, chal, T0, &res),
                  TEE_ERR_INVALID_ARGUMENT);
  EXPECT_REJECTED(api->register_validator(h, idX, stake1000, 99, NULL, 0, NULL, T0, &res),
                  TEE_ERR_INVALID_ARGUMENT);
  EXPECT_REJECTED(api->register_validator(h, idX, stake1000, -1, NULL, 0, NULL, T0, &res),
                  TEE_ERR_INVALID_ARGUMENT);
  CHECK_ST(h, api->get_record(h, NULL, &rec), TEE_ERR_INVALID_ARGUMENT);
  CHECK_ST(h, api->get_record(h, idX, NULL), TEE_ERR_INVALID_ARGUMENT);

  /* ---- simulated evidence: attested ------------------------------------ */
  CHECK_ST(h, api->simulate_evidence(h, NULL, chal, T0, &ev, &ev_len), TEE_ERR_INVALID_ARGUMENT);
  CHECK_ST(h, api->simulate_evidence(h, idA, NULL, T0, &ev, &ev_len), TEE_ERR_INVALID_ARGUMENT);
  CHECK_ST(h, api->simulate_evidence(h, idA, chal, T0, NULL, &ev_len), TEE_ERR_INVALID_ARGUMENT);
  ev = NULL;
  CHECK_ST(h, api->simulate_evidence(h, idA, chal, T0, &ev, &ev_len), TEE_OK);
  CHECK(ev != NULL && ev_len > 0 && ev_len <= 4096);
  /* Without evidence the later calls still run (and fail their checks). */
  evp = ev != NULL ? ev : junk;
  evl = ev != NULL ? ev_len : 16;
  /* Evidence identity (DESIGN §4): SHA-256("tenzro-tee-evidence-v1" ||
   * u8 tee_type || signed body); Simulated signs bytes [0, 168). */
  {
    static const char tag[] = "tenzro-tee-evidence-v1";
    uint8_t id_msg[sizeof tag - 1 + 1 + 168] = {0};
    memcpy(id_msg, tag, sizeof tag - 1);
    id_msg[sizeof tag - 1] = TEE_TYPE_SIMULATED;
    memcpy(id_msg + sizeof tag, evp, evl < 168 ? evl : 168);
    sha256(id_msg, sizeof id_msg, ev_hash);
  }

  memset(&res, 0xAB, sizeof res);
  CHECK_ST(h,
           api->register_validator(h, idA, stake1000, TEE_TYPE_SIMULATED, evp, evl, chal, T0, &res),
           TEE_OK);
  CHECK(res.attested == 1);
  CHECK(res.reason == TEE_FAIL_NONE);
  CHECK(res.valid_until == (int64_t)T0 + (int64_t)MAX_AGE);
  CHECK(memcmp(res.evidence_hash, ev_hash, 32) == 0);
  memset(&rec, 0xCD, sizeof rec);
  CHECK_ST(h, api->get_record(h, idA, &rec), TEE_OK);
  CHECK(memcmp(rec.validator_id, idA, 32) == 0);
  CHECK(memcmp(rec.stake_be, stake1000, 32) == 0);
  CHECK(rec.tee_type == TEE_TYPE_SIMULATED);
  CHECK(rec.status == TEE_VALIDATOR_ATTESTED);
  CHECK(rec.reason == TEE_FAIL_NONE);
  CHECK(memcmp(rec.evidence_hash, ev_hash, 32) == 0);
  CHECK(rec.valid_until == (int64_t)T0 + (int64_t)MAX_AGE);
  CHECK(rec.registered_at == T0);
  CHECK(event_count(&hs, TEE_EVENT_REGISTERED) >= 1);

  /* The same evidence for another id: the binding names idA. */
  memset(&res, 0xAB, sizeof res);
  CHECK_ST(h,
           api->register_validator(h, idB, stake1000, TEE_TYPE_SIMULATED, evp, evl, chal, T0, &res),
           TEE_OK);
  CHECK(res.attested == 0);
  CHECK(res.reason == TEE_FAIL_BINDING_MISMATCH);
  CHECK(res.valid_until == -1);
  CHECK(memcmp(res.evidence_hash, ev_hash, 32) == 0);
  CHECK_ST(h, api->get_record(h, idB, &rec), TEE_OK);
  CHECK(rec.status == TEE_VALIDATOR_UNATTESTED);
  CHECK(rec.reason == TEE_FAIL_BINDING_MISMATCH);
  CHECK(rec.valid_until == -1);

  /* No evidence: unattested, no failure. */
  memset(&res, 0xAB, sizeof res);
  CHECK_ST(h, api->register_validator(h, idC, stake1000, TEE_TYPE_NONE, NULL, 0, NULL, T0, &res),
           TEE_OK);
  CHECK(res.attested == 0);
  CHECK(res.reason == TEE_FAIL_NONE);
  CHECK(res.valid_until == -1);
  CHECK(is_zero(res.evidence_hash, 32));
  CHECK_ST(h, api->get_record(h, idC, &rec), TEE_OK);
  CHECK(rec.status == TEE_VALIDATOR_UNATTESTED && rec.tee_type == TEE_TYPE_NONE);
  CHECK(is_zero(rec.evidence_hash, 32));
  /* Renewal replaces the stake. */
  CHECK_ST(h, api->register_validator(h, idC, stake3000, TEE_TYPE_NONE, NULL, 0, NULL, T0, NULL),
           TEE_OK);
  CHECK_ST(h, api->get_record(h, idC, &rec), TEE_OK);
  CHECK(memcmp(rec.stake_be, stake3000, 32) == 0);

  /* Garbage as Simulated evidence. */
  memset(&res, 0xAB, sizeof res);
  CHECK_ST(h,
           api->register_validator(h, idD, stake1000, TEE_TYPE_SIMULATED, junk, 16, chal, T0, &res),
           TEE_OK);
  CHECK(res.attested == 0);
  CHECK(res.reason == TEE_FAIL_MALFORMED);
  CHECK(res.valid_until == -1);

  /* TDX: no verifier yet, or the bytes are not a quote. */
  memset(&res, 0xAB, sizeof res);
  CHECK_ST(h,
           api->register_validator(h, idE, stake1000, TEE_TYPE_INTEL_TDX, junk, 64, chal, T0, &res),
           TEE_OK);
  CHECK(res.attested == 0);
  CHECK(res.reason == TEE_FAIL_UNSUPPORTED || res.reason == TEE_FAIL_MALFORMED);

  /* ---- epochs ---------------------------------------------------------- */
  /* Snapshot of epoch 1: A (2 x 1000), B 1000, C 3000, D 1000, E 1000. */
  CHECK_ST(h, api->on_epoch(h, 1, T0 + EPOCH_SECS, NULL, &rep1), TEE_ERR_INVALID_ARGUMENT);
  memset(&rep1, 0, sizeof rep1);
  CHECK_ST(h, api->on_epoch(h, 1, T0 + EPOCH_SECS, seed1, &rep1), TEE_OK);
  CHECK(rep1.epoch == 1);
  CHECK(rep1.epoch_time == T0 + EPOCH_SECS);
  CHECK(rep1.snapshot_size == 5);
  CHECK(rep1.attested == 1);
  CHECK(rep1.reevaluated == 1);
  CHECK(rep1.demoted == 0);
  CHECK(rep1.expiring == 0); /* valid_until is 23 h away; the window is 6 h */
  {
    uint8_t want[32];
    make_u256(want, 2000u + 1000u + 3000u + 1000u + 1000u);
    CHECK(memcmp(rep1.total_weight_be, want, 32) == 0);
  }
  CHECK(!is_zero(rep1.params_hash, 32));
  memset(&rep1b, 0x5A, sizeof rep1b); /* tee_epoch_report has no padding */
  CHECK_ST(h, api->on_epoch(h, 1, T0 + EPOCH_SECS, seed1, &rep1b), TEE_OK);
  CHECK(memcmp(&rep1, &rep1b, sizeof rep1) == 0);
  CHECK_ST(h, api->on_epoch(h, 1, T0 + EPOCH_SECS, seed1, NULL), TEE_OK);
  CHECK_ST(h, api->on_epoch(h, 0, T0, seed1, &rep1b), TEE_ERR_EPOCH_ORDER);

  /* ---- weights of epoch 1 --------------------------------------------- */
  CHECK_ST(h, api->get_weights(h, 1, &w1, &n1), TEE_OK);
  CHECK(w1 != NULL);
  CHECK(n1 == rep1.snapshot_size);
  if (w1 != NULL) {
    uint8_t sum[32], twice[32];
    size_t j;
    long a;
    memset(sum, 0, sizeof sum);
    for (j = 0; j < n1; ++j) {
      if (j > 0) CHECK(memcmp(w1[j - 1].validator_id, w1[j].validator_id, 32) < 0);
      CHECK(u256_add(sum, w1[j].weight_be) == 0);
    }
    CHECK(memcmp(sum, rep1.total_weight_be, 32) == 0);
    a = find_weight(w1, n1, idA);
    CHECK(a >= 0);
    CHECK(u256_double(twice, stake1000) == 0);
    if (a >= 0) {
      CHECK(memcmp(w1[a].weight_be, twice, 32) == 0);
      CHECK(w1[a].attested == 1);
    }
    a = find_weight(w1, n1, idB);
    CHECK(a >= 0 && memcmp(w1[a].weight_be, stake1000, 32) == 0 && w1[a].attested == 0);
    a = find_weight(w1, n1, idC);
    CHECK(a >= 0 && memcmp(w1[a].weight_be, stake3000, 32) == 0 && w1[a].attested == 0);
    CHECK(find_weight(w1, n1, idD) >= 0);
    CHECK(find_weight(w1, n1, idE) >= 0);
  }
  {
    tee_weight* w = NULL;
    size_t n = 0;
    CHECK_ST(h, api->get_weights(h, 99, &w, &n), TEE_ERR_NO_SNAPSHOT);
    CHECK_ST(h, api->get_weights(h, 1, NULL, &n), TEE_ERR_INVALID_ARGUMENT);
    CHECK_ST(h, api->get_weights(h, 1, &w, NULL), TEE_ERR_INVALID_ARGUMENT);
  }

  /* ---- leaders of epoch 1 --------------------------------------------- */
  {
    static const uint64_t slots[] = {0, 1, 2, 7, 42, 63, 99};
    uint32_t* s100 = NULL;
    uint32_t* s10 = NULL;
    uint32_t* s = NULL;
    uint8_t lid[32];
    size_t j;
    unsigned distinct = 0;
    CHECK_ST(h, api->schedule(h, 1, 0, 100, &s100), TEE_OK);
    CHECK(s100 != NULL);
    if (s100 != NULL && w1 != NULL) {
      int seen[64];
      memset(seen, 0, sizeof seen);
      for (j = 0; j < 100; ++j) {
        CHECK((size_t)s100[j] < n1);
        if (s100[j] < 64 && !seen[s100[j]]) {
          seen[s100[j]] = 1;
          ++distinct;
        }
      }
      /* Five validators, 100 slots: one leader throughout would be a bug. */
      CHECK(distinct >= 2);
      for (j = 0; j < sizeof slots / sizeof slots[0]; ++j) {
        memset(lid, 0, sizeof lid);
        CHECK_ST(h, api->leader(h, 1, slots[j], lid), TEE_OK);
        CHECK(find_weight(w1, n1, lid) >= 0);
        CHECK((size_t)s100[slots[j]] < n1 && memcmp(lid, w1[s100[slots[j]]].validator_id, 32) == 0);
      }
      /* A window of the schedule is the same window of the whole. */
      CHECK_ST(h, api->schedule(h, 1, 50, 10, &s10), TEE_OK);
      CHECK(s10 != NULL && memcmp(s10, s100 + 50, 10 * sizeof *s10) == 0);
      api->free(s10);
    }
    api->free(s100);
    CHECK_ST(h, api->leader(h, 1, UINT64_MAX, lid), TEE_OK);
    CHECK(find_weight(w1, n1, lid) >= 0);
    CHECK_ST(h, api->leader(h, 99, 0, lid), TEE_ERR_NO_SNAPSHOT);
    CHECK_ST(h, api->leader(h, 1, 0, NULL), TEE_ERR_INVALID_ARGUMENT);
    CHECK_ST(h, api->schedule(h, 1, 0, 0, &s), TEE_ERR_INVALID_ARGUMENT);
    CHECK_ST(h, api->schedule(h, 1, 0, 10, NULL), TEE_ERR_INVALID_ARGUMENT);
    CHECK_ST(h, api->schedule(h, 99, 0, 10, &s), TEE_ERR_NO_SNAPSHOT);
  }

  /* ---- a registration after on_epoch(1) counts from epoch 2 ----------- */
  CHECK_ST(h,
           api->register_validator(h, idF, stake1000, TEE_TYPE_NONE, NULL, 0, NULL, T0 + EPOCH_SECS,
                                   NULL),
           TEE_OK);
  CHECK_ST(h, api->get_record(h, idF, &rec), TEE_OK);
  CHECK(rec.registered_epoch == 2);
  {
    tee_weight* w = NULL;
    size_t n = 0;
    CHECK_ST(h, api->get_weights(h, 1, &w, &n), TEE_OK);
    CHECK(n == rep1.snapshot_size);
    CHECK(find_weight(w, n, idF) < 0);
    api->free(w);
  }
  memset(&rep2, 0, sizeof rep2);
  CHECK_ST(h, api->on_epoch(h, 2, T0 + 2u * EPOCH_SECS, seed2, &rep2), TEE_OK);
  CHECK(rep2.epoch == 2);
  CHECK(rep2.snapshot_size == rep1.snapshot_size + 1);
  CHECK(memcmp(rep2.params_hash, rep1.params_hash, 32) == 0);
  {
    tee_weight* w = NULL;
    size_t n = 0;
    CHECK_ST(h, api->get_weights(h, 2, &w, &n), TEE_OK);
    CHECK(n == rep2.snapshot_size);
    CHECK(find_weight(w, n, idF) >= 0);
    api->free(w);
  }
  CHECK_ST(h, api->get_record(h, idA, &rec), TEE_OK);
  CHECK(rec.status == TEE_VALIDATOR_ATTESTED);
  CHECK(rec.verified_at_epoch == 2);

  /* ---- deregister ------------------------------------------------------ */
  CHECK_ST(h, api->deregister(h, idUnknown), TEE_ERR_NOT_FOUND);
  CHECK_ST(h, api->deregister(h, NULL), TEE_ERR_INVALID_ARGUMENT);
  CHECK_ST(h, api->deregister(NULL, idE), TEE_ERR_INVALID_ARGUMENT);
  CHECK_ST(h, api->deregister(h, idE), TEE_OK);
  CHECK_ST(h, api->get_record(h, idE, &rec), TEE_ERR_NOT_FOUND);
  CHECK_ST(h, api->deregister(h, idE), TEE_ERR_NOT_FOUND);
  CHECK(event_count(&hs, TEE_EVENT_DEREGISTERED) >= 1);
  {
    /* Epoch 2's snapshot is frozen: E is still in it. */
    tee_weight* w = NULL;
    size_t n = 0;
    CHECK_ST(h, api->get_weights(h, 2, &w, &n), TEE_OK);
    CHECK(n == rep2.snapshot_size);
    CHECK(find_weight(w, n, idE) >= 0);
    api->free(w);
  }

  /* ---- register_batch: all or nothing --------------------------------- */
  {
    uint8_t g1[32], g2[32], g3[32], g4[32], g5[32];
    tee_registration regs[2];
    tee_register_result out[2];
    make_id(g1, 0x40, 1);
    make_id(g2, 0x40, 2);
    make_id(g3, 0x40, 3);
    make_id(g4, 0x40, 4);
    make_id(g5, 0x40, 5);
    memset(regs, 0, sizeof regs);
    regs[0].validator_id = g1;
    regs[0].stake_be = stake1000;
    regs[0].tee_type = TEE_TYPE_NONE;
    regs[0].registered_at = T0;
    regs[1] = regs[0];
    regs[1].validator_id = g2;
    memset(out, 0xAB, sizeof out);
    CHECK_ST(h, api->register_batch(h, regs, 2, out), TEE_OK);
    CHECK(out[0].attested == 0 && out[0].reason == TEE_FAIL_NONE && out[0].valid_until == -1);
    CHECK(out[1].attested == 0 && out[1].reason == TEE_FAIL_NONE && out[1].valid_until == -1);
    CHECK_ST(h, api->get_record(h, g1, &rec), TEE_OK);
    CHECK_ST(h, api->get_record(h, g2, &rec), TEE_OK);

    regs[0].validator_id = g3;
    regs[1].validator_id = g3;
    CHECK(api->register_batch(h, regs, 2, NULL) != TEE_OK); /* duplicate ids */
    CHECK_ST(h, api->get_record(h, g3, &rec), TEE_ERR_NOT_FOUND);

    regs[0].validator_id = g4;
    regs[1].validator_id = g5;
    regs[1].stake_be = zero32;
    CHECK_ST(h, api->register_batch(h, regs, 2, NULL), TEE_ERR_INVALID_ARGUMENT);
    CHECK_ST(h, api->get_record(h, g4, &rec), TEE_ERR_NOT_FOUND);
    CHECK_ST(h, api->get_record(h, g5, &rec), TEE_ERR_NOT_FOUND);

    CHECK_ST(h, api->register_batch(h, NULL, 2, NULL), TEE_ERR_INVALID_ARGUMENT);

    /* An absurd count is an argument error, found before anything is
     * allocated or read (it used to allocate first: TEE_ERR_INTERNAL). */
    regs[1].stake_be = stake1000;
    CHECK_ST(h, api->register_batch(h, regs, (size_t)TEE_MAX_BATCH + 1u, NULL),
             TEE_ERR_INVALID_ARGUMENT);
    CHECK_ST(h, api->register_batch(h, regs, SIZE_MAX / 2u, NULL), TEE_ERR_INVALID_ARGUMENT);
    CHECK(contains(api->last_error(h), "n"));
    CHECK_ST(h, api->get_record(h, g4, &rec), TEE_ERR_NOT_FOUND);
  }

  /* ---- collateral ------------------------------------------------------ */
  CHECK_ST(h, api->submit_collateral(h, TEE_TYPE_INTEL_TDX, NULL, 10, T0),
           TEE_ERR_INVALID_ARGUMENT);
  CHECK_ST2(h, api->submit_collateral(h, TEE_TYPE_INTEL_TDX, junk, 64, T0), TEE_ERR_UNSUPPORTED,
            TEE_ERR_COLLATERAL);

  /* ---- standalone verify ---------------------------------------------- */
  /* Node limits on its collateral: [tee] verify_max_collateral_blobs (256 by
   * default) and verify_max_collateral_bytes (32 MiB), checked before any blob
   * is parsed (a 100 MB blob used to take seconds). */
  {
    static tee_blob many[257];
    size_t m;
    char* json = NULL;
    size_t len = 0;
    const size_t big_len = (size_t)17 << 20;
    uint8_t* big = (uint8_t*)calloc(big_len, 1);
    tee_blob two_big[2];
    for (m = 0; m < 257; ++m) {
      many[m].data = junk;
      many[m].len = 1;
    }
    CHECK_ST(
        h,
        api->verify(h, TEE_TYPE_SIMULATED, evp, evl, many, 257, T0 + 60, NULL, NULL, &json, &len),
        TEE_ERR_TOO_LARGE);
    CHECK(json == NULL);
    CHECK(contains(api->last_error(h), "verify_max_collateral_blobs"));
    CHECK_ST(
        h,
        api->verify(h, TEE_TYPE_SIMULATED, evp, evl, many, 256, T0 + 60, NULL, NULL, &json, &len),
        TEE_OK);
    api->free(json);
    json = NULL;
    CHECK(big != NULL);
    if (big != NULL) {
      two_big[0].data = big;
      two_big[0].len = big_len;
      two_big[1] = two_big[0];
      CHECK_ST(h,
               api->verify(h, TEE_TYPE_SIMULATED, evp, evl, two_big, 2, T0 + 60, NULL, NULL, &json,
                           &len),
               TEE_ERR_TOO_LARGE);
      CHECK(json == NULL);
      CHECK(contains(api->last_error(h), "verify_max_collateral_bytes"));
      free(big);
    }
  }
  {
    char* json = NULL;
    size_t len = 0;
    CHECK_ST(h,
             api->verify(h, TEE_TYPE_SIMULATED, evp, evl, NULL, 0, T0 + 60, idA, chal, &json, &len),
             TEE_OK);
    CHECK(json != NULL && len > 0 && strlen(json) == len);
    CHECK(contains(json, "\"valid\":true"));
    CHECK(contains(json, "\"binding_valid\":true"));
    CHECK(contains(json, "\"tee_type\":\"Simulated\""));
    api->free(json);

    json = NULL;
    CHECK_ST(h,
             api->verify(h, TEE_TYPE_SIMULATED, evp, evl, NULL, 0, T0 + 60, idB, chal, &json, &len),
             TEE_OK);
    CHECK(contains(json, "\"valid\":false"));
    CHECK(contains(json, "\"reason\":\"binding_mismatch\""));
    api->free(json);

    /* No key and no challenge: no binding check. */
    json = NULL;
    CHECK_ST(
        h, api->verify(h, TEE_TYPE_SIMULATED, evp, evl, NULL, 0, T0 + 60, NULL, NULL, &json, &len),
        TEE_OK);
    CHECK(contains(json, "\"valid\":true"));
    CHECK(contains(json, "\"binding_valid\":null"));
    api->free(json);

    json = NULL;
    CHECK_ST(h,
             api->verify(h, TEE_TYPE_SIMULATED, junk, 16, NULL, 0, T0 + 60, idA, chal, &json, &len),
             TEE_OK);
    CHECK(contains(json, "\"reason\":\"malformed\""));
    api->free(json);

    json = NULL;
    CHECK_ST(h,
             api->verify(h, TEE_TYPE_SIMULATED, evp, evl, NULL, 0, T0 + 60, idA, NULL, &json, &len),
             TEE_ERR_INVALID_ARGUMENT);
    CHECK_ST(
        h, api->verify(h, TEE_TYPE_SIMULATED, evp, evl, NULL, 0, T0 + 60, NULL, chal, &json, &len),
        TEE_ERR_INVALID_ARGUMENT);
    CHECK_ST(h,
             api->verify(h, TEE_TYPE_SIMULATED, evp, evl, NULL, 0, T0 + 60, idA, chal, NULL, &len),
             TEE_ERR_INVALID_ARGUMENT);
  }

  /* ---- status ---------------------------------------------------------- */
  {
    char* json = NULL;
    size_t len = 0;
    CHECK_ST(h, api->status(h, &json, &len), TEE_OK);
    CHECK(json != NULL && len > 0 && strlen(json) == len);
    CHECK(contains(json, "params_hash"));
    api->free(json);
  }

  /* ---- several threads on one handle ---------------------------------- */
  {
    pthread_t th[N_THREADS];
    worker_arg args[N_THREADS];
    int started[N_THREADS];
    unsigned t, missing = 0;
    for (t = 0; t < N_THREADS; ++t) {
      args[t].h = h;
      args[t].t = t;
      args[t].w1 = w1;
      args[t].n1 = n1;
      started[t] = pthread_create(&th[t], NULL, worker, &args[t]) == 0;
      CHECK(started[t]);
    }
    for (t = 0; t < N_THREADS; ++t)
      if (started[t]) pthread_join(th[t], NULL);
    for (t = 0; t < N_THREADS; ++t) {
      for (i = 0; i < PER_THREAD; ++i) {
        uint8_t id[32], stake[32];
        make_id(id, THREAD_TAG + t, i);
        make_u256(stake, 100u + i);
        if (api->get_record(h, id, &rec) != TEE_OK || memcmp(rec.stake_be, stake, 32) != 0)
          ++missing;
      }
    }
    CHECK(missing == 0);
  }

  /* ---- close and reopen: the state persists --------------------------- */
  memset(&recA_before, 0, sizeof recA_before);
  CHECK_ST(h, api->get_record(h, idA, &recA_before), TEE_OK);
  CHECK(api->last_error(h) != NULL);
  api->free(w1);
  w1 = NULL;
  n1 = 0;
  CHECK_ST(h, api->close(h), TEE_OK);
  h = NULL;

  CHECK_ST(NULL, api->open(cfg_main, &cb, &h), TEE_OK);
  CHECK(h != NULL);
  if (h != NULL) {
    tee_weight* w = NULL;
    size_t n = 0;
    unsigned missing = 0, t;
    memset(&recA_after, 0xFF, sizeof recA_after);
    CHECK_ST(h, api->get_record(h, idA, &recA_after), TEE_OK);
    CHECK(record_eq(&recA_before, &recA_after));
    CHECK_ST(h, api->get_record(h, idE, &rec), TEE_ERR_NOT_FOUND);
    for (t = 0; t < N_THREADS; ++t) {
      for (i = 0; i < PER_THREAD; ++i) {
        uint8_t id[32];
        make_id(id, THREAD_TAG + t, i);
        if (api->get_record(h, id, &rec) != TEE_OK) ++missing;
      }
    }
    CHECK(missing == 0);
    CHECK_ST(h, api->on_epoch(h, 1, T0 + EPOCH_SECS, seed1, &rep2b), TEE_ERR_EPOCH_ORDER);
    memset(&rep2b, 0x33, sizeof rep2b);
    CHECK_ST(h, api->on_epoch(h, 2, T0 + 2u * EPOCH_SECS, seed2, &rep2b), TEE_OK);
    CHECK(memcmp(&rep2, &rep2b, sizeof rep2) == 0);
    CHECK_ST(h, api->get_weights(h, 2, &w, &n), TEE_OK);
    CHECK(n == rep2.snapshot_size);
    api->free(w);
  }

  /* ---- simulation off (another database) ------------------------------ */
  {
    tee_handle* h3 = NULL;
    uint8_t* ev3 = NULL;
    size_t ev3_len = 0;
    char* json = NULL;
    size_t len = 0;
    run_path(path, sizeof path, "nosim.toml");
    CHECK(write_small_config(path, run_path(db_other, sizeof db_other, "db_nosim"), "",
                             "simulation = false"));
    CHECK_ST(NULL, api->open(path, &cb, &h3), TEE_OK);
    CHECK(h3 != NULL);
    if (h3 != NULL) {
      CHECK_ST(h3, api->simulate_evidence(h3, idA, chal, T0, &ev3, &ev3_len),
               TEE_ERR_SIMULATION_DISABLED);
      api->free(ev3);
      memset(&res, 0xAB, sizeof res);
      CHECK_ST(
          h3,
          api->register_validator(h3, idA, stake1000, TEE_TYPE_SIMULATED, evp, evl, chal, T0, &res),
          TEE_OK);
      CHECK(res.attested == 0);
      CHECK(res.reason == TEE_FAIL_SIMULATION_DISABLED);
      CHECK_ST(h3, api->get_record(h3, idA, &rec), TEE_OK);
      CHECK(rec.status == TEE_VALIDATOR_UNATTESTED);
      CHECK(rec.reason == TEE_FAIL_SIMULATION_DISABLED);
      CHECK_ST(
          h3,
          api->verify(h3, TEE_TYPE_SIMULATED, evp, evl, NULL, 0, T0 + 60, idA, chal, &json, &len),
          TEE_OK);
      CHECK(contains(json, "\"valid\":false"));
      CHECK(contains(json, "\"reason\":\"simulation_disabled\""));
      api->free(json);
      CHECK_ST(h3, api->close(h3), TEE_OK);
    }
  }

  /* ---- db_path that is a regular file --------------------------------- */
  {
    tee_handle* h4 = sentinel;
    char db_file[2304];
    run_path(db_file, sizeof db_file, "plain_file");
    CHECK(write_text(db_file, "not a database\n"));
    run_path(path, sizeof path, "file_db.toml");
    CHECK(write_small_config(path, db_file, "", "simulation = true"));
    CHECK_ST(NULL, api->open(path, NULL, &h4), TEE_ERR_STORAGE);
    CHECK(h4 == NULL);
    CHECK(api->last_error(NULL) != NULL && api->last_error(NULL)[0] != '\0');
    if (h4 != NULL && h4 != sentinel) api->close(h4);
  }

  /* ---- chain parameters, empty epochs, the weight bound ---------------- */
  {
    tee_handle* h5 = NULL;
    tee_handle* h6 = sentinel;
    char db5[2304];
    uint8_t id5[32], stake5[32], seed5[32], out5[32];
    tee_epoch_report rep5;
    run_path(db5, sizeof db5, "params_db");
    run_path(path, sizeof path, "params_m2.toml");
    CHECK(write_small_config(path, db5, "", "simulation = false\nmultiplier = 2"));
    CHECK_ST(NULL, api->open(path, NULL, &h5), TEE_OK);
    if (h5 != NULL) {
      memset(seed5, 0x5a, sizeof seed5);
      /* An epoch with no validators is fine; asking it for a leader is EMPTY. */
      CHECK_ST(h5, api->on_epoch(h5, 1, 1767225600u, seed5, &rep5), TEE_OK);
      CHECK(rep5.snapshot_size == 0);
      CHECK_ST(h5, api->leader(h5, 1, 0, out5), TEE_ERR_EMPTY);
      /* 2^255 x multiplier 2 = 2^256: refused at registration, nothing stored. */
      make_id(id5, 0x55u, 1u);
      memset(stake5, 0, sizeof stake5);
      stake5[0] = 0x80;
      CHECK_ST(
          h5,
          api->register_validator(h5, id5, stake5, TEE_TYPE_NONE, NULL, 0, NULL, 1767225600u, NULL),
          TEE_ERR_OVERFLOW);
      {
        tee_record rec5;
        CHECK_ST(h5, api->get_record(h5, id5, &rec5), TEE_ERR_NOT_FOUND);
      }
      stake5[0] = 0x40; /* 2^254: fits */
      CHECK_ST(
          h5,
          api->register_validator(h5, id5, stake5, TEE_TYPE_NONE, NULL, 0, NULL, 1767225600u, NULL),
          TEE_OK);
      CHECK_ST(h5, api->on_epoch(h5, 2, 1767229200u, seed5, &rep5), TEE_OK);
      CHECK_ST(h5, api->leader(h5, 2, 0, out5), TEE_OK);
      CHECK(memcmp(out5, id5, 32) == 0);
      CHECK_ST(h5, api->close(h5), TEE_OK);
    }
    /* The same database under other chain parameters is refused... */
    run_path(path, sizeof path, "params_m3.toml");
    CHECK(write_small_config(path, db5, "", "simulation = false\nmultiplier = 3"));
    CHECK_ST(NULL, api->open(path, NULL, &h6), TEE_ERR_PARAMS_MISMATCH);
    CHECK(h6 == NULL);
    CHECK(contains(api->last_error(NULL), "migrate_params"));
    /* ...unless told to migrate. */
    run_path(path, sizeof path, "params_m3_migrate.toml");
    CHECK(write_small_config(path, db5, "migrate_params = true", "multiplier = 3"));
    h6 = NULL;
    CHECK_ST(NULL, api->open(path, NULL, &h6), TEE_OK);
    if (h6 != NULL) CHECK_ST(h6, api->close(h6), TEE_OK);
  }

  /* ---- odds and ends --------------------------------------------------- */
  CHECK_ST(NULL, api->close(NULL), TEE_OK);
  api->free(NULL);
  CHECK(api->last_error(NULL) != NULL);
  if (h != NULL) CHECK(api->last_error(h) != NULL);

  api->free(ev);
  if (h != NULL) CHECK_ST(h, api->close(h), TEE_OK);
  h = NULL;
  CHECK(dlclose(lib) == 0);
  pthread_mutex_destroy(&hs.mu);
  return finish();
}
