// AMD's VCEK/VLEK certificate extensions: each value parser on the raw bytes,
// and, when the bytes are a DER certificate, every extension of it and the
// comparison with a REPORTED_TCB of each product.
#include "attestation/snp/vek_extensions.h"
#include "crypto/hash.h"
#include "crypto/x509.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tenzro::tee;
  static const bool init = crypto::InitCrypto();
  (void)init;
  const ByteView in(data, size);
  (void)snp::ParseSplValue(in);
  (void)snp::ParseHwIdValue(in);
  (void)snp::ParseStringValue(in);
  if (auto cert = x509::Certificate::FromDer(in); cert.ok()) {
    if (auto ext = snp::ParseVekExtensions(*cert); ext.ok()) {
      (void)ext->product();
      const snp::RawTcb tcb = {1, 2, 0, 0, 0, 0, 3, 4};
      for (auto p : {snp::Product::kMilan, snp::Product::kGenoa, snp::Product::kTurin}) {
        (void)snp::CompareTcb(*ext, tcb, p);
      }
    }
  }
  return 0;
}
