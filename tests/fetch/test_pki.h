// A throwaway TLS PKI made at test time with crypto/x509.h's signing side: a
// test CA and server certificates for the loopback HTTPS servers.
#pragma once

#include <string>

#include "crypto/x509.h"

namespace tenzro::tee::testing {

struct TlsIdentity {
  std::string chain_pem;  // server certificate, then the CA
  std::string key_pem;
};

class TestCa {
 public:
  // Throws std::runtime_error when OpenSSL fails (test set-up, not a test).
  explicit TestCa(const std::string& name);
  // A server certificate for `host` (CN and DNS subjectAltName), valid for a
  // day around the wall clock (TLS verifies against the real time).
  TlsIdentity Issue(const std::string& host) const;
  std::string CaPem() const { return x509::ToPem({cert_}); }
  const x509::Certificate& cert() const { return cert_; }

 private:
  x509::PrivateKey key_;
  x509::Certificate cert_;
};

// Writes `text` to `path`; throws on failure.
void WriteTextFile(const std::string& path, const std::string& text);

}  // namespace tenzro::tee::testing
