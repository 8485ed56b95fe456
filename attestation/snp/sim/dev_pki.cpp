#include "attestation/snp/sim/dev_pki.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "attestation/snp/sim/dev_pki_data.h"

namespace tenzro::tee::snp::sim {
namespace {

// Index into data::kDevPkiPem. REQUIRES: a dev product.
size_t Index(Product p) {
  switch (p) {
    case Product::kMilan:
      return 0;
    case Product::kGenoa:
      return 1;
    case Product::kTurin:
      return 2;
    case Product::kUnknown:
      break;
  }
  std::fprintf(stderr, "snp sim: no dev PKI for product %u\n", static_cast<unsigned>(p));
  std::abort();
}

[[noreturn]] void Corrupt(const char* what, const Status& s) {
  std::fprintf(stderr, "snp sim: committed dev PKI does not parse (%s): %s\n", what,
               s.ToString().c_str());
  std::abort();
}

x509::Certificate ParseCert(const char* pem, const char* what) {
  std::string_view s(pem);
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

DevProductPki Load(const data::DevPkiPem& d) {
  DevProductPki p;
  p.product = d.product;
  p.ark = {ParseCert(d.ark_cert, "ARK"), ParseKey(d.ark_key, "ARK key")};
  p.ask = {ParseCert(d.ask_cert, "ASK"), ParseKey(d.ask_key, "ASK key")};
  p.asvk = {ParseCert(d.asvk_cert, "ASVK"), ParseKey(d.asvk_key, "ASVK key")};
  p.vcek_key = ParseKey(d.vcek_key, "VCEK key");
  p.vlek_key = ParseKey(d.vlek_key, "VLEK key");
  return p;
}

// A DER INTEGER (non-negative, minimal) holding v.
Bytes DerInteger(uint64_t v) {
  std::array<uint8_t, 9> mag{};  // big-endian, one spare byte for the sign
  size_t start = mag.size();
  do {
    mag[--start] = static_cast<uint8_t>(v & 0xff);
    v >>= 8;
  } while (v != 0);
  if (mag[start] & 0x80) mag[--start] = 0;
  Bytes out;
  out.reserve(2 + mag.size() - start);
  out.push_back(0x02);
  out.push_back(static_cast<uint8_t>(mag.size() - start));
  for (size_t i = start; i < mag.size(); ++i) out.push_back(mag[i]);
  return out;
}

// A short-form DER TLV (content < 128 bytes, all the VEK extensions need).
Bytes DerShort(uint8_t tag, ByteView content) {
  Bytes out;
  out.reserve(2 + content.size());
  out.push_back(tag);
  out.push_back(static_cast<uint8_t>(content.size()));
  for (uint8_t b : content) out.push_back(b);
  return out;
}

std::string DefaultProductName(Product p, bool vlek) {
  std::string name(format::ProductName(p));
  // KDS writes the stepping into a Milan VCEK's productName only.
  if (!vlek && p == Product::kMilan) name += "-B0";
  return name;
}

}  // namespace

const DevProductPki& DevPki(Product p) {
  static const std::array<DevProductPki, 3> all = {
      Load(data::kDevPkiPem[0]), Load(data::kDevPkiPem[1]), Load(data::kDevPkiPem[2])};
  return all[Index(p)];
}

std::vector<x509::NameEntry> DevSubject(const std::string& cn) {
  return {{"OU", "Engineering"},   {"C", "US"}, {"L", "Santa Clara"}, {"ST", "CA"},
          {"O", kDevOrganization}, {"CN", cn}};
}

Result<x509::Certificate> IssueVek(const VekSpec& spec) {
  const DevProductPki& pki = DevPki(spec.product);
  const DevCa& issuer = spec.issuer ? *spec.issuer : (spec.vlek ? pki.asvk : pki.ask);
  const x509::PrivateKey& key =
      spec.subject_key ? *spec.subject_key : (spec.vlek ? pki.vlek_key : pki.vcek_key);

  // Extensions in the order KDS writes them.
  std::vector<x509::ExtensionSpec> ext;
  auto add = [&](std::string_view oid, Bytes value) {
    std::string o(oid);
    if (std::find(spec.omit_oids.begin(), spec.omit_oids.end(), o) != spec.omit_oids.end()) return;
    ext.push_back({std::move(o), std::move(value), false});
  };
  add(format::kOidStructVersion, DerInteger(1));
  std::string name =
      spec.product_name.empty() ? DefaultProductName(spec.product, spec.vlek) : spec.product_name;
  add(format::kOidProductName,
      DerShort(0x16, ByteView(reinterpret_cast<const uint8_t*>(name.data()), name.size())));
  const bool turin = spec.product == Product::kTurin;
  if (turin) add(format::kOidFmcSpl, DerInteger(spec.tcb.fmc));
  add(format::kOidBlSpl, DerInteger(spec.tcb.boot_loader));
  add(format::kOidTeeSpl, DerInteger(spec.tcb.tee));
  add(format::kOidSnpSpl, DerInteger(spec.tcb.snp));
  if (!turin) add(format::kOidSpl4, DerInteger(0));
  add(format::kOidSpl5, DerInteger(0));
  add(format::kOidSpl6, DerInteger(0));
  add(format::kOidSpl7, DerInteger(0));
  add(format::kOidUcodeSpl, DerInteger(spec.tcb.microcode));
  if (!spec.vlek || spec.force_hwid) {
    if (!spec.hwid.empty()) {
      add(format::kOidHwId,
          spec.hwid_in_octet_string ? DerShort(0x04, AsView(spec.hwid)) : spec.hwid);
    }
  }
  if (spec.vlek && !spec.csp_id.empty()) {
    add(format::kOidCspId,
        DerShort(0x16, ByteView(reinterpret_cast<const uint8_t*>(spec.csp_id.data()),
                                spec.csp_id.size())));
  }
  for (const auto& e : spec.extra_extensions) ext.push_back(e);

  x509::CertSpec cs;
  cs.subject = DevSubject(
      spec.cn.empty() ? std::string(spec.vlek ? format::kCnVlek : format::kCnVcek) : spec.cn);
  cs.serial_be = spec.serial_be;
  cs.not_before = spec.not_before;
  cs.not_after = spec.not_after;
  cs.is_ca = false;
  cs.extensions = std::move(ext);
  cs.scheme = x509::SigScheme::kRsaPssSha384;
  return x509::IssueCertificate(cs, key.public_key(), &issuer.cert, issuer.key);
}

Result<x509::Certificate> IssueIntermediate(const IntermediateSpec& spec) {
  const DevProductPki& pki = DevPki(spec.product);
  const DevCa& committed = spec.asvk ? pki.asvk : pki.ask;
  const DevCa& issuer = spec.issuer ? *spec.issuer : pki.ark;
  const std::string product(format::ProductName(spec.product));
  x509::CertSpec cs;
  cs.subject = DevSubject(
      !spec.cn.empty()
          ? spec.cn
          : std::string(spec.asvk ? format::kCnAsvkPrefix : format::kCnAskPrefix) + product);
  cs.serial_be = spec.serial_be.empty() ? committed.cert.serial() : spec.serial_be;
  cs.not_before = spec.not_before;
  cs.not_after = spec.not_after;
  cs.is_ca = true;
  cs.path_len = 0;
  cs.extensions = {{"2.5.29.15", {0x03, 0x02, 0x01, 0x06}, true}};
  cs.scheme = x509::SigScheme::kRsaPssSha384;
  const x509::PrivateKey& key = spec.subject_key ? *spec.subject_key : committed.key;
  return x509::IssueCertificate(cs, key.public_key(), &issuer.cert, issuer.key);
}

Result<x509::Crl> IssueArkCrl(Product product, int64_t this_update, int64_t next_update,
                              const std::vector<Bytes>& revoked, const DevCa* issuer) {
  const DevCa& ca = issuer ? *issuer : DevPki(product).ark;
  x509::CrlSpec spec;
  spec.this_update = this_update;
  spec.next_update = next_update;
  spec.revoked_serials_be = revoked;
  spec.scheme = x509::SigScheme::kRsaPssSha384;
  return x509::IssueCrl(spec, ca.cert, ca.key);
}

}  // namespace tenzro::tee::snp::sim
