#include "test_pki.h"

#include <ctime>
#include <fstream>
#include <stdexcept>

namespace tenzro::tee::testing {
namespace {

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) throw std::runtime_error(std::string(what) + ": " + r.status().message());
  return std::move(r).value();
}

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

// subjectAltName = SEQUENCE { [2] dNSName }: DER of GeneralNames with one name.
Bytes SanDns(const std::string& host) {
  if (host.size() > 100) throw std::runtime_error("host too long for the test SAN");
  Bytes der;
  der.reserve(host.size() + 4);
  der.push_back(0x30);
  der.push_back(static_cast<uint8_t>(host.size() + 2));
  der.push_back(0x82);
  der.push_back(static_cast<uint8_t>(host.size()));
  for (char c : host) der.push_back(static_cast<uint8_t>(c));
  return der;
}

}  // namespace

TestCa::TestCa(const std::string& name)
    : key_(Must(x509::PrivateKey::Generate(x509::KeyKind::kP256), "CA key")) {
  x509::CertSpec spec;
  spec.subject = {{"CN", name}, {"O", "tenzro-tee tests"}};
  spec.serial_be = {0x11};
  spec.not_before = Now() - 86400;
  spec.not_after = Now() + 86400;
  spec.is_ca = true;
  cert_ = Must(x509::IssueCertificate(spec, key_.public_key(), nullptr, key_), "CA cert");
}

TlsIdentity TestCa::Issue(const std::string& host) const {
  auto key = Must(x509::PrivateKey::Generate(x509::KeyKind::kP256), "server key");
  x509::CertSpec spec;
  spec.subject = {{"CN", host}, {"O", "tenzro-tee tests"}};
  spec.serial_be = {0x22};
  spec.not_before = Now() - 3600;
  spec.not_after = Now() + 86400;
  spec.extensions.push_back({"2.5.29.17", SanDns(host), false});
  auto cert = Must(x509::IssueCertificate(spec, key.public_key(), &cert_, key_), "server cert");
  return TlsIdentity{x509::ToPem({cert, cert_}), key.ToPem()};
}

void WriteTextFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace tenzro::tee::testing
