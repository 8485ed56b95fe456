#include "attestation/nitro/nitro_verifier.h"

#include <algorithm>
#include <map>
#include <string>

#include "attestation/nitro/document.h"
#include "attestation/nitro/validate.h"
#include "attestation/pipeline.h"
#include "core/cache.h"
#include "crypto/der.h"
#include "crypto/hash.h"
#include "crypto/x509.h"

namespace tenzro::tee::nitro {
namespace {

constexpr char kEcdsaSha384Oid[] = "1.2.840.10045.4.3.3";
constexpr char kBasicConstraintsOid[] = "2.5.29.19";
constexpr char kKeyUsageOid[] = "2.5.29.15";
constexpr uint8_t kKuDigitalSignature = 0x80;  // bit 0 of the first byte
constexpr uint8_t kKuKeyCertSign = 0x04;       // bit 5

// A certificate with what the link checks read, parsed once per DER.
struct CertInfo {
  x509::Certificate cert;
  bool ecdsa_sha384 = false;  // signatureAlgorithm
  bool p384 = false;          // subject key
  std::optional<uint64_t> path_len;
  std::optional<uint8_t> key_usage;  // first byte of the KeyUsage bits
};
using CertPtr = std::shared_ptr<const CertInfo>;

// Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }.
bool SignedWithEcdsaSha384(ByteView der) {
  auto outer = der::ParseSingle(der);
  if (!outer || outer->tag != der::kSequence) return false;
  der::Reader r(outer->value);
  ByteView tbs, alg, oid;
  if (!r.Expect(der::kSequence, tbs) || !r.Expect(der::kSequence, alg)) return false;
  der::Reader a(alg);
  if (!a.Expect(der::kOid, oid)) return false;
  return der::OidToString(oid) == std::string(kEcdsaSha384Oid) && a.AtEnd();
}

// BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLen INTEGER OPTIONAL }
std::optional<uint64_t> PathLen(const x509::Certificate& c) {
  auto ext = c.Extension(kBasicConstraintsOid);
  if (!ext) return std::nullopt;
  auto seq = der::ParseSingle(AsView(*ext));
  if (!seq || seq->tag != der::kSequence) return std::nullopt;
  der::Reader r(seq->value);
  der::Tlv t;
  while (r.Next(t)) {
    if (t.tag == der::kInteger) return der::IntegerToU64(t.value);
  }
  return std::nullopt;
}

// KeyUsage ::= BIT STRING; the first content byte after the unused-bits count.
std::optional<uint8_t> KeyUsage(const x509::Certificate& c) {
  auto ext = c.Extension(kKeyUsageOid);
  if (!ext) return std::nullopt;
  auto bits = der::ParseSingle(AsView(*ext));
  if (!bits || bits->tag != 0x03 || bits->value.size() < 2) return std::nullopt;
  return bits->value[1];
}

CertPtr Describe(x509::Certificate cert) {
  auto info = std::make_shared<CertInfo>();
  info->ecdsa_sha384 = SignedWithEcdsaSha384(AsView(cert.der()));
  auto xy = cert.public_key().EcPointXY();
  info->p384 = xy && xy->size() == 96;
  info->path_len = PathLen(cert);
  info->key_usage = KeyUsage(cert);
  info->cert = std::move(cert);
  return info;
}

Hash32 PairKey(const CertInfo& subject, const CertInfo& issuer) {
  Bytes both(subject.cert.fingerprint().begin(), subject.cert.fingerprint().end());
  both.insert(both.end(), issuer.cert.fingerprint().begin(), issuer.cert.fingerprint().end());
  return crypto::Sha256(AsView(both));
}

// What is wrong with the link issuer -> subject besides its signature (""
// when nothing): names, algorithm, the issuer's CA constraints. `below` is
// the number of CA certificates under the issuer other than the leaf.
std::string LinkShape(const CertInfo& subject, const CertInfo& issuer, size_t below) {
  const std::string who = subject.cert.SubjectAttr("CN").value_or(subject.cert.subject());
  if (subject.cert.issuer_der() != issuer.cert.subject_der())
    return "the issuer of " + who + " is not the certificate above it";
  if (!subject.ecdsa_sha384) return who + " is not signed with ECDSA SHA-384";
  if (!issuer.p384) return "the issuer of " + who + " has no P-384 key";
  if (!issuer.cert.is_ca()) return "the issuer of " + who + " is not a CA (basicConstraints)";
  if (issuer.path_len && *issuer.path_len < below)
    return "the issuer of " + who + " exceeds its pathLen";
  if (!issuer.key_usage || (*issuer.key_usage & kKuKeyCertSign) == 0)
    return "the issuer of " + who + " may not sign certificates (keyUsage)";
  return "";
}

}  // namespace

struct NitroVerifier::Impl {
  explicit Impl(size_t capacity) : certs(capacity), links(capacity) {}
  // Facts that are functions of their key alone (DESIGN §2).
  Cache<Hash32, CertInfo> certs;  // parse of a DER, by its SHA-256
  Cache<Hash32, bool> links;      // "subject's signature verifies under issuer's key", by both
                                  // fingerprints (intermediate links only)

  // nullptr when the bytes are not one DER certificate.
  CertPtr FromDer(ByteView der) {
    return certs.GetOrInsert(crypto::Sha256(der), [&]() -> CertPtr {
      auto c = x509::Certificate::FromDer(der);
      return c.ok() ? Describe(std::move(*c)) : nullptr;
    });
  }
  std::string Link(const CertInfo& subject, const CertInfo& issuer, size_t below, bool leaf) {
    std::string bad = LinkShape(subject, issuer, below);
    if (!bad.empty()) return bad;
    auto verify = [&] { return subject.cert.SignatureVerifiesWith(issuer.cert.public_key()); };
    const bool ok = leaf ? verify() : *links.GetOrInsert(PairKey(subject, issuer), [&] {
      return std::make_shared<const bool>(verify());
    });
    if (!ok) return "the signature of " + subject.cert.subject() + " does not verify";
    return "";
  }
};

namespace {

// Stage 2's typed facts.
struct ChainFacts {
  bool dev = false;           // the root is a development root
  bool links_ok = false;      // every link verifies and respects its constraints
  bool signature_ok = false;  // the COSE signature under the leaf key
  DocumentFacts facts;
};

enum class RootTrust { kUntrusted, kPinned, kDev };

RootTrust TrustOf(const Policy& policy, const std::vector<Hash32>& dev_roots, ByteView fp) {
  if (crypto::ConstantTimeEqual(fp, AsView(policy.root_ca_sha256))) return RootTrust::kPinned;
  for (const Hash32& d : dev_roots) {
    if (std::equal(d.begin(), d.end(), fp.begin(), fp.end())) return RootTrust::kDev;
  }
  return RootTrust::kUntrusted;
}

// The verdict's typed claims (DESIGN §3), JSON only at the edges.
struct NitroClaims final : Claims {
  std::map<uint32_t, Bytes> pcrs;
  std::string module_id;
  std::optional<Bytes> public_key, user_data, nonce;
  uint64_t timestamp_ms = 0;
  bool tagged = false;

  explicit NitroClaims(const Document& d)
      : pcrs(d.pcrs),
        module_id(d.module_id),
        public_key(d.public_key),
        user_data(d.user_data),
        nonce(d.nonce),
        timestamp_ms(d.timestamp_ms),
        tagged(d.tagged) {}

  // The one conversion of Nitro claims to JSON.
  nlohmann::json ToJson() const override {
    nlohmann::json pcr_map = nlohmann::json::object();
    for (const auto& [index, value] : pcrs) pcr_map[std::to_string(index)] = ToHex(AsView(value));
    auto opt = [](const std::optional<Bytes>& b) {
      return b ? nlohmann::json(ToHex(AsView(*b))) : nlohmann::json();
    };
    return {{"pcrs", std::move(pcr_map)},    {"module_id", module_id},
            {"public_key", opt(public_key)}, {"user_data", opt(user_data)},
            {"nonce", opt(nonce)},           {"timestamp_ms", timestamp_ms},
            {"cose_tagged", tagged}};
  }
};

}  // namespace

NitroVerifier::NitroVerifier(Policy policy, CommonPolicy common, VerifierOptions options)
    : policy_(std::move(policy)),
      common_(common),
      options_(std::move(options)),
      impl_(std::make_unique<Impl>(options_.cache_capacity)) {}

NitroVerifier::~NitroVerifier() = default;

namespace {

// cabundle + leaf as parsed certificates; a failure is malformed evidence.
Status ParseChain(NitroVerifier::Impl& impl, const Document& d, std::vector<CertPtr>& out) {
  for (const Bytes& der : d.cabundle) out.push_back(impl.FromDer(AsView(der)));
  out.push_back(impl.FromDer(AsView(d.certificate)));
  for (const CertPtr& c : out) {
    if (!c)
      return Error(ErrorCode::kInvalidArgument, "a certificate of the document does not parse");
  }
  return Status::Ok();
}

// Links root -> ... -> leaf and the COSE signature. Fails v as it goes.
void VerifyChain(NitroVerifier::Impl& impl, Verdict& v, const Document& d,
                 const std::vector<CertPtr>& chain, ChainFacts& out) {
  const size_t n = chain.size();
  out.links_ok = true;
  pipeline::Validity window;
  for (size_t i = 0; i < n; ++i) {
    window.NarrowCert(chain[i]->cert.not_before(), chain[i]->cert.not_after());
    if (i == 0) continue;
    const bool leaf = i + 1 == n;
    std::string bad = impl.Link(*chain[i], *chain[i - 1], n - 1 - i, leaf);
    if (bad.empty() && leaf && chain[i]->cert.is_ca()) bad = "the leaf is a CA certificate";
    if (bad.empty() && leaf &&
        (!chain[i]->key_usage || (*chain[i]->key_usage & kKuDigitalSignature) == 0)) {
      bad = "the leaf may not sign (keyUsage digitalSignature)";
    }
    if (!bad.empty() && out.links_ok) v.Fail(FailureCode::kChainUntrusted, bad);
    out.links_ok = out.links_ok && bad.empty();
  }
  out.facts.chain_not_before = window.from();
  out.facts.chain_not_after = window.until();
  const CertInfo& leaf = *chain.back();
  if (!leaf.p384) {
    v.Fail(FailureCode::kUnsupported, "the leaf key is not ECDSA P-384 (ES384)");
    return;
  }
  out.signature_ok = x509::EcdsaVerifyRaw(leaf.cert.public_key(), x509::Digest::kSha384,
                                          AsView(SigStructure(d)), AsView(d.signature));
  if (!out.signature_ok)
    v.Fail(FailureCode::kBadSignature,
           "the COSE_Sign1 signature does not verify under the leaf key");
}

// §4: the nonce is exactly the 64-byte binding; the CLI's --nonce exactly.
void CheckNonces(Verdict& v, const Document& d, const VerifyRequest& req) {
  if (req.binding) {
    if (!d.nonce || d.nonce->size() != 64) {
      v.binding_valid = false;
      v.Fail(FailureCode::kBindingMismatch, "the document's nonce is not a 64-byte binding");
    } else {
      pipeline::CheckBinding(v, req.binding, AsView(*d.nonce));
    }
  }
  if (req.expected_nonce &&
      (!d.nonce || !crypto::ConstantTimeEqual(AsView(*d.nonce), AsView(*req.expected_nonce)))) {
    v.Fail(FailureCode::kNonceMismatch, "the document's nonce is not the expected nonce");
  }
}

void PutChainClaims(ClaimSet& c, ByteView root_fp, bool dev) {
  c[claim::kRootFingerprint] = Bytes(root_fp.begin(), root_fp.end());
  c[claim::kDevRoot] = Bytes{static_cast<uint8_t>(dev ? 1 : 0)};
}

}  // namespace

Result<Verdict> NitroVerifier::Verify(const VerifyRequest& req) const {
  Verdict v;
  v.tee_type = TeeType::AwsNitro;
  auto parsed = ParseDocument(req.evidence);
  if (!parsed.ok()) {
    pipeline::FailParse(v, parsed.status());
    return v;
  }
  const Document& d = *parsed;
  v.evidence_id = pipeline::EvidenceId(TeeType::AwsNitro, AsView(SigStructure(d)));
  v.claims = std::make_shared<const NitroClaims>(d);
  v.debug = IsDebug(d.pcrs);

  // Stage 2: the pinned root, the links, the COSE signature.
  const Hash32 root_fp = crypto::Sha256(AsView(d.cabundle.front()));
  const RootTrust trust = TrustOf(policy_, options_.dev_roots, AsView(root_fp));
  if (trust == RootTrust::kUntrusted) {
    v.Fail(FailureCode::kChainUntrusted, "cabundle[0] is not the pinned root (root_ca_sha256)");
    return v;
  }
  std::vector<CertPtr> chain;
  if (Status s = ParseChain(*impl_, d, chain); !s.ok()) {
    pipeline::FailParse(v, s);
    return v;
  }
  ChainFacts cf;
  cf.dev = trust == RootTrust::kDev;
  cf.facts.pcrs = d.pcrs;
  cf.facts.timestamp_ms = d.timestamp_ms;
  VerifyChain(*impl_, v, d, chain, cf);

  // Stage 3: time, policy, binding, simulation.
  pipeline::Validity validity;
  const bool in_window =
      ValidateTime(v, validity, cf.facts, policy_, common_.max_age_secs, req.now);
  validity.Apply(v);
  const bool trusted_root = !cf.dev || common_.simulation;
  v.hardware_verified = trusted_root && cf.links_ok && cf.signature_ok;
  v.certificate_chain_valid = trusted_root && cf.links_ok && in_window;
  Validate(v, cf.facts, policy_);
  CheckNonces(v, d, req);
  pipeline::CheckSimulation(v, cf.dev, common_.simulation, "cabundle[0]");
  PutChainClaims(v.reeval_claims, AsView(root_fp), cf.dev);
  PutFactClaims(cf.facts, v.reeval_claims);
  return v;
}

// ---- epoch re-evaluation -------------------------------------------------------

namespace {

class NitroReevaluator final : public Reevaluator {
 public:
  NitroReevaluator(uint64_t t, Policy policy, CommonPolicy common, std::vector<Hash32> dev_roots)
      : t_(t), policy_(std::move(policy)), common_(common), dev_roots_(std::move(dev_roots)) {}

  // The current pin and policy over the stored claims; no signature again.
  Result<std::optional<Failure>> Check(const ClaimSet& claims) const override {
    TEE_ASSIGN_OR_RETURN(const DocumentFacts facts, FactsFromClaims(claims));
    auto root = claims.find(claim::kRootFingerprint);
    auto dev = claims.find(claim::kDevRoot);
    if (root == claims.end() || root->second.size() != 32 || dev == claims.end() ||
        dev->second.size() != 1) {
      return Error(ErrorCode::kStorage, "stored Nitro chain claims are incomplete");
    }
    Verdict found;  // failures in check order
    const RootTrust trust = TrustOf(policy_, dev_roots_, AsView(root->second));
    if (trust == RootTrust::kUntrusted)
      found.Fail(FailureCode::kChainUntrusted, "the document's root is no longer the pinned root");
    pipeline::Validity validity;
    ValidateTime(found, validity, facts, policy_, common_.max_age_secs, t_);
    Validate(found, facts, policy_);
    pipeline::CheckSimulation(found, trust == RootTrust::kDev || dev->second[0] != 0,
                              common_.simulation, "cabundle[0]");
    if (found.failures.empty()) return std::optional<Failure>();
    return std::optional<Failure>(found.failures.front());
  }

 private:
  uint64_t t_;
  Policy policy_;
  CommonPolicy common_;
  std::vector<Hash32> dev_roots_;
};

}  // namespace

std::unique_ptr<Reevaluator> NitroVerifier::BeginReevaluation(const CollateralSet& /*collateral*/,
                                                              uint64_t t) const {
  return std::make_unique<NitroReevaluator>(t, policy_, common_, options_.dev_roots);
}

void NitroVerifier::CollectCacheStats(const CacheStatsFn& fn) const {
  fn("certs", impl_->certs.stats());
  fn("links", impl_->links.stats());
}

}  // namespace tenzro::tee::nitro
