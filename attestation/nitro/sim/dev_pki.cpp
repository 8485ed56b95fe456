#include "attestation/nitro/sim/dev_pki.h"

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "attestation/nitro/sim/dev_pki_data.h"

namespace tenzro::tee::nitro::sim {
namespace {

[[noreturn]] void Corrupt(const char* what, const Status& s) {
  std::fprintf(stderr, "nitro sim: committed dev PKI does not parse (%s): %s\n", what,
               s.ToString().c_str());
  std::abort();
}

x509::Certificate ParseCert(const char* pem, const char* what) {
  const std::string_view s(pem);
  auto certs =
      x509::Certificate::ParseAll(ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
  if (!certs.ok()) Corrupt(what, certs.status());
  if (certs->size() != 1) Corrupt(what, Error(ErrorCode::kInternal, "expected one certificate"));
  return (*certs)[0];
}

x509::PrivateKey ParseKey(const char* pem, const char* what) {
  auto k = x509::PrivateKey::FromPem(pem);
  if (!k.ok()) Corrupt(what, k.status());
  return std::move(k).value();
}

std::vector<x509::NameEntry> DevName(const std::string& cn) {
  return {{"C", "US"}, {"O", kDevOrganization}, {"OU", "AWS"}, {"CN", cn}};
}

}  // namespace

std::vector<Bytes> DevPki::Cabundle() const {
  return {root.cert.der(), regional.cert.der(), zonal.cert.der(), instance.cert.der()};
}

const DevPki& Dev() {
  static const DevPki pki = [] {
    const data::DevPkiPem& d = data::kDevPkiPem;
    DevPki p;
    p.root = {ParseCert(d.root_cert, "root"), ParseKey(d.root_key, "root key")};
    p.regional = {ParseCert(d.regional_cert, "regional"), ParseKey(d.regional_key, "regional key")};
    p.zonal = {ParseCert(d.zonal_cert, "zonal"), ParseKey(d.zonal_key, "zonal key")};
    p.instance = {ParseCert(d.instance_cert, "instance"), ParseKey(d.instance_key, "instance key")};
    p.leaf_key = ParseKey(d.leaf_key, "leaf key");
    return p;
  }();
  return pki;
}

Hash32 DevRootFingerprint() { return Dev().root.cert.fingerprint(); }

x509::ExtensionSpec CaKeyUsage() { return {"2.5.29.15", {0x03, 0x02, 0x01, 0x86}, true}; }
x509::ExtensionSpec LeafKeyUsage() { return {"2.5.29.15", {0x03, 0x02, 0x06, 0xc0}, true}; }

Result<x509::Certificate> IssueCa(const CaSpec& spec, const x509::PublicKey& key,
                                  const DevCa* issuer, const x509::PrivateKey& issuer_key) {
  x509::CertSpec c;
  c.subject = DevName(spec.cn);
  c.serial_be = spec.serial_be;
  c.not_before = spec.not_before;
  c.not_after = spec.not_after;
  c.is_ca = true;
  c.path_len = spec.path_len;
  if (spec.key_usage) c.extensions = {CaKeyUsage()};
  c.scheme = x509::SigScheme::kEcdsaSha384;
  return x509::IssueCertificate(c, key, issuer ? &issuer->cert : nullptr, issuer_key);
}

Result<x509::Certificate> IssueLeaf(const LeafSpec& spec) {
  const DevCa& issuer = spec.issuer ? *spec.issuer : Dev().instance;
  const x509::PrivateKey& key = spec.key ? *spec.key : Dev().leaf_key;
  x509::CertSpec c;
  c.subject = DevName("i-0de0123456789abcd-enc0123456789abcdef.dev-region-1.aws");
  c.serial_be = {0x01, 0x8e, 0x7a};
  c.not_before = spec.not_before;
  c.not_after = spec.not_after;
  c.is_ca = spec.is_ca;
  if (spec.key_usage) c.extensions = {LeafKeyUsage()};
  c.scheme = spec.scheme;
  return x509::IssueCertificate(c, key.public_key(), &issuer.cert, issuer.key);
}

}  // namespace tenzro::tee::nitro::sim
