#include "attestation/snp/snp_verifier.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "attestation/pipeline.h"
#include "attestation/snp/validate.h"
#include "attestation/snp/vek_extensions.h"
#include "core/cache.h"
#include "crypto/hash.h"
#include "crypto/x509.h"

namespace tenzro::tee::snp {
namespace {

// ---- small helpers -------------------------------------------------------------

std::string HexU64(uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  do {
    s.insert(s.begin(), kDigits[v & 0xF]);
    v >>= 4;
  } while (v != 0);
  return "0x" + s;
}

Bytes StrBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

Hash32 HashOf(std::initializer_list<ByteView> parts) {
  Bytes all;
  for (ByteView p : parts) all.insert(all.end(), p.begin(), p.end());
  return crypto::Sha256(AsView(all));
}

Status NotCollateral(std::string what) {
  return Error(ErrorCode::kCollateral, "snp collateral: " + std::move(what));
}

// ---- certificates by role ------------------------------------------------------

enum class Role : uint8_t { kOther, kArk, kAsk, kAsvk, kVcek, kVlek };

const char* RoleName(Role r) {
  switch (r) {
    case Role::kArk:
      return "ARK";
    case Role::kAsk:
      return "ASK";
    case Role::kAsvk:
      return "ASVK";
    case Role::kVcek:
      return "VCEK";
    case Role::kVlek:
      return "VLEK";
    case Role::kOther:
      break;
  }
  return "certificate";
}

struct CertEntry {
  x509::Certificate cert;
  Role role = Role::kOther;
  Product product = Product::kUnknown;  // CA: from its CN; VEK: from productName
  std::optional<VekExtensions> ext;     // VEK only; nullopt when an extension is malformed
  std::string ext_error;
  bool p384 = false;  // VEK: the key is an EC P-384 point
  bool IsVek() const { return role == Role::kVcek || role == Role::kVlek; }
};
using CertPtr = std::shared_ptr<const CertEntry>;

Product ProductFromName(std::string_view name) {
  for (Product p : {Product::kMilan, Product::kGenoa, Product::kTurin}) {
    if (name == format::ProductName(p)) return p;
  }
  return Product::kUnknown;
}

CertPtr Classify(x509::Certificate cert) {
  auto e = std::make_shared<CertEntry>();
  const std::string cn = cert.SubjectAttr("CN").value_or("");
  const std::string_view v(cn);
  auto suffix = [&](std::string_view prefix) -> std::optional<std::string_view> {
    if (v.size() > prefix.size() && v.substr(0, prefix.size()) == prefix)
      return v.substr(prefix.size());
    return std::nullopt;
  };
  if (v == format::kCnVcek) {
    e->role = Role::kVcek;
  } else if (v == format::kCnVlek) {
    e->role = Role::kVlek;
  } else if (auto p = suffix(format::kCnAsvkPrefix)) {
    e->role = Role::kAsvk;
    e->product = ProductFromName(*p);
  } else if (auto a = suffix(format::kCnArkPrefix)) {
    e->role = Role::kArk;
    e->product = ProductFromName(*a);
  } else if (auto s = suffix(format::kCnAskPrefix)) {
    e->role = Role::kAsk;
    e->product = ProductFromName(*s);
  }
  if (!e->IsVek() && e->product == Product::kUnknown) e->role = Role::kOther;
  if (e->IsVek()) {
    auto ext = ParseVekExtensions(cert);
    if (ext.ok()) {
      e->ext = std::move(*ext);
      e->product = e->ext->product();
    } else {
      e->ext_error = ext.status().message();
    }
    auto xy = cert.public_key().EcPointXY();
    e->p384 = xy && xy->size() == 96;
  }
  e->cert = std::move(cert);
  return e;
}

// What one collateral document holds, parsed once.
struct DocContent {
  std::vector<CertPtr> certs;
  std::optional<x509::Crl> crl;
};
using DocPtr = std::shared_ptr<const DocContent>;

// The document of (kind, key) to use at t: one valid at t if any (§9), else
// the latest issued, so a stale or future document is reported as such.
const CollateralDoc* SelectAt(const CollateralSet* set, const char* kind, ByteView key,
                              uint64_t t) {
  if (set == nullptr) return nullptr;
  if (const auto* d = set->Select(TeeType::AmdSevSnp, kind, key, t)) return d;
  const CollateralDoc* best = nullptr;
  for (const auto& d : set->docs()) {
    if (d.tee_type != TeeType::AmdSevSnp || d.kind != kind) continue;
    if (!std::equal(d.key.begin(), d.key.end(), key.begin(), key.end())) continue;
    if (best == nullptr || d.this_update > best->this_update) best = &d;
  }
  return best;
}

struct Chain {
  CertPtr leaf, inter, ark;
  Product product = Product::kUnknown;
  bool dev = false;  // the ARK is a development ARK
};

struct ChainOutcome {
  std::optional<Chain> chain;
  FailureCode code = FailureCode::kNone;
  std::string message;
};

// What the report says the chain must certify (absent for the chain alone).
struct LeafWanted {
  Role role = Role::kVcek;
  ProductSet products = 0;
  const Report* report = nullptr;
};

}  // namespace

// ---- the verifier's shared state -------------------------------------------------

struct SnpVerifier::Impl {
  explicit Impl(const VerifierOptions& o)
      : dev_arks(o.dev_arks),
        certs(o.cache_capacity),
        sigs(o.cache_capacity),
        docs(o.cache_capacity) {}

  std::vector<DevArk> dev_arks;
  // Facts that are functions of their key alone (DESIGN §2): never whether a
  // certificate is trusted, admitted or inside its window.
  Cache<Hash32, CertEntry> certs;  // parse and role of a DER, by its SHA-256
  Cache<Hash32, bool> sigs;        // "A's signature verifies under B", by both fingerprints
  Cache<Hash32, DocContent> docs;  // parse of a document, by its content hash

  CertPtr Intern(x509::Certificate cert) {
    const Hash32 fp = cert.fingerprint();
    return certs.GetOrInsert(fp, [&] { return Classify(std::move(cert)); });
  }
  // nullptr when the bytes are not one DER certificate.
  CertPtr FromDer(ByteView der) {
    if (CertPtr hit = certs.Get(crypto::Sha256(der))) return hit;
    auto c = x509::Certificate::FromDer(der);
    if (!c.ok()) return nullptr;
    return Intern(std::move(*c));
  }
  // The caller keeps the returned owner while it reads the content.
  DocPtr Content(const CollateralDoc& doc) {
    return docs.GetOrInsert(doc.content_hash, [&] { return ParseContent(doc); });
  }
  // subject's signature verifies under issuer (names equal), cached.
  bool Signed(const CertEntry& subject, const CertEntry& issuer) {
    const Hash32 k =
        HashOf({AsView(subject.cert.fingerprint()), AsView(issuer.cert.fingerprint())});
    return *sigs.GetOrInsert(
        k, [&] { return std::make_shared<const bool>(subject.cert.IssuedBy(issuer.cert)); });
  }
  bool CrlSigned(const x509::Crl& crl, const CertEntry& issuer) {
    const Hash32 k = HashOf(
        {AsView(crl.fingerprint()), AsView(issuer.cert.fingerprint()), AsView(StrBytes("crl"))});
    return *sigs.GetOrInsert(
        k, [&] { return std::make_shared<const bool>(crl.IssuedBy(issuer.cert)); });
  }

 private:
  std::shared_ptr<const DocContent> ParseContent(const CollateralDoc& doc) {
    auto content = std::make_shared<DocContent>();
    if (doc.kind == kKindCrl) {
      auto crl = x509::Crl::Parse(AsView(doc.data));
      if (crl.ok()) content->crl = std::move(*crl);
    }
    // CRL bundles may carry their issuer chain; certificate docs are PEM/DER.
    if (auto all = x509::Certificate::ParseAll(AsView(doc.data)); all.ok()) {
      for (auto& c : *all) {
        CertPtr e = Intern(std::move(c));
        if (e->role != Role::kOther) content->certs.push_back(std::move(e));
      }
    }
    return content;
  }
};

namespace {

// ---- trust anchors ----------------------------------------------------------------

struct Trust {
  bool trusted = false;
  bool dev = false;
};

const Hash32& PinFor(const Policy& p, Product product) {
  switch (product) {
    case Product::kMilan:
      return p.ark_milan_sha256;
    case Product::kGenoa:
      return p.ark_genoa_sha256;
    default:
      return p.ark_turin_sha256;
  }
}

// Decided from the current policy on every call (never cached).
Trust TrustOfFingerprint(const Policy& policy, const std::vector<DevArk>& dev_arks, Product product,
                         ByteView fingerprint) {
  if (product == Product::kUnknown) return {};
  if (crypto::ConstantTimeEqual(fingerprint, AsView(PinFor(policy, product)))) return {true, false};
  for (const auto& d : dev_arks) {
    if (d.product == product &&
        std::equal(d.sha256.begin(), d.sha256.end(), fingerprint.begin(), fingerprint.end())) {
      return {true, true};
    }
  }
  return {};
}

Trust TrustOf(const Policy& policy, const std::vector<DevArk>& dev_arks, const CertEntry& ark) {
  if (ark.role != Role::kArk) return {};
  return TrustOfFingerprint(policy, dev_arks, ark.product, AsView(ark.cert.fingerprint()));
}

// Certificates at hand, each once (by fingerprint), in the order added:
// linear in the number of certificates however many are admitted.
class CertPool {
 public:
  CertPool() = default;
  explicit CertPool(CertPtr c) { Add(std::move(c)); }
  void Add(CertPtr c) {
    if (!c || c->role == Role::kOther) return;
    if (seen_.insert(c->cert.fingerprint()).second) certs_.push_back(std::move(c));
  }
  auto begin() const { return certs_.begin(); }
  auto end() const { return certs_.end(); }
  bool empty() const { return certs_.empty(); }

 private:
  std::vector<CertPtr> certs_;
  std::set<Hash32> seen_;
};

std::string ProductList(ProductSet s) {
  std::string out;
  for (Product p : {Product::kMilan, Product::kGenoa, Product::kTurin}) {
    if ((s & ProductBit(p)) == 0) continue;
    if (!out.empty()) out += "/";
    out += std::string(format::ProductName(p));
  }
  return out;
}

const char* VekName(Role r) { return r == Role::kVcek ? "VCEK" : "VLEK"; }

ChainOutcome ChainFailure(FailureCode code, std::string message) {
  ChainOutcome out;
  out.code = code;
  out.message = std::move(message);
  return out;
}

// ---- stage 2: one chain per candidate leaf --------------------------------------

// How well a VEK fits the report: product, hwID, TCB (higher is better).
int LeafScore(const CertEntry& leaf, const LeafWanted& want) {
  int score = 0;
  const Product p = leaf.product;
  if (p != Product::kUnknown && (want.products & ProductBit(p)) != 0) score += 4;
  if (want.report == nullptr || !leaf.ext || p == Product::kUnknown) return score;
  const Report& r = *want.report;
  if (leaf.role == Role::kVcek && leaf.ext->hw_id && !r.chip_id_masked()) {
    const ByteView chip = r.chip_id_for(p);
    if (std::equal(leaf.ext->hw_id->begin(), leaf.ext->hw_id->end(), chip.begin(), chip.end()))
      score += 2;
  }
  if (!CompareTcb(*leaf.ext, r.reported_tcb, p)) score += 1;
  return score;
}

// The product of the chain: the report's when it names one; on v2 the VEK's
// productName.
std::optional<Failure> ResolveProduct(const CertEntry& leaf, const LeafWanted& want,
                                      Product& product) {
  product = Product::kUnknown;
  for (Product p : {Product::kMilan, Product::kGenoa, Product::kTurin}) {
    if (want.products == ProductBit(p)) product = p;
  }
  if (product == Product::kUnknown) {
    if (leaf.product == Product::kUnknown || (want.products & ProductBit(leaf.product)) == 0) {
      return Failure{FailureCode::kUnsupported,
                     "cannot tell the product: the report allows " + ProductList(want.products) +
                         ", the VEK productName is " + leaf.ext->product_name.value_or("absent")};
    }
    product = leaf.product;
  }
  if (leaf.product != Product::kUnknown && leaf.product != product) {
    return Failure{FailureCode::kChainUntrusted,
                   "VEK productName " + leaf.ext->product_name.value_or("") +
                       " is not the report's product " + std::string(format::ProductName(product))};
  }
  return std::nullopt;
}

// Signer roles: the issuer of a VCEK is an ASK, of a VLEK an ASVK, of this
// product, named as the VEK's issuer; any other certificate of that name is
// refused, never used.
std::optional<Failure> FindIntermediates(const CertPool& pool, const CertEntry& leaf,
                                         Product product, std::vector<CertPtr>& out) {
  const Role role = leaf.role == Role::kVcek ? Role::kAsk : Role::kAsvk;
  bool misnamed = false;
  for (const auto& c : pool) {
    if (c->cert.subject_der() != leaf.cert.issuer_der()) continue;
    if (c->role == role && c->product == product)
      out.push_back(c);
    else
      misnamed = true;
  }
  if (!out.empty()) return std::nullopt;
  const std::string name =
      std::string(RoleName(role)) + " of " + std::string(format::ProductName(product));
  if (misnamed) {
    return Failure{FailureCode::kChainUntrusted,
                   "the VEK's issuer at hand is not the expected " + name};
  }
  return Failure{FailureCode::kChainIncomplete, "no " + name + " at hand"};
}

using TrustedArk = std::pair<CertPtr, Trust>;

// The ARKs of this product that are pinned (or development ARKs).
std::optional<Failure> FindArks(const SnpVerifier::Impl& impl, const Policy& policy,
                                const CertPool& pool, Product product,
                                std::vector<TrustedArk>& out) {
  bool unpinned = false;
  for (const auto& c : pool) {
    if (c->role != Role::kArk || c->product != product) continue;
    const Trust t = TrustOf(policy, impl.dev_arks, *c);
    if (t.trusted)
      out.emplace_back(c, t);
    else
      unpinned = true;
  }
  if (!out.empty()) return std::nullopt;
  const std::string name = "ARK-" + std::string(format::ProductName(product));
  if (unpinned) {
    return Failure{FailureCode::kChainUntrusted, "the " + name + " at hand is not the pinned one"};
  }
  return Failure{FailureCode::kChainIncomplete, "no " + name + " at hand"};
}

// The first chain whose signatures verify, preferring an intermediate valid
// at now. The intermediate must be directly under the ARK.
std::optional<Chain> Link(SnpVerifier::Impl& impl, const CertPtr& leaf,
                          const std::vector<CertPtr>& inters, const std::vector<TrustedArk>& arks,
                          Product product, uint64_t now) {
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& [ark, trust] : arks) {
      if (!impl.Signed(*ark, *ark)) continue;
      for (const auto& inter : inters) {
        if (pass == 0 && !inter->cert.ValidAt(now)) continue;
        if (inter->cert.issuer_der() != ark->cert.subject_der()) continue;
        if (!impl.Signed(*inter, *ark) || !impl.Signed(*leaf, *inter)) continue;
        return Chain{leaf, inter, ark, product, trust.dev};
      }
    }
  }
  return std::nullopt;
}

// leaf -> ASK/ASVK -> ARK from the pool, signatures verified (cached).
ChainOutcome BuildChainFrom(SnpVerifier::Impl& impl, const Policy& policy, const CertPool& pool,
                            const CertPtr& leaf, const LeafWanted& want, uint64_t now) {
  const char* name = VekName(want.role);
  if (!leaf->ext) return ChainFailure(FailureCode::kChainUntrusted, leaf->ext_error);
  if (!leaf->p384) {
    return ChainFailure(FailureCode::kUnsupported, std::string(name) + " key is not ECDSA P-384");
  }
  Product product = Product::kUnknown;
  if (auto f = ResolveProduct(*leaf, want, product)) return ChainFailure(f->code, f->message);
  std::vector<CertPtr> inters;
  if (auto f = FindIntermediates(pool, *leaf, product, inters))
    return ChainFailure(f->code, f->message);
  std::vector<TrustedArk> arks;
  if (auto f = FindArks(impl, policy, pool, product, arks))
    return ChainFailure(f->code, f->message);
  ChainOutcome out;
  out.chain = Link(impl, leaf, inters, arks, product, now);
  if (!out.chain) {
    const Role inter_role = leaf->role == Role::kVcek ? Role::kAsk : Role::kAsvk;
    return ChainFailure(FailureCode::kChainUntrusted, "RSA-PSS signatures ARK -> " +
                                                          std::string(RoleName(inter_role)) +
                                                          " -> " + name + " do not verify");
  }
  return out;
}

// The VEKs of the kind SIGNER_INFO names that fit the report best, by
// fingerprint: an order that does not depend on where a certificate came
// from (issue 9 item 7).
std::vector<CertPtr> LeafCandidates(const CertPool& pool, const LeafWanted& want,
                                    bool& other_kind) {
  std::vector<std::pair<int, CertPtr>> scored;
  for (const auto& c : pool) {
    if (!c->IsVek()) continue;
    if (c->role != want.role) {
      other_kind = true;
      continue;
    }
    scored.emplace_back(LeafScore(*c, want), c);
  }
  std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    return a.second->cert.fingerprint() < b.second->cert.fingerprint();
  });
  // A leaf that certifies the report fits it fully (product, hwID, TCB), so
  // it always has the top score: the rest need no signature check.
  std::vector<CertPtr> out;
  const int top = scored.empty() ? 0 : scored.front().first;
  for (auto& [score, c] : scored) {
    if (score == top) out.push_back(std::move(c));
  }
  return out;
}

bool SignsReport(const CertEntry& leaf, const Report& r) {
  return x509::EcdsaVerify(leaf.cert.public_key(), x509::Digest::kSha384, r.signed_bytes(),
                           AsView(r.sig_r), AsView(r.sig_s));
}

struct Selected {
  ChainOutcome outcome;
  bool signature_ok = false;
};

// The chain of the first candidate that chains to a trusted ARK and whose key
// verifies the report; else the first that chains (bad_signature); else the
// best candidate's chain failure.
Selected SelectChain(SnpVerifier::Impl& impl, const Policy& policy, const CertPool& pool,
                     const LeafWanted& want, uint64_t now) {
  bool other_kind = false;
  const std::vector<CertPtr> leaves = LeafCandidates(pool, want, other_kind);
  const char* name = VekName(want.role);
  if (leaves.empty() && other_kind) {
    return {
        ChainFailure(FailureCode::kChainUntrusted,
                     std::string("SIGNER_INFO names the ") + name +
                         " but the certificates at hand hold only the other endorsement key kind"),
        false};
  }
  if (leaves.empty()) {
    return {ChainFailure(FailureCode::kChainIncomplete,
                         std::string("no ") + name + " certificate at hand"),
            false};
  }
  std::optional<ChainOutcome> first_failure, first_chain;
  for (const CertPtr& leaf : leaves) {
    ChainOutcome o = BuildChainFrom(impl, policy, pool, leaf, want, now);
    if (!o.chain) {
      if (!first_failure) first_failure = std::move(o);
      continue;
    }
    if (SignsReport(*leaf, *want.report)) return {std::move(o), true};
    if (!first_chain) first_chain = std::move(o);
  }
  if (first_chain) return {std::move(*first_chain), false};
  return {std::move(*first_failure), false};
}

// ---- stage 2: CRLs and the chain's windows ---------------------------------------

// The CRL checks of one certificate against the CRL of its issuer.
struct CrlFinding {
  bool present = false;
  bool revoked = false;
  uint64_t this_update = 0, next_update = 0;
};

// A selected CRL that does not parse is a damaged store: a machine failure,
// never a verdict (issue 9 item 9).
Result<CrlFinding> CheckCrl(SnpVerifier::Impl& impl, const CollateralSet* set,
                            const CertEntry& issuer, const CertEntry& subject, uint64_t now) {
  CrlFinding f;
  const CollateralDoc* doc = SelectAt(set, kKindCrl, AsView(issuer.cert.fingerprint()), now);
  if (doc == nullptr) return f;
  const DocPtr content = impl.Content(*doc);
  if (!content->crl || !content->crl->next_update()) {
    return Error(ErrorCode::kStorage, "an admitted SNP CRL no longer parses");
  }
  if (!impl.CrlSigned(*content->crl, issuer)) return f;  // not this issuer's: ignored
  f.present = true;
  f.this_update = pipeline::ClampTime(content->crl->this_update());
  f.next_update = pipeline::ClampTime(*content->crl->next_update());
  f.revoked = content->crl->IsRevoked(AsView(subject.cert.serial()));
  return f;
}

struct ChainFacts {
  Chain chain;
  CrlFinding ark_crl;    // the ARK's CRL about the ASK/ASVK
  CrlFinding inter_crl;  // the ASK/ASVK's CRL about the VEK
};

Result<ChainFacts> ChainFactsOf(SnpVerifier::Impl& impl, const CollateralSet* set, Chain chain,
                                uint64_t now) {
  ChainFacts f;
  TEE_ASSIGN_OR_RETURN(f.ark_crl, CheckCrl(impl, set, *chain.ark, *chain.inter, now));
  TEE_ASSIGN_OR_RETURN(f.inter_crl, CheckCrl(impl, set, *chain.inter, *chain.leaf, now));
  f.chain = std::move(chain);
  return f;
}

// The tail Verify and VerifyVekChain share: certificate and CRL windows
// (§5), revocation, require_crls. True when every certificate is inside
// its window and none is revoked.
bool ValidateChain(Verdict& v, pipeline::Validity& validity, const ChainFacts& f,
                   const Policy& policy, uint64_t now) {
  const Chain& ch = f.chain;
  bool in_window = true;
  for (const CertEntry* c : {ch.leaf.get(), ch.inter.get(), ch.ark.get()}) {
    const std::string what =
        std::string(RoleName(c->role)) + " (" + c->cert.SubjectAttr("CN").value_or("") + ")";
    const uint64_t nb = pipeline::ClampTime(c->cert.not_before());
    const uint64_t na = pipeline::ClampTime(c->cert.not_after());
    validity.Narrow(nb, na);
    in_window = pipeline::CheckWindow(v, what, nb, na, now) && in_window;
  }
  for (const CrlFinding* crl : {&f.ark_crl, &f.inter_crl}) {
    if (!crl->present) continue;
    validity.Narrow(crl->this_update, crl->next_update);
    pipeline::CheckWindow(v, "CRL", crl->this_update, crl->next_update, now);
  }
  if (f.ark_crl.revoked) {
    v.Fail(FailureCode::kRevoked, std::string(RoleName(ch.inter->role)) + " serial " +
                                      ToHex(AsView(ch.inter->cert.serial())) +
                                      " is on the ARK's CRL");
  }
  if (f.inter_crl.revoked) {
    v.Fail(FailureCode::kRevoked, std::string(RoleName(ch.leaf->role)) + " is on its issuer's CRL");
  }
  if (!f.ark_crl.present && policy.require_crls) {
    v.Fail(FailureCode::kCollateralMissing, "no CRL of ARK-" +
                                                std::string(format::ProductName(ch.product)) +
                                                " at hand (require_crls)");
  }
  return in_window && !f.ark_crl.revoked && !f.inter_crl.revoked;
}

// Adds every certificate of the SNP documents that may serve `products`.
void GatherCollateral(SnpVerifier::Impl& impl, const CollateralSet* set, ProductSet products,
                      const Report* report, CertPool& pool) {
  if (set == nullptr) return;
  std::vector<Bytes> vek_keys;
  for (Product p : {Product::kMilan, Product::kGenoa, Product::kTurin}) {
    if ((products & ProductBit(p)) == 0) continue;
    vek_keys.push_back(StrBytes("VLEK-" + std::string(format::ProductName(p))));
    if (report != nullptr && !report->chip_id_masked()) {
      const ByteView chip = report->chip_id_for(p);
      vek_keys.emplace_back(chip.begin(), chip.end());
    }
  }
  const bool any_vcek = report == nullptr || report->chip_id_masked();
  for (const auto& d : set->docs()) {
    if (d.tee_type != TeeType::AmdSevSnp) continue;
    bool take = false;
    if (d.kind == kKindCaCerts) {
      const Product p = ProductFromName(
          std::string_view(reinterpret_cast<const char*>(d.key.data()), d.key.size()));
      take = p != Product::kUnknown && (products & ProductBit(p)) != 0;
    } else if (d.kind == kKindVek) {
      take = std::find(vek_keys.begin(), vek_keys.end(), d.key) != vek_keys.end() ||
             (any_vcek &&
              (d.key.size() == format::kChipIdSize || d.key.size() == format::kTurinChipIdSize));
    }
    if (!take) continue;
    const DocPtr content = impl.Content(d);  // owns what the loop reads
    for (const auto& c : content->certs) pool.Add(c);
  }
}

}  // namespace

// ---- SnpVerifier -------------------------------------------------------------------

SnpVerifier::SnpVerifier(Policy policy, CommonPolicy common, VerifierOptions options)
    : policy_(std::move(policy)), common_(common), impl_(std::make_unique<Impl>(options)) {}

SnpVerifier::~SnpVerifier() = default;

namespace {

const char* FormName(EvidenceForm f) {
  switch (f) {
    case EvidenceForm::kRaw:
      return "raw";
    case EvidenceForm::kWithCertTable:
      return "cert_table";
    case EvidenceForm::kAzureHcl:
      return "azure_hcl";
  }
  return "raw";
}

// The verdict's typed claims (JSON only at the edges): the report of a
// verified evidence, or a VEK alone (VerifyVekChain).
struct SnpClaims final : Claims {
  std::optional<Report> report;
  EvidenceForm form = EvidenceForm::kRaw;
  std::optional<Product> chain_product;  // the product the chain established
  std::optional<Role> vek_role;          // VerifyVekChain: the VEK's kind

  nlohmann::json ToJson() const override;
  nlohmann::json ReportJson(const Report& r) const;
};

nlohmann::json SnpClaims::ToJson() const {
  nlohmann::json j = report ? ReportJson(*report) : nlohmann::json::object();
  if (chain_product) j["product"] = std::string(format::ProductName(*chain_product));
  if (vek_role) j["signing_key"] = *vek_role == Role::kVcek ? "vcek" : "vlek";
  return j;
}

nlohmann::json SnpClaims::ReportJson(const Report& r) const {
  nlohmann::json j = {
      {"report_version", r.version},
      {"guest_svn", r.guest_svn},
      {"policy", HexU64(r.policy)},
      {"vmpl", r.vmpl},
      {"debug", r.debug()},
      {"migrate_ma", r.migrate_ma()},
      {"signing_key", r.signing_key == SigningKey::kVcek ? "vcek" : "vlek"},
      {"mask_chip_key", r.mask_chip_key()},
      {"author_key_en", r.author_key_en()},
      {"platform_info", HexU64(r.platform_info)},
      {"report_data", ToHex(AsView(r.report_data))},
      {"measurement", ToHex(AsView(r.measurement))},
      {"host_data", ToHex(AsView(r.host_data))},
      {"id_key_digest", ToHex(AsView(r.id_key_digest))},
      {"author_key_digest", ToHex(AsView(r.author_key_digest))},
      {"family_id", ToHex(AsView(r.family_id))},
      {"image_id", ToHex(AsView(r.image_id))},
      {"report_id", ToHex(AsView(r.report_id))},
      {"report_id_ma", ToHex(AsView(r.report_id_ma))},
      {"chip_id", ToHex(AsView(r.chip_id))},
      {"current_tcb", ToHex(AsView(r.current_tcb))},
      {"reported_tcb", ToHex(AsView(r.reported_tcb))},
      {"committed_tcb", ToHex(AsView(r.committed_tcb))},
      {"launch_tcb", ToHex(AsView(r.launch_tcb))},
      {"current_fw", r.current_fw.ToString()},
      {"committed_fw", r.committed_fw.ToString()},
      {"evidence_form", FormName(form)},
  };
  if (r.version >= 3) {
    j["cpuid_fam_id"] = r.cpuid_fam;
    j["cpuid_mod_id"] = r.cpuid_mod;
    j["cpuid_step"] = r.cpuid_step;
  }
  if (r.version >= 4) {
    j["launch_mit_vector"] = HexU64(r.launch_mit_vector);
    j["current_mit_vector"] = HexU64(r.current_mit_vector);
  }
  if (r.product() != Product::kUnknown)
    j["product"] = std::string(format::ProductName(r.product()));
  return j;
}

// The certificates of the evidence's table (the ARK entries also apart).
CertPool EvidencePool(SnpVerifier::Impl& impl, const Evidence& e,
                      std::vector<CertPtr>& shipped_arks) {
  CertPool pool;
  for (const auto& entry : e.certs) {
    if (entry.guid == format::kGuidVcek || entry.guid == format::kGuidVlek ||
        entry.guid == format::kGuidAsk || entry.guid == format::kGuidArk) {
      CertPtr c = impl.FromDer(AsView(entry.data));
      if (entry.guid == format::kGuidArk) shipped_arks.push_back(c);  // null: not a certificate
      pool.Add(std::move(c));
    }
  }
  return pool;
}

// An ARK shipped with the evidence must be the pinned one, even when the
// chain was built through the pinned ARK from collateral.
void CheckShippedArks(Verdict& v, const std::vector<CertPtr>& shipped, Product product,
                      const Policy& policy, const std::vector<DevArk>& dev_arks) {
  for (const CertPtr& ark : shipped) {
    if (!ark || ark->role != Role::kArk || ark->product != product ||
        !TrustOf(policy, dev_arks, *ark).trusted) {
      v.Fail(FailureCode::kChainUntrusted,
             "the ARK shipped with the evidence is not the pinned ARK-" +
                 std::string(format::ProductName(product)));
    }
  }
}

// The VEK certifies this report: hwID = CHIP_ID, SPLs = REPORTED_TCB.
void CheckLeafAgainstReport(Verdict& v, const Chain& ch, const Report& r) {
  const VekExtensions& ext = *ch.leaf->ext;
  // A masked chip id leaves nothing to compare: policy decides on masking.
  if (ch.leaf->role == Role::kVcek && !r.chip_id_masked()) {
    if (!ext.hw_id) {
      v.Fail(FailureCode::kChainUntrusted, "VCEK has no hwID extension");
    } else {
      const ByteView chip = r.chip_id_for(ch.product);
      if (!std::equal(ext.hw_id->begin(), ext.hw_id->end(), chip.begin(), chip.end())) {
        v.Fail(FailureCode::kChainUntrusted, "VCEK hwID is not the report's CHIP_ID");
      }
    }
  }
  if (auto diff = CompareTcb(ext, r.reported_tcb, ch.product))
    v.Fail(FailureCode::kNoMatchingTcb, *diff);
}

Bytes FingerprintBytes(const CertEntry& c) {
  return Bytes(c.cert.fingerprint().begin(), c.cert.fingerprint().end());
}

// What the epoch re-evaluation needs (§6).
void PutChainClaims(ClaimSet& claims, const Chain& ch) {
  claims[claim::kProduct] = Bytes{static_cast<uint8_t>(ch.product)};
  claims[claim::kArkFingerprint] = FingerprintBytes(*ch.ark);
  claims[claim::kIntermediateSerial] = ch.inter->cert.serial();
  claims[claim::kIntermediateIssuer] = ch.inter->cert.issuer_der();
  claims[claim::kIntermediateFingerprint] = FingerprintBytes(*ch.inter);
  claims[claim::kVekSerial] = ch.leaf->cert.serial();
  claims[claim::kVekFingerprint] = FingerprintBytes(*ch.leaf);
  pipeline::Validity chain;
  for (const CertEntry* c : {ch.leaf.get(), ch.inter.get(), ch.ark.get()}) {
    chain.NarrowCert(c->cert.not_before(), c->cert.not_after());
  }
  claims[claim::kNotBefore] = pipeline::U64Le(chain.from());
  claims[claim::kNotAfter] = pipeline::U64Le(chain.until());
  claims[claim::kDevRoot] = Bytes{static_cast<uint8_t>(ch.dev ? 1 : 0)};
}

}  // namespace

Result<Verdict> SnpVerifier::Verify(const VerifyRequest& req) const {
  Verdict v;
  v.tee_type = TeeType::AmdSevSnp;
  auto parsed = ParseEvidence(req.evidence);
  if (!parsed.ok()) {
    pipeline::FailParse(v, parsed.status());
    return v;
  }
  const Evidence& e = *parsed;
  const Report& r = e.report;
  v.evidence_id = pipeline::EvidenceId(TeeType::AmdSevSnp, r.signed_bytes());
  auto claims = std::make_shared<SnpClaims>();
  claims->report = r;
  claims->form = e.form;
  v.claims = claims;
  v.debug = r.debug();

  // Stage 2: the chain, from the evidence's table first, then admitted collateral.
  std::vector<CertPtr> shipped_arks;
  CertPool pool = EvidencePool(*impl_, e, shipped_arks);
  GatherCollateral(*impl_, req.collateral, r.products, &r, pool);
  const LeafWanted want{r.signing_key == SigningKey::kVcek ? Role::kVcek : Role::kVlek, r.products,
                        &r};
  Selected sel = SelectChain(*impl_, policy_, pool, want, req.now);
  if (!sel.outcome.chain) {
    v.Fail(sel.outcome.code, sel.outcome.message);
    return v;
  }
  TEE_ASSIGN_OR_RETURN(
      const ChainFacts facts,
      ChainFactsOf(*impl_, req.collateral, std::move(*sel.outcome.chain), req.now));
  const Chain& ch = facts.chain;
  claims->chain_product = ch.product;
  CheckShippedArks(v, shipped_arks, ch.product, policy_, impl_->dev_arks);
  if (!sel.signature_ok)
    v.Fail(FailureCode::kBadSignature, "report signature does not verify under the VEK key");
  CheckLeafAgainstReport(v, ch, r);
  pipeline::Validity validity;
  const bool chain_ok = ValidateChain(v, validity, facts, policy_, req.now);
  pipeline::CheckEvidenceAge(v, validity, req.evidence_time, common_.max_age_secs, req.now);
  validity.Apply(v);
  const bool trusted_root = !ch.dev || common_.simulation;
  v.hardware_verified = sel.signature_ok && trusted_root;
  v.certificate_chain_valid = trusted_root && chain_ok;

  // Stage 3: policy on the report's own fields, then binding and simulation.
  const ReportFacts report_facts = FactsOf(r, ch.product);
  Validate(v, report_facts, policy_);
  pipeline::CheckBinding(v, req.binding, AsView(r.report_data));
  pipeline::CheckSimulation(v, ch.dev, common_.simulation, "the chain's ARK");
  PutChainClaims(v.reeval_claims, ch);
  PutFactClaims(report_facts, v.reeval_claims);
  return v;
}

Result<Verdict> SnpVerifier::VerifyVekChain(ByteView vek, const CollateralSet* collateral,
                                            uint64_t now) const {
  Verdict v;
  v.tee_type = TeeType::AmdSevSnp;
  auto certs = x509::Certificate::ParseAll(vek);
  if (!certs.ok() || certs->size() != 1) {
    v.Fail(FailureCode::kMalformed, "expected one VCEK/VLEK certificate");
    return v;
  }
  CertPtr leaf = impl_->Intern(std::move(certs->front()));
  if (!leaf->IsVek() || !leaf->ext) {
    v.Fail(FailureCode::kMalformed, leaf->IsVek() ? leaf->ext_error
                                                  : "the certificate is not a VCEK or VLEK "
                                                    "(CN SEV-VCEK / SEV-VLEK)");
    return v;
  }
  if (leaf->product == Product::kUnknown) {
    v.Fail(FailureCode::kUnsupported, "VEK productName " +
                                          leaf->ext->product_name.value_or("absent") +
                                          " is not Milan, Genoa or Turin");
    return v;
  }
  CertPool pool(leaf);
  GatherCollateral(*impl_, collateral, ProductBit(leaf->product), nullptr, pool);
  const LeafWanted want{leaf->role, ProductBit(leaf->product), nullptr};
  ChainOutcome built = BuildChainFrom(*impl_, policy_, pool, leaf, want, now);
  if (!built.chain) {
    v.Fail(built.code, built.message);
    return v;
  }
  TEE_ASSIGN_OR_RETURN(const ChainFacts facts,
                       ChainFactsOf(*impl_, collateral, std::move(*built.chain), now));
  auto claims = std::make_shared<SnpClaims>();
  claims->chain_product = leaf->product;
  claims->vek_role = leaf->role;
  v.claims = std::move(claims);
  pipeline::Validity validity;
  const bool chain_ok = ValidateChain(v, validity, facts, policy_, now);
  validity.Apply(v);
  const bool trusted_root = !facts.chain.dev || common_.simulation;
  v.certificate_chain_valid = trusted_root && chain_ok;
  v.measurements_valid = true;
  pipeline::CheckSimulation(v, facts.chain.dev, common_.simulation, "the chain's ARK");
  return v;
}

// ---- collateral ----------------------------------------------------------------------

namespace {

// Authenticating one document against the certificates at hand. Trust is
// decided here on every call from the current policy; only signature facts
// come from the cache.
struct Admission {
  SnpVerifier::Impl& impl;
  const Policy& policy;
  bool simulation = false;
  CertPool mine;  // the document's own certificates
  CertPool pool;  // mine, then every SNP certificate already at hand

  // Development ARKs authenticate collateral only when simulation is on;
  // evidence carrying a dev chain in its table is still judged
  // simulation_disabled at verification.
  bool TrustedArk(const CertEntry& ark) const {
    const Trust t = TrustOf(policy, impl.dev_arks, ark);
    return t.trusted && (!t.dev || simulation) && impl.Signed(ark, ark);
  }
  // Signer role: an ASK/ASVK directly under a trusted ARK of its product.
  bool AuthenticIntermediate(const CertEntry& inter) const {
    if (inter.role != Role::kAsk && inter.role != Role::kAsvk) return false;
    for (const auto& c : pool) {
      if (c->role == Role::kArk && c->product == inter.product && TrustedArk(*c) &&
          impl.Signed(inter, *c)) {
        return true;
      }
    }
    return false;
  }
};

void AddKnownCerts(SnpVerifier::Impl& impl, const CollateralSet& known, CertPool& out) {
  for (const auto& d : known.docs()) {
    if (d.tee_type != TeeType::AmdSevSnp || (d.kind != kKindCaCerts && d.kind != kKindVek))
      continue;
    const DocPtr content = impl.Content(d);  // owns what the loop reads
    for (const auto& c : content->certs) out.Add(c);
  }
}

// A CRL signed by a trusted ARK, or by an ASK/ASVK under one (the VEK CRL);
// no VEK or other certificate may sign one.
Result<CollateralDoc> CrlDoc(const Admission& a, ByteView data, CollateralDoc doc) {
  auto crl = x509::Crl::Parse(data);
  if (!crl.ok()) return NotCollateral(crl.status().message());
  if (!crl->next_update()) return NotCollateral("CRL has no nextUpdate");
  for (const auto& c : a.pool) {
    if (c->cert.subject_der() != crl->issuer_der()) continue;
    const bool ok_issuer = c->role == Role::kArk ? a.TrustedArk(*c) : a.AuthenticIntermediate(*c);
    if (!ok_issuer || !a.impl.CrlSigned(*crl, *c)) continue;
    doc.kind = kKindCrl;
    doc.key = FingerprintBytes(*c);
    doc.this_update = pipeline::ClampTime(crl->this_update());
    doc.next_update = pipeline::ClampTime(*crl->next_update());
    return doc;
  }
  return NotCollateral("CRL issuer " + crl->issuer() +
                       " is not a trusted ARK, ASK or ASVK at hand");
}

// One VCEK/VLEK with a chain to a trusted ARK. Windows are not checked: an
// expired VEK is still admitted so verification can report `expired` (§9).
Result<CollateralDoc> VekDoc(const Admission& a, const CertPtr& leaf, CollateralDoc doc) {
  if (!leaf->ext) return NotCollateral(leaf->ext_error);
  if (leaf->product == Product::kUnknown)
    return NotCollateral("VEK productName is not Milan, Genoa or Turin");
  const LeafWanted want{leaf->role, ProductBit(leaf->product), nullptr};
  ChainOutcome built = BuildChainFrom(a.impl, a.policy, a.pool, leaf, want, 0);
  if (!built.chain) return NotCollateral(built.message);
  if (built.chain->dev && !a.simulation) {
    return NotCollateral("chain ends in a development ARK while simulation is off");
  }
  doc.kind = kKindVek;
  if (leaf->role == Role::kVcek) {
    if (!leaf->ext->hw_id) return NotCollateral("VCEK has no hwID");
    doc.key = *leaf->ext->hw_id;
  } else {
    doc.key = StrBytes("VLEK-" + std::string(format::ProductName(leaf->product)));
  }
  pipeline::Validity window;
  for (const CertEntry* c :
       {built.chain->leaf.get(), built.chain->inter.get(), built.chain->ark.get()})
    window.NarrowCert(c->cert.not_before(), c->cert.not_after());
  doc.this_update = window.from();
  doc.next_update = window.until();
  return doc;
}

// CA certificates of one product, each a pinned ARK or certified by one.
Result<CollateralDoc> CaDoc(const Admission& a, CollateralDoc doc) {
  Product product = Product::kUnknown;
  pipeline::Validity window;
  for (const auto& c : a.mine) {
    if (product != Product::kUnknown && c->product != product) {
      return NotCollateral("certificates of more than one product in one document");
    }
    product = c->product;
    const bool ok = c->role == Role::kArk ? a.TrustedArk(*c) : a.AuthenticIntermediate(*c);
    if (!ok) {
      return NotCollateral(std::string(RoleName(c->role)) + " " + c->cert.subject() +
                           " is not pinned or not certified by the pinned ARK");
    }
    window.NarrowCert(c->cert.not_before(), c->cert.not_after());
  }
  doc.kind = kKindCaCerts;
  doc.key = StrBytes(format::ProductName(product));
  doc.this_update = window.from();
  doc.next_update = window.until();
  return doc;
}

}  // namespace

Result<CollateralDoc> SnpVerifier::ParseCollateral(ByteView data, const CollateralSet& known,
                                                   uint64_t /*now*/) const {
  CollateralDoc doc;
  doc.tee_type = TeeType::AmdSevSnp;
  doc.content_hash = crypto::Sha256(data);
  doc.data.assign(data.begin(), data.end());
  Admission a{*impl_, policy_, common_.simulation, {}, {}};
  // Certificates of the blob (a CRL bundle may carry its issuer chain).
  const bool is_crl = x509::Crl::LooksLikeCrl(data);
  if (auto all = x509::Certificate::ParseAll(data); all.ok()) {
    for (auto& c : *all) a.mine.Add(impl_->Intern(std::move(c)));
  } else if (!is_crl) {
    return NotCollateral("neither certificates nor a CRL");
  }
  a.pool = a.mine;
  AddKnownCerts(*impl_, known, a.pool);
  if (is_crl) return CrlDoc(a, data, std::move(doc));
  if (a.mine.empty())
    return NotCollateral("no AMD SEV-SNP certificate (ARK, ASK, ASVK, VCEK, VLEK)");
  std::vector<CertPtr> leaves;
  for (const auto& c : a.mine) {
    if (c->IsVek()) leaves.push_back(c);
  }
  if (leaves.size() > 1) return NotCollateral("more than one VCEK/VLEK in one document");
  if (leaves.size() == 1) return VekDoc(a, leaves.front(), std::move(doc));
  return CaDoc(a, std::move(doc));
}

// ---- epoch re-evaluation -------------------------------------------------------------

namespace {

struct CrlAt {
  bool damaged = false;  // an admitted CRL that no longer parses
  std::optional<x509::Crl> crl;
};

// The chain claims every SNP record stores.
struct StoredChain {
  Product product = Product::kUnknown;
  const Bytes* ark = nullptr;
  const Bytes* inter = nullptr;
  const Bytes* inter_serial = nullptr;
  const Bytes* vek_serial = nullptr;
  uint64_t not_before = 0, not_after = 0;
  bool dev_claim = false;
};

Result<StoredChain> DecodeChainClaims(const ClaimSet& claims) {
  auto get = [&](const char* name) -> const Bytes* {
    auto it = claims.find(name);
    return it == claims.end() ? nullptr : &it->second;
  };
  StoredChain s{Product::kUnknown,
                get(claim::kArkFingerprint),
                get(claim::kIntermediateFingerprint),
                get(claim::kIntermediateSerial),
                get(claim::kVekSerial),
                0,
                0,
                false};
  const Bytes* product = get(claim::kProduct);
  const Bytes* nb = get(claim::kNotBefore);
  const Bytes* na = get(claim::kNotAfter);
  if (s.ark == nullptr || s.inter == nullptr || s.inter_serial == nullptr ||
      s.vek_serial == nullptr || nb == nullptr || na == nullptr || product == nullptr) {
    return Error(ErrorCode::kStorage, "stored SNP claims are incomplete");
  }
  auto nb_v = pipeline::ReadU64Le(AsView(*nb));
  auto na_v = pipeline::ReadU64Le(AsView(*na));
  if (!nb_v || !na_v || product->size() != 1 || (*product)[0] < 1 || (*product)[0] > 3) {
    return Error(ErrorCode::kStorage, "stored SNP claims are malformed");
  }
  s.product = static_cast<Product>((*product)[0]);
  s.not_before = *nb_v;
  s.not_after = *na_v;
  const Bytes* dev = get(claim::kDevRoot);
  s.dev_claim = dev != nullptr && dev->size() == 1 && (*dev)[0] != 0;
  return s;
}

class SnpReevaluator final : public Reevaluator {
 public:
  SnpReevaluator(std::map<std::string, CrlAt> crls, uint64_t t, Policy policy, bool simulation,
                 std::vector<DevArk> dev_arks)
      : crls_(std::move(crls)),
        t_(t),
        policy_(std::move(policy)),
        simulation_(simulation),
        dev_arks_(std::move(dev_arks)) {}

  // Current anchors and policy over the stored claims (issue 9 item 6);
  // signatures are not re-checked.
  Result<std::optional<Failure>> Check(const ClaimSet& claims) const override {
    TEE_ASSIGN_OR_RETURN(const StoredChain s, DecodeChainClaims(claims));
    TEE_ASSIGN_OR_RETURN(const std::optional<ReportFacts> facts, FactsFromClaims(claims));
    Verdict found;  // failures in check order
    const Trust trust = TrustOfFingerprint(policy_, dev_arks_, s.product, AsView(*s.ark));
    if (!trust.trusted) {
      found.Fail(FailureCode::kChainUntrusted, "the chain's ARK is no longer a pinned root");
    }
    if (t_ < s.not_before) found.Fail(FailureCode::kNotYetValid, "certificate chain not yet valid");
    if (t_ > s.not_after) found.Fail(FailureCode::kExpired, "a certificate of the chain expired");
    TEE_TRY(CheckCrl(found, *s.ark, *s.inter_serial, policy_.require_crls, "ASK/ASVK"));
    TEE_TRY(CheckCrl(found, *s.inter, *s.vek_serial, false, "VEK"));
    if (facts) Validate(found, *facts, policy_);
    pipeline::CheckSimulation(found, trust.dev || s.dev_claim, simulation_, "the chain's ARK");
    if (found.failures.empty()) return std::optional<Failure>();
    return std::optional<Failure>(found.failures.front());
  }

 private:
  Status CheckCrl(Verdict& found, const Bytes& issuer_fp, const Bytes& serial, bool required,
                  const char* what) const {
    auto it = crls_.find(std::string(issuer_fp.begin(), issuer_fp.end()));
    if (it == crls_.end()) {
      if (required) found.Fail(FailureCode::kCollateralMissing, "no admitted CRL of the ARK");
      return Status();
    }
    const CrlAt& c = it->second;
    if (c.damaged || !c.crl) {
      return Error(ErrorCode::kStorage, "an admitted SNP CRL no longer parses");
    }
    if (!c.crl->ValidAt(t_)) {
      found.Fail(static_cast<int64_t>(t_) < c.crl->this_update() ? FailureCode::kNotYetValid
                                                                 : FailureCode::kExpired,
                 "the admitted CRL is outside its window");
    }
    if (c.crl->IsRevoked(AsView(serial))) {
      found.Fail(FailureCode::kRevoked, std::string(what) + " revoked by an admitted CRL");
    }
    return Status();
  }

  std::map<std::string, CrlAt> crls_;  // by issuer fingerprint (bytes)
  uint64_t t_;
  Policy policy_;
  bool simulation_;
  std::vector<DevArk> dev_arks_;
};

}  // namespace

std::unique_ptr<Reevaluator> SnpVerifier::BeginReevaluation(const CollateralSet& collateral,
                                                            uint64_t t) const {
  // std::string keys: gcc 12 misreports memcmp bounds on ordered Bytes keys.
  std::set<std::string> keys;
  for (const auto& d : collateral.docs()) {
    if (d.tee_type == TeeType::AmdSevSnp && d.kind == kKindCrl)
      keys.emplace(d.key.begin(), d.key.end());
  }
  std::map<std::string, CrlAt> crls;
  for (const auto& key : keys) {
    const Bytes key_bytes(key.begin(), key.end());
    const CollateralDoc* d = SelectAt(&collateral, kKindCrl, AsView(key_bytes), t);
    if (d == nullptr) continue;
    CrlAt at;
    auto crl = x509::Crl::Parse(AsView(d->data));
    if (crl.ok() && crl->next_update())
      at.crl = std::move(*crl);
    else
      at.damaged = true;
    crls.emplace(key, std::move(at));
  }
  return std::make_unique<SnpReevaluator>(std::move(crls), t, policy_, common_.simulation,
                                          impl_->dev_arks);
}

void SnpVerifier::CollectCacheStats(const CacheStatsFn& fn) const {
  fn("certs", impl_->certs.stats());
  fn("sigs", impl_->sigs.stats());
  fn("docs", impl_->docs.stats());
}

}  // namespace tenzro::tee::snp
