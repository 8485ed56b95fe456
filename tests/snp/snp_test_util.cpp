#include "snp_test_util.h"

#include <map>
#include <mutex>
#include <stdexcept>

#include "crypto/hash.h"

namespace tenzro::tee::snp::testutil {
namespace {

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) throw std::runtime_error(std::string(what) + ": " + r.status().ToString());
  return std::move(r).value();
}

Bytes StrBytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

Bytes DerInteger(uint8_t v) {
  if (v >= 0x80) return {0x02, 0x02, 0x00, v};
  return {0x02, 0x01, v};
}

Bytes DerIa5(const std::string& s) {
  Bytes b;
  b.push_back(0x16);
  b.push_back(static_cast<uint8_t>(s.size()));
  for (char c : s) b.push_back(static_cast<uint8_t>(c));
  return b;
}

TestPki MakePki(Product p, const std::string& org_suffix) {
  TestPki pki;
  pki.product = p;
  const std::string name(format::ProductName(p));
  auto ca = [&](const std::string& cn, const Ca* issuer, Bytes serial) {
    Ca out;
    out.key = Must(x509::PrivateKey::Generate(x509::KeyKind::kRsa2048), "RSA key");
    x509::CertSpec spec;
    spec.subject = Subject(cn);
    spec.subject[4].value += org_suffix;
    spec.serial_be = std::move(serial);
    spec.not_before = kCaNotBefore;
    spec.not_after = kCaNotAfter;
    spec.is_ca = true;
    spec.scheme = x509::SigScheme::kRsaPssSha384;
    out.cert =
        Must(x509::IssueCertificate(spec, out.key.public_key(), issuer ? &issuer->cert : nullptr,
                                    issuer ? issuer->key : out.key),
             "CA certificate");
    return out;
  };
  pki.ark = ca("ARK-" + name, nullptr, {0x01});
  pki.ask = ca("SEV-" + name, &pki.ark, {0x02, 0x00, 0x02});
  pki.asvk = ca("SEV-VLEK-" + name, &pki.ark, {0x02, 0x00, 0x03});
  pki.vcek_key = Must(x509::PrivateKey::Generate(x509::KeyKind::kP384), "VCEK key");
  pki.vlek_key = Must(x509::PrivateKey::Generate(x509::KeyKind::kP384), "VLEK key");
  return pki;
}

const TestPki& Cached(Product p, bool impostor) {
  static std::mutex mu;
  static std::map<std::pair<int, bool>, std::unique_ptr<TestPki>> all;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = all[{static_cast<int>(p), impostor}];
  if (!slot) slot = std::make_unique<TestPki>(MakePki(p, impostor ? " impostor" : ""));
  return *slot;
}

}  // namespace

const TestPki& Pki(Product p) { return Cached(p, false); }
const TestPki& ImpostorPki(Product p) { return Cached(p, true); }

std::vector<x509::NameEntry> Subject(const std::string& cn) {
  return {{"OU", "Engineering"},
          {"C", "US"},
          {"L", "Santa Clara"},
          {"ST", "CA"},
          {"O", "tenzro-tee SNP TEST PKI"},
          {"CN", cn}};
}

x509::Certificate IssueVek(const TestPki& pki, const VekSpec& s) {
  const Product p = pki.product;
  x509::CertSpec spec;
  spec.subject = Subject(s.vlek ? "SEV-VLEK" : "SEV-VCEK");
  spec.serial_be = {0};
  spec.not_before = s.not_before;
  spec.not_after = s.not_after;
  spec.scheme = s.scheme;
  const TcbParts t = DecodeTcb(s.tcb, p);
  std::string pname = s.product_name;
  if (pname.empty()) {
    pname = std::string(format::ProductName(p));
    if (p == Product::kMilan && !s.vlek) pname += "-B0";
  }
  auto ext = [&](std::string_view oid, Bytes v) {
    spec.extensions.push_back({std::string(oid), std::move(v), false});
  };
  ext(format::kOidStructVersion, DerInteger(p == Product::kTurin ? 1 : 0));
  ext(format::kOidProductName, DerIa5(pname));
  if (p == Product::kTurin) ext(format::kOidFmcSpl, DerInteger(t.fmc));
  ext(format::kOidBlSpl, DerInteger(t.boot_loader));
  ext(format::kOidTeeSpl, DerInteger(t.tee));
  ext(format::kOidSnpSpl, DerInteger(t.snp));
  ext(format::kOidUcodeSpl, DerInteger(t.microcode));
  if (!s.hwid.empty()) {
    Bytes v;
    if (s.hwid_wrapped) {
      v.push_back(0x04);
      v.push_back(static_cast<uint8_t>(s.hwid.size()));
    }
    for (uint8_t b : s.hwid) v.push_back(b);
    ext(format::kOidHwId, v);
  }
  if (s.vlek) ext(format::kOidCspId, DerIa5("CN=test.invalid"));
  const Ca& issuer = s.issuer != nullptr ? *s.issuer : (s.vlek ? pki.asvk : pki.ask);
  const x509::PrivateKey& key = s.key != nullptr ? *s.key : (s.vlek ? pki.vlek_key : pki.vcek_key);
  return Must(x509::IssueCertificate(spec, key.public_key(), &issuer.cert, issuer.key), "VEK");
}

x509::Certificate IssueIntermediate(const TestPki& pki, bool asvk, int64_t not_before,
                                    int64_t not_after, Bytes serial, const Ca* issuer) {
  const std::string name(format::ProductName(pki.product));
  x509::CertSpec spec;
  spec.subject = Subject(asvk ? "SEV-VLEK-" + name : "SEV-" + name);
  spec.serial_be = std::move(serial);
  spec.not_before = not_before;
  spec.not_after = not_after;
  spec.is_ca = true;
  spec.scheme = x509::SigScheme::kRsaPssSha384;
  const Ca& is = issuer != nullptr ? *issuer : pki.ark;
  const x509::PrivateKey& key = asvk ? pki.asvk.key : pki.ask.key;
  return Must(x509::IssueCertificate(spec, key.public_key(), &is.cert, is.key), "intermediate");
}

x509::Crl IssueCrl(const Ca& issuer, int64_t this_update, int64_t next_update,
                   const std::vector<Bytes>& revoked) {
  x509::CrlSpec spec;
  spec.this_update = this_update;
  spec.next_update = next_update;
  spec.revoked_serials_be = revoked;
  spec.scheme = x509::SigScheme::kRsaPssSha384;
  return Must(x509::IssueCrl(spec, issuer.cert, issuer.key), "CRL");
}

RawTcb DefaultTcb(Product product) {
  if (product == Product::kTurin) return {0, 1, 0, 2, 0, 0, 0, 71};
  return {10, 0, 0, 0, 0, 0, 23, 84};
}

void PutLe(Bytes& report, const format::Range& r, uint64_t v) {
  for (size_t i = 0; i < r.size; ++i) {
    report[r.offset + i] = static_cast<uint8_t>(i < 8 ? (v >> (8 * i)) & 0xff : 0);
  }
}

void PutBytesAt(Bytes& report, size_t offset, ByteView v) {
  for (size_t i = 0; i < v.size(); ++i) report.at(offset + i) = v[i];
}

Bytes ReportTemplate(Product product, uint32_t version) {
  Bytes r(format::kReportSize, 0);
  PutLe(r, format::kVersion, version);
  PutLe(r, format::kGuestSvn, 1);
  PutLe(r, format::kPolicy, 0x30000);
  PutLe(r, format::kVmpl, 0);
  PutLe(r, format::kSignatureAlgo, format::kSigAlgoEcdsaP384Sha384);
  const RawTcb tcb = DefaultTcb(product);
  for (const auto& f :
       {format::kCurrentTcb, format::kReportedTcb, format::kCommittedTcb, format::kLaunchTcb}) {
    PutBytesAt(r, f.offset, AsView(tcb));
  }
  PutLe(r, format::kPlatformInfo, 0x25);
  const Hash32 m1 = crypto::Sha256(AsView(StrBytes("m1")));
  const Hash32 m2 = crypto::Sha256(AsView(StrBytes("m2")));
  PutBytesAt(r, format::kMeasurement.offset, AsView(m1));
  PutBytesAt(r, format::kMeasurement.offset + 32, ByteView(m2).first(16));
  const Hash32 chip = crypto::Sha256(AsView(StrBytes("chip")));
  const Hash32 chip2 = crypto::Sha256(AsView(StrBytes("chip2")));
  if (product == Product::kTurin) {
    PutBytesAt(r, format::kChipId.offset, ByteView(chip).first(8));
  } else {
    PutBytesAt(r, format::kChipId.offset, AsView(chip));
    PutBytesAt(r, format::kChipId.offset + 32, AsView(chip2));
  }
  if (version >= 3) {
    uint8_t fam = 0x19, mod = 0x11;
    if (product == Product::kMilan) mod = 0x01;
    if (product == Product::kTurin) fam = 0x1a, mod = 0x02;
    r[format::kCpuidFamId.offset] = fam;
    r[format::kCpuidModId.offset] = mod;
    r[format::kCpuidStep.offset] = 1;
  }
  r[format::kCurrentMajor.offset] = 1;
  r[format::kCurrentMinor.offset] = 55;
  r[format::kCurrentBuild.offset] = 40;
  r[format::kCommittedMajor.offset] = 1;
  r[format::kCommittedMinor.offset] = 55;
  r[format::kCommittedBuild.offset] = 40;
  return r;
}

Bytes ChipIdOf(const Bytes& report, Product product) {
  const size_t n = product == Product::kTurin ? 8 : 64;
  return Bytes(report.begin() + static_cast<std::ptrdiff_t>(format::kChipId.offset),
               report.begin() + static_cast<std::ptrdiff_t>(format::kChipId.offset + n));
}

void Sign(Bytes& report, const x509::PrivateKey& key) {
  const Bytes rs =
      Must(key.EcdsaSignRaw(x509::Digest::kSha384, ByteView(report).first(format::kSignedSize)),
           "sign report");
  std::fill(report.begin() + static_cast<std::ptrdiff_t>(format::kSignedSize), report.end(), 0);
  for (size_t i = 0; i < 48; ++i) {
    report[format::kSignatureR.offset + i] = rs[47 - i];
    report[format::kSignatureS.offset + i] = rs[95 - i];
  }
}

Bytes WithCertTable(const Bytes& report, const std::vector<std::pair<format::Guid, Bytes>>& certs) {
  Bytes table((certs.size() + 1) * format::kCertTableEntrySize, 0);
  Bytes data;
  size_t offset = table.size();
  for (size_t i = 0; i < certs.size(); ++i) {
    uint8_t* e = table.data() + i * format::kCertTableEntrySize;
    std::copy(certs[i].first.begin(), certs[i].first.end(), e);
    const auto len = static_cast<uint32_t>(certs[i].second.size());
    const auto off = static_cast<uint32_t>(offset);
    for (int b = 0; b < 4; ++b) {
      e[16 + b] = static_cast<uint8_t>(off >> (8 * b));
      e[20 + b] = static_cast<uint8_t>(len >> (8 * b));
    }
    data.insert(data.end(), certs[i].second.begin(), certs[i].second.end());
    offset += certs[i].second.size();
  }
  Bytes out = report;
  out.insert(out.end(), table.begin(), table.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

Bytes WrapHcl(const Bytes& report) {
  const std::string runtime = R"({"keys":[],"vm-configuration":{}})";
  const auto var = static_cast<uint32_t>(runtime.size());
  const uint32_t igvm = 20 + var;
  const uint32_t total = static_cast<uint32_t>(format::kHclIgvmOffset) + igvm;
  Bytes out;
  for (uint8_t m : format::kHclMagic) out.push_back(m);
  PutU32Le(out, 1);      // version
  PutU32Le(out, total);  // report_size
  PutU32Le(out, 2);      // request_type
  while (out.size() < format::kHclReportOffset) out.push_back(0);
  for (uint8_t b : report) out.push_back(b);
  PutU32Le(out, igvm);
  PutU32Le(out, 1);
  PutU32Le(out, format::kHclReportTypeSnp);
  PutU32Le(out, 1);
  PutU32Le(out, var);
  for (char c : runtime) out.push_back(static_cast<uint8_t>(c));
  out.resize(2600, 0);  // Azure pads the NV index
  return out;
}

CollateralSet Admit(const SnpVerifier& v, const std::vector<Bytes>& blobs, uint64_t now,
                    const CollateralSet& base) {
  CollateralSet set = base;
  std::vector<bool> taken(blobs.size(), false);
  for (bool progress = true; progress;) {
    progress = false;
    for (size_t i = 0; i < blobs.size(); ++i) {
      if (taken[i]) continue;
      auto doc = v.ParseCollateral(AsView(blobs[i]), set, now);
      if (!doc.ok()) continue;
      set = set.With(std::move(*doc));
      taken[i] = progress = true;
    }
  }
  return set;
}

Bytes Pem(const std::vector<x509::Certificate>& certs) {
  const std::string s = x509::ToPem(certs);
  return Bytes(s.begin(), s.end());
}

VerifierOptions TestDevOptions() {
  VerifierOptions o;
  o.dev_arks.clear();
  for (Product p : {Product::kMilan, Product::kGenoa, Product::kTurin}) {
    o.dev_arks.push_back({p, Pki(p).ark.cert.fingerprint()});
  }
  return o;
}

Policy PinnedTestPolicy() {
  Policy p;
  p.ark_milan_sha256 = Pki(Product::kMilan).ark.cert.fingerprint();
  p.ark_genoa_sha256 = Pki(Product::kGenoa).ark.cert.fingerprint();
  p.ark_turin_sha256 = Pki(Product::kTurin).ark.cert.fingerprint();
  return p;
}

}  // namespace tenzro::tee::snp::testutil
