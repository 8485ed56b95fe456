/* reference_host.c -- reference validator host for libtenzro_tee.so.
 *
 * Loads the plugin the way a node does (dlopen + tee_negotiate, C ABI only),
 * registers a genesis validator set in one batch, runs N epochs and prints
 * each epoch's report and a digest of its leader schedule, then a table of
 * observed against expected leader shares.
 *
 *   tenzro-tee-host --plugin PATH/libtenzro_tee.so --config CONFIG.toml
 *                   --genesis GENESIS.txt [--epochs N (4)] [--slots S (432000)]
 *                   [--serve]
 *
 * --serve keeps the plugin open after the last epoch until stdin reaches end
 * of file, so that whatever the plugin serves (the HTTP API of [tee.http])
 * can be queried against a running node (issue 13: the seed's curl example).
 *
 * Written in C99 against abi/tenzro_tee.h only, plus libc, libdl and
 * libsodium (BLAKE2b for the epoch seeds and the schedule digests). It is not
 * consensus code: floating point appears only in the printed shares.
 *
 * Definitions shared with the golden vectors:
 *   seed_e          = BLAKE2b-256(unkeyed, genesis_seed[32] || e as u64 LE)
 *   schedule_digest = BLAKE2b-256(unkeyed, id[leader(slot 0)] || ... ||
 *                                          id[leader(slot S-1)])  (32-byte ids)
 *   all_schedules_digest = BLAKE2b-256(unkeyed, digest_1 || ... || digest_N)
 *
 * Genesis file (text; '#' starts a comment; blank lines ignored):
 *   genesis_time <unix seconds>
 *   epoch_secs <seconds>
 *   seed <64 hex>
 *   validator <name> <id: 64 hex> <stake: decimal or 0x-hex, < 2^256> <sim|none>
 *
 * Renewal (issue 12): a validator the plugin reports TEE_EVENT_EXPIRING is
 * renewed after that epoch's on_epoch returns (callbacks must not call back
 * into the plugin): new evidence bound to (id, the epoch's seed) from the
 * table's generate_evidence (ABI 2; simulate_evidence on an older plugin),
 * then register_validator again. A "sim" validator renews Simulated
 * evidence; a node on hardware would ask for its own TEE type.
 *
 * Exit status: 0 success, 1 plugin or genesis error, 2 bad command line.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tenzro_tee.h"

#define HOST_ID_LEN 32
#define HOST_NAME_MAX_LEN 63
#define HOST_DEFAULT_EPOCHS 4u
#define HOST_DEFAULT_SLOTS 432000u
#define HOST_SCHEDULE_CHUNK ((uint64_t)1 << 20) /* slots per schedule() call */

/* ---- small helpers ------------------------------------------------------ */

typedef int32_t (*negotiate_fn)(uint32_t, const tee_api**);
typedef const char* (*status_str_fn)(int32_t);
typedef const char* (*abi_hash_fn)(void);

/* ISO C has no conversion between object and function pointers; POSIX
 * guarantees dlsym's result has the function pointer's representation, so the
 * bits are copied (warning-free under -Wpedantic, unlike a cast). fn_out
 * points at a function-pointer variable of fn_size bytes. */
static int load_symbol(void* lib, const char* name, void* fn_out, size_t fn_size) {
  void* sym;
  (void)dlerror();
  sym = dlsym(lib, name);
  if (sym == NULL || fn_size != sizeof sym) return 0;
  memcpy(fn_out, &sym, sizeof sym);
  return 1;
}

static void to_hex(const uint8_t* b, size_t n, char* out /* 2n+1 */) {
  static const char digits[] = "0123456789abcdef";
  size_t i;
  for (i = 0; i < n; ++i) {
    out[2 * i] = digits[b[i] >> 4];
    out[2 * i + 1] = digits[b[i] & 0x0f];
  }
  out[2 * n] = '\0';
}

static int hex_nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Exactly 2n hex digits into n bytes. */
static int parse_hex_exact(const char* s, uint8_t* out, size_t n) {
  size_t i;
  if (strlen(s) != 2 * n) return 0;
  for (i = 0; i < n; ++i) {
    int hi = hex_nibble(s[2 * i]);
    int lo = hex_nibble(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return 0;
    out[i] = (uint8_t)((hi << 4) | lo);
  }
  return 1;
}

/* Unsigned decimal, digits only, no sign, no overflow. */
static int parse_u64(const char* s, uint64_t* out) {
  uint64_t v = 0;
  if (*s == '\0') return 0;
  for (; *s != '\0'; ++s) {
    unsigned d;
    if (*s < '0' || *s > '9') return 0;
    d = (unsigned)(*s - '0');
    if (v > (UINT64_MAX - d) / 10u) return 0;
    v = v * 10u + d;
  }
  *out = v;
  return 1;
}

static int is_zero(const uint8_t* b, size_t n) {
  size_t i;
  for (i = 0; i < n; ++i)
    if (b[i] != 0) return 0;
  return 1;
}

/* A 256-bit big-endian stake: decimal, or 0x followed by 1..64 hex digits.
 * Returns NULL on success, else what is wrong. */
static const char* parse_stake(const char* s, uint8_t out[32]) {
  memset(out, 0, 32);
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    const char* digits = s + 2;
    size_t len = strlen(digits);
    size_t i;
    if (len == 0) return "empty hex stake";
    if (len > 64) return "hex stake longer than 64 digits";
    for (i = 0; i < len; ++i) {
      /* Digit i from the right goes to byte 31 - i/2, high nibble when i odd. */
      int v = hex_nibble(digits[len - 1 - i]);
      size_t byte = 31 - i / 2;
      if (v < 0) return "bad hex digit in stake";
      out[byte] = (uint8_t)(out[byte] | (unsigned)v << ((i % 2u) * 4u));
    }
    return NULL;
  }
  if (*s == '\0') return "empty stake";
  for (; *s != '\0'; ++s) {
    unsigned carry;
    int i;
    if (*s < '0' || *s > '9') return "stake is neither decimal nor 0x-hex";
    carry = (unsigned)(*s - '0');
    /* out = out * 10 + digit, from the least significant byte up. */
    for (i = 31; i >= 0; --i) {
      unsigned v = (unsigned)out[i] * 10u + carry;
      out[i] = (uint8_t)(v & 0xffu);
      carry = v >> 8;
    }
    if (carry != 0) return "stake does not fit in 256 bits";
  }
  return NULL;
}

/* acc += x; returns the carry out (1 on 256-bit overflow). */
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

static double u256_to_double(const uint8_t b[32]) {
  double d = 0.0;
  size_t i;
  for (i = 0; i < 32; ++i) d = d * 256.0 + (double)b[i];
  return d;
}

/* Decimal rendering of a 256-bit big-endian value (at most 78 digits). */
static void u256_to_dec(const uint8_t b[32], char out[80]) {
  uint8_t tmp[32];
  char rev[80];
  size_t n = 0, i;
  memcpy(tmp, b, 32);
  do {
    unsigned rem = 0;
    for (i = 0; i < 32; ++i) {
      unsigned v = rem * 256u + tmp[i];
      tmp[i] = (uint8_t)(v / 10u);
      rem = v % 10u;
    }
    rev[n++] = (char)('0' + rem);
  } while (!is_zero(tmp, 32));
  for (i = 0; i < n; ++i) out[i] = rev[n - 1 - i];
  out[n] = '\0';
}

/* "0x" + hex without leading zeros ("0x0" for zero). */
static void u256_to_hex(const uint8_t b[32], char out[67]) {
  char full[65];
  const char* p;
  to_hex(b, 32, full);
  p = full;
  while (*p == '0' && p[1] != '\0') ++p;
  out[0] = '0';
  out[1] = 'x';
  memcpy(out + 2, p, strlen(p) + 1);
}

static const char* fail_name(int32_t reason) {
  static const char* const names[] = {"none",
                                      "malformed",
                                      "unsupported",
                                      "bad_signature",
                                      "chain_untrusted",
                                      "chain_incomplete",
                                      "not_yet_valid",
                                      "expired",
                                      "revoked",
                                      "collateral_missing",
                                      "no_matching_tcb",
                                      "tcb_status_rejected",
                                      "firmware_too_old",
                                      "debug_enclave",
                                      "vmpl",
                                      "policy_violation",
                                      "measurement_mismatch",
                                      "binding_mismatch",
                                      "nonce_mismatch",
                                      "simulation_disabled",
                                      "internal"};
  if (reason < 0 || (size_t)reason >= sizeof names / sizeof names[0]) return "unknown";
  return names[reason];
}

/* ---- genesis file ------------------------------------------------------- */

typedef struct validator {
  char name[HOST_NAME_MAX_LEN + 1];
  uint8_t id[HOST_ID_LEN];
  uint8_t stake[32];
  int sim;
  /* filled while running */
  uint8_t* evidence; /* plugin-allocated; released with api->free */
  size_t evidence_len;
  tee_register_result reg;
  int last_attested; /* from the last epoch's weights */
  uint8_t last_weight[32];
  uint64_t slots;      /* slots led over all epochs */
  double expected_sum; /* sum over epochs of weight / total weight */
} validator;

typedef struct genesis {
  uint64_t time;
  uint64_t epoch_secs;
  uint8_t seed[32];
  int have_time, have_epoch_secs, have_seed;
  validator* v;
  size_t n, cap;
} genesis;

static void genesis_error(const char* path, unsigned long line, const char* what,
                          const char* token) {
  if (token != NULL)
    fprintf(stderr, "error: %s:%lu: %s: '%s'\n", path, line, what, token);
  else
    fprintf(stderr, "error: %s:%lu: %s\n", path, line, what);
}

/* Returns 1 on success; prints the first problem with its line number. */
static int read_genesis(const char* path, genesis* g) {
  FILE* f = fopen(path, "r");
  char* buf = NULL;
  size_t buf_cap = 0;
  unsigned long line = 0;
  int ok = 1;

  memset(g, 0, sizeof *g);
  if (f == NULL) {
    fprintf(stderr, "error: cannot open genesis file %s\n", path);
    return 0;
  }
  while (ok && getline(&buf, &buf_cap, f) != -1) {
    char* tok[6];
    size_t ntok = 0;
    char* p;
    ++line;
    p = strchr(buf, '#');
    if (p != NULL) *p = '\0';
    /* Split on blanks; at most 5 fields are meaningful, a 6th is an error. */
    p = buf;
    for (;;) {
      while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') ++p;
      if (*p == '\0') break;
      if (ntok == 6) break;
      tok[ntok++] = p;
      while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') ++p;
      if (*p != '\0') *p++ = '\0';
    }
    if (ntok == 0) continue;

    if (strcmp(tok[0], "genesis_time") == 0 || strcmp(tok[0], "epoch_secs") == 0) {
      int is_time = tok[0][0] == 'g';
      uint64_t v;
      if (ntok != 2) {
        genesis_error(path, line, "expected one value after", tok[0]);
        ok = 0;
      } else if (is_time ? g->have_time : g->have_epoch_secs) {
        genesis_error(path, line, "given twice", tok[0]);
        ok = 0;
      } else if (!parse_u64(tok[1], &v) || (!is_time && v == 0)) {
        genesis_error(
            path, line,
            is_time ? "bad genesis_time (unix seconds)" : "bad epoch_secs (positive seconds)",
            tok[1]);
        ok = 0;
      } else if (is_time) {
        g->time = v;
        g->have_time = 1;
      } else {
        g->epoch_secs = v;
        g->have_epoch_secs = 1;
      }
    } else if (strcmp(tok[0], "seed") == 0) {
      if (ntok != 2) {
        genesis_error(path, line, "expected one value after", tok[0]);
        ok = 0;
      } else if (g->have_seed) {
        genesis_error(path, line, "given twice", tok[0]);
        ok = 0;
      } else if (!parse_hex_exact(tok[1], g->seed, 32)) {
        genesis_error(path, line, "seed must be 64 hex digits", tok[1]);
        ok = 0;
      } else {
        g->have_seed = 1;
      }
    } else if (strcmp(tok[0], "validator") == 0) {
      validator v;
      const char* err;
      size_t i;
      memset(&v, 0, sizeof v);
      if (ntok != 5) {
        genesis_error(path, line, "expected: validator <name> <id> <stake> <sim|none>", NULL);
        ok = 0;
        continue;
      }
      if (strlen(tok[1]) > HOST_NAME_MAX_LEN) {
        genesis_error(path, line, "validator name longer than 63 characters", tok[1]);
        ok = 0;
        continue;
      }
      memcpy(v.name, tok[1], strlen(tok[1]) + 1);
      if (!parse_hex_exact(tok[2], v.id, HOST_ID_LEN)) {
        genesis_error(path, line, "validator id must be 64 hex digits", tok[2]);
        ok = 0;
        continue;
      }
      err = parse_stake(tok[3], v.stake);
      if (err != NULL) {
        genesis_error(path, line, err, tok[3]);
        ok = 0;
        continue;
      }
      if (is_zero(v.stake, 32)) {
        genesis_error(path, line, "stake must be non-zero", tok[3]);
        ok = 0;
        continue;
      }
      if (strcmp(tok[4], "sim") == 0) {
        v.sim = 1;
      } else if (strcmp(tok[4], "none") == 0) {
        v.sim = 0;
      } else {
        genesis_error(path, line, "expected sim or none", tok[4]);
        ok = 0;
        continue;
      }
      for (i = 0; i < g->n; ++i) {
        if (strcmp(g->v[i].name, v.name) == 0) {
          genesis_error(path, line, "duplicate validator name", v.name);
          ok = 0;
          break;
        }
        if (memcmp(g->v[i].id, v.id, HOST_ID_LEN) == 0) {
          genesis_error(path, line, "duplicate validator id", tok[2]);
          ok = 0;
          break;
        }
      }
      if (!ok) continue;
      if (g->n == g->cap) {
        size_t cap = g->cap == 0 ? 16 : g->cap * 2;
        validator* nv = (validator*)realloc(g->v, cap * sizeof *nv);
        if (nv == NULL) {
          fprintf(stderr, "error: out of memory\n");
          ok = 0;
          continue;
        }
        g->v = nv;
        g->cap = cap;
      }
      g->v[g->n++] = v;
    } else {
      genesis_error(path, line, "unknown directive", tok[0]);
      ok = 0;
    }
  }
  if (ok && ferror(f)) {
    fprintf(stderr, "error: %s: read error\n", path);
    ok = 0;
  }
  free(buf);
  fclose(f);
  if (!ok) return 0;
  if (!g->have_time || !g->have_epoch_secs || !g->have_seed) {
    fprintf(stderr, "error: %s: genesis_time, epoch_secs and seed are all required\n", path);
    return 0;
  }
  if (g->n == 0) {
    fprintf(stderr, "error: %s: no validator lines\n", path);
    return 0;
  }
  return 1;
}

/* ---- host callbacks ----------------------------------------------------- */

/* Indexed by TEE_EVENT_* (1..4); slot 0 counts unknown events. Validator events
 * are triggered by register/deregister/on_epoch, which this single-threaded
 * host calls from its main thread, so the counters need no lock. */
typedef struct host_events {
  unsigned long count[5];
  /* Ids reported expiring since the last renewal round. */
  uint8_t (*expiring)[HOST_ID_LEN];
  size_t n_expiring, cap_expiring;
  int oom;
} host_events;

static void host_log(void* user, int32_t level, const char* line, size_t len) {
  (void)user;
  (void)level;
  if (line == NULL) len = 0;
  /* One fprintf per line: stdio locks the stream, so lines from plugin
   * threads do not interleave. */
  fprintf(stderr, "[plugin] %.*s\n", len > (size_t)INT_MAX ? INT_MAX : (int)len,
          line != NULL ? line : "");
}

static void host_validator_event(void* user, const uint8_t validator_id[32], int32_t event,
                                 int32_t reason) {
  host_events* ev = (host_events*)user;
  (void)reason;
  if (event >= TEE_EVENT_REGISTERED && event <= TEE_EVENT_EXPIRING)
    ++ev->count[event];
  else
    ++ev->count[0];
  if (event == TEE_EVENT_EXPIRING && validator_id != NULL) {
    if (ev->n_expiring == ev->cap_expiring) {
      size_t cap = ev->cap_expiring == 0 ? 16 : 2 * ev->cap_expiring;
      void* p = realloc(ev->expiring, cap * HOST_ID_LEN);
      if (p == NULL) {
        ev->oom = 1;
        return;
      }
      ev->expiring = (uint8_t(*)[HOST_ID_LEN])p;
      ev->cap_expiring = cap;
    }
    memcpy(ev->expiring[ev->n_expiring++], validator_id, HOST_ID_LEN);
  }
}

/* ---- the run ------------------------------------------------------------ */

typedef struct host {
  void* lib;
  const tee_api* api;
  tee_handle* h;
  status_str_fn status_str;
} host;

static const char* status_name(const host* hs, int32_t st) {
  if (hs->status_str != NULL) {
    const char* s = hs->status_str(st);
    if (s != NULL) return s;
  }
  return "TEE_ERR_UNKNOWN";
}

/* Prints a failed call. Must run right after the call, on the same thread,
 * so last_error still describes it. */
static void report_failure(const host* hs, const char* call, int32_t st) {
  const char* msg = hs->api->last_error(hs->h);
  fprintf(stderr, "error: %s: %s (%d): %s\n", call, status_name(hs, st), (int)st,
          msg != NULL ? msg : "");
}

static void usage(FILE* out) {
  fprintf(out,
          "usage: tenzro-tee-host --plugin PATH/libtenzro_tee.so --config CONFIG.toml\n"
          "                       --genesis GENESIS.txt [--epochs N (default 4)]\n"
          "                       [--slots S (default 432000)] [--serve]\n"
          "  --serve  after the last epoch, keep the plugin open (its [tee.http] API\n"
          "           answering) until stdin reaches end of file\n");
}

static int run(host* hs, const char* config, genesis* g, uint64_t epochs, uint64_t slots);

int main(int argc, char** argv) {
  const char* plugin = NULL;
  const char* config = NULL;
  const char* genesis_path = NULL;
  uint64_t epochs = HOST_DEFAULT_EPOCHS;
  uint64_t slots = HOST_DEFAULT_SLOTS;
  negotiate_fn negotiate = NULL;
  abi_hash_fn abi_hash = NULL;
  host hs;
  genesis g;
  int i, rc;
  int serve = 0;
  int32_t st;
  size_t k;

  for (i = 1; i < argc; ++i) {
    const char* a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return 0;
    }
    if (strcmp(a, "--serve") == 0) {
      serve = 1;
      continue;
    }
    if (i + 1 >= argc) {
      fprintf(stderr, "error: %s needs a value\n", a);
      usage(stderr);
      return 2;
    }
    if (strcmp(a, "--plugin") == 0) {
      plugin = argv[++i];
    } else if (strcmp(a, "--config") == 0) {
      config = argv[++i];
    } else if (strcmp(a, "--genesis") == 0) {
      genesis_path = argv[++i];
    } else if (strcmp(a, "--epochs") == 0) {
      if (!parse_u64(argv[++i], &epochs) || epochs == 0) {
        fprintf(stderr, "error: --epochs wants a positive integer\n");
        usage(stderr);
        return 2;
      }
    } else if (strcmp(a, "--slots") == 0) {
      if (!parse_u64(argv[++i], &slots) || slots == 0) {
        fprintf(stderr, "error: --slots wants a positive integer\n");
        usage(stderr);
        return 2;
      }
    } else {
      fprintf(stderr, "error: unknown argument %s\n", a);
      usage(stderr);
      return 2;
    }
  }
  if (plugin == NULL || config == NULL || genesis_path == NULL) {
    fprintf(stderr, "error: --plugin, --config and --genesis are required\n");
    usage(stderr);
    return 2;
  }

  if (sodium_init() < 0) {
    fprintf(stderr, "error: sodium_init failed\n");
    return 1;
  }
  if (!read_genesis(genesis_path, &g)) {
    free(g.v);
    return 1;
  }
  if (g.epoch_secs != 0 && epochs > (UINT64_MAX - g.time) / g.epoch_secs) {
    fprintf(stderr, "error: genesis_time + epochs * epoch_secs overflows 64 bits\n");
    free(g.v);
    return 1;
  }

  memset(&hs, 0, sizeof hs);
  hs.lib = dlopen(plugin, RTLD_NOW | RTLD_LOCAL);
  if (hs.lib == NULL) {
    const char* e = dlerror();
    fprintf(stderr, "error: dlopen %s: %s\n", plugin, e != NULL ? e : "unknown error");
    free(g.v);
    return 1;
  }
  if (!load_symbol(hs.lib, "tee_negotiate", &negotiate, sizeof negotiate)) {
    const char* e = dlerror();
    fprintf(stderr, "error: dlsym tee_negotiate: %s\n", e != NULL ? e : "not found");
    dlclose(hs.lib);
    free(g.v);
    return 1;
  }
  /* Both are part of the header; the host copes without them. */
  if (!load_symbol(hs.lib, "tee_status_str", &hs.status_str, sizeof hs.status_str))
    hs.status_str = NULL;
  if (!load_symbol(hs.lib, "tee_abi_hash", &abi_hash, sizeof abi_hash)) abi_hash = NULL;

  st = negotiate(TEE_ABI_VERSION, &hs.api);
  if (st != TEE_OK || hs.api == NULL) {
    /* No table, so no last_error to ask. */
    fprintf(stderr, "error: tee_negotiate: %s (%d): plugin cannot serve ABI version %u\n",
            status_name(&hs, st), (int)st, (unsigned)TEE_ABI_VERSION);
    dlclose(hs.lib);
    free(g.v);
    return 1;
  }
  if (hs.api->abi_version != TEE_ABI_VERSION || hs.api->size < sizeof(tee_api)) {
    fprintf(stderr,
            "error: tee_negotiate: table has abi_version %u and size %u; "
            "this host needs version %u and size >= %u\n",
            (unsigned)hs.api->abi_version, (unsigned)hs.api->size, (unsigned)TEE_ABI_VERSION,
            (unsigned)sizeof(tee_api));
    dlclose(hs.lib);
    free(g.v);
    return 1;
  }
  printf("plugin %s abi_version=%u abi_hash=%s\n", plugin, (unsigned)hs.api->abi_version,
         abi_hash != NULL && abi_hash() != NULL ? abi_hash() : "(none)");

  rc = run(&hs, config, &g, epochs, slots);
  if (rc == 0 && serve) {
    printf("serving until stdin closes\n");
    fflush(stdout);
    while (fgetc(stdin) != EOF) {
    }
  }

  for (k = 0; k < g.n; ++k) hs.api->free(g.v[k].evidence);
  if (hs.h != NULL) {
    st = hs.api->close(hs.h);
    /* The handle is gone either way; ask for the message without it. */
    hs.h = NULL;
    if (st != TEE_OK && rc == 0) {
      report_failure(&hs, "close", st);
      rc = 1;
    }
  }
  dlclose(hs.lib);
  free(g.v);
  return rc;
}

/* Renews every validator reported expiring: evidence bound to (id, seed_e)
 * issued at epoch_time, then register_validator (a renewal: same id).
 * Returns 0, or 1 after printing the failed call. */
static int renew_expiring(host* hs, genesis* g, host_events* events, const uint8_t seed_e[32],
                          uint64_t epoch_time) {
  const tee_api* api = hs->api;
  const int has_generate =
      api->abi_version >= 2u &&
      api->size >= offsetof(tee_api, generate_evidence) + sizeof api->generate_evidence;
  size_t i, k;
  if (events->oom) {
    fprintf(stderr, "error: out of memory recording expiring validators\n");
    return 1;
  }
  for (i = 0; i < events->n_expiring; ++i) {
    validator* v = NULL;
    uint8_t* ev = NULL;
    size_t ev_len = 0;
    tee_register_result res;
    int32_t st;
    for (k = 0; k < g->n; ++k)
      if (memcmp(g->v[k].id, events->expiring[i], HOST_ID_LEN) == 0) v = &g->v[k];
    if (v == NULL || !v->sim) continue; /* nothing this host can renew */
    st = has_generate ? api->generate_evidence(hs->h, TEE_TYPE_SIMULATED, v->id, seed_e, epoch_time,
                                               &ev, &ev_len)
                      : api->simulate_evidence(hs->h, v->id, seed_e, epoch_time, &ev, &ev_len);
    if (st != TEE_OK) {
      report_failure(hs, has_generate ? "generate_evidence" : "simulate_evidence", st);
      return 1;
    }
    memset(&res, 0, sizeof res);
    st = api->register_validator(hs->h, v->id, v->stake, TEE_TYPE_SIMULATED, ev, ev_len, seed_e,
                                 epoch_time, &res);
    api->free(ev);
    if (st != TEE_OK) {
      report_failure(hs, "register_validator", st);
      return 1;
    }
    printf("  renewed %s attested=%d reason=%s valid_until=%lld\n", v->name, (int)res.attested,
           fail_name(res.reason), (long long)res.valid_until);
  }
  events->n_expiring = 0;
  return 0;
}

/* Everything between open and close. Returns the exit status. */
static int run(host* hs, const char* config, genesis* g, uint64_t epochs, uint64_t slots) {
  const tee_api* api = hs->api;
  host_events events;
  tee_host_callbacks cb;
  tee_registration* regs = NULL;
  tee_register_result* results = NULL;
  size_t* map = NULL; /* weights index -> genesis index, per epoch */
  crypto_generichash_state all_state;
  uint8_t all_digest[32];
  char hex[65];
  size_t name_w = 4, stake_w = 5, weight_w = 6;
  int rc = 1;
  int32_t st;
  uint64_t e;
  size_t i;

  memset(&events, 0, sizeof events);
  memset(&cb, 0, sizeof cb);
  cb.size = (uint32_t)sizeof cb;
  cb.user = &events;
  cb.log = host_log;
  cb.validator_event = host_validator_event;
  cb.collateral_fetched = NULL;

  st = api->open(config, &cb, &hs->h);
  if (st != TEE_OK) {
    report_failure(hs, "open", st); /* h is NULL: last_error(NULL) */
    hs->h = NULL;
    return 1;
  }

  /* Genesis: Simulated evidence bound to (id, genesis seed), issued at the
   * genesis time, then every validator in one atomic batch. */
  regs = (tee_registration*)calloc(g->n, sizeof *regs);
  results = (tee_register_result*)calloc(g->n, sizeof *results);
  map = (size_t*)calloc(g->n, sizeof *map);
  if (regs == NULL || results == NULL || map == NULL) {
    fprintf(stderr, "error: out of memory\n");
    goto done;
  }
  for (i = 0; i < g->n; ++i) {
    validator* v = &g->v[i];
    if (v->sim) {
      st = api->simulate_evidence(hs->h, v->id, g->seed, g->time, &v->evidence, &v->evidence_len);
      if (st != TEE_OK) {
        report_failure(hs, "simulate_evidence", st);
        goto done;
      }
      regs[i].tee_type = TEE_TYPE_SIMULATED;
      regs[i].evidence = v->evidence;
      regs[i].evidence_len = v->evidence_len;
      regs[i].challenge = g->seed;
    } else {
      regs[i].tee_type = TEE_TYPE_NONE;
      regs[i].evidence = NULL;
      regs[i].evidence_len = 0;
      regs[i].challenge = NULL;
    }
    regs[i].validator_id = v->id;
    regs[i].stake_be = v->stake;
    regs[i].registered_at = g->time;
  }
  st = api->register_batch(hs->h, regs, g->n, results);
  if (st != TEE_OK) {
    report_failure(hs, "register_batch", st);
    goto done;
  }
  to_hex(g->seed, 32, hex);
  printf("genesis validators=%lu genesis_time=%llu epoch_secs=%llu seed=%s\n", (unsigned long)g->n,
         (unsigned long long)g->time, (unsigned long long)g->epoch_secs, hex);
  for (i = 0; i < g->n; ++i) {
    validator* v = &g->v[i];
    v->reg = results[i];
    printf("registered %s type=%s attested=%d reason=%s valid_until=%lld\n", v->name,
           v->sim ? "simulated" : "none", (int)v->reg.attested, fail_name(v->reg.reason),
           (long long)v->reg.valid_until);
  }

  crypto_generichash_init(&all_state, NULL, 0, 32);
  for (e = 1; e <= epochs; ++e) {
    uint64_t epoch_time = g->time + e * g->epoch_secs;
    uint8_t msg[40], seed_e[32], digest[32], sum[32];
    char tw[67], ph[65], ch[65];
    tee_epoch_report rep;
    tee_weight* w = NULL;
    size_t n = 0, j;
    uint32_t* sched = NULL;
    uint64_t first, count = 0;
    crypto_generichash_state state;
    double total;
    int bad = 0;

    memcpy(msg, g->seed, 32);
    for (j = 0; j < 8; ++j) msg[32 + j] = (uint8_t)(e >> (8 * j));
    crypto_generichash(seed_e, 32, msg, sizeof msg, NULL, 0);

    memset(&rep, 0, sizeof rep);
    st = api->on_epoch(hs->h, e, epoch_time, seed_e, &rep);
    if (st != TEE_OK) {
      report_failure(hs, "on_epoch", st);
      goto done;
    }
    if (rep.epoch != e || rep.epoch_time != epoch_time) {
      fprintf(stderr, "error: on_epoch: report is for epoch %llu at %llu, asked %llu at %llu\n",
              (unsigned long long)rep.epoch, (unsigned long long)rep.epoch_time,
              (unsigned long long)e, (unsigned long long)epoch_time);
      goto done;
    }
    u256_to_hex(rep.total_weight_be, tw);
    to_hex(rep.params_hash, 32, ph);
    to_hex(rep.collateral_hash, 32, ch);
    to_hex(seed_e, 32, hex);
    printf("epoch %llu time=%llu seed=%s\n", (unsigned long long)e, (unsigned long long)epoch_time,
           hex);
    printf("  snapshot_size=%llu attested=%llu reevaluated=%llu demoted=%llu expiring=%llu\n",
           (unsigned long long)rep.snapshot_size, (unsigned long long)rep.attested,
           (unsigned long long)rep.reevaluated, (unsigned long long)rep.demoted,
           (unsigned long long)rep.expiring);
    printf("  params_hash=%s\n  collateral_hash=%s\n  total_weight=%s\n", ph, ch, tw);

    st = api->get_weights(hs->h, e, &w, &n);
    if (st != TEE_OK) {
      report_failure(hs, "get_weights", st);
      goto done;
    }
    /* The snapshot must be the genesis set, id-ordered, summing to the
     * report's total. */
    memset(sum, 0, sizeof sum);
    if (n != rep.snapshot_size || n != g->n) {
      fprintf(stderr, "error: get_weights: %lu weights, snapshot_size %llu, genesis %lu\n",
              (unsigned long)n, (unsigned long long)rep.snapshot_size, (unsigned long)g->n);
      bad = 1;
    }
    for (j = 0; j < n && !bad; ++j) {
      size_t k;
      if (j > 0 && memcmp(w[j - 1].validator_id, w[j].validator_id, HOST_ID_LEN) >= 0) {
        fprintf(stderr, "error: get_weights: ids not strictly increasing at %lu\n",
                (unsigned long)j);
        bad = 1;
        break;
      }
      for (k = 0; k < g->n; ++k)
        if (memcmp(g->v[k].id, w[j].validator_id, HOST_ID_LEN) == 0) break;
      if (k == g->n) {
        to_hex(w[j].validator_id, 32, hex);
        fprintf(stderr, "error: get_weights: validator %s is not in the genesis file\n", hex);
        bad = 1;
        break;
      }
      map[j] = k;
      if (u256_add(sum, w[j].weight_be) != 0) {
        fprintf(stderr, "error: get_weights: weights overflow 256 bits\n");
        bad = 1;
      }
    }
    if (!bad && memcmp(sum, rep.total_weight_be, 32) != 0) {
      fprintf(stderr, "error: get_weights: weights do not sum to the report's total_weight\n");
      bad = 1;
    }
    if (bad) {
      api->free(w);
      goto done;
    }

    /* The schedule is read in windows: same leaders as one call (a window of
     * the schedule is that window of the whole), bounded memory for any S. */
    crypto_generichash_init(&state, NULL, 0, 32);
    for (first = 0; first < slots && !bad; first += count) {
      count = slots - first < HOST_SCHEDULE_CHUNK ? slots - first : HOST_SCHEDULE_CHUNK;
      sched = NULL;
      st = api->schedule(hs->h, e, first, count, &sched);
      if (st != TEE_OK) {
        report_failure(hs, "schedule", st);
        api->free(w);
        goto done;
      }
      for (j = 0; j < (size_t)count; ++j) {
        uint32_t idx = sched[j];
        if ((size_t)idx >= n) {
          fprintf(stderr, "error: schedule: slot %llu has index %lu, only %lu validators\n",
                  (unsigned long long)(first + j), (unsigned long)idx, (unsigned long)n);
          bad = 1;
          break;
        }
        ++g->v[map[idx]].slots;
        crypto_generichash_update(&state, w[idx].validator_id, HOST_ID_LEN);
      }
      api->free(sched);
    }
    if (bad) {
      api->free(w);
      goto done;
    }
    crypto_generichash_final(&state, digest, 32);
    crypto_generichash_update(&all_state, digest, 32);
    to_hex(digest, 32, hex);
    printf("schedule_digest epoch=%llu %s\n", (unsigned long long)e, hex);

    total = u256_to_double(rep.total_weight_be);
    for (j = 0; j < n; ++j) {
      validator* v = &g->v[map[j]];
      if (total > 0.0) v->expected_sum += u256_to_double(w[j].weight_be) / total;
      v->last_attested = w[j].attested != 0;
      memcpy(v->last_weight, w[j].weight_be, 32);
    }
    api->free(w);
    if (renew_expiring(hs, g, &events, seed_e, epoch_time) != 0) goto done;
  }
  crypto_generichash_final(&all_state, all_digest, 32);

  /* Table: weight and attestation as of the last epoch; shares over all. */
  {
    char stake[80], weight[80];
    double all_slots = (double)epochs * (double)slots;
    for (i = 0; i < g->n; ++i) {
      size_t l = strlen(g->v[i].name);
      if (l > name_w) name_w = l;
      u256_to_dec(g->v[i].stake, stake);
      if (strlen(stake) > stake_w) stake_w = strlen(stake);
      u256_to_dec(g->v[i].last_weight, weight);
      if (strlen(weight) > weight_w) weight_w = strlen(weight);
    }
    printf("\n%-*s  %*s  %-8s  %*s  %12s  %10s  %10s\n", (int)name_w, "name", (int)stake_w, "stake",
           "attested", (int)weight_w, "weight", "slots", "observed%", "expected%");
    for (i = 0; i < g->n; ++i) {
      const validator* v = &g->v[i];
      u256_to_dec(v->stake, stake);
      u256_to_dec(v->last_weight, weight);
      printf("%-*s  %*s  %-8s  %*s  %12llu  %10.2f  %10.2f\n", (int)name_w, v->name, (int)stake_w,
             stake, v->last_attested ? "yes" : "no", (int)weight_w, weight,
             (unsigned long long)v->slots, 100.0 * (double)v->slots / all_slots,
             100.0 * v->expected_sum / (double)epochs);
    }
    printf("\nevents registered=%lu deregistered=%lu demoted=%lu expiring=%lu other=%lu\n",
           events.count[TEE_EVENT_REGISTERED], events.count[TEE_EVENT_DEREGISTERED],
           events.count[TEE_EVENT_DEMOTED], events.count[TEE_EVENT_EXPIRING], events.count[0]);
  }
  to_hex(all_digest, 32, hex);
  printf("all_schedules_digest %s\n", hex);
  fflush(stdout);
  rc = 0;

done:
  free(regs);
  free(results);
  free(map);
  free(events.expiring);
  return rc;
}
