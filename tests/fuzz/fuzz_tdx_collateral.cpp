// Intel's signed JSON collateral (TCB Info, QE Identity): the exact-bytes
// scanner and both parsers, then admission through the verifier (which also
// reads CRLs and certificate bundles) with the development root trusted.
#include "attestation/tdx/sim/dev_pki.h"
#include "attestation/tdx/tcb_info.h"
#include "attestation/tdx/tdx_verifier.h"
#include "crypto/hash.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tenzro::tee;
  static const bool init = crypto::InitCrypto();
  (void)init;
  static const tdx::TdxVerifier verifier(TeeType::IntelTdx, tdx::Policy{},
                                         CommonPolicy{true, 86400},
                                         {tdx::sim::DevRootFingerprint()});
  const ByteView in(data, size);
  if (auto s = tdx::SplitSignedJson(in, "tcbInfo"); s.ok()) (void)tdx::ParseTcbInfo(s->body);
  if (auto s = tdx::SplitSignedJson(in, "enclaveIdentity"); s.ok())
    (void)tdx::ParseQeIdentity(s->body);
  (void)tdx::ParseTcbInfo(in);
  (void)tdx::ParseQeIdentity(in);
  (void)verifier.ParseCollateral(in, 1'767'225'600);
  return 0;
}
