#include "attestation/tdx/tdx_verifier.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include "attestation/pipeline.h"
#include "attestation/tdx/json_scan.h"
#include "attestation/tdx/pck_extensions.h"
#include "attestation/tdx/quote.h"
#include "attestation/tdx/tcb_info.h"
#include "attestation/tdx/tcb_match.h"
#include "attestation/tdx/validate.h"
#include "core/cache.h"
#include "crypto/hash.h"
#include "crypto/x509.h"

#include <openssl/err.h>
#include <openssl/x509.h>

namespace tenzro::tee::tdx {
namespace {

constexpr size_t kMaxChainLength = 5;

// Names of the stored claims the epoch re-evaluation reads (ClaimSet keys).
constexpr char kRcAnchor[] = "anchor";
constexpr char kRcFmspc[] = "fmspc";
constexpr char kRcPceId[] = "pce_id";
constexpr char kRcSgxTcb[] = "sgx_tcb_components";
constexpr char kRcPceSvn[] = "pcesvn";
constexpr char kRcTeeTcbSvn[] = "tee_tcb_svn";
constexpr char kRcTeeTcbSvn2[] = "tee_tcb_svn2";
constexpr char kRcMrSignerSeam[] = "mrsignerseam";
constexpr char kRcSeamAttributes[] = "seam_attributes";
constexpr char kRcQeMiscSelect[] = "qe_miscselect";
constexpr char kRcQeAttributes[] = "qe_attributes";
constexpr char kRcQeMrSigner[] = "qe_mrsigner";
constexpr char kRcQeIsvProdId[] = "qe_isvprodid";
constexpr char kRcQeIsvSvn[] = "qe_isvsvn";
constexpr char kRcPckSerial[] = "pck_serial";
constexpr char kRcPckIssuer[] = "pck_issuer";  // SHA-256 of the issuer name DER
constexpr char kRcCaSerial[] = "pck_ca_serial";
constexpr char kRcCaIssuer[] = "pck_ca_issuer";
constexpr char kRcChainNotAfter[] = "chain_not_after";
constexpr char kRcRoot[] = "root_sha256";     // fingerprint of the PCK chain's root
constexpr char kRcPckCaKey[] = "pck_ca_key";  // the PCK CA's P-256 public key, x || y

std::string UpperHex(ByteView b) {
  std::string s = ToHex(b);
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

Bytes U16Le(uint16_t v) {
  Bytes b;
  PutU16Le(b, v);
  return b;
}
Bytes U32Le(uint32_t v) {
  Bytes b;
  PutU32Le(b, v);
  return b;
}

Bytes MakeKey(uint8_t anchor, ByteView a, ByteView b = {}) {
  Bytes k;
  k.reserve(1 + a.size() + b.size());
  k.push_back(anchor);
  PutBytes(k, a);
  PutBytes(k, b);
  return k;
}

ByteView StrView(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

using pipeline::ClampTime;
using pipeline::SatAdd;
using pipeline::U64Le;

bool SelfIssued(const x509::Certificate& c) { return c.subject_der() == c.issuer_der(); }

// The QE report fields the QE identity is matched against.
QeReportIdentity QeIdentityOf(const SgxReport& r) {
  QeReportIdentity q;
  q.misc_select = r.misc_select;
  q.attributes = r.attributes;
  q.mr_signer = r.mr_signer;
  q.isv_prod_id = r.isv_prod_id;
  q.isv_svn = r.isv_svn;
  return q;
}

}  // namespace

// ---- cached facts ----------------------------------------------------------

// Named (not anonymous: TdxVerifier::Impl holds them) but private to this file.
namespace verifier_internal {

// What a quote's certification data (attestation key through the PCK chain)
// proves, independent of time: a function of those bytes and of this
// verifier's anchors (fixed at construction).
struct Certification {
  std::vector<Failure> failures;         // malformed / bad_signature / chain_* of this layer
  std::vector<x509::Certificate> chain;  // leaf first, root last
  std::optional<uint8_t> anchor;         // kAnchorIntel / kAnchorDev when the chain reaches one
  bool extensions_ok = false;
  PckExtensions ext;
  x509::PublicKey attestation_key;
  Hash32 leaf_issuer_hash{};
  Hash32 root_subject_hash{};
};

// A collateral document parsed, nothing verified: a function of its bytes
// alone, so it may be cached by content hash (DESIGN §2).
struct ParsedDoc {
  std::string kind;  // kKindCerts, kKindTcbInfo, kKindQeIdentity; CRLs: set by their signer
  uint64_t this_update = 0, next_update = 0, rank = 0;
  std::vector<x509::Certificate> certs;    // kind certs: the document's certificates
  std::vector<x509::Certificate> bundled;  // signed documents: the issuer chain appended
  std::optional<x509::Crl> crl;
  std::optional<TcbInfo> tcb_info;
  std::optional<QeIdentity> qe_identity;
  Bytes signed_body;  // signed JSON: the exact bytes the signature covers
  Bytes signature;    // signed JSON: r || s
};

// A document authenticated against the certificates of one call (its own
// bundle and the caller's known set). Never cached: it depends on the call.
struct AuthDoc {
  std::shared_ptr<const ParsedDoc> parsed;
  std::string kind;
  uint8_t anchor = kAnchorIntel;
  Bytes key;
  std::vector<x509::Certificate> signer_chain;  // the signer up to its root (CRLs, JSON)
};

// Where a certificate's subject Name is, by walking its DER without parsing
// it (RFC 5280 §4.1: Certificate ::= SEQUENCE { tbsCertificate SEQUENCE {
// [0] version OPTIONAL, serialNumber, signature, issuer, validity, subject,
// ... } ... }). A full X.509 parse (OpenSSL 3 decodes the public key through
// its providers) costs about 2.6 P-256 verifies; indexing needs only names.
class DerReader {
 public:
  explicit DerReader(ByteView b) : b_(b) {}
  // The next element (tag, header and content); nullopt when malformed.
  std::optional<std::pair<uint8_t, ByteView>> Next() {
    if (b_.size() < 2) return std::nullopt;
    const uint8_t tag = b_[0];
    size_t len = b_[1], header = 2;
    if (len & 0x80) {
      const size_t n = len & 0x7f;
      if (n == 0 || n > 4 || b_.size() < 2 + n) return std::nullopt;
      len = 0;
      for (size_t i = 0; i < n; ++i) len = (len << 8) | b_[2 + i];
      header += n;
    }
    if (b_.size() - header < len) return std::nullopt;
    const ByteView whole = b_.subspan(0, header + len);
    b_ = b_.subspan(header + len);
    return std::make_pair(tag, whole);
  }
  static ByteView Content(ByteView whole) {
    const size_t header = (whole[1] & 0x80) ? 2 + (whole[1] & 0x7fu) : 2;
    return whole.subspan(header);
  }

 private:
  ByteView b_;
};

std::optional<ByteView> SubjectNameDer(ByteView cert_der) {
  auto cert = DerReader(cert_der).Next();
  if (!cert || cert->first != 0x30) return std::nullopt;
  auto tbs = DerReader(DerReader::Content(cert->second)).Next();
  if (!tbs || tbs->first != 0x30) return std::nullopt;
  DerReader r(DerReader::Content(tbs->second));
  auto e = r.Next();
  if (e && e->first == 0xa0) e = r.Next();                 // version
  for (int skip = 0; skip < 3 && e; ++skip) e = r.Next();  // serial, signature, issuer, validity
  if (!e) return std::nullopt;
  e = r.Next();
  if (!e || e->first != 0x30) return std::nullopt;
  return e->second;
}

// The CN of a Name DER (d2i of the Name alone: no key decoding).
std::optional<std::string> CommonName(ByteView name_der) {
  const unsigned char* p = name_der.data();
  std::unique_ptr<X509_NAME, decltype(&X509_NAME_free)> name(
      d2i_X509_NAME(nullptr, &p, static_cast<long>(name_der.size())), X509_NAME_free);
  if (name == nullptr) {
    ERR_clear_error();
    return std::nullopt;
  }
  const int idx = X509_NAME_get_index_by_NID(name.get(), NID_commonName, -1);
  if (idx < 0) return std::nullopt;
  unsigned char* utf8 = nullptr;
  const int n =
      ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name.get(), idx)));
  if (n < 0) {
    ERR_clear_error();
    return std::nullopt;
  }
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

// Every certificate DER of a "certs" document (PEM blocks, or one DER).
std::vector<Bytes> CertDers(ByteView data) {
  if (x509::LooksLikePem(data)) return x509::PemBlocksDer(data, "CERTIFICATE");
  return {Bytes(data.begin(), data.end())};
}

// Candidate issuers: the certificates (DER) of a set's "certs" documents of
// one type, by subject name and by CN, once each (fingerprint), located by
// name only: a candidate is parsed when looked up. Unverified: trust comes
// only from signatures up to an anchor. Attached to the set
// (CollateralSet::Derived) and extended by its With in O(log N) amortized:
// segments of doubling size are merged as they fill (a log-structured
// index), so admissions never rebuild it.
class IssuerIndex final : public CollateralIndex, public std::enable_shared_from_this<IssuerIndex> {
 public:
  explicit IssuerIndex(TeeType type) : type_(type) {}
  // An index of the certificates given (one segment).
  IssuerIndex(TeeType type, const std::vector<Bytes>& ders) : type_(type) {
    auto seg = std::make_shared<Segment>();
    for (const auto& der : ders) seg->Add(der);
    if (seg->count > 0) segments_.push_back(std::move(seg));
  }

  std::shared_ptr<const CollateralIndex> With(const CollateralDoc& doc) const override {
    if (doc.tee_type != type_ || doc.kind != kKindCerts) return shared_from_this();
    auto seg = std::make_shared<Segment>();
    for (const Bytes& der : CertDers(AsView(doc.data))) {
      if (!Seen(crypto::Sha256(AsView(der)))) seg->Add(der);
    }
    auto out = std::make_shared<IssuerIndex>(type_);
    out->segments_ = segments_;
    if (seg->count > 0) out->segments_.push_back(std::move(seg));
    out->Compact();
    return out;
  }

  using Entry = std::pair<Hash32, Bytes>;  // fingerprint, DER
  // Candidates in fingerprint order: the same whatever the set's history.
  std::vector<Entry> BySubject(const Bytes& subject_der) const {
    const std::string key(subject_der.begin(), subject_der.end());
    return Collect([&](const Segment& s) { return Find(s.by_subject, key); });
  }
  std::vector<Entry> ByCn(const std::string& cn) const {
    return Collect([&](const Segment& s) { return Find(s.by_cn, cn); });
  }

 private:
  using Bucket = std::vector<Entry>;
  struct Segment {
    std::set<Hash32> seen;
    std::map<std::string, Bucket> by_subject;  // subject name DER
    std::map<std::string, Bucket> by_cn;
    size_t count = 0;
    void Add(const Bytes& der) {
      const auto subject = SubjectNameDer(AsView(der));
      if (!subject) return;
      Entry e{crypto::Sha256(AsView(der)), der};
      if (!seen.insert(e.first).second) return;
      if (auto cn = CommonName(*subject)) by_cn[*cn].push_back(e);
      by_subject[std::string(subject->begin(), subject->end())].push_back(std::move(e));
      ++count;
    }
    void Merge(const Segment& o) {
      for (const auto& [k, v] : o.by_subject) {
        auto& to = by_subject[k];
        to.insert(to.end(), v.begin(), v.end());
      }
      for (const auto& [k, v] : o.by_cn) {
        auto& to = by_cn[k];
        to.insert(to.end(), v.begin(), v.end());
      }
      seen.insert(o.seen.begin(), o.seen.end());
      count += o.count;
    }
  };
  static const Bucket* Find(const std::map<std::string, Bucket>& m, const std::string& k) {
    auto it = m.find(k);
    return it == m.end() ? nullptr : &it->second;
  }
  template <typename F>
  std::vector<Entry> Collect(const F& bucket_of) const {
    Bucket all;
    for (const auto& s : segments_) {
      if (const Bucket* b = bucket_of(*s)) all.insert(all.end(), b->begin(), b->end());
    }
    std::sort(all.begin(), all.end(),
              [](const Entry& x, const Entry& y) { return x.first < y.first; });
    return all;
  }
  bool Seen(const Hash32& fp) const {
    return std::any_of(segments_.begin(), segments_.end(),
                       [&](const auto& seg) { return seg->seen.count(fp) != 0; });
  }
  // Merges the newest segments while the last is at least half the size of
  // the one before: at most about log2(N) segments.
  void Compact() {
    while (segments_.size() >= 2 &&
           2 * segments_.back()->count >= segments_[segments_.size() - 2]->count) {
      auto merged = std::make_shared<Segment>(*segments_[segments_.size() - 2]);
      merged->Merge(*segments_.back());
      segments_.pop_back();
      segments_.back() = std::move(merged);
    }
  }

  TeeType type_;
  std::vector<std::shared_ptr<const Segment>> segments_;
};

// The index of a call's known set, built on first use only (most documents
// bundle their issuers).
// "Document D of this set authenticates as A (or fails so)" under one
// verifier's anchors: a function of the set value, which is immutable, and
// of those anchors. Keyed by D's content hash, and holding only what its
// bytes authenticate as (kind, key, signer chain): whether D serves as the
// kind and key it was admitted under, and whether a CRL was issued by the
// CA of the quote at hand, are checked on every call, outside the memo. It
// is attached to the set itself (CollateralSet::Derived, tagged with the
// anchors), so it lives and dies with the set it speaks of: no other set,
// and so no other call's collateral, ever sees it (DESIGN §2: a cache never
// decides). A set made by With starts a fresh memo.
class AuthMemo final : public CollateralIndex {
 public:
  std::shared_ptr<const CollateralIndex> With(const CollateralDoc& /*doc*/) const override {
    return nullptr;
  }
  std::shared_ptr<const Result<AuthDoc>> Find(const Hash32& content_hash) const {
    MutexLock lock(&mu_);
    auto it = memo_.find(content_hash);
    return it == memo_.end() ? nullptr : it->second;
  }
  std::shared_ptr<const Result<AuthDoc>> Put(const Hash32& content_hash,
                                             Result<AuthDoc> result) const {
    auto value = std::make_shared<const Result<AuthDoc>>(std::move(result));
    MutexLock lock(&mu_);
    return memo_.emplace(content_hash, std::move(value)).first->second;
  }

 private:
  mutable Mutex mu_;
  mutable std::map<Hash32, std::shared_ptr<const Result<AuthDoc>>> memo_ GUARDED_BY(mu_);
};

using IndexFn = std::function<const IssuerIndex&()>;

}  // namespace verifier_internal

using verifier_internal::AuthDoc;
using verifier_internal::CertDers;
using verifier_internal::Certification;
using verifier_internal::IndexFn;
using verifier_internal::IssuerIndex;
using verifier_internal::ParsedDoc;

namespace {

// Intel's TCB Signing certificate (TCB Info and QE Identity signer) and the
// simulator's (attestation/tdx/sim/dev_pki.h): the signer role by name.
constexpr char kIntelTcbSigningCn[] = "Intel SGX TCB Signing";
constexpr char kDevTcbSigningCn[] = "Tenzro DEV SGX TCB Signing";

// The PCK CAs: issuers of PCK leaves and of PCK CRLs, by CN, with the kind
// PCS names their CRL by (`ca=platform|processor`). The simulator's names
// (attestation/tdx/sim/dev_pki.h) count under a development root only.
enum class PckCaKind { kPlatform, kProcessor };
struct PckCaEntry {
  const char* cn;
  PckCaKind kind;
  bool intel;
};
constexpr PckCaEntry kPckCaNames[] = {
    {"Intel SGX PCK Platform CA", PckCaKind::kPlatform, true},
    {"Intel SGX PCK Processor CA", PckCaKind::kProcessor, true},
    {"Tenzro DEV SGX PCK Platform CA", PckCaKind::kPlatform, false},
    {"Tenzro DEV SGX PCK Processor CA", PckCaKind::kProcessor, false},
};

// The kind of a PCK CA certificate under `anchor`; nullopt for any other
// certificate (a leaf, the root, another CA).
std::optional<PckCaKind> PckCaKindOf(const x509::Certificate& c, uint8_t anchor) {
  if (!c.is_ca() || SelfIssued(c)) return std::nullopt;
  const auto cn = c.SubjectAttr("CN");
  if (!cn) return std::nullopt;
  for (const auto& n : kPckCaNames) {
    if (*cn == n.cn && (n.intel || anchor == kAnchorDev)) return n.kind;
  }
  return std::nullopt;
}

using LinkKey = std::array<uint8_t, 64>;
LinkKey PairKey(const Hash32& a, const Hash32& b) {
  LinkKey k{};
  std::copy(a.begin(), a.end(), k.begin());
  std::copy(b.begin(), b.end(), k.begin() + 32);
  return k;
}

// Bounds of the caches (LRU eviction; a cache only ever saves work).
constexpr size_t kMaxCertifications = 4096;
constexpr size_t kMaxParsedDocs = 4096;
constexpr size_t kMaxParsedDocBytes = size_t{64} << 20;
constexpr size_t kMaxCertificates = 16384;
constexpr size_t kMaxLinks = 16384;

size_t DocCost(const ParsedDoc& d) {
  return sizeof(ParsedDoc) + d.signed_body.size() + (d.certs.size() + d.bundled.size()) * 2048 +
         (d.crl ? d.crl->der().size() : 0);
}

}  // namespace

struct TdxVerifier::Impl {
  Hash32 root;
  std::vector<Hash32> dev_roots;
  bool simulation = false;

  // Evidence: certification data by its exact bytes.
  mutable Cache<std::string, Certification> certifications{kMaxCertifications};
  // Parsed certificates by SHA-256 of their DER (CAs apart, so evidence
  // caches can be dropped alone), and "the signature of child verifies under
  // parent" by the fingerprint pair (child || parent).
  mutable Cache<Hash32, x509::Certificate> ca_certs{kMaxCertificates};
  mutable Cache<Hash32, x509::Certificate> leaf_certs{kMaxCertificates};
  mutable Cache<LinkKey, bool> ca_links{kMaxLinks};
  mutable Cache<LinkKey, bool> leaf_links{kMaxLinks};
  // Collateral: parses by content hash, and "the signature of document D
  // verifies under certificate C" by (content hash || fingerprint).
  mutable Cache<Hash32, ParsedDoc> docs{kMaxParsedDocs, kMaxParsedDocBytes, DocCost};
  mutable Cache<LinkKey, bool> doc_sigs{kMaxLinks};
  mutable std::atomic<uint64_t> x509_parses{0};

  std::optional<uint8_t> AnchorOf(const x509::Certificate& root_cert) const {
    if (root_cert.fingerprint() == root) return kAnchorIntel;
    if (std::find(dev_roots.begin(), dev_roots.end(), root_cert.fingerprint()) != dev_roots.end()) {
      return kAnchorDev;
    }
    return std::nullopt;
  }

  // `evidence`: a quote's PCK chain, whose leaves ClearEvidenceCaches drops.
  // `fingerprint`: SHA-256 of der when the caller knows it.
  Result<x509::Certificate> CertFromDer(ByteView der, bool evidence = false,
                                        const Hash32* fingerprint = nullptr) const;
  Result<std::vector<x509::Certificate>> ParseCerts(ByteView data, bool evidence = false) const;
  // Index candidates parsed (through the certificate cache); those that do
  // not parse are no candidates.
  std::vector<x509::Certificate> CertsOf(const std::vector<IssuerIndex::Entry>& entries) const {
    std::vector<x509::Certificate> out;
    for (const auto& [fp, der] : entries) {
      if (auto c = CertFromDer(AsView(der), false, &fp); c.ok()) out.push_back(std::move(*c));
    }
    return out;
  }
  bool Linked(const x509::Certificate& child, const x509::Certificate& parent,
              bool evidence = false) const;

  std::shared_ptr<const Certification> Certify(const Quote& q) const;
  std::shared_ptr<Certification> BuildCertification(const Quote& q) const;
  void CheckPckChain(Certification& c) const;

  // The issuer index of a set, attached to it (built once per set value).
  std::shared_ptr<const IssuerIndex> Index(TeeType type, const CollateralSet& set) const;
  // The parse of a document, cached by content hash; nullptr with `error`
  // set when the bytes are no collateral.
  std::shared_ptr<const ParsedDoc> Parse(const Hash32& content_hash, ByteView data,
                                         Status& error) const;
  // An admitted document parsed and authenticated against the call's index
  // (a function of its bytes, the set and the anchors: what AuthMemo keeps).
  Result<AuthDoc> AuthenticateAdmitted(const CollateralDoc& doc, const IndexFn& index) const;
  // The authentication of `doc` as the kind and key it was admitted under
  // (checked on every call, never remembered: a fact about doc, not about
  // its bytes).
  static Result<AuthDoc> AsAdmitted(const Result<AuthDoc>& auth, const CollateralDoc& doc);
  // Both, the authentication memoized on the set the document was selected
  // from (AuthMemo, keyed by content hash).
  Result<AuthDoc> ResolveIn(const CollateralSet& set, TeeType type, const CollateralDoc& doc,
                            const IndexFn& index) const;
  // The CRL `auth` was issued by `issuer`: names equal and its signature
  // verifies under issuer's key (cached by content hash and fingerprint).
  bool CrlIssuedBy(const AuthDoc& auth, const Hash32& content_hash,
                   const x509::Certificate& issuer) const;
  // The AuthMemo tag of this verifier's anchors (fixed at construction).
  std::string memo_tag;
  // Authenticates a parsed document against its bundle and the call's index.
  Result<AuthDoc> Authenticate(std::shared_ptr<const ParsedDoc> p, const Hash32& content_hash,
                               const IndexFn& index) const;

 private:
  Result<ParsedDoc> ParseSignedJson(ByteView data) const;
  Result<ParsedDoc> ParseUncached(ByteView data) const;
  // The chain from `cert` up to an anchor through the bundle, then the index.
  Result<std::vector<x509::Certificate>> ChainToAnchor(const x509::Certificate& cert,
                                                       const std::vector<x509::Certificate>& bundle,
                                                       const IndexFn& index, uint8_t& anchor) const;
  Result<AuthDoc> AuthenticateJson(const ParsedDoc& p, const Hash32& content_hash,
                                   const IndexFn& index) const;
  Result<AuthDoc> AuthenticateCrl(const ParsedDoc& p, const Hash32& content_hash,
                                  const IndexFn& index) const;
  // "document D's signature verifies under certificate C", cached by both.
  bool DocSignedBy(const Hash32& content_hash, const x509::Certificate& signer,
                   const std::function<bool()>& verify) const {
    auto ok = doc_sigs.GetOrInsert(PairKey(content_hash, signer.fingerprint()),
                                   [&] { return std::make_shared<const bool>(verify()); });
    return *ok;
  }
  Result<AuthDoc> AuthenticateCerts(const ParsedDoc& p, const IndexFn& index) const;
  // The TCB signing role: a non-CA certificate named for its root and
  // signed by that anchor directly.
  struct SignerRoot {
    uint8_t anchor;
    x509::Certificate root;
  };
  std::optional<SignerRoot> TcbSignerRoot(const x509::Certificate& signer,
                                          const std::vector<x509::Certificate>& bundle,
                                          const IndexFn& index) const;
};

Result<x509::Certificate> TdxVerifier::Impl::CertFromDer(ByteView der, bool evidence,
                                                         const Hash32* fingerprint) const {
  const Hash32 fp = fingerprint != nullptr ? *fingerprint : crypto::Sha256(der);
  if (auto c = ca_certs.Get(fp)) return *c;
  if (auto c = leaf_certs.Get(fp)) return *c;
  x509_parses.fetch_add(1, std::memory_order_relaxed);
  TEE_ASSIGN_OR_RETURN(x509::Certificate c, x509::Certificate::FromDer(der));
  auto shared = std::make_shared<const x509::Certificate>(c);
  return *(evidence && !c.is_ca() ? leaf_certs : ca_certs).Insert(fp, std::move(shared));
}

// Every certificate of a PEM text (or one DER certificate).
Result<std::vector<x509::Certificate>> TdxVerifier::Impl::ParseCerts(ByteView data,
                                                                     bool evidence) const {
  std::vector<x509::Certificate> out;
  if (x509::LooksLikePem(data)) {
    for (const Bytes& der : x509::PemBlocksDer(data, "CERTIFICATE")) {
      TEE_ASSIGN_OR_RETURN(x509::Certificate c, CertFromDer(AsView(der), evidence));
      out.push_back(std::move(c));
    }
  } else {
    TEE_ASSIGN_OR_RETURN(x509::Certificate c, CertFromDer(data, evidence));
    out.push_back(std::move(c));
  }
  if (out.empty()) return Error(ErrorCode::kInvalidArgument, "no certificate found");
  return out;
}

// child was issued by parent: names match and the signature verifies (each
// pair verified once; the answer is a function of the two certificates).
bool TdxVerifier::Impl::Linked(const x509::Certificate& child, const x509::Certificate& parent,
                               bool evidence) const {
  if (child.issuer_der() != parent.subject_der()) return false;
  auto& cache = evidence && !child.is_ca() ? leaf_links : ca_links;
  auto ok = cache.GetOrInsert(PairKey(child.fingerprint(), parent.fingerprint()), [&] {
    return std::make_shared<const bool>(child.SignatureVerifiesWith(parent.public_key()));
  });
  return *ok;
}

// Chain: each certificate signed by the next, intermediates are CAs, the
// last is a self-issued root pinned by fingerprint (sets c.anchor).
void TdxVerifier::Impl::CheckPckChain(Certification& cert) const {
  Certification* c = &cert;
  auto fail = [&](FailureCode code, std::string msg) {
    c->failures.push_back({code, std::move(msg)});
  };
  if (c->chain.size() < 2 || c->chain.size() > kMaxChainLength) {
    fail(c->chain.size() < 2 ? FailureCode::kChainIncomplete : FailureCode::kChainUntrusted,
         "PCK chain has " + std::to_string(c->chain.size()) + " certificates");
  } else {
    bool linked = true;
    for (size_t i = 0; i + 1 < c->chain.size() && linked; ++i) {
      if (!c->chain[i + 1].is_ca()) {
        fail(FailureCode::kChainUntrusted,
             "PCK chain certificate " + std::to_string(i + 1) + " is not a CA");
        linked = false;
      } else if (!Linked(c->chain[i], c->chain[i + 1], true)) {
        fail(FailureCode::kChainUntrusted, "PCK chain certificate " + std::to_string(i) +
                                               " is not signed by certificate " +
                                               std::to_string(i + 1));
        linked = false;
      }
    }
    if (linked) {
      const auto& last = c->chain.back();
      if (!SelfIssued(last)) {
        fail(FailureCode::kChainIncomplete,
             "PCK chain does not end at a root (" + last.issuer() + " is missing)");
      } else if (auto a = AnchorOf(last)) {
        c->anchor = *a;
      } else {
        fail(FailureCode::kChainUntrusted,
             "PCK chain root " + UpperHex(AsView(last.fingerprint())) + " is not the pinned root");
      }
    }
  }
}

std::shared_ptr<Certification> TdxVerifier::Impl::BuildCertification(const Quote& q) const {
  auto c = std::make_shared<Certification>();
  auto fail = [&](FailureCode code, std::string msg) {
    c->failures.push_back({code, std::move(msg)});
  };

  auto key = x509::EcPublicKeyFromXY(x509::Curve::kP256, AsView(q.attestation_key));
  if (key.ok()) {
    c->attestation_key = *key;
  } else {
    fail(FailureCode::kBadSignature, "attestation key is not a P-256 point");
  }

  auto chain = ParseCerts(q.pck_chain_pem, true);
  if (!chain.ok()) {
    fail(FailureCode::kMalformed,
         "PCK certificate chain does not parse: " + chain.status().message());
    return c;
  }
  c->chain = std::move(*chain);
  const auto& leaf = c->chain.front();
  if (auto ext = leaf.Extension(kSgxExtensionsOid)) {
    auto parsed = ParsePckExtensions(AsView(*ext));
    if (parsed.ok()) {
      c->ext = *parsed;
      c->extensions_ok = true;
    } else {
      fail(FailureCode::kMalformed, parsed.status().message());
    }
  } else {
    fail(FailureCode::kMalformed, "PCK certificate lacks the SGX extension");
  }
  c->leaf_issuer_hash = crypto::Sha256(AsView(leaf.issuer_der()));
  c->root_subject_hash = crypto::Sha256(AsView(c->chain.back().subject_der()));

  CheckPckChain(*c);

  // QE report signed by the PCK key, and its report data commits to the
  // attestation key and QE authentication data.
  if (!x509::EcdsaVerifyRaw(leaf.public_key(), x509::Digest::kSha256, q.qe_report_raw,
                            AsView(q.qe_report_signature))) {
    fail(FailureCode::kBadSignature,
         "QE report signature does not verify under the PCK certificate key");
  }
  Bytes bound(q.attestation_key.begin(), q.attestation_key.end());
  bound.insert(bound.end(), q.qe_auth_data.begin(), q.qe_auth_data.end());
  const Hash32 h = crypto::Sha256(AsView(bound));
  const auto& rd = q.qe_report.report_data;
  const bool zero_tail = std::all_of(rd.begin() + 32, rd.end(), [](uint8_t b) { return b == 0; });
  if (!std::equal(h.begin(), h.end(), rd.begin()) || !zero_tail) {
    fail(FailureCode::kBadSignature,
         "QE report data is not SHA-256(attestation key || QE authentication data) followed by "
         "zeros");
  }
  return c;
}

std::shared_ptr<const Certification> TdxVerifier::Impl::Certify(const Quote& q) const {
  const std::string key(reinterpret_cast<const char*>(q.certified.data()), q.certified.size());
  return certifications.GetOrInsert(key, [&] { return BuildCertification(q); });
}

std::shared_ptr<const IssuerIndex> TdxVerifier::Impl::Index(TeeType type,
                                                            const CollateralSet& set) const {
  auto build = [&](const CollateralSet& s) -> std::shared_ptr<const CollateralIndex> {
    std::vector<Bytes> ders;
    for (const auto& d : s.Group(type, kKindCerts)) {
      for (Bytes& der : CertDers(AsView(d.data))) ders.push_back(std::move(der));
    }
    return std::make_shared<const IssuerIndex>(type, ders);
  };
  const std::string tag = "tdx.issuers." + std::string(TeeTypeName(type));
  auto index = std::dynamic_pointer_cast<const IssuerIndex>(set.Derived(tag, build));
  return index != nullptr ? index : std::dynamic_pointer_cast<const IssuerIndex>(build(set));
}

std::shared_ptr<const ParsedDoc> TdxVerifier::Impl::Parse(const Hash32& content_hash, ByteView data,
                                                          Status& error) const {
  return docs.GetOrInsert(content_hash, [&]() -> std::shared_ptr<const ParsedDoc> {
    auto p = ParseUncached(data);
    if (!p.ok()) {
      error = p.status();
      return nullptr;
    }
    return std::make_shared<const ParsedDoc>(std::move(*p));
  });
}

Result<ParsedDoc> TdxVerifier::Impl::ParseSignedJson(ByteView data) const {
  // Signed JSON, optionally followed by its issuer chain (bundle convention).
  TEE_ASSIGN_OR_RETURN(ScannedObject obj, ScanJsonObject(data));
  const bool is_tcb = UniqueMember(obj, "tcbInfo").ok();
  TEE_ASSIGN_OR_RETURN(SignedJson sj,
                       SplitSignedJson(data, is_tcb ? "tcbInfo" : "enclaveIdentity"));
  ParsedDoc out;
  if (is_tcb) {
    TEE_ASSIGN_OR_RETURN(TcbInfo info, ParseTcbInfo(sj.body));
    out.kind = kKindTcbInfo;
    out.this_update = info.issue_date;
    out.next_update = info.next_update;
    out.rank = info.tcb_evaluation_data_number;
    out.tcb_info = std::move(info);
  } else {
    TEE_ASSIGN_OR_RETURN(QeIdentity qe, ParseQeIdentity(sj.body));
    out.kind = kKindQeIdentity;
    out.this_update = qe.issue_date;
    out.next_update = qe.next_update;
    out.rank = qe.tcb_evaluation_data_number;
    out.qe_identity = std::move(qe);
  }
  if (!sj.trailer.empty()) {
    TEE_ASSIGN_OR_RETURN(out.bundled, ParseCerts(sj.trailer));
  }
  out.signed_body.assign(sj.body.begin(), sj.body.end());
  out.signature.assign(sj.signature.begin(), sj.signature.end());
  return out;
}

Result<ParsedDoc> TdxVerifier::Impl::ParseUncached(ByteView data) const {
  size_t first = 0;
  while (first < data.size() && std::isspace(data[first]) != 0) ++first;
  if (first < data.size() && data[first] == '{') return ParseSignedJson(data);

  ParsedDoc out;
  // A CRL (DER, or the first X509 CRL block of a PEM text); one parse attempt.
  if (auto parsed_crl = x509::Crl::Parse(data); parsed_crl.ok()) {
    if (!parsed_crl->next_update())
      return Error(ErrorCode::kInvalidArgument, "CRL has no nextUpdate");
    out.this_update = pipeline::ClampTime(parsed_crl->this_update());
    out.next_update = pipeline::ClampTime(*parsed_crl->next_update());
    out.crl = std::move(*parsed_crl);
    if (x509::LooksLikePem(data)) {
      if (auto bundled = ParseCerts(data); bundled.ok()) out.bundled = std::move(*bundled);
    }
    return out;
  }
  TEE_ASSIGN_OR_RETURN(out.certs, ParseCerts(data));
  out.kind = kKindCerts;
  out.next_update = UINT64_MAX;
  for (const auto& c : out.certs) {
    out.this_update = std::max(out.this_update, pipeline::ClampTime(c.not_before()));
    out.next_update = std::min(out.next_update, pipeline::ClampTime(c.not_after()));
  }
  return out;
}

Result<std::vector<x509::Certificate>> TdxVerifier::Impl::ChainToAnchor(
    const x509::Certificate& cert, const std::vector<x509::Certificate>& bundle,
    const IndexFn& index, uint8_t& anchor) const {
  std::vector<x509::Certificate> chain{cert};
  while (chain.size() <= kMaxChainLength) {
    const x509::Certificate& cur = chain.back();
    if (SelfIssued(cur)) {
      auto a = AnchorOf(cur);
      if (!a)
        return Error(ErrorCode::kCollateral,
                     "issuer chain ends at an unpinned root " + cur.subject());
      anchor = *a;
      return chain;
    }
    std::optional<x509::Certificate> issuer;
    auto pick = [&](const std::vector<x509::Certificate>& candidates) {
      for (const auto& p : candidates) {
        if (!issuer && p.is_ca() && Linked(cur, p)) issuer = p;
      }
    };
    pick(bundle);
    if (!issuer) pick(CertsOf(index().BySubject(cur.issuer_der())));
    if (!issuer) return Error(ErrorCode::kNotFound, "no issuer at hand for " + cur.subject());
    chain.push_back(std::move(*issuer));
  }
  return Error(ErrorCode::kCollateral, "issuer chain too long");
}

std::optional<TdxVerifier::Impl::SignerRoot> TdxVerifier::Impl::TcbSignerRoot(
    const x509::Certificate& signer, const std::vector<x509::Certificate>& bundle,
    const IndexFn& index) const {
  const auto cn = signer.SubjectAttr("CN");
  if (signer.is_ca() || !cn || (*cn != kIntelTcbSigningCn && *cn != kDevTcbSigningCn))
    return std::nullopt;
  auto under_root =
      [&](const std::vector<x509::Certificate>& candidates) -> std::optional<SignerRoot> {
    for (const auto& r : candidates) {
      if (!SelfIssued(r) || !Linked(signer, r)) continue;
      const auto a = AnchorOf(r);
      // Under Intel's root only Intel's name; a development root (trusted
      // only with simulation on) may also re-root Intel's hierarchy in tests.
      if (a && (*a == kAnchorDev || *cn == kIntelTcbSigningCn)) return SignerRoot{*a, r};
    }
    return std::nullopt;
  };
  if (auto a = under_root(bundle)) return a;
  return under_root(CertsOf(index().BySubject(signer.issuer_der())));
}

Result<AuthDoc> TdxVerifier::Impl::AuthenticateJson(const ParsedDoc& p, const Hash32& content_hash,
                                                    const IndexFn& index) const {
  // The signer is Intel's TCB Signing certificate (or the simulator's),
  // directly under its root: no PCK leaf or CA may sign TCB levels.
  auto try_signers =
      [&](const std::vector<x509::Certificate>& candidates) -> std::optional<AuthDoc> {
    for (const auto& cand : candidates) {
      const auto signer_root = TcbSignerRoot(cand, p.bundled, index);
      if (!signer_root) continue;
      if (!DocSignedBy(content_hash, cand, [&] {
            return x509::EcdsaVerifyRaw(cand.public_key(), x509::Digest::kSha256,
                                        AsView(p.signed_body), AsView(p.signature));
          })) {
        continue;
      }
      AuthDoc out;
      out.kind = p.kind;
      out.anchor = signer_root->anchor;
      out.key = p.tcb_info ? MakeKey(out.anchor, StrView(p.tcb_info->id), AsView(p.tcb_info->fmspc))
                           : MakeKey(out.anchor, StrView(p.qe_identity->id));
      out.signer_chain = {cand, signer_root->root};
      return out;
    }
    return std::nullopt;
  };
  if (auto a = try_signers(p.bundled)) return *a;
  for (const char* cn : {kIntelTcbSigningCn, kDevTcbSigningCn}) {
    if (auto a = try_signers(CertsOf(index().ByCn(cn)))) return *a;
  }
  return Error(ErrorCode::kNotFound,
               "no TCB Signing certificate at hand verifies the " + p.kind + " signature");
}

Result<AuthDoc> TdxVerifier::Impl::AuthenticateCrl(const ParsedDoc& p, const Hash32& content_hash,
                                                   const IndexFn& index) const {
  const x509::Crl& crl = *p.crl;
  Status last =
      Error(ErrorCode::kNotFound, "no certificate at hand issued the CRL of " + crl.issuer());
  auto try_issuers =
      [&](const std::vector<x509::Certificate>& candidates) -> std::optional<AuthDoc> {
    for (const auto& cand : candidates) {
      if (cand.subject_der() != crl.issuer_der() || !DocSignedBy(content_hash, cand, [&] {
            return crl.SignatureVerifiesWith(cand.public_key());
          })) {
        continue;
      }
      AuthDoc out;
      auto chain = ChainToAnchor(cand, p.bundled, index, out.anchor);
      if (!chain.ok()) {
        last = chain.status();
        continue;
      }
      // Signer roles: the root issues the Root CA CRL (ChainToAnchor ended
      // at it, so it is an anchor), a PCK Platform/Processor CA directly
      // under the root a PCK CRL; no other certificate issues CRLs.
      if (SelfIssued(cand)) {
        out.kind = kKindRootCaCrl;
      } else if (chain->size() == 2 && PckCaKindOf(cand, out.anchor)) {
        out.kind = kKindPckCrl;
      } else {
        last = Error(ErrorCode::kCollateral,
                     "CRL issuer " + cand.subject() + " is neither the root nor a PCK CA under it");
        continue;
      }
      out.key = MakeKey(out.anchor, AsView(crypto::Sha256(AsView(crl.issuer_der()))));
      out.signer_chain = std::move(*chain);
      return out;
    }
    return std::nullopt;
  };
  if (auto a = try_issuers(p.bundled)) return *a;
  if (auto a = try_issuers(CertsOf(index().BySubject(crl.issuer_der())))) return *a;
  return last;
}

// Certificates: every one must chain to an anchor, the same for all.
Result<AuthDoc> TdxVerifier::Impl::AuthenticateCerts(const ParsedDoc& p,
                                                     const IndexFn& index) const {
  std::optional<uint8_t> anchor;
  for (const auto& c : p.certs) {
    uint8_t a = 0;
    TEE_ASSIGN_OR_RETURN(auto chain, ChainToAnchor(c, p.certs, index, a));
    if (anchor && *anchor != a)
      return Error(ErrorCode::kCollateral, "certificates under different roots");
    anchor = a;
  }
  AuthDoc out;
  out.kind = kKindCerts;
  out.anchor = *anchor;
  out.key = MakeKey(*anchor, AsView(p.certs.front().fingerprint()));
  return out;
}

Result<AuthDoc> TdxVerifier::Impl::Authenticate(std::shared_ptr<const ParsedDoc> p,
                                                const Hash32& content_hash,
                                                const IndexFn& index) const {
  Result<AuthDoc> out = p->kind == kKindCerts ? AuthenticateCerts(*p, index)
                        : p->crl              ? AuthenticateCrl(*p, content_hash, index)
                                              : AuthenticateJson(*p, content_hash, index);
  if (out.ok()) out->parsed = std::move(p);
  return out;
}

Result<AuthDoc> TdxVerifier::Impl::AuthenticateAdmitted(const CollateralDoc& doc,
                                                        const IndexFn& index) const {
  Status error = Error(ErrorCode::kCollateral, "admitted document does not parse");
  auto parsed = Parse(doc.content_hash, AsView(doc.data), error);
  if (parsed == nullptr) return error;
  return Authenticate(std::move(parsed), doc.content_hash, index);
}

Result<AuthDoc> TdxVerifier::Impl::AsAdmitted(const Result<AuthDoc>& auth,
                                              const CollateralDoc& doc) {
  if (!auth.ok()) return auth.status();
  if (auth->kind != doc.kind || auth->key != doc.key) {
    return Error(ErrorCode::kCollateral, "document authenticates as " + auth->kind +
                                             " under another key, not as the " + doc.kind +
                                             " it was admitted as");
  }
  return auth;
}

bool TdxVerifier::Impl::CrlIssuedBy(const AuthDoc& auth, const Hash32& content_hash,
                                    const x509::Certificate& issuer) const {
  const std::optional<x509::Crl>& crl = auth.parsed->crl;
  if (!crl || crl->issuer_der() != issuer.subject_der()) return false;
  return DocSignedBy(content_hash, issuer,
                     [&] { return crl->SignatureVerifiesWith(issuer.public_key()); });
}

Result<AuthDoc> TdxVerifier::Impl::ResolveIn(const CollateralSet& set, TeeType type,
                                             const CollateralDoc& doc, const IndexFn& index) const {
  auto build = [](const CollateralSet&) -> std::shared_ptr<const CollateralIndex> {
    return std::make_shared<const verifier_internal::AuthMemo>();
  };
  auto memo = std::dynamic_pointer_cast<const verifier_internal::AuthMemo>(
      set.Derived(memo_tag + std::string(TeeTypeName(type)), build));
  if (memo == nullptr) return AsAdmitted(AuthenticateAdmitted(doc, index), doc);
  auto auth = memo->Find(doc.content_hash);
  if (auth == nullptr) auth = memo->Put(doc.content_hash, AuthenticateAdmitted(doc, index));
  return AsAdmitted(*auth, doc);
}

// ---- the verifier ----------------------------------------------------------

namespace {

const char* TcbId(TeeType t) { return t == TeeType::IntelTdx ? "TDX" : "SGX"; }
const char* QeId(TeeType t) { return t == TeeType::IntelTdx ? "TD_QE" : "QE"; }
const char* DocName(const std::string& kind) {
  if (kind == kKindTcbInfo) return "TCB Info";
  if (kind == kKindQeIdentity) return "QE Identity";
  if (kind == kKindPckCrl) return "PCK CRL";
  if (kind == kKindRootCaCrl) return "Root CA CRL";
  return "certificate";
}

using DocFilter = CollateralSet::DocFilter;

// Among docs of the kind and key that `usable` accepts: the one valid at t
// (CollateralSet::Select), else the preferred one anyway so its window is
// reported (expired/not_yet_valid).
const CollateralDoc* SelectDoc(const CollateralSet& set, TeeType type, const std::string& kind,
                               ByteView key, uint64_t t, const DocFilter& usable = nullptr) {
  if (const auto* d = set.Select(type, kind, key, t, usable)) return d;
  const CollateralDoc* best = nullptr;
  for (const auto& d : set.Group(type, kind, key)) {
    if (usable && !usable(d)) continue;
    if (best == nullptr || CollateralSet::Prefers(d, *best)) best = &d;
  }
  return best;
}

bool Accepted(const Policy& p, const TcbEvaluation& e, uint64_t now, uint64_t& valid_until) {
  if (p.accepted_tcb_statuses.count(e.status) != 0) return true;
  if (IsOutOfDate(e.status) && p.outofdate_grace_secs > 0 && e.out_of_date_since > 0) {
    const uint64_t end = SatAdd(e.out_of_date_since, p.outofdate_grace_secs);
    if (now <= end) {
      valid_until = std::min(valid_until, end);
      return true;
    }
  }
  return false;
}

}  // namespace

TdxVerifier::TdxVerifier(TeeType type, Policy policy, CommonPolicy common,
                         std::vector<Hash32> dev_roots)
    : type_(type), policy_(std::move(policy)), common_(common), impl_(std::make_unique<Impl>()) {
  impl_->root = policy_.root_ca_sha256;
  impl_->dev_roots = std::move(dev_roots);
  impl_->simulation = common_.simulation;
  // Everything authentication depends on besides the set: the anchors.
  Bytes anchors(impl_->root.begin(), impl_->root.end());
  for (const Hash32& d : impl_->dev_roots) anchors.insert(anchors.end(), d.begin(), d.end());
  anchors.push_back(impl_->simulation ? 1 : 0);
  impl_->memo_tag = "tdx.auth." + ToHex(AsView(crypto::Sha256(AsView(anchors)))) + ".";
}

TdxVerifier::~TdxVerifier() = default;

TdxVerifier::CacheStats TdxVerifier::cache_stats() const {
  CacheStats s;
  const auto certs = impl_->certifications.stats();
  const auto docs = impl_->docs.stats();
  s.certification_hits = certs.hits;
  s.certification_misses = certs.misses;
  s.collateral_hits = docs.hits;
  s.collateral_misses = docs.misses;
  s.certificates_parsed = impl_->x509_parses.load();
  return s;
}

void TdxVerifier::CollectCacheStats(const CacheStatsFn& fn) const {
  fn("certifications", impl_->certifications.stats());
  fn("ca_certs", impl_->ca_certs.stats());
  fn("leaf_certs", impl_->leaf_certs.stats());
  fn("ca_links", impl_->ca_links.stats());
  fn("leaf_links", impl_->leaf_links.stats());
  fn("docs", impl_->docs.stats());
  fn("doc_sigs", impl_->doc_sigs.stats());
}

void TdxVerifier::ClearEvidenceCaches() const {
  impl_->certifications.Clear();
  impl_->leaf_certs.Clear();
  impl_->leaf_links.Clear();
}

void TdxVerifier::ClearCaches() const {
  ClearEvidenceCaches();
  impl_->ca_certs.Clear();
  impl_->ca_links.Clear();
  impl_->docs.Clear();
  impl_->doc_sigs.Clear();
}

namespace {

// The verdict's typed claims (JSON only at the edges).
struct TdxClaims final : Claims {
  uint16_t quote_version = 0;
  std::optional<PckExtensions> pck;  // when the PCK certificate's extensions parsed
  uint16_t qe_isv_svn = 0;
  BodyType body_type = BodyType::kSgx;
  TdReport td;    // TDX bodies
  SgxReport sgx;  // SGX bodies

  nlohmann::json ToJson() const override;
};

nlohmann::json TdxClaims::ToJson() const {
  nlohmann::json c = nlohmann::json::object();
  c["quote_version"] = quote_version;
  if (pck) {
    c["fmspc"] = UpperHex(AsView(pck->fmspc));
    c["pce_id"] = ToHex(AsView(pck->pce_id));
    c["pcesvn"] = pck->pcesvn;
    c["sgx_tcb_components"] = ToHex(AsView(pck->sgx_tcb_components));
  }
  c["qe_isvsvn"] = qe_isv_svn;
  if (body_type != BodyType::kSgx) {
    c["body_type"] = body_type == BodyType::kTd15 ? "TD15" : "TD10";
    c["tee_tcb_svn"] = ToHex(AsView(td.tee_tcb_svn));
    if (td.tee_tcb_svn2) c["tee_tcb_svn2"] = ToHex(AsView(*td.tee_tcb_svn2));
    c["mrseam"] = ToHex(AsView(td.mr_seam));
    c["mrsignerseam"] = ToHex(AsView(td.mr_signer_seam));
    c["seam_attributes"] = ToHex(AsView(td.seam_attributes));
    c["td_attributes"] = ToHex(AsView(td.td_attributes));
    c["xfam"] = ToHex(AsView(td.xfam));
    c["mrtd"] = ToHex(AsView(td.mr_td));
    c["mrconfigid"] = ToHex(AsView(td.mr_config_id));
    c["mrowner"] = ToHex(AsView(td.mr_owner));
    c["mrownerconfig"] = ToHex(AsView(td.mr_owner_config));
    for (size_t i = 0; i < td.rtmr.size(); ++i)
      c["rtmr" + std::to_string(i)] = ToHex(AsView(td.rtmr[i]));
    if (td.mr_service_td) c["mrservicetd"] = ToHex(AsView(*td.mr_service_td));
    c["report_data"] = ToHex(AsView(td.report_data));
  } else {
    c["cpu_svn"] = ToHex(AsView(sgx.cpu_svn));
    c["misc_select"] = sgx.misc_select;
    c["attributes"] = ToHex(AsView(sgx.attributes));
    c["mrenclave"] = ToHex(AsView(sgx.mr_enclave));
    c["mrsigner"] = ToHex(AsView(sgx.mr_signer));
    c["isv_prod_id"] = sgx.isv_prod_id;
    c["isv_svn"] = sgx.isv_svn;
    c["report_data"] = ToHex(AsView(sgx.report_data));
  }
  return c;
}

void FillClaims(Verdict& v, const Quote& q, const Certification& cert) {
  auto c = std::make_shared<TdxClaims>();
  c->quote_version = q.version;
  if (cert.extensions_ok) c->pck = cert.ext;
  c->qe_isv_svn = q.qe_report.isv_svn;
  c->body_type = q.body_type;
  if (q.is_tdx()) {
    c->td = q.td;
  } else {
    c->sgx = q.sgx;
  }
  v.claims = std::move(c);
}

void FillReevalClaims(Verdict& v, const Quote& q, const Certification& cert) {
  ClaimSet& r = v.reeval_claims;
  r[kRcAnchor] = Bytes{cert.anchor.value_or(kAnchorIntel)};
  r[kRcFmspc] = Bytes(cert.ext.fmspc.begin(), cert.ext.fmspc.end());
  r[kRcPceId] = Bytes(cert.ext.pce_id.begin(), cert.ext.pce_id.end());
  r[kRcSgxTcb] = Bytes(cert.ext.sgx_tcb_components.begin(), cert.ext.sgx_tcb_components.end());
  r[kRcPceSvn] = U16Le(cert.ext.pcesvn);
  if (q.is_tdx()) {
    r[kRcTeeTcbSvn] = Bytes(q.td.tee_tcb_svn.begin(), q.td.tee_tcb_svn.end());
    if (q.td.tee_tcb_svn2)
      r[kRcTeeTcbSvn2] = Bytes(q.td.tee_tcb_svn2->begin(), q.td.tee_tcb_svn2->end());
    r[kRcMrSignerSeam] = Bytes(q.td.mr_signer_seam.begin(), q.td.mr_signer_seam.end());
    r[kRcSeamAttributes] = Bytes(q.td.seam_attributes.begin(), q.td.seam_attributes.end());
  }
  r[kRcQeMiscSelect] = U32Le(q.qe_report.misc_select);
  r[kRcQeAttributes] = Bytes(q.qe_report.attributes.begin(), q.qe_report.attributes.end());
  r[kRcQeMrSigner] = Bytes(q.qe_report.mr_signer.begin(), q.qe_report.mr_signer.end());
  r[kRcQeIsvProdId] = U16Le(q.qe_report.isv_prod_id);
  r[kRcQeIsvSvn] = U16Le(q.qe_report.isv_svn);
  const auto& leaf = cert.chain.front();
  r[kRcPckSerial] = leaf.serial();
  r[kRcPckIssuer] = Bytes(cert.leaf_issuer_hash.begin(), cert.leaf_issuer_hash.end());
  if (cert.chain.size() >= 3) {
    const auto& ca = cert.chain[cert.chain.size() - 2];
    const Hash32 h = crypto::Sha256(AsView(ca.issuer_der()));
    r[kRcCaSerial] = ca.serial();
    r[kRcCaIssuer] = Bytes(h.begin(), h.end());
  }
  int64_t not_after = INT64_MAX;
  for (const auto& c : cert.chain) not_after = std::min(not_after, c.not_after());
  r[kRcChainNotAfter] = U64Le(ClampTime(not_after));
  const Hash32& root = cert.chain.back().fingerprint();
  r[kRcRoot] = Bytes(root.begin(), root.end());
  // The key the PCK CRL must verify under at re-evaluation (the PCK CA's).
  if (auto xy = cert.chain[1].public_key().EcPointXY(); xy && xy->size() == 64) {
    r[kRcPckCaKey] = std::move(*xy);
  }
  PutFactClaims(FactsOf(q), r);
}

}  // namespace

struct TdxVerifier::State {
  const Quote& q;
  const Certification& cert;
  uint64_t valid_until = UINT64_MAX;
  uint64_t valid_from = 0;
  bool chain_in_force = true;  // windows and revocation of the PCK chain
};

namespace {

// The validity window of what a verdict used (§5), narrowed in place.
struct Window {
  uint64_t& valid_from;
  uint64_t& valid_until;
  void Narrow(uint64_t from, uint64_t until) {
    valid_from = std::max(valid_from, from);
    valid_until = std::min(valid_until, until);
  }
};

// The quote's type and quoting enclave vendor against this verifier's.
std::optional<std::string> Unsupported(TeeType type, const Quote& q) {
  if (type == TeeType::IntelTdx && !q.is_tdx()) return "an SGX quote given as IntelTdx evidence";
  if (type == TeeType::IntelSgx && q.is_tdx()) return "a TDX quote given as IntelSgx evidence";
  if (q.qe_vendor_id != fmt::kIntelQeVendorId) {
    return "QE vendor id " + UpperHex(AsView(q.qe_vendor_id)) + " is not Intel's";
  }
  return std::nullopt;
}

// The PCK chain's windows at now, folded into the verdict's validity; false
// when a certificate is outside its window.
bool CheckChainWindows(const std::vector<x509::Certificate>& chain, uint64_t now, Window w,
                       Verdict& v) {
  static constexpr const char* kChainNames[] = {"PCK certificate", "PCK CA certificate",
                                                "root CA certificate"};
  bool in_force = true;
  for (size_t i = 0; i < chain.size(); ++i) {
    const auto& c = chain[i];
    if (!c.ValidAt(now)) {
      in_force = false;
      const std::string name = chain.size() == 3 ? std::string(kChainNames[i])
                                                 : "PCK chain certificate " + std::to_string(i);
      pipeline::CheckWindow(v, name, ClampTime(c.not_before()), ClampTime(c.not_after()), now);
    }
    w.Narrow(ClampTime(c.not_before()), ClampTime(c.not_after()));
  }
  return in_force;
}

}  // namespace

Result<Verdict> TdxVerifier::Verify(const VerifyRequest& req) const { return Run(req, true); }

Result<Verdict> TdxVerifier::VerifyQuoteAndPckChain(const VerifyRequest& req) const {
  return Run(req, false);
}

Result<Verdict> TdxVerifier::Run(const VerifyRequest& req, bool full) const {
  Verdict v;
  v.tee_type = type_;
  auto parsed = ParseQuote(req.evidence);
  if (!parsed.ok()) {
    pipeline::FailParse(v, parsed.status());
    return v;
  }
  const Quote& q = *parsed;
  // Identity (§4): what the attestation key signs, not the blob, so
  // trailing bytes or another encoding of the signature are the same
  // evidence. OpenSSL accepts high-S signatures, as Intel's QVL does.
  v.evidence_id = pipeline::EvidenceId(type_, q.signed_data);
  if (auto why = Unsupported(type_, q)) {
    v.Fail(FailureCode::kUnsupported, *why);
    return v;
  }

  // Signatures and the PCK chain (cached per distinct certification data).
  const std::shared_ptr<const Certification> cert_ptr = impl_->Certify(q);
  const Certification& cert = *cert_ptr;
  FillClaims(v, q, cert);
  for (const auto& f : cert.failures) v.Fail(f.code, f.message);
  if (!cert.attestation_key.empty() &&
      !x509::EcdsaVerifyRaw(cert.attestation_key, x509::Digest::kSha256, q.signed_data,
                            AsView(q.signature))) {
    v.Fail(FailureCode::kBadSignature, "quote signature does not verify under the attestation key");
  }
  // Nothing after an unauthenticated quote is worth reporting.
  if (!v.failures.empty()) return v;

  State st{q, cert};
  const uint8_t anchor = *cert.anchor;
  v.hardware_verified = anchor == kAnchorIntel;

  // Time (§5): evidence age and the PCK chain's windows.
  if (req.evidence_time) {
    const uint64_t until = SatAdd(*req.evidence_time, common_.max_age_secs);
    st.valid_until = until;
    st.valid_from = *req.evidence_time;
    pipeline::CheckWindow(v, "evidence (max_age_secs " + std::to_string(common_.max_age_secs) + ")",
                          *req.evidence_time, until, req.now);
  }
  if (!CheckChainWindows(cert.chain, req.now, Window{st.valid_from, st.valid_until}, v)) {
    st.chain_in_force = false;
  }

  const bool dev_blocked = anchor == kAnchorDev && !common_.simulation;
  if (full && !dev_blocked) CheckCollateral(req, st, v);

  v.certificate_chain_valid = v.hardware_verified && st.chain_in_force;
  CheckPolicy(req, q, v);
  pipeline::CheckSimulation(v, anchor == kAnchorDev, common_.simulation, "quote");
  v.valid_until = st.valid_until;
  v.valid_from = st.valid_from;
  FillReevalClaims(v, q, cert);
  return v;
}

namespace {

// One admitted document of the kind and key: selected, authenticated against
// the set, windows (its own and its signer chain's) checked at now.
// `hint` names the document for the fetchers (DESIGN §9) when it is required
// and absent, or out of its window; nullopt under a development anchor.
// `usable`: which documents of the group may serve (null: every one).
std::optional<AuthDoc> UseDoc(const TdxVerifier::Impl& impl, const CollateralSet& set,
                              const IndexFn& index, TeeType type, const char* kind,
                              const Bytes& key, bool required, uint64_t now, Window& w,
                              const std::optional<FetchHint>& hint, Verdict& v,
                              const DocFilter& usable = nullptr) {
  const CollateralDoc* doc = SelectDoc(set, type, kind, AsView(key), now, usable);
  const std::string name = DocName(kind);
  if (doc == nullptr) {
    if (required) v.Fail(FailureCode::kCollateralMissing, "no " + name + " at hand");
    if (required && hint) v.Hint(*hint);
    return std::nullopt;
  }
  auto auth = impl.ResolveIn(set, type, *doc, index);
  if (!auth.ok()) {
    v.Fail(auth.status().code() == ErrorCode::kNotFound ? FailureCode::kChainIncomplete
                                                        : FailureCode::kChainUntrusted,
           name + " cannot be authenticated: " + auth.status().message());
    return std::nullopt;
  }
  const ParsedDoc& d = *auth->parsed;
  bool in_window = pipeline::CheckWindow(v, name, d.this_update, d.next_update, now);
  w.Narrow(d.this_update, d.next_update);
  for (const auto& c : auth->signer_chain) {
    if (!c.ValidAt(now)) {
      in_window = false;
      pipeline::CheckWindow(v, name + " signer " + c.subject(), ClampTime(c.not_before()),
                            ClampTime(c.not_after()), now);
    }
    w.Narrow(ClampTime(c.not_before()), ClampTime(c.not_after()));
  }
  if (!in_window && hint) v.Hint(*hint);
  return std::move(*auth);
}

// Revocation: the PCK by its CA's CRL; the CAs and the collateral signers by
// the root's. False when the PCK chain itself is revoked.
bool CheckRevocation(const Certification& cert, const std::optional<AuthDoc>& pck_crl,
                     const std::optional<AuthDoc>& root_crl,
                     std::initializer_list<const std::optional<AuthDoc>*> signed_docs, Verdict& v) {
  bool in_force = true;
  if (pck_crl && pck_crl->parsed->crl->IsRevoked(AsView(cert.chain.front().serial()))) {
    v.Fail(FailureCode::kRevoked, "PCK certificate is revoked by the PCK CRL");
    in_force = false;
  }
  if (!root_crl) return in_force;
  const x509::Crl& crl = *root_crl->parsed->crl;
  for (size_t i = 1; i + 1 < cert.chain.size(); ++i) {
    if (crl.IsRevoked(AsView(cert.chain[i].serial()))) {
      v.Fail(FailureCode::kRevoked, cert.chain[i].subject() + " is revoked by the Root CA CRL");
      in_force = false;
    }
  }
  for (const auto* d : signed_docs) {
    if (!d->has_value()) continue;
    const AuthDoc& a = **d;
    for (size_t i = 0; i + 1 < a.signer_chain.size(); ++i) {
      if (crl.IsRevoked(AsView(a.signer_chain[i].serial()))) {
        v.Fail(FailureCode::kRevoked, std::string(DocName(a.kind)) + " signer " +
                                          a.signer_chain[i].subject() +
                                          " is revoked by the Root CA CRL");
      }
    }
  }
  return in_force;
}

// The PCK CA as PCS names its CRL: "processor" or "platform" (the CA's CN).
std::string PckCaName(const Certification& cert) {
  if (cert.chain.size() < 2) return "platform";
  const auto kind = PckCaKindOf(cert.chain[1], cert.anchor.value_or(kAnchorIntel));
  return kind == PckCaKind::kProcessor ? "processor" : "platform";
}

// Intel's TCB level matching (tcb_match.h) and the chain policy on its status.
void MatchTcb(TeeType type, const Policy& policy, const Quote& q, const Certification& cert,
              const TcbInfo& info, const QeIdentity& qe, uint64_t now, uint64_t& valid_until,
              Verdict& v) {
  if (info.fmspc != cert.ext.fmspc || info.pce_id != cert.ext.pce_id || info.id != TcbId(type)) {
    v.Fail(FailureCode::kCollateralMissing,
           "TCB Info (" + info.id + ", FMSPC " + UpperHex(AsView(info.fmspc)) + ", PCE-ID " +
               UpperHex(AsView(info.pce_id)) + ") is not for this platform");
    return;
  }
  const QeEvaluation qe_eval = EvaluateQe(qe, QeIdentityOf(q.qe_report));
  PlatformTcb platform{cert.ext.sgx_tcb_components, cert.ext.pcesvn};
  std::optional<TdTcb> td;
  if (q.is_tdx()) {
    td = TdTcb{q.td.tee_tcb_svn, q.td.tee_tcb_svn2, q.td.mr_signer_seam, q.td.seam_attributes};
  }
  const TcbEvaluation e = EvaluateTcb(info, platform, td, qe_eval);
  if (!e.matched) {
    v.Fail(FailureCode::kNoMatchingTcb, e.failure);
    return;
  }
  v.tcb_status = std::string(TcbStatusName(e.status));
  v.advisory_ids = e.advisory_ids;
  if (!Accepted(policy, e, now, valid_until)) {
    v.Fail(FailureCode::kTcbStatusRejected,
           "TCB status " + *v.tcb_status + " is not accepted by the chain policy");
  }
}

}  // namespace

void TdxVerifier::CheckCollateral(const VerifyRequest& req, State& st, Verdict& v) const {
  const Certification& cert = st.cert;
  const uint8_t anchor = *cert.anchor;
  const CollateralSet empty;
  const CollateralSet& set = req.collateral != nullptr ? *req.collateral : empty;
  std::shared_ptr<const IssuerIndex> issuers;
  const IndexFn index = [&]() -> const IssuerIndex& {
    if (!issuers) issuers = impl_->Index(type_, set);
    return *issuers;
  };
  Window w{st.valid_from, st.valid_until};
  // Fetch hints name Intel's documents only (a development anchor's come
  // from the simulator, never from PCS).
  auto hint = [&](const char* kind, std::string name, ByteView id) -> std::optional<FetchHint> {
    if (anchor != kAnchorIntel) return std::nullopt;
    return FetchHint{kind, std::move(name), Bytes(id.begin(), id.end())};
  };
  auto use = [&](const char* kind, const Bytes& key, bool required, std::optional<FetchHint> h,
                 const DocFilter& usable = nullptr) {
    return UseDoc(*impl_, set, index, type_, kind, key, required, req.now, w, h, v, usable);
  };
  // CRL signer roles (admission already refused CRLs of any other signer): a
  // CRL speaks only of its own issuer's certificates, so only the PCK CRL of
  // the CA that issued this PCK leaf (same name, a PCK CA of the same kind,
  // its signature verifying under that CA's key) checks the leaf, and only
  // the Root CA CRL of this chain's root checks the CAs and the collateral
  // signers. A CRL of another issuer under the same name (another key of a
  // PCK CA, another root pinned with the same name) is not this chain's: it
  // is ignored, as if absent (require_crls then fails collateral_missing),
  // as SNP ignores a CRL that is not its issuer's. Decided per call: the
  // check depends on this quote's chain, so AuthMemo never holds it.
  const x509::Certificate& pck_ca = cert.chain[1];
  const x509::Certificate& root = cert.chain.back();
  // A CRL that does not authenticate in the set stays selectable, so that
  // UseDoc reports it (chain_incomplete / chain_untrusted) as before.
  const std::optional<PckCaKind> pck_ca_kind = PckCaKindOf(pck_ca, anchor);
  const DocFilter by_pck_ca = [&](const CollateralDoc& d) {
    auto auth = impl_->ResolveIn(set, type_, d, index);
    if (!auth.ok()) return true;
    // Admission took it from a PCK CA only; the same name and a signature
    // under this leaf's CA make it that CA's (names fix the kind).
    return pck_ca_kind.has_value() && impl_->CrlIssuedBy(*auth, d.content_hash, pck_ca);
  };
  const DocFilter by_root = [&](const CollateralDoc& d) {
    auto auth = impl_->ResolveIn(set, type_, d, index);
    return !auth.ok() || impl_->CrlIssuedBy(*auth, d.content_hash, root);
  };
  const auto pck_crl = use(kKindPckCrl, MakeKey(anchor, AsView(cert.leaf_issuer_hash)),
                           policy_.require_crls, hint(kKindPckCrl, PckCaName(cert), {}), by_pck_ca);
  const auto root_crl = use(kKindRootCaCrl, MakeKey(anchor, AsView(cert.root_subject_hash)),
                            policy_.require_crls, hint(kKindRootCaCrl, "", {}), by_root);
  const Bytes tcb_key = MakeKey(anchor, StrView(TcbId(type_)), AsView(cert.ext.fmspc));
  const auto tcb_hint = hint(kKindTcbInfo, "", AsView(cert.ext.fmspc));
  const auto tcb = use(kKindTcbInfo, tcb_key, false, tcb_hint);
  if (!tcb && !SelectDoc(set, type_, kKindTcbInfo, AsView(tcb_key), req.now)) {
    v.Fail(FailureCode::kCollateralMissing,
           "no TCB Info for FMSPC " + UpperHex(AsView(cert.ext.fmspc)) + " at hand");
    if (tcb_hint) v.Hint(*tcb_hint);
  }
  const auto qe = use(kKindQeIdentity, MakeKey(anchor, StrView(QeId(type_))), true,
                      hint(kKindQeIdentity, "", {}));
  if (!CheckRevocation(cert, pck_crl, root_crl, {&tcb, &qe, &pck_crl}, v)) {
    st.chain_in_force = false;
  }
  if (!tcb || !qe) return;
  MatchTcb(type_, policy_, st.q, cert, *tcb->parsed->tcb_info, *qe->parsed->qe_identity, req.now,
           st.valid_until, v);
}

void TdxVerifier::CheckPolicy(const VerifyRequest& req, const Quote& q, Verdict& v) const {
  Validate(v, FactsOf(q), policy_);
  pipeline::CheckBinding(v, req.binding, AsView(q.report_data()));
}

// ---- collateral admission --------------------------------------------------

Result<CollateralDoc> TdxVerifier::ParseCollateral(ByteView data, const CollateralSet& known,
                                                   uint64_t /*now*/) const {
  // Windows are not checked here: an expired document is still recognised, so
  // a verification can report it as expired (selection prefers valid ones).
  // Authentication runs on every call against `known` (DESIGN §2): only the
  // parse is cached.
  const Hash32 content_hash = crypto::Sha256(data);
  Status error = Error(ErrorCode::kCollateral, "not collateral");
  auto parsed = impl_->Parse(content_hash, data, error);
  if (parsed == nullptr) return Error(ErrorCode::kCollateral, error.message());
  std::shared_ptr<const IssuerIndex> issuers;
  const IndexFn index = [&]() -> const IssuerIndex& {
    if (!issuers) issuers = impl_->Index(type_, known);
    return *issuers;
  };
  auto auth = impl_->Authenticate(parsed, content_hash, index);
  if (!auth.ok()) return Error(ErrorCode::kCollateral, auth.status().message());
  if (auth->anchor == kAnchorDev && !common_.simulation) {
    return Error(ErrorCode::kCollateral,
                 "collateral chains to a development root while simulation is off");
  }
  if (parsed->tcb_info && parsed->tcb_info->id != TcbId(type_)) {
    return Error(ErrorCode::kCollateral, "TCB Info for " + parsed->tcb_info->id + " is not " +
                                             std::string(TeeTypeName(type_)) + " collateral");
  }
  if (parsed->qe_identity && parsed->qe_identity->id != QeId(type_)) {
    return Error(ErrorCode::kCollateral, "QE Identity " + parsed->qe_identity->id + " is not " +
                                             std::string(TeeTypeName(type_)) + " collateral");
  }
  CollateralDoc doc;
  doc.tee_type = type_;
  doc.kind = auth->kind;
  doc.key = std::move(auth->key);
  doc.this_update = parsed->this_update;
  doc.next_update = parsed->next_update;
  doc.rank = parsed->rank;
  doc.content_hash = content_hash;
  doc.data.assign(data.begin(), data.end());
  return doc;
}

// ---- epoch re-evaluation (§6) ----------------------------------------------

namespace {

template <size_t N>
bool ClaimArray(const ClaimSet& c, const char* key, std::array<uint8_t, N>& out) {
  auto it = c.find(key);
  if (it == c.end() || it->second.size() != N) return false;
  std::copy(it->second.begin(), it->second.end(), out.begin());
  return true;
}
template <typename T>
bool ClaimUint(const ClaimSet& c, const char* key, T& out) {
  std::array<uint8_t, sizeof(T)> b{};
  if (!ClaimArray(c, key, b)) return false;
  uint64_t v = 0;
  for (size_t i = sizeof(T); i > 0; --i) v = (v << 8) | b[i - 1];
  out = static_cast<T>(v);
  return true;
}
const Bytes* ClaimBytes(const ClaimSet& c, const char* key) {
  auto it = c.find(key);
  return it == c.end() ? nullptr : &it->second;
}

// The content of an admitted document re-evaluation reads (CRLs, TCB Info,
// QE Identity; nullptr for other kinds), parsed without signatures: they
// were authenticated at admission.
Result<std::shared_ptr<const ParsedDoc>> ParseAdmitted(const CollateralDoc& d) {
  auto p = std::make_shared<ParsedDoc>();
  p->kind = d.kind;
  p->next_update = d.next_update;
  if (d.kind == kKindPckCrl || d.kind == kKindRootCaCrl) {
    TEE_ASSIGN_OR_RETURN(x509::Crl crl, x509::Crl::Parse(AsView(d.data)));
    p->crl = std::move(crl);
  } else if (d.kind == kKindTcbInfo) {
    TEE_ASSIGN_OR_RETURN(SignedJson sj, SplitSignedJson(AsView(d.data), "tcbInfo"));
    TEE_ASSIGN_OR_RETURN(p->tcb_info, ParseTcbInfo(sj.body));
  } else if (d.kind == kKindQeIdentity) {
    TEE_ASSIGN_OR_RETURN(SignedJson sj, SplitSignedJson(AsView(d.data), "enclaveIdentity"));
    TEE_ASSIGN_OR_RETURN(p->qe_identity, ParseQeIdentity(sj.body));
  } else {
    return std::shared_ptr<const ParsedDoc>();
  }
  return std::shared_ptr<const ParsedDoc>(std::move(p));
}

// Admitted documents selected at t, parsed once per epoch without signatures
// (they were authenticated at admission).
class TdxReevaluator final : public Reevaluator {
  // An admitted PCK CRL valid at t, parsed.
  struct PckCrl {
    Hash32 content_hash{};
    std::shared_ptr<const ParsedDoc> parsed;
  };

 public:
  TdxReevaluator(TeeType type, Policy policy, CommonPolicy common, std::vector<Hash32> dev_roots,
                 uint64_t t)
      : type_(type),
        policy_(std::move(policy)),
        common_(common),
        dev_roots_(std::move(dev_roots)),
        t_(t) {}

  // An admitted document that no longer parses is a machine failure (issue
  // 9 item 9): every Check reports it, so the epoch fails; never a verdict.
  void Add(const CollateralDoc& d) {
    auto parsed = ParseAdmitted(d);
    if (!parsed.ok()) {
      if (error_.ok())
        error_ =
            Error(ErrorCode::kStorage, "admitted " + d.kind + " " + ToHex(AsView(d.content_hash)) +
                                           " does not parse: " + parsed.status().message());
      return;
    }
    if (*parsed) selected_[{d.kind, d.key}] = std::move(*parsed);
  }
  // A PCK CRL valid at t, added in selection order (BeginReevaluation): the
  // candidates for records that name their PCK CA's key.
  void AddPckCrl(const CollateralDoc& d) {
    auto parsed = ParseAdmitted(d);
    if (!parsed.ok() || !*parsed) return;  // Add reports it when it is the selected one
    pck_crls_[std::string(d.key.begin(), d.key.end())].push_back(
        PckCrl{d.content_hash, std::move(*parsed)});
  }

  // The current anchors and simulation switch (a parameter migration may
  // have changed them since the record was verified; issue 9 item 6).
  // Records stored before the root claim existed are judged by their anchor.
  std::optional<Failure> TrustFailure(const ClaimSet& claims, uint8_t anchor,
                                      bool& dev_rooted) const {
    dev_rooted = anchor == kAnchorDev;
    std::array<uint8_t, 32> root{};
    if (!ClaimArray(claims, kRcRoot, root)) return std::nullopt;
    dev_rooted = std::find(dev_roots_.begin(), dev_roots_.end(), root) != dev_roots_.end();
    if (root == policy_.root_ca_sha256 || dev_rooted) return std::nullopt;
    return Failure{FailureCode::kChainUntrusted,
                   "the PCK chain's root is no longer a trusted anchor"};
  }

  using Fail = std::optional<Failure>;
  // Check order (DESIGN §3): trust anchor, then the record's windows,
  // revocation and TCB, then the simulation gate.
  Result<std::optional<Failure>> Check(const ClaimSet& claims) const override {
    if (!error_.ok()) return error_;
    std::array<uint8_t, 1> anchor{};
    if (!ClaimArray(claims, kRcAnchor, anchor))
      return Error(ErrorCode::kStorage, "stored TDX claims lack the anchor");
    bool dev_rooted = false;
    if (auto f = TrustFailure(claims, anchor[0], dev_rooted)) return Fail(*f);
    TEE_ASSIGN_OR_RETURN(std::optional<Failure> f, CheckRecord(claims));
    if (f) return f;
    // The quote body under the current policy (stage 3; records stored
    // before the fact claims existed have none to judge).
    TEE_ASSIGN_OR_RETURN(const std::optional<QuoteFacts> facts, FactsFromClaims(claims));
    if (facts) {
      Verdict judged;
      Validate(judged, *facts, policy_);
      if (!judged.failures.empty()) return Fail(judged.failures.front());
    }
    if (dev_rooted && !common_.simulation) {
      return Fail(Failure{FailureCode::kSimulationDisabled,
                          "the PCK chain has a development root while [tee] simulation = false"});
    }
    return Fail();
  }

 private:
  Result<std::optional<Failure>> CheckRecord(const ClaimSet& claims) const {
    std::array<uint8_t, 1> anchor{};
    std::array<uint8_t, 6> fmspc{};
    std::array<uint8_t, 2> pce_id{};
    PlatformTcb platform;
    QeReportIdentity qe;
    uint64_t chain_not_after = 0;
    const Bytes* pck_serial = ClaimBytes(claims, kRcPckSerial);
    std::array<uint8_t, 32> pck_issuer{};
    if (!ClaimArray(claims, kRcAnchor, anchor) || !ClaimArray(claims, kRcFmspc, fmspc) ||
        !ClaimArray(claims, kRcPceId, pce_id) ||
        !ClaimArray(claims, kRcSgxTcb, platform.sgx_components) ||
        !ClaimUint(claims, kRcPceSvn, platform.pcesvn) ||
        !ClaimUint(claims, kRcQeMiscSelect, qe.misc_select) ||
        !ClaimArray(claims, kRcQeAttributes, qe.attributes) ||
        !ClaimArray(claims, kRcQeMrSigner, qe.mr_signer) ||
        !ClaimUint(claims, kRcQeIsvProdId, qe.isv_prod_id) ||
        !ClaimUint(claims, kRcQeIsvSvn, qe.isv_svn) || pck_serial == nullptr ||
        !ClaimArray(claims, kRcPckIssuer, pck_issuer) ||
        !ClaimUint(claims, kRcChainNotAfter, chain_not_after)) {
      return Error(ErrorCode::kStorage, "stored TDX claims are incomplete");
    }
    std::optional<TdTcb> td;
    if (type_ == TeeType::IntelTdx) {
      TdTcb t;
      if (!ClaimArray(claims, kRcTeeTcbSvn, t.tee_tcb_svn) ||
          !ClaimArray(claims, kRcMrSignerSeam, t.mr_signer_seam) ||
          !ClaimArray(claims, kRcSeamAttributes, t.seam_attributes)) {
        return Error(ErrorCode::kStorage, "stored TDX claims lack the TD TCB");
      }
      Svn16 svn2{};
      if (ClaimArray(claims, kRcTeeTcbSvn2, svn2)) t.tee_tcb_svn2 = svn2;
      td = t;
    }

    if (chain_not_after < t_) return Fail(Failure{FailureCode::kExpired, "the PCK chain expired"});
    if (auto crl = PckCrlFor(MakeKey(anchor[0], AsView(pck_issuer)), claims)) {
      if (crl->crl->IsRevoked(AsView(*pck_serial))) {
        return Fail(
            Failure{FailureCode::kRevoked, "PCK certificate revoked by the admitted PCK CRL"});
      }
    }
    std::array<uint8_t, 32> ca_issuer{};
    const Bytes* ca_serial = ClaimBytes(claims, kRcCaSerial);
    if (ca_serial != nullptr && ClaimArray(claims, kRcCaIssuer, ca_issuer)) {
      if (auto crl = Find(kKindRootCaCrl, MakeKey(anchor[0], AsView(ca_issuer)))) {
        if (crl->crl->IsRevoked(AsView(*ca_serial))) {
          return Fail(Failure{FailureCode::kRevoked,
                              "PCK CA certificate revoked by the admitted Root CA CRL"});
        }
      }
    }
    // TCB: only when admitted documents valid at t exist (their absence is
    // covered by valid_until, which includes the nextUpdate of those used).
    auto tcb = Find(kKindTcbInfo, MakeKey(anchor[0], StrView(TcbId(type_)), AsView(fmspc)));
    auto qe_doc = Find(kKindQeIdentity, MakeKey(anchor[0], StrView(QeId(type_))));
    if (!tcb || !qe_doc) return std::optional<Failure>();
    if (tcb->tcb_info->pce_id != pce_id) {
      return Fail(
          Failure{FailureCode::kCollateralMissing, "admitted TCB Info is for another PCE-ID"});
    }
    const TcbEvaluation e =
        EvaluateTcb(*tcb->tcb_info, platform, td, EvaluateQe(*qe_doc->qe_identity, qe));
    if (!e.matched) return Fail(Failure{FailureCode::kNoMatchingTcb, e.failure});
    uint64_t until = UINT64_MAX;
    if (!Accepted(policy_, e, t_, until)) {
      return Fail(Failure{
          FailureCode::kTcbStatusRejected,
          "TCB status " + std::string(TcbStatusName(e.status)) + " under the admitted collateral"});
    }
    return std::optional<Failure>();
  }

  std::shared_ptr<const ParsedDoc> Find(const char* kind, const Bytes& key) const {
    auto it = selected_.find({kind, key});
    return it == selected_.end() ? nullptr : it->second;
  }

  // The PCK CRL that checks a record's leaf: as at verification, only one
  // issued by the leaf's own CA, i.e. verifying under the PCK CA key the
  // record names (the best such one valid at t); a CRL of another key of a
  // CA of the same name is ignored. Records stored before that claim
  // existed get the CRL selected by the issuer name.
  std::shared_ptr<const ParsedDoc> PckCrlFor(const Bytes& key, const ClaimSet& claims) const {
    const Bytes* ca_key = ClaimBytes(claims, kRcPckCaKey);
    if (ca_key == nullptr) return Find(kKindPckCrl, key);
    auto it = pck_crls_.find(std::string(key.begin(), key.end()));
    if (it == pck_crls_.end()) return nullptr;
    for (const PckCrl& c : it->second) {  // in selection order
      if (IssuedBy(c, *ca_key)) return c.parsed;
    }
    return nullptr;
  }
  // "CRL c verifies under the P-256 key xy", once per pair and epoch.
  bool IssuedBy(const PckCrl& c, const Bytes& xy) const {
    const std::pair<Hash32, std::string> k{c.content_hash, std::string(xy.begin(), xy.end())};
    {
      MutexLock lock(&mu_);
      if (auto it = issued_.find(k); it != issued_.end()) return it->second;
    }
    auto pk = x509::EcPublicKeyFromXY(x509::Curve::kP256, AsView(xy));
    const bool ok = pk.ok() && c.parsed->crl->SignatureVerifiesWith(*pk);
    MutexLock lock(&mu_);
    issued_.emplace(k, ok);
    return ok;
  }

  TeeType type_;
  Policy policy_;
  CommonPolicy common_;
  std::vector<Hash32> dev_roots_;
  uint64_t t_;
  Status error_ = Status::Ok();
  std::map<std::pair<std::string, Bytes>, std::shared_ptr<const ParsedDoc>> selected_;
  // By key (bytes as a string: gcc 12 misreads vector comparisons), valid at t_.
  std::map<std::string, std::vector<PckCrl>> pck_crls_;
  mutable Mutex mu_;
  mutable std::map<std::pair<Hash32, std::string>, bool> issued_ GUARDED_BY(mu_);
};

}  // namespace

std::unique_ptr<Reevaluator> TdxVerifier::BeginReevaluation(const CollateralSet& collateral,
                                                            uint64_t t) const {
  auto r = std::make_unique<TdxReevaluator>(type_, policy_, common_, impl_->dev_roots, t);
  std::set<std::pair<std::string, Bytes>> groups;
  for (const auto& d : collateral.docs()) {
    if (d.tee_type == type_) groups.emplace(d.kind, d.key);
  }
  for (const auto& [kind, key] : groups) {
    if (const auto* d = collateral.Select(type_, kind, AsView(key), t)) r->Add(*d);
    if (kind != kKindPckCrl) continue;
    std::vector<const CollateralDoc*> valid;
    for (const auto& d : collateral.Group(type_, kind, AsView(key))) {
      if (d.ValidAt(t)) valid.push_back(&d);
    }
    std::sort(valid.begin(), valid.end(), [](const CollateralDoc* a, const CollateralDoc* b) {
      return CollateralSet::Prefers(*a, *b);
    });
    for (const CollateralDoc* d : valid) r->AddPckCrl(*d);
  }
  return r;
}

}  // namespace tenzro::tee::tdx
