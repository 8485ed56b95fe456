#include "attestation/tdx/sim/dev_pki.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "crypto/der_writer.h"

namespace tenzro::tee::tdx::sim {
namespace {

namespace derw = crypto::derw;

std::string Arc(const std::string& suffix) { return std::string(kSgxExtensionOid) + suffix; }

bool Omitted(const PckExtension& ext, const std::string& suffix) {
  return std::find(ext.omit.begin(), ext.omit.end(), suffix) != ext.omit.end();
}

// SEQUENCE { OID <root><suffix>, value }
Bytes Field(const std::string& suffix, Bytes value) {
  return derw::Sequence({derw::Oid(Arc(suffix)), std::move(value)});
}

[[noreturn]] void Die(const char* what, const Status& s) {
  std::fprintf(stderr, "tdx dev PKI: %s: %s\n", what, s.ToString().c_str());
  std::abort();
}

KeyedCert LoadPair(const char* cert_pem, const char* key_pem, const char* what) {
  std::string_view text(cert_pem);
  auto certs = x509::Certificate::ParseAll(
      ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  if (!certs.ok()) Die(what, certs.status());
  auto key = x509::PrivateKey::FromPem(key_pem);
  if (!key.ok()) Die(what, key.status());
  return KeyedCert{certs->front(), *key};
}

}  // namespace

Bytes EncodeSgxExtension(const PckExtension& ext) {
  std::vector<Bytes> fields;
  if (!Omitted(ext, ".1")) fields.push_back(Field(".1", derw::OctetString(AsView(ext.ppid))));
  if (!Omitted(ext, ".2")) {
    std::vector<Bytes> tcb;
    for (size_t i = 0; i < 16; ++i) {
      std::string s = ".2." + std::to_string(i + 1);
      if (!Omitted(ext, s)) tcb.push_back(Field(s, derw::Integer(ext.cpusvn[i])));
    }
    if (!Omitted(ext, ".2.17")) tcb.push_back(Field(".2.17", derw::Integer(ext.pcesvn)));
    if (!Omitted(ext, ".2.18")) {
      tcb.push_back(Field(".2.18", derw::OctetString(AsView(ext.cpusvn))));
    }
    fields.push_back(Field(".2", derw::Sequence(tcb)));
  }
  if (!Omitted(ext, ".3")) fields.push_back(Field(".3", derw::OctetString(AsView(ext.pce_id))));
  if (!Omitted(ext, ".4")) fields.push_back(Field(".4", derw::OctetString(AsView(ext.fmspc))));
  if (!Omitted(ext, ".5")) fields.push_back(Field(".5", derw::Enumerated(ext.sgx_type)));
  if (ext.platform_instance_id && !Omitted(ext, ".6")) {
    fields.push_back(Field(".6", derw::OctetString(AsView(*ext.platform_instance_id))));
  }
  if (ext.configuration && !Omitted(ext, ".7")) {
    const auto& c = *ext.configuration;
    fields.push_back(Field(".7", derw::Sequence({Field(".7.1", derw::Boolean(c.dynamic_platform)),
                                                 Field(".7.2", derw::Boolean(c.cached_keys)),
                                                 Field(".7.3", derw::Boolean(c.smt_enabled))})));
  }
  return derw::Sequence(fields);
}

std::vector<x509::NameEntry> DevName(const std::string& common_name) {
  return {{"CN", common_name}, {"O", "Tenzro TEE Development PKI (not Intel)"}, {"C", "ZZ"}};
}

Result<x509::Certificate> IssuePck(const PckCertSpec& spec, const x509::PublicKey& subject_key,
                                   const KeyedCert& issuer) {
  x509::CertSpec cs;
  cs.subject = DevName(spec.common_name);
  cs.serial_be = spec.serial_be;
  cs.not_before = spec.not_before;
  cs.not_after = spec.not_after;
  cs.is_ca = false;
  if (spec.include_extension) {
    cs.extensions.push_back({kSgxExtensionOid, EncodeSgxExtension(spec.ext), false});
  }
  return x509::IssueCertificate(cs, subject_key, &issuer.cert, issuer.key);
}

const Hash32& DevRootFingerprint() {
  static const Hash32 fp = [] {
    auto h = FromHexFixed<32>(data::kRootFingerprintHex);
    if (!h) Die("root fingerprint", Error(ErrorCode::kInternal, "bad hex"));
    return *h;
  }();
  return fp;
}

const DevPki& Dev() {
  static const DevPki pki = [] {
    DevPki d;
    d.root = LoadPair(data::kRootCertPem, data::kRootKeyPem, "root");
    d.platform_ca = LoadPair(data::kPlatformCaCertPem, data::kPlatformCaKeyPem, "platform CA");
    d.tcb_signing = LoadPair(data::kTcbSigningCertPem, data::kTcbSigningKeyPem, "TCB signing");
    d.pck_tdx = LoadPair(data::kPckTdxCertPem, data::kPckTdxKeyPem, "TDX PCK");
    d.pck_sgx = LoadPair(data::kPckSgxCertPem, data::kPckSgxKeyPem, "SGX PCK");
    auto ak = x509::PrivateKey::FromPem(data::kAttestationKeyPem);
    if (!ak.ok()) Die("attestation key", ak.status());
    d.attestation_key = *ak;
    if (d.root.cert.fingerprint() != DevRootFingerprint()) {
      Die("root", Error(ErrorCode::kInternal, "fingerprint constant does not match the root"));
    }
    return d;
  }();
  return pki;
}

}  // namespace tenzro::tee::tdx::sim
