#include "attestation/snp/snp_verifier.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>

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

uint64_t ClampTime(int64_t t) { return t < 0 ? 0 : static_cast<uint64_t>(t); }

Bytes U64Le(uint64_t v) {
  Bytes b;
  PutU64Le(b, v);
  return b;
}

std::optional<uint64_t> ReadU64Le(const Bytes& b) {
  if (b.size() != 8) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 8; i-- > 0;) v = (v << 8) | b[i];
  return v;
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

Trust TrustOf(const Policy& policy, const std::vector<DevArk>& dev_arks, const CertEntry& ark) {
  if (ark.role != Role::kArk || ark.product == Product::kUnknown) return {};
  if (crypto::ConstantTimeEqual(AsView(ark.cert.fingerprint()),
                                AsView(PinFor(policy, ark.product)))) {
    return {true, false};
  }
  for (const auto& d : dev_arks) {
    if (d.product == ark.product && d.sha256 == ark.cert.fingerprint()) return {true, true};
  }
  return {};
}

void AddUnique(std::vector<CertPtr>& pool, CertPtr c) {
  if (!c || c->role == Role::kOther) return;
  for (const auto& p : pool) {
    if (p->cert.fingerprint() == c->cert.fingerprint()) return;
  }
  pool.push_back(std::move(c));
}

std::string ProductList(ProductSet s) {
  std::string out;
  for (Product p : {Product::kMilan, Product::kGenoa, Product::kTurin}) {
    if ((s & ProductBit(p)) == 0) continue;
    if (!out.empty()) out += "/";
    out += std::string(format::ProductName(p));
  }
  return out;
}

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

}  // namespace

namespace {

// Builds leaf -> ASK/ASVK -> ARK from the pool, verifying signatures (cached).
ChainOutcome BuildChain(SnpVerifier::Impl& impl, const Policy& policy,
                        const std::vector<CertPtr>& pool, const LeafWanted& want, uint64_t now,
                        const std::vector<DevArk>& dev_arks) {
  ChainOutcome out;
  auto fail = [&](FailureCode code, std::string msg) {
    out.code = code;
    out.message = std::move(msg);
    return out;
  };
  // Leaf: of the kind SIGNER_INFO names, best fit first (pool order breaks ties).
  CertPtr leaf;
  int best = -1;
  bool other_kind = false;
  for (const auto& c : pool) {
    if (!c->IsVek()) continue;
    if (c->role != want.role) {
      other_kind = true;
      continue;
    }
    const int s = LeafScore(*c, want);
    if (s > best) {
      best = s;
      leaf = c;
    }
  }
  const char* want_name = want.role == Role::kVcek ? "VCEK" : "VLEK";
  if (!leaf) {
    if (other_kind) {
      return fail(FailureCode::kChainUntrusted,
                  std::string("SIGNER_INFO names the ") + want_name +
                      " but the certificates at hand hold only the other endorsement key kind");
    }
    return fail(FailureCode::kChainIncomplete,
                std::string("no ") + want_name + " certificate at hand");
  }
  if (!leaf->ext) return fail(FailureCode::kChainUntrusted, leaf->ext_error);
  if (!leaf->p384)
    return fail(FailureCode::kUnsupported, std::string(want_name) + " key is not ECDSA P-384");

  // Product: the report's when it names one; on v2 the VEK's productName.
  Product product = Product::kUnknown;
  for (Product p : {Product::kMilan, Product::kGenoa, Product::kTurin}) {
    if (want.products == ProductBit(p)) product = p;
  }
  if (product == Product::kUnknown) {
    if (leaf->product != Product::kUnknown && (want.products & ProductBit(leaf->product)) != 0) {
      product = leaf->product;
    } else {
      return fail(FailureCode::kUnsupported,
                  "cannot tell the product: the report allows " + ProductList(want.products) +
                      ", the VEK productName is " + leaf->ext->product_name.value_or("absent"));
    }
  }
  if (leaf->product != Product::kUnknown && leaf->product != product) {
    return fail(FailureCode::kChainUntrusted,
                "VEK productName " + leaf->ext->product_name.value_or("") +
                    " is not the report's product " + std::string(format::ProductName(product)));
  }

  // Intermediate: ASK for a VCEK, ASVK for a VLEK, of this product, named as
  // the VEK's issuer.
  const Role inter_role = leaf->role == Role::kVcek ? Role::kAsk : Role::kAsvk;
  std::vector<CertPtr> inters;
  bool misnamed = false;
  for (const auto& c : pool) {
    if (c->cert.subject_der() != leaf->cert.issuer_der()) continue;
    if (c->role == inter_role && c->product == product)
      inters.push_back(c);
    else
      misnamed = true;
  }
  const std::string inter_name =
      std::string(RoleName(inter_role)) + " of " + std::string(format::ProductName(product));
  if (inters.empty()) {
    return misnamed ? fail(FailureCode::kChainUntrusted,
                           "the VEK's issuer at hand is not the expected " + inter_name)
                    : fail(FailureCode::kChainIncomplete, "no " + inter_name + " at hand");
  }
  // ARK of this product, pinned (or a development ARK).
  std::vector<std::pair<CertPtr, Trust>> arks;
  bool unpinned = false;
  for (const auto& c : pool) {
    if (c->role != Role::kArk || c->product != product) continue;
    const Trust t = TrustOf(policy, dev_arks, *c);
    if (t.trusted)
      arks.emplace_back(c, t);
    else
      unpinned = true;
  }
  if (arks.empty()) {
    return unpinned ? fail(FailureCode::kChainUntrusted,
                           "the ARK-" + std::string(format::ProductName(product)) +
                               " at hand is not the pinned one")
                    : fail(FailureCode::kChainIncomplete,
                           "no ARK-" + std::string(format::ProductName(product)) + " at hand");
  }
  // First verified chain, preferring an intermediate valid at now.
  std::optional<Chain> found;
  for (int pass = 0; pass < 2 && !found; ++pass) {
    for (const auto& [ark, trust] : arks) {
      if (!impl.Signed(*ark, *ark)) continue;
      for (const auto& inter : inters) {
        if (pass == 0 && !inter->cert.ValidAt(now)) continue;
        if (inter->cert.issuer_der() != ark->cert.subject_der()) continue;
        if (!impl.Signed(*inter, *ark) || !impl.Signed(*leaf, *inter)) continue;
        found = Chain{leaf, inter, ark, product, trust.dev};
        break;
      }
      if (found) break;
    }
  }
  if (!found) {
    return fail(FailureCode::kChainUntrusted, "RSA-PSS signatures ARK -> " +
                                                  std::string(RoleName(inter_role)) + " -> " +
                                                  want_name + " do not verify");
  }
  out.chain = std::move(found);
  return out;
}

// The CRL checks of one certificate against the CRL of its issuer.
struct CrlFinding {
  bool present = false;
  bool authentic = false;
  bool revoked = false;
  uint64_t this_update = 0, next_update = 0;
};

CrlFinding CheckCrl(SnpVerifier::Impl& impl, const CollateralSet* set, const CertEntry& issuer,
                    const CertEntry& subject, uint64_t now) {
  CrlFinding f;
  const CollateralDoc* doc = SelectAt(set, kKindCrl, AsView(issuer.cert.fingerprint()), now);
  if (doc == nullptr) return f;
  DocPtr content = impl.Content(*doc);
  if (!content->crl || !content->crl->next_update() || !impl.CrlSigned(*content->crl, issuer)) {
    return f;  // an admitted document that is not this issuer's CRL: ignored
  }
  f.present = f.authentic = true;
  f.this_update = ClampTime(content->crl->this_update());
  f.next_update = ClampTime(*content->crl->next_update());
  f.revoked = content->crl->IsRevoked(AsView(subject.cert.serial()));
  return f;
}

void CheckWindow(Verdict& v, const CertEntry& c, uint64_t now, bool& in_window) {
  if (c.cert.ValidAt(now)) return;
  in_window = false;
  const std::string what =
      std::string(RoleName(c.role)) + " (" + c.cert.SubjectAttr("CN").value_or("") + ")";
  if (static_cast<int64_t>(now) < c.cert.not_before()) {
    v.Fail(FailureCode::kNotYetValid,
           what + " is not valid before " + std::to_string(c.cert.not_before()));
  } else {
    v.Fail(FailureCode::kExpired, what + " expired at " + std::to_string(c.cert.not_after()));
  }
}

// Adds every certificate of the SNP documents that may serve `products`.
void GatherCollateral(SnpVerifier::Impl& impl, const CollateralSet* set, ProductSet products,
                      const Report* report, std::vector<CertPtr>& pool) {
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
    for (const auto& c : content->certs) AddUnique(pool, c);
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

nlohmann::json Claims(const Evidence& e) {
  const Report& r = e.report;
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
      {"evidence_form", FormName(e.form)},
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

const std::optional<MinTcb>& MinTcbFor(const Policy& p, Product product) {
  switch (product) {
    case Product::kMilan:
      return p.min_tcb_milan;
    case Product::kGenoa:
      return p.min_tcb_genoa;
    default:
      return p.min_tcb_turin;
  }
}

template <size_t N>
bool Listed(const std::vector<std::array<uint8_t, N>>& list, const std::array<uint8_t, N>& v) {
  return list.empty() || std::binary_search(list.begin(), list.end(), v);
}

}  // namespace

Result<Verdict> SnpVerifier::Verify(const VerifyRequest& req) const {
  Verdict v;
  v.tee_type = TeeType::AmdSevSnp;
  auto parsed = ParseEvidence(req.evidence);
  if (!parsed.ok()) {
    v.Fail(parsed.status().code() == ErrorCode::kUnsupported ? FailureCode::kUnsupported
                                                             : FailureCode::kMalformed,
           parsed.status().message());
    return v;
  }
  const Evidence& e = *parsed;
  const Report& r = e.report;
  v.claims = Claims(e);
  v.debug = r.debug();

  // Certificates: the evidence's table first, then admitted collateral.
  std::vector<CertPtr> pool;
  std::vector<CertPtr> shipped_arks;  // under the ARK GUID (null: not a certificate)
  for (const auto& entry : e.certs) {
    if (entry.guid == format::kGuidVcek || entry.guid == format::kGuidVlek ||
        entry.guid == format::kGuidAsk || entry.guid == format::kGuidArk) {
      CertPtr c = impl_->FromDer(AsView(entry.data));
      if (entry.guid == format::kGuidArk) shipped_arks.push_back(c);
      AddUnique(pool, std::move(c));
    }
  }
  GatherCollateral(*impl_, req.collateral, r.products, &r, pool);
  LeafWanted want;
  want.role = r.signing_key == SigningKey::kVcek ? Role::kVcek : Role::kVlek;
  want.products = r.products;
  want.report = &r;
  ChainOutcome built = BuildChain(*impl_, policy_, pool, want, req.now, impl_->dev_arks);
  if (!built.chain) {
    v.Fail(built.code, built.message);
    return v;
  }
  const Chain& ch = *built.chain;
  const Product product = ch.product;
  v.claims["product"] = std::string(format::ProductName(product));
  // An ARK shipped with the evidence must be the pinned one, even when the
  // chain was built through the pinned ARK from collateral.
  for (const CertPtr& ark : shipped_arks) {
    if (!ark || ark->role != Role::kArk || ark->product != product ||
        !TrustOf(policy_, impl_->dev_arks, *ark).trusted) {
      v.Fail(FailureCode::kChainUntrusted,
             "the ARK shipped with the evidence is not the pinned ARK-" +
                 std::string(format::ProductName(product)));
    }
  }

  // The report signature (r, s converted to big-endian at parse time).
  const bool signature_ok = x509::EcdsaVerify(ch.leaf->cert.public_key(), x509::Digest::kSha384,
                                              r.signed_bytes(), AsView(r.sig_r), AsView(r.sig_s));
  if (!signature_ok)
    v.Fail(FailureCode::kBadSignature, "report signature does not verify under the VEK key");

  // The VEK certifies this report: hwID = CHIP_ID, SPLs = REPORTED_TCB.
  const VekExtensions& ext = *ch.leaf->ext;
  if (ch.leaf->role == Role::kVcek) {
    if (r.chip_id_masked()) {
      // Nothing to compare: policy decides below whether masking is allowed.
    } else if (!ext.hw_id) {
      v.Fail(FailureCode::kChainUntrusted, "VCEK has no hwID extension");
    } else {
      const ByteView chip = r.chip_id_for(product);
      if (!std::equal(ext.hw_id->begin(), ext.hw_id->end(), chip.begin(), chip.end())) {
        v.Fail(FailureCode::kChainUntrusted, "VCEK hwID is not the report's CHIP_ID");
      }
    }
  }
  if (auto diff = CompareTcb(ext, r.reported_tcb, product))
    v.Fail(FailureCode::kNoMatchingTcb, *diff);

  // Windows (§5) and revocation.
  bool in_window = true;
  uint64_t valid_until = UINT64_MAX;
  uint64_t valid_from = 0;
  for (const CertEntry* c : {ch.leaf.get(), ch.inter.get(), ch.ark.get()}) {
    CheckWindow(v, *c, req.now, in_window);
    valid_until = std::min(valid_until, ClampTime(c->cert.not_after()));
    valid_from = std::max(valid_from, ClampTime(c->cert.not_before()));
  }
  if (req.evidence_time) {
    const uint64_t et = *req.evidence_time;
    const uint64_t limit =
        et > UINT64_MAX - common_.max_age_secs ? UINT64_MAX : et + common_.max_age_secs;
    valid_until = std::min(valid_until, limit);
    valid_from = std::max(valid_from, et);
    if (req.now < et) {
      v.Fail(FailureCode::kNotYetValid, "evidence time " + std::to_string(et) + " is after now");
    } else if (req.now > limit) {
      v.Fail(FailureCode::kExpired,
             "evidence older than max_age_secs (" + std::to_string(common_.max_age_secs) + ")");
    }
  }
  bool revoked = false;
  const CrlFinding ark_crl = CheckCrl(*impl_, req.collateral, *ch.ark, *ch.inter, req.now);
  const CrlFinding inter_crl = CheckCrl(*impl_, req.collateral, *ch.inter, *ch.leaf, req.now);
  for (const CrlFinding* f : {&ark_crl, &inter_crl}) {
    if (!f->present) continue;
    valid_until = std::min(valid_until, f->next_update);
    valid_from = std::max(valid_from, f->this_update);
    if (req.now < f->this_update) {
      v.Fail(FailureCode::kNotYetValid,
             "CRL is not valid before " + std::to_string(f->this_update));
    } else if (req.now > f->next_update) {
      v.Fail(FailureCode::kExpired, "CRL is stale: nextUpdate " + std::to_string(f->next_update));
    }
    if (f->revoked) revoked = true;
  }
  if (ark_crl.revoked) {
    v.Fail(FailureCode::kRevoked, std::string(RoleName(ch.inter->role)) + " serial " +
                                      ToHex(AsView(ch.inter->cert.serial())) +
                                      " is on the ARK's CRL");
  }
  if (inter_crl.revoked) {
    v.Fail(FailureCode::kRevoked, std::string(RoleName(ch.leaf->role)) + " is on its issuer's CRL");
  }
  if (!ark_crl.present && policy_.require_crls) {
    v.Fail(
        FailureCode::kCollateralMissing,
        "no CRL of ARK-" + std::string(format::ProductName(product)) + " at hand (require_crls)");
  }
  v.valid_until = valid_until;
  v.valid_from = valid_from;

  const bool trusted_root = !ch.dev || common_.simulation;
  v.hardware_verified = signature_ok && trusted_root;
  v.certificate_chain_valid = trusted_root && in_window && !revoked;

  // Policy on the report's own fields.
  const TcbParts tcb = DecodeTcb(r.reported_tcb, product);
  if (const auto& min = MinTcbFor(policy_, product)) {
    const bool fmc_ok = product != Product::kTurin || tcb.fmc >= min->fmc;
    if (!fmc_ok || tcb.boot_loader < min->boot_loader || tcb.tee < min->tee || tcb.snp < min->snp ||
        tcb.microcode < min->microcode) {
      v.Fail(FailureCode::kFirmwareTooOld, "REPORTED_TCB is below the minimum TCB for " +
                                               std::string(format::ProductName(product)));
    }
  }
  if (policy_.min_committed_fw) {
    const MinFirmware& m = *policy_.min_committed_fw;
    const FirmwareVersion min{m.major, m.minor, m.build};
    if (r.committed_fw < min) {
      v.Fail(FailureCode::kFirmwareTooOld, "committed firmware " + r.committed_fw.ToString() +
                                               " is older than " + min.ToString());
    }
  }
  if (r.debug() && !policy_.allow_debug) v.Fail(FailureCode::kDebugEnclave, "POLICY.DEBUG is set");
  if (r.vmpl > policy_.max_vmpl) {
    v.Fail(FailureCode::kVmpl, "VMPL " + std::to_string(r.vmpl) + " is above max_vmpl " +
                                   std::to_string(policy_.max_vmpl));
  }
  if (r.migrate_ma() && !policy_.allow_migrate_ma) {
    v.Fail(FailureCode::kPolicyViolation, "POLICY.MIGRATE_MA is set");
  }
  if (r.chip_id_masked() && !policy_.allow_masked_chip_id) {
    v.Fail(FailureCode::kPolicyViolation, "CHIP_ID is masked");
  }
  v.measurements_valid = true;
  auto listed = [&](bool ok, const char* what) {
    if (ok) return;
    v.measurements_valid = false;
    v.Fail(FailureCode::kMeasurementMismatch, std::string(what) + " is not on the allow-list");
  };
  listed(Listed(policy_.measurements, r.measurement), "MEASUREMENT");
  listed(Listed(policy_.host_data, r.host_data), "HOST_DATA");
  listed(Listed(policy_.id_key_digests, r.id_key_digest), "ID_KEY_DIGEST");
  listed(Listed(policy_.author_key_digests, r.author_key_digest), "AUTHOR_KEY_DIGEST");
  if (req.binding) {
    const auto expected = ComputeBinding(*req.binding);
    v.binding_valid = crypto::ConstantTimeEqual(AsView(expected), AsView(r.report_data));
    if (!*v.binding_valid) {
      v.Fail(FailureCode::kBindingMismatch,
             "REPORT_DATA does not commit to the validator key and challenge");
    }
  }
  if (ch.dev && !common_.simulation) {
    v.Fail(FailureCode::kSimulationDisabled,
           "chain ends in a development ARK while [tee] simulation = false");
  }

  // What the epoch re-evaluation needs (§6).
  v.reeval_claims[claim::kProduct] = Bytes{static_cast<uint8_t>(product)};
  v.reeval_claims[claim::kArkFingerprint] =
      Bytes(ch.ark->cert.fingerprint().begin(), ch.ark->cert.fingerprint().end());
  v.reeval_claims[claim::kIntermediateSerial] = ch.inter->cert.serial();
  v.reeval_claims[claim::kIntermediateIssuer] = ch.inter->cert.issuer_der();
  v.reeval_claims[claim::kIntermediateFingerprint] =
      Bytes(ch.inter->cert.fingerprint().begin(), ch.inter->cert.fingerprint().end());
  v.reeval_claims[claim::kVekSerial] = ch.leaf->cert.serial();
  v.reeval_claims[claim::kVekFingerprint] =
      Bytes(ch.leaf->cert.fingerprint().begin(), ch.leaf->cert.fingerprint().end());
  uint64_t chain_nb = 0, chain_na = UINT64_MAX;
  for (const CertEntry* c : {ch.leaf.get(), ch.inter.get(), ch.ark.get()}) {
    chain_nb = std::max(chain_nb, ClampTime(c->cert.not_before()));
    chain_na = std::min(chain_na, ClampTime(c->cert.not_after()));
  }
  v.reeval_claims[claim::kNotBefore] = U64Le(chain_nb);
  v.reeval_claims[claim::kNotAfter] = U64Le(chain_na);
  v.reeval_claims[claim::kDevRoot] = Bytes{static_cast<uint8_t>(ch.dev ? 1 : 0)};
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
  if (!leaf->IsVek()) {
    v.Fail(FailureCode::kMalformed,
           "the certificate is not a VCEK or VLEK (CN SEV-VCEK / SEV-VLEK)");
    return v;
  }
  if (!leaf->ext) {
    v.Fail(FailureCode::kMalformed, leaf->ext_error);
    return v;
  }
  const Product product = leaf->product;
  if (product == Product::kUnknown) {
    v.Fail(FailureCode::kUnsupported, "VEK productName " +
                                          leaf->ext->product_name.value_or("absent") +
                                          " is not Milan, Genoa or Turin");
    return v;
  }
  std::vector<CertPtr> pool = {leaf};
  GatherCollateral(*impl_, collateral, ProductBit(product), nullptr, pool);
  LeafWanted want;
  want.role = leaf->role;
  want.products = ProductBit(product);
  ChainOutcome built = BuildChain(*impl_, policy_, pool, want, now, impl_->dev_arks);
  if (!built.chain) {
    v.Fail(built.code, built.message);
    return v;
  }
  const Chain& ch = *built.chain;
  if (ch.leaf != leaf) {
    v.Fail(FailureCode::kChainUntrusted, "another VEK of the collateral was chosen");
    return v;
  }
  v.claims = {{"product", std::string(format::ProductName(product))},
              {"signing_key", leaf->role == Role::kVcek ? "vcek" : "vlek"}};
  bool in_window = true;
  uint64_t valid_until = UINT64_MAX, valid_from = 0;
  for (const CertEntry* c : {ch.leaf.get(), ch.inter.get(), ch.ark.get()}) {
    CheckWindow(v, *c, now, in_window);
    valid_until = std::min(valid_until, ClampTime(c->cert.not_after()));
    valid_from = std::max(valid_from, ClampTime(c->cert.not_before()));
  }
  bool revoked = false;
  const CrlFinding ark_crl = CheckCrl(*impl_, collateral, *ch.ark, *ch.inter, now);
  const CrlFinding inter_crl = CheckCrl(*impl_, collateral, *ch.inter, *ch.leaf, now);
  for (const CrlFinding* f : {&ark_crl, &inter_crl}) {
    if (!f->present) continue;
    valid_until = std::min(valid_until, f->next_update);
    valid_from = std::max(valid_from, f->this_update);
    if (now < f->this_update)
      v.Fail(FailureCode::kNotYetValid, "CRL is not yet valid");
    else if (now > f->next_update)
      v.Fail(FailureCode::kExpired, "CRL is stale");
    if (f->revoked) {
      revoked = true;
      v.Fail(FailureCode::kRevoked, "a certificate of the chain is revoked");
    }
  }
  if (!ark_crl.present && policy_.require_crls) {
    v.Fail(FailureCode::kCollateralMissing, "no CRL of the ARK at hand (require_crls)");
  }
  v.valid_until = valid_until;
  v.valid_from = valid_from;
  const bool trusted_root = !ch.dev || common_.simulation;
  v.certificate_chain_valid = trusted_root && in_window && !revoked;
  v.measurements_valid = true;
  if (ch.dev && !common_.simulation) {
    v.Fail(FailureCode::kSimulationDisabled,
           "chain ends in a development ARK while simulation is off");
  }
  return v;
}

// ---- collateral ----------------------------------------------------------------------

namespace {

// The certificates of SNP documents already at hand (for issuers).
std::vector<CertPtr> KnownCerts(SnpVerifier::Impl& impl, const CollateralSet& known) {
  std::vector<CertPtr> out;
  for (const auto& d : known.docs()) {
    if (d.tee_type != TeeType::AmdSevSnp || (d.kind != kKindCaCerts && d.kind != kKindVek))
      continue;
    const DocPtr content = impl.Content(d);  // owns what the loop reads
    for (const auto& c : content->certs) AddUnique(out, c);
  }
  return out;
}

}  // namespace

Result<CollateralDoc> SnpVerifier::ParseCollateral(ByteView data, const CollateralSet& known,
                                                   uint64_t /*now*/) const {
  Impl& impl = *impl_;
  CollateralDoc doc;
  doc.tee_type = TeeType::AmdSevSnp;
  doc.content_hash = crypto::Sha256(data);
  doc.data.assign(data.begin(), data.end());

  // Certificates of the blob (a CRL bundle may carry its issuer chain).
  std::vector<CertPtr> mine;
  const bool is_crl = x509::Crl::LooksLikeCrl(data);
  if (auto all = x509::Certificate::ParseAll(data); all.ok()) {
    for (auto& c : *all) AddUnique(mine, impl.Intern(std::move(c)));
  } else if (!is_crl) {
    return NotCollateral("neither certificates nor a CRL");
  }
  std::vector<CertPtr> pool = mine;
  for (auto& c : KnownCerts(impl, known)) AddUnique(pool, std::move(c));

  // Development ARKs authenticate collateral only when simulation is on
  // (brief convention); evidence carrying a dev chain in its certificate
  // table is still judged simulation_disabled at verification.
  auto trusted_ark = [&](const CertEntry& ark) {
    const Trust t = TrustOf(policy_, impl.dev_arks, ark);
    return t.trusted && (!t.dev || common_.simulation) && impl.Signed(ark, ark);
  };
  // An ARK of the pool that certifies this ASK/ASVK.
  auto authentic_inter = [&](const CertEntry& inter) -> bool {
    if (inter.role != Role::kAsk && inter.role != Role::kAsvk) return false;
    for (const auto& c : pool) {
      if (c->role == Role::kArk && c->product == inter.product && trusted_ark(*c) &&
          impl.Signed(inter, *c)) {
        return true;
      }
    }
    return false;
  };

  if (is_crl) {
    auto crl = x509::Crl::Parse(data);
    if (!crl.ok()) return NotCollateral(crl.status().message());
    if (!crl->next_update()) return NotCollateral("CRL has no nextUpdate");
    for (const auto& c : pool) {
      if (c->cert.subject_der() != crl->issuer_der()) continue;
      const bool ok_issuer = c->role == Role::kArk ? trusted_ark(*c) : authentic_inter(*c);
      if (!ok_issuer || !impl.CrlSigned(*crl, *c)) continue;
      doc.kind = kKindCrl;
      doc.key = Bytes(c->cert.fingerprint().begin(), c->cert.fingerprint().end());
      doc.this_update = ClampTime(crl->this_update());
      doc.next_update = ClampTime(*crl->next_update());
      return doc;
    }
    return NotCollateral("CRL issuer " + crl->issuer() +
                         " is not a trusted ARK, ASK or ASVK at hand");
  }

  if (mine.empty()) return NotCollateral("no AMD SEV-SNP certificate (ARK, ASK, ASVK, VCEK, VLEK)");
  std::vector<CertPtr> leaves;
  for (const auto& c : mine) {
    if (c->IsVek()) leaves.push_back(c);
  }
  if (leaves.size() > 1) return NotCollateral("more than one VCEK/VLEK in one document");

  uint64_t nb = 0, na = UINT64_MAX;
  auto window = [&](const CertEntry& c) {
    nb = std::max(nb, ClampTime(c.cert.not_before()));
    na = std::min(na, ClampTime(c.cert.not_after()));
  };
  if (leaves.size() == 1) {
    const CertPtr& leaf = leaves.front();
    if (!leaf->ext) return NotCollateral(leaf->ext_error);
    if (leaf->product == Product::kUnknown)
      return NotCollateral("VEK productName is not Milan, Genoa or Turin");
    LeafWanted want;
    want.role = leaf->role;
    want.products = ProductBit(leaf->product);
    // Only this leaf may be chosen.
    std::vector<CertPtr> chain_pool = {leaf};
    for (const auto& c : pool) {
      if (!c->IsVek()) AddUnique(chain_pool, c);
    }
    // Windows are not checked here: an expired VEK is still admitted so
    // verification can report `expired` (§9 selection).
    ChainOutcome built = BuildChain(impl, policy_, chain_pool, want, 0, impl.dev_arks);
    if (!built.chain) return NotCollateral(built.message);
    if (built.chain->dev && !common_.simulation) {
      return NotCollateral("chain ends in a development ARK while simulation is off");
    }
    doc.kind = kKindVek;
    if (leaf->role == Role::kVcek) {
      if (!leaf->ext->hw_id) return NotCollateral("VCEK has no hwID");
      doc.key = *leaf->ext->hw_id;
    } else {
      doc.key = StrBytes("VLEK-" + std::string(format::ProductName(leaf->product)));
    }
    for (const CertEntry* c :
         {built.chain->leaf.get(), built.chain->inter.get(), built.chain->ark.get()}) {
      window(*c);
    }
  } else {
    // CA certificates of one product, each a pinned ARK or certified by one.
    Product product = Product::kUnknown;
    for (const auto& c : mine) {
      if (product != Product::kUnknown && c->product != product) {
        return NotCollateral("certificates of more than one product in one document");
      }
      product = c->product;
      const bool ok = c->role == Role::kArk ? trusted_ark(*c) : authentic_inter(*c);
      if (!ok) {
        return NotCollateral(std::string(RoleName(c->role)) + " " + c->cert.subject() +
                             " is not pinned or not certified by the pinned ARK");
      }
      window(*c);
    }
    doc.kind = kKindCaCerts;
    doc.key = StrBytes(format::ProductName(product));
  }
  doc.this_update = nb;
  doc.next_update = na;
  return doc;
}

// ---- epoch re-evaluation -------------------------------------------------------------

namespace {

struct CrlAt {
  bool tampered = false;  // an admitted CRL that no longer parses
  std::optional<x509::Crl> crl;
};

class SnpReevaluator final : public Reevaluator {
 public:
  SnpReevaluator(std::map<std::string, CrlAt> crls, uint64_t t, bool require_crls)
      : crls_(std::move(crls)), t_(t), require_crls_(require_crls) {}

  Result<std::optional<Failure>> Check(const ClaimSet& claims) const override {
    auto get = [&](const char* name) -> const Bytes* {
      auto it = claims.find(name);
      return it == claims.end() ? nullptr : &it->second;
    };
    const Bytes* ark = get(claim::kArkFingerprint);
    const Bytes* inter = get(claim::kIntermediateFingerprint);
    const Bytes* inter_serial = get(claim::kIntermediateSerial);
    const Bytes* vek_serial = get(claim::kVekSerial);
    const Bytes* nb_raw = get(claim::kNotBefore);
    const Bytes* na_raw = get(claim::kNotAfter);
    if (ark == nullptr || inter == nullptr || inter_serial == nullptr || vek_serial == nullptr ||
        nb_raw == nullptr || na_raw == nullptr) {
      return Error(ErrorCode::kStorage, "stored SNP claims are incomplete");
    }
    auto nb = ReadU64Le(*nb_raw);
    auto na = ReadU64Le(*na_raw);
    if (!nb || !na) return Error(ErrorCode::kStorage, "stored SNP claims are malformed");
    std::vector<Failure> found;
    if (t_ < *nb) found.push_back({FailureCode::kNotYetValid, "certificate chain not yet valid"});
    if (t_ > *na) found.push_back({FailureCode::kExpired, "a certificate of the chain expired"});
    auto check = [&](const Bytes& issuer_fp, const Bytes& serial, bool required, const char* what) {
      auto it = crls_.find(std::string(issuer_fp.begin(), issuer_fp.end()));
      if (it == crls_.end()) {
        if (required)
          found.push_back({FailureCode::kCollateralMissing, "no admitted CRL of the ARK"});
        return;
      }
      const CrlAt& c = it->second;
      if (c.tampered || !c.crl) {
        found.push_back({FailureCode::kRevoked, "the admitted CRL does not parse: revoking"});
        return;
      }
      if (!c.crl->ValidAt(t_)) {
        found.push_back({static_cast<int64_t>(t_) < c.crl->this_update() ? FailureCode::kNotYetValid
                                                                         : FailureCode::kExpired,
                         "the admitted CRL is outside its window"});
      }
      if (c.crl->IsRevoked(AsView(serial))) {
        found.push_back({FailureCode::kRevoked, std::string(what) + " revoked by an admitted CRL"});
      }
    };
    check(*ark, *inter_serial, require_crls_, "ASK/ASVK");
    check(*inter, *vek_serial, false, "VEK");
    if (found.empty()) return std::optional<Failure>();
    return std::optional<Failure>(
        *std::min_element(found.begin(), found.end(),
                          [](const Failure& a, const Failure& b) { return a.code < b.code; }));
  }

 private:
  std::map<std::string, CrlAt> crls_;  // by issuer fingerprint (bytes)
  uint64_t t_;
  bool require_crls_;
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
      at.tampered = true;
    crls.emplace(key, std::move(at));
  }
  return std::make_unique<SnpReevaluator>(std::move(crls), t, policy_.require_crls);
}

}  // namespace tenzro::tee::snp
