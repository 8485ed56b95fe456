/* Issue 14 from C, as a node would: dlopen the module, negotiate ABI 2, and
 * run the seed's enclave encrypt/decrypt example and a 2-of-3 FROST signing
 * through the table; the signature is checked with libsodium's
 * crypto_sign_verify_detached. Usage: abi_enclave_test MODULE SCRATCH_DIR */
#include <dlfcn.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tenzro_tee.h"

static int g_fail;
#define CHECK(x)                                                            \
  do {                                                                      \
    if (!(x)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #x); \
      ++g_fail;                                                             \
    }                                                                       \
  } while (0)

static const tee_api* api;

static int write_config(const char* path, const char* db, const char* sim, const char* src) {
  FILE* f = fopen(path, "wb");
  if (f == NULL) return 0;
  fprintf(f,
          "[tee]\ndb_path = '%s'\nrocksdb_memory_mb = 16\nlog_level = \"error\"\n"
          "[tee.consensus]\nsimulation = %s\n[tee.enclave]\nkey_source = \"%s\"\n"
          "vendor = \"tdx\"\n",
          db, sim, src);
  return fclose(f) == 0;
}

static tee_handle* open_with(const char* dir, const char* name, const char* sim, const char* src) {
  char cfg[1024], db[1024];
  tee_handle* h = NULL;
  snprintf(cfg, sizeof cfg, "%s/%s.toml", dir, name);
  snprintf(db, sizeof db, "%s/%s-db", dir, name);
  if (!write_config(cfg, db, sim, src)) return NULL;
  if (api->open(cfg, NULL, &h) != TEE_OK) {
    fprintf(stderr, "open %s: %s\n", name, api->last_error(NULL));
    return NULL;
  }
  return h;
}

static void seed_example(tee_handle* h, tee_handle* prod) {
  static const char plain[] = "MPC key share for wallet";
  static const char kid[] = "wallet-share-1";
  uint8_t* ct = NULL;
  uint8_t* pt = NULL;
  size_t ct_len = 0, pt_len = 0;
  CHECK(api->enclave_encrypt(h, (const uint8_t*)kid, strlen(kid), (const uint8_t*)plain,
                             strlen(plain), &ct, &ct_len) == TEE_OK);
  CHECK(ct != NULL && ct_len == 1 + 12 + strlen(plain) + 16);
  CHECK(api->enclave_decrypt(h, (const uint8_t*)kid, strlen(kid), ct, ct_len, &pt, &pt_len) ==
        TEE_OK);
  CHECK(pt != NULL && pt_len == strlen(plain) && memcmp(pt, plain, pt_len) == 0);
  api->free(pt);
  pt = NULL;
  /* Wrong key id, tampered, truncated: an error and no plaintext. */
  CHECK(api->enclave_decrypt(h, (const uint8_t*)"wallet-share-2", 14, ct, ct_len, &pt, &pt_len) ==
            TEE_ERR_AUTHENTICATION &&
        pt == NULL);
  ct[ct_len - 1] ^= 1;
  CHECK(api->enclave_decrypt(h, (const uint8_t*)kid, strlen(kid), ct, ct_len, &pt, &pt_len) ==
            TEE_ERR_AUTHENTICATION &&
        pt == NULL);
  ct[ct_len - 1] ^= 1;
  CHECK(api->enclave_decrypt(h, (const uint8_t*)kid, strlen(kid), ct, 20, &pt, &pt_len) ==
            TEE_ERR_INVALID_ARGUMENT &&
        pt == NULL);
  /* A production node (no key source) refuses the simulation ciphertext and
   * cannot encrypt: no silent fallback. */
  CHECK(api->enclave_decrypt(prod, (const uint8_t*)kid, strlen(kid), ct, ct_len, &pt, &pt_len) ==
        TEE_ERR_SIMULATION_DISABLED);
  api->free(ct); /* the calls below reuse ct as an output that must stay NULL */
  ct = NULL;
  CHECK(api->enclave_encrypt(prod, (const uint8_t*)kid, strlen(kid), (const uint8_t*)plain, 1, &ct,
                             &ct_len) == TEE_ERR_UNSUPPORTED);
  CHECK(strcmp(api->last_error(prod), "no hardware key source for IntelTdx") == 0);
  CHECK(ct == NULL);
  /* Argument checks. */
  CHECK(api->enclave_encrypt(h, NULL, 1, (const uint8_t*)plain, 1, &ct, &ct_len) ==
        TEE_ERR_INVALID_ARGUMENT);
  CHECK(api->enclave_encrypt(h, (const uint8_t*)kid, 0, (const uint8_t*)plain, 1, &ct, &ct_len) ==
        TEE_ERR_INVALID_ARGUMENT);
  CHECK(api->enclave_encrypt(h, (const uint8_t*)kid, 3, NULL, 5, &ct, &ct_len) ==
        TEE_ERR_INVALID_ARGUMENT);
  CHECK(api->enclave_encrypt(NULL, (const uint8_t*)kid, 3, NULL, 0, &ct, &ct_len) ==
        TEE_ERR_INVALID_ARGUMENT);
  CHECK(api->enclave_recipient_public_key(h, &ct, &ct_len) == TEE_ERR_UNSUPPORTED);
}

static void mpc_demo(tee_handle* h) {
  uint8_t gpk[32], c[3][66], list[1 + 2 * 66], shares[1 + 2 * 34], sig[64], bad[255];
  uint8_t rd[64];
  size_t nbad = 0;
  static const char msg[] = "transfer 10 TNZO";
  static const char event[] = "event-1";
  const uint8_t* m = (const uint8_t*)msg;
  size_t mlen = strlen(msg);
  CHECK(api->mpc_generate_shares(h, 2, 3, gpk) == TEE_OK);
  CHECK(api->mpc_generate_shares(h, 1, 3, gpk) == TEE_ERR_INVALID_ARGUMENT);
  CHECK(api->mpc_commit(h, gpk, 1, c[0]) == TEE_OK);
  CHECK(api->mpc_commit(h, gpk, 3, c[2]) == TEE_OK);
  list[0] = 2;
  memcpy(list + 1, c[0], 66);
  memcpy(list + 67, c[2], 66);
  shares[0] = 2;
  CHECK(api->mpc_sign_with_share(h, gpk, 1, m, mlen, list, sizeof list, shares + 1) == TEE_OK);
  CHECK(api->mpc_sign_with_share(h, gpk, 3, m, mlen, list, sizeof list, shares + 35) == TEE_OK);
  /* Nonces are single use. */
  CHECK(api->mpc_sign_with_share(h, gpk, 1, m, mlen, list, sizeof list, shares + 1) ==
        TEE_ERR_NOT_FOUND);
  CHECK(api->mpc_aggregate(h, gpk, m, mlen, list, sizeof list, shares, sizeof shares, sig, bad,
                           &nbad) == TEE_OK);
  CHECK(crypto_sign_verify_detached(sig, m, mlen, gpk) == 0);
  /* A corrupted share is named. */
  shares[35 + 2] ^= 1;
  CHECK(api->mpc_aggregate(h, gpk, m, mlen, list, sizeof list, shares, sizeof shares, sig, bad,
                           &nbad) == TEE_ERR_AUTHENTICATION);
  CHECK(nbad == 1 && bad[0] == 3);
  /* Attested signing event binding. */
  CHECK(api->mpc_signing_report_data(NULL, gpk, m, mlen, (const uint8_t*)event, strlen(event),
                                     rd) == TEE_OK);
  CHECK(api->mpc_check_signing_binding(NULL, rd, gpk, m, mlen, (const uint8_t*)event,
                                       strlen(event)) == TEE_OK);
  rd[0] ^= 1;
  CHECK(api->mpc_check_signing_binding(NULL, rd, gpk, m, mlen, (const uint8_t*)event,
                                       strlen(event)) == TEE_ERR_AUTHENTICATION);
  CHECK(api->mpc_signing_report_data(NULL, gpk, m, mlen, (const uint8_t*)event, 0, rd) ==
        TEE_ERR_INVALID_ARGUMENT);
}

int main(int argc, char** argv) {
  void* lib;
  int32_t (*negotiate)(uint32_t, const tee_api**);
  tee_handle* h;
  tee_handle* prod;
  tee_handle* bad = NULL;
  char cfg[1024];
  if (argc != 3 || sodium_init() < 0) return 2;
  mkdir(argv[2], 0700);
  lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) return 2;
  *(void**)(&negotiate) = dlsym(lib, "tee_negotiate");
  if (negotiate == NULL || negotiate(TEE_ABI_VERSION, &api) != TEE_OK) return 2;
  CHECK(api->abi_version == 2 && api->size == sizeof(tee_api));
  h = open_with(argv[2], "sim", "true", "simulation");
  prod = open_with(argv[2], "prod", "false", "none");
  CHECK(h != NULL && prod != NULL);
  if (h != NULL && prod != NULL) {
    seed_example(h, prod);
    mpc_demo(h);
  }
  /* The simulation source without [tee.consensus] simulation: open fails. */
  snprintf(cfg, sizeof cfg, "%s/bad.toml", argv[2]);
  CHECK(write_config(cfg, "/nonexistent/db", "false", "simulation"));
  CHECK(api->open(cfg, NULL, &bad) == TEE_ERR_CONFIG && bad == NULL);
  api->close(h);
  api->close(prod);
  dlclose(lib);
  if (g_fail != 0) {
    fprintf(stderr, "%d check(s) failed\n", g_fail);
    return 1;
  }
  printf("abi_enclave_test: all checks passed\n");
  return 0;
}
