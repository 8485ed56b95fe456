/* abi_verify: the ABI's verify call from C, as a node would make it.
 *
 *   abi_verify MODULE.so CONFIG.toml TEE_TYPE AT EVIDENCE [COLLATERAL...]
 *
 * Loads the module with dlopen, opens a handle with CONFIG (its db_path must
 * be writable), verifies EVIDENCE with the collateral files at unix time AT
 * and prints the verdict JSON on stdout. Exit 0 when the call returned
 * TEE_OK (whatever the verdict), 2 otherwise. Used by vectors_e2e.py. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenzro_tee.h"
#include "tool_io.h"

int main(int argc, char** argv) {
  const tee_api* api = NULL;
  tee_handle* h = NULL;
  uint8_t* evidence = NULL;
  size_t evidence_len = 0;
  tee_blob blobs[32];
  size_t n_blobs = 0;
  char* json = NULL;
  size_t json_len = 0;
  int i;
  int32_t st;
  if (argc < 6 || argc - 6 > 32) {
    fprintf(stderr, "usage: abi_verify MODULE CONFIG TEE_TYPE AT EVIDENCE [COLLATERAL...]\n");
    return 2;
  }
  if (!load_api(argv[1], &api)) return 2;
  if (!read_file(argv[5], &evidence, &evidence_len)) {
    fprintf(stderr, "cannot read %s\n", argv[5]);
    return 2;
  }
  for (i = 6; i < argc; ++i) {
    uint8_t* data = NULL;
    if (!read_file(argv[i], &data, &blobs[n_blobs].len)) {
      fprintf(stderr, "cannot read %s\n", argv[i]);
      return 2;
    }
    blobs[n_blobs++].data = data;
  }
  st = api->open(argv[2], NULL, &h);
  if (st != TEE_OK) {
    fprintf(stderr, "open: status %d: %s\n", (int)st, api->last_error(NULL));
    return 2;
  }
  st = api->verify(h, (int32_t)atoi(argv[3]), evidence, evidence_len, blobs, n_blobs,
                   (uint64_t)strtoull(argv[4], NULL, 10), NULL, NULL, &json, &json_len);
  if (st != TEE_OK) {
    fprintf(stderr, "verify: status %d: %s\n", (int)st, api->last_error(h));
    api->close(h);
    return 2;
  }
  fwrite(json, 1, json_len, stdout);
  fputc('\n', stdout);
  api->free(json);
  api->close(h);
  free(evidence);
  while (n_blobs > 0) free((void*)blobs[--n_blobs].data);
  return 0;
}
