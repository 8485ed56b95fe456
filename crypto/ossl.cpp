#include "crypto/ossl.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/provider.h>

#include <cstdlib>

namespace tenzro::tee::crypto {
namespace {

// Owns the context and its provider; destroyed when the module is unloaded
// (or the process exits), after every object that used it is gone.
class Context {
 public:
  Context() {
    const ErrorMark mark;
    ctx_ = OSSL_LIB_CTX_new();
    if (ctx_ != nullptr) provider_ = OSSL_PROVIDER_load(ctx_, "default");
    if (ctx_ == nullptr || provider_ == nullptr) std::abort();
  }
  ~Context() {
    OSSL_PROVIDER_unload(provider_);
    OSSL_LIB_CTX_free(ctx_);
  }
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
  OSSL_LIB_CTX* get() const { return ctx_; }

 private:
  OSSL_LIB_CTX* ctx_ = nullptr;
  OSSL_PROVIDER* provider_ = nullptr;
};

}  // namespace

OSSL_LIB_CTX* LibCtx() {
  static Context context;  // thread-safe initialisation
  return context.get();
}

ErrorMark::ErrorMark() { ERR_set_mark(); }
ErrorMark::~ErrorMark() { ERR_pop_to_mark(); }

}  // namespace tenzro::tee::crypto
