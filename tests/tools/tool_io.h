/* tool_io.h -- helpers of the C test tools (abi_verify, abi_register). */
#ifndef TENZRO_TEE_TESTS_TOOL_IO_H_
#define TENZRO_TEE_TESTS_TOOL_IO_H_

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenzro_tee.h"

/* Reads a whole file into *out (malloc'd, freed by the caller). */
static int read_file(const char* path, uint8_t** out, size_t* len) {
  FILE* f = fopen(path, "rb");
  long n;
  if (f == NULL) return 0;
  if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
    fclose(f);
    return 0;
  }
  *out = (uint8_t*)malloc((size_t)n + 1u);
  if (*out == NULL || fread(*out, 1, (size_t)n, f) != (size_t)n) {
    fclose(f);
    return 0;
  }
  *len = (size_t)n;
  fclose(f);
  return 1;
}

/* dlopen + tee_negotiate as a node does; 0 (with a message) on failure. */
static int load_api(const char* module, const tee_api** api) {
  void* sym;
  int32_t (*negotiate)(uint32_t, const tee_api**);
  void* lib = dlopen(module, RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL || (sym = dlsym(lib, "tee_negotiate")) == NULL) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 0;
  }
  memcpy(&negotiate, &sym, sizeof sym);
  return negotiate(TEE_ABI_VERSION, api) == TEE_OK;
}

#endif /* TENZRO_TEE_TESTS_TOOL_IO_H_ */
