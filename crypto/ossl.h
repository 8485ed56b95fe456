// The plugin's own OpenSSL state (issue 9 item 15): the host's OpenSSL
// configuration is not a consensus input.
//
// - LibCtx(): the library context every fetch and operation of crypto/ uses,
//   with OpenSSL's default provider loaded into it. The host's default
//   context (its providers, its config file, its FIPS mode) is never used,
//   so two nodes whose hosts configure OpenSSL differently verify alike.
//   Created on first use (InitCrypto() creates it), freed when the module is
//   unloaded.
// - ErrorMark: every crypto/ entry point that calls OpenSSL sets a mark on
//   the calling thread's error queue and pops back to it on return, so the
//   errors of our failed parses never reach the host, and the host's own
//   queued errors are left as they were (never ERR_clear_error).
#pragma once

typedef struct ossl_lib_ctx_st OSSL_LIB_CTX;

namespace tenzro::tee::crypto {

// Never null: aborts if OpenSSL cannot make a context (an invariant of the
// installation, never input).
OSSL_LIB_CTX* LibCtx();

class ErrorMark {
 public:
  ErrorMark();
  ~ErrorMark();
  ErrorMark(const ErrorMark&) = delete;
  ErrorMark& operator=(const ErrorMark&) = delete;
};

}  // namespace tenzro::tee::crypto
