/* abi_register: register_validator from C, as a node would call it.
 *
 *   abi_register MODULE CONFIG TEE_TYPE AT VALIDATOR_HEX CHALLENGE_HEX EVIDENCE [COLLATERAL...]
 *
 * Loads the module with dlopen, opens a handle with CONFIG, admits each
 * COLLATERAL file (submit_collateral at AT), registers VALIDATOR (stake 1)
 * with EVIDENCE bound to CHALLENGE at time AT and prints
 * "attested=N reason=R". Exit 0 when the record is attested, 1 when it is
 * not, 2 on any error. Used by attest_test.sh (issue 12).
 *
 * With MODEL_ID and MODEL_HASH (hex) in the environment it registers a model
 * provider instead (register_provider, issue 15): VALIDATOR_HEX is then the
 * provider key, and the evidence must be bound to (key, model hash,
 * challenge). */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenzro_tee.h"
#include "tool_io.h"

static int parse_hex32(const char* s, uint8_t out[32]) {
  size_t i;
  if (strlen(s) != 64) return 0;
  for (i = 0; i < 32; ++i) {
    unsigned v;
    if (sscanf(s + 2 * i, "%2x", &v) != 1) return 0;
    out[i] = (uint8_t)v;
  }
  return 1;
}

int main(int argc, char** argv) {
  const tee_api* api = NULL;
  tee_handle* h = NULL;
  uint8_t* evidence = NULL;
  size_t evidence_len = 0;
  uint8_t id[32], challenge[32], stake[32];
  tee_register_result res;
  uint64_t at;
  int32_t st, type;
  int i, rc = 2;
  if (argc < 8) {
    fprintf(stderr,
            "usage: abi_register MODULE CONFIG TEE_TYPE AT VALIDATOR_HEX CHALLENGE_HEX EVIDENCE "
            "[COLLATERAL...]\n");
    return 2;
  }
  type = (int32_t)atoi(argv[3]);
  at = (uint64_t)strtoull(argv[4], NULL, 10);
  if (!parse_hex32(argv[5], id) || !parse_hex32(argv[6], challenge)) {
    fprintf(stderr, "bad hex\n");
    return 2;
  }
  memset(stake, 0, sizeof stake);
  stake[31] = 1;
  if (!load_api(argv[1], &api)) return 2;
  if (!read_file(argv[7], &evidence, &evidence_len)) {
    fprintf(stderr, "cannot read %s\n", argv[7]);
    return 2;
  }
  st = api->open(argv[2], NULL, &h);
  if (st != TEE_OK) {
    fprintf(stderr, "open: status %d: %s\n", (int)st, api->last_error(NULL));
    free(evidence);
    return 2;
  }
  for (i = 8; i < argc; ++i) {
    uint8_t* data = NULL;
    size_t len = 0;
    if (!read_file(argv[i], &data, &len)) {
      fprintf(stderr, "cannot read %s\n", argv[i]);
      goto done;
    }
    st = api->submit_collateral(h, type, data, len, at);
    free(data);
    if (st != TEE_OK) {
      fprintf(stderr, "submit_collateral %s: status %d: %s\n", argv[i], (int)st,
              api->last_error(h));
      goto done;
    }
  }
  memset(&res, 0, sizeof res);
  if (getenv("MODEL_ID") != NULL && getenv("MODEL_HASH") != NULL) {
    uint8_t model_hash[32];
    tee_evidence ev;
    const char* model_id = getenv("MODEL_ID");
    if (!parse_hex32(getenv("MODEL_HASH"), model_hash)) {
      fprintf(stderr, "bad MODEL_HASH\n");
      goto done;
    }
    memset(&ev, 0, sizeof ev);
    ev.tee_type = type;
    ev.data = evidence;
    ev.len = evidence_len;
    st = api->register_provider(h, id, model_id, strlen(model_id), model_hash, &ev, 1, challenge,
                                at, &res);
  } else {
    st = api->register_validator(h, id, stake, type, evidence, evidence_len, challenge, at, &res);
  }
  if (st != TEE_OK) {
    fprintf(stderr, "register: status %d: %s\n", (int)st, api->last_error(h));
    goto done;
  }
  printf("attested=%d reason=%d\n", (int)res.attested, (int)res.reason);
  rc = res.attested == 1 ? 0 : 1;
done:
  api->close(h);
  free(evidence);
  return rc;
}
