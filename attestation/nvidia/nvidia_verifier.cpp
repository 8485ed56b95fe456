#include "attestation/nvidia/nvidia_verifier.h"

#include <algorithm>
#include <set>
#include <string>

#include "attestation/nvidia/dice.h"
#include "attestation/nvidia/evidence_json.h"
#include "attestation/nvidia/nras.h"
#include "attestation/nvidia/ocsp.h"
#include "attestation/nvidia/rim.h"
#include "core/cache.h"
#include "crypto/hash.h"
#include "crypto/x509.h"

namespace tenzro::tee::nvidia {

std::string claim::GpuPrefix(size_t i) { return "nvidia.gpu" + std::to_string(i) + "."; }
std::string claim::CertSerial(size_t j) { return "cert" + std::to_string(j) + ".serial"; }
std::string claim::CertIssuer(size_t j) { return "cert" + std::to_string(j) + ".issuer"; }
std::string claim::NrasDevicePrefix(size_t d) {
  return "nvidia.nras.dev" + std::to_string(d) + ".";
}

namespace {

// ---- certificates ----------------------------------------------------------------

struct CertEntry {
  x509::Certificate cert;
  bool p384 = false;
  std::optional<std::array<uint8_t, kFwidSize>> fwid;
  std::string fwid_error;  // why fwid is unset
  Arch arch = Arch::kUnknown;
};
using CertPtr = std::shared_ptr<const CertEntry>;
using CertList = std::vector<CertPtr>;

// GPU architecture from the device certificates' CN ("GH100 A01 GSP FMC LF").
Arch ArchOfCn(std::string_view cn) {
  if (cn.substr(0, 5) == "GH100") return Arch::kHopper;
  if (cn.substr(0, 3) == "GB1" || cn.substr(0, 3) == "GB2") return Arch::kBlackwell;
  return Arch::kUnknown;
}

CertPtr Classify(x509::Certificate cert) {
  auto e = std::make_shared<CertEntry>();
  auto xy = cert.public_key().EcPointXY();
  e->p384 = xy && xy->size() == 96;
  auto fwid = LeafFwid(cert);
  if (fwid.ok())
    e->fwid = *fwid;
  else
    e->fwid_error = fwid.status().message();
  e->arch = ArchOfCn(cert.SubjectAttr("CN").value_or(""));
  e->cert = std::move(cert);
  return e;
}

Hash32 PairKey(const Hash32& a, const Hash32& b) {
  Bytes all(a.begin(), a.end());
  all.insert(all.end(), b.begin(), b.end());
  return crypto::Sha256(AsView(all));
}

}  // namespace

struct NvidiaVerifier::Impl {
  explicit Impl(size_t capacity)
      : certs(capacity), pems(capacity), sigs(capacity), jwks(capacity) {}

  // Facts that are functions of their key alone (DESIGN §2).
  Cache<Hash32, CertEntry> certs;  // parse of a DER, by its SHA-256
  Cache<Hash32, CertList> pems;    // parse of a PEM bundle, by its SHA-256
  Cache<Hash32, bool> sigs;        // "A is signed by B", by both fingerprints
  rim::RimCaches rims;             // RIM XML-DSig and chain links (rim.h)
  Cache<Hash32, nras::Jwks> jwks;  // parse of an admitted JWKS, by its SHA-256 (null: none)

  // nullptr when the bytes hold no certificate. `hash`: the SHA-256 of pem
  // when the caller has it (a collateral document's content hash).
  std::shared_ptr<const CertList> Bundle(ByteView pem, const Hash32* hash = nullptr) {
    return pems.GetOrInsert(
        hash ? *hash : crypto::Sha256(pem), [&]() -> std::shared_ptr<const CertList> {
          auto all = x509::Certificate::ParseAll(pem);
          if (!all.ok() || all->empty()) return nullptr;
          auto list = std::make_shared<CertList>();
          for (auto& c : *all) {
            const Hash32 fp = c.fingerprint();
            list->push_back(certs.GetOrInsert(fp, [&] { return Classify(std::move(c)); }));
          }
          return list;
        });
  }
  bool Signed(const CertEntry& subject, const CertEntry& issuer) {
    const Hash32 k = PairKey(subject.cert.fingerprint(), issuer.cert.fingerprint());
    return *sigs.GetOrInsert(
        k, [&] { return std::make_shared<const bool>(subject.cert.IssuedBy(issuer.cert)); });
  }
};

namespace {

// ---- stage 2: the device chain ------------------------------------------------------

struct ChainOutcome {
  FailureCode code = FailureCode::kNone;  // kNone: the chain holds
  std::string message;
  bool dev = false;  // ends in a development root
};

bool IsDevRoot(const std::vector<Hash32>& dev_roots, const Hash32& fp) {
  return std::find(dev_roots.begin(), dev_roots.end(), fp) != dev_roots.end();
}

std::string Cn(const CertEntry& c) { return c.cert.SubjectAttr("CN").value_or(c.cert.subject()); }

// Each certificate signed by the next, the last a pinned (or development)
// self-signed root, five certificates in all. Decided on every call.
ChainOutcome CheckChain(NvidiaVerifier::Impl& impl, const Policy& policy,
                        const std::vector<Hash32>& dev_roots, const CertList& chain) {
  if (chain.empty()) return {FailureCode::kChainIncomplete, "no device certificate chain", false};
  for (size_t i = 0; i + 1 < chain.size(); ++i) {
    if (!impl.Signed(*chain[i], *chain[i + 1])) {
      return {FailureCode::kChainUntrusted,
              Cn(*chain[i]) + " is not signed by the next certificate (" + Cn(*chain[i + 1]) + ")",
              false};
    }
  }
  const CertEntry& root = *chain.back();
  const bool pinned =
      crypto::ConstantTimeEqual(AsView(root.cert.fingerprint()), AsView(policy.device_root_sha256));
  const bool dev = !pinned && IsDevRoot(dev_roots, root.cert.fingerprint());
  if (!pinned && !dev) {
    if (impl.Signed(root, root)) {
      return {FailureCode::kChainUntrusted,
              "the chain's root " + Cn(root) + " is not the pinned NVIDIA Device Identity CA",
              false};
    }
    return {FailureCode::kChainIncomplete, "the chain does not end in a root (" + Cn(root) + ")",
            false};
  }
  if (!impl.Signed(root, root)) {
    return {FailureCode::kChainUntrusted, "the pinned root's self-signature does not verify", dev};
  }
  if (chain.size() != kDeviceChainLength) {
    return {chain.size() < kDeviceChainLength ? FailureCode::kChainIncomplete
                                              : FailureCode::kChainUntrusted,
            std::to_string(chain.size()) +
                " certificates; a device chain has 5 (GSP FMC leaf, GSP BROM, Provisioner ICA, "
                "Identity, root)",
            dev};
  }
  return {FailureCode::kNone, "", dev};
}

// The report's FWID equals the leaf's DICE FWID. Reports without a FWID
// field (drivers before the field existed) have nothing to compare.
std::optional<std::string> FwidMismatch(const CertEntry& leaf, const Report& r) {
  if (!r.facts.fwid) return std::nullopt;
  if (!leaf.fwid) return "the leaf has no usable DICE FWID: " + leaf.fwid_error;
  if (*leaf.fwid != *r.facts.fwid)
    return std::string("the report's FWID is not the leaf's DICE FWID");
  return std::nullopt;
}

bool SignsReport(const CertEntry& leaf, const Report& r) {
  return leaf.p384 && x509::EcdsaVerifyRaw(leaf.cert.public_key(), x509::Digest::kSha384,
                                           r.signed_bytes(), AsView(r.signature));
}

// ---- OCSP -------------------------------------------------------------------------------

struct OcspFinding {
  OcspStatus status = OcspStatus::kUnknown;
  std::optional<uint8_t> reason;
  uint64_t this_update = 0, next_update = 0;
};

// The admitted OCSP response about (serial, issuer) to use at t: one valid at
// t if any, else the latest issued (so a stale one is reported as such).
// Documents were authenticated at admission; one that no longer parses is a
// damaged store (kStorage), never a verdict.
Result<std::optional<OcspFinding>> FindOcsp(const CollateralSet* set, ByteView serial,
                                            ByteView issuer_name_der, uint64_t t) {
  std::optional<OcspFinding> best;
  if (set == nullptr) return best;
  for (const auto& d : set->Group(TeeType::NvidiaGpu, kKindOcsp, serial)) {
    auto r = ParseOcspResponse(AsView(d.data));
    if (!r.ok())
      return Error(ErrorCode::kStorage, "an admitted NVIDIA OCSP response no longer parses");
    for (const auto& s : r->responses) {
      if (s.serial.size() != serial.size() ||
          !std::equal(s.serial.begin(), s.serial.end(), serial.begin()) ||
          x509::DigestOf(s.hash, issuer_name_der) != s.issuer_name_hash) {
        continue;
      }
      OcspFinding f{s.status, s.reason, pipeline::ClampTime(s.this_update),
                    pipeline::ClampTime(s.next_update)};
      const bool valid = f.this_update <= t && t <= f.next_update;
      const bool best_valid = best && best->this_update <= t && t <= best->next_update;
      if (!best || (valid && !best_valid) ||
          (valid == best_valid && f.this_update > best->this_update))
        best = f;
    }
  }
  return best;
}

// Revocation of one intermediate by its OCSP response (§3: windows, revoked,
// collateral_missing under require_ocsp). Returns true when it is revoked.
bool JudgeOcsp(Verdict& v, pipeline::Validity* validity, const std::optional<OcspFinding>& f,
               const Policy& policy, const std::string& what, uint64_t t) {
  if (!f) {
    if (policy.require_ocsp)
      v.Fail(FailureCode::kCollateralMissing, what + ": no OCSP response at hand (require_ocsp)");
    return false;
  }
  if (validity != nullptr) validity->Narrow(f->this_update, f->next_update);
  pipeline::CheckWindow(v, what + " OCSP response", f->this_update, f->next_update, t);
  if (f->status == OcspStatus::kUnknown && policy.require_ocsp) {
    v.Fail(FailureCode::kCollateralMissing, what + ": the OCSP responder does not know it");
  }
  if (f->status != OcspStatus::kRevoked) return false;
  if (f->reason == kReasonCertificateHold && policy.allow_hold) return false;
  v.Fail(FailureCode::kRevoked,
         what + (f->reason == kReasonCertificateHold ? " is on certificate hold (allow_hold is off)"
                                                     : " is revoked (OCSP)"));
  return true;
}

constexpr size_t kFirstIntermediate = 1, kLastIntermediate = 3;  // BROM .. Identity

// ---- evidence forms -------------------------------------------------------------------

struct GpuInput {
  Report report;
  std::shared_ptr<const CertList> chain;  // null: none at hand
  std::optional<std::string> arch_claim;  // JSON only
  std::optional<Bytes> nonce_claim;       // JSON only
  std::optional<bool> signed_by_leaf;     // known when the chain was chosen by it
};

// Device chains of the collateral for a bare report: those keyed by its FWID
// first, then any other (at most kMaxLeafTries signature checks, so a report
// that matches no chain costs a bounded amount of work); the one whose leaf
// signs the report, else the first, so the verdict names what failed.
constexpr size_t kMaxLeafTries = 8;

std::shared_ptr<const CertList> ChainFromCollateral(NvidiaVerifier::Impl& impl,
                                                    const CollateralSet* set, const Report& r,
                                                    std::optional<bool>& signed_by_leaf) {
  if (set == nullptr) return nullptr;
  std::vector<CollateralDocs> groups;
  if (r.facts.fwid) {
    groups.push_back(set->Group(TeeType::NvidiaGpu, kKindDeviceChain, AsView(*r.facts.fwid)));
  }
  groups.push_back(set->Group(TeeType::NvidiaGpu, kKindDeviceChain));
  std::shared_ptr<const CertList> first;
  size_t tries = 0;
  for (const auto& g : groups) {
    for (const auto& d : g) {
      auto chain = impl.Bundle(AsView(d.data), &d.content_hash);
      if (!chain) continue;
      if (!first) first = chain;
      if (tries++ == kMaxLeafTries) return first;
      if (SignsReport(*chain->front(), r)) {
        signed_by_leaf = true;
        return chain;
      }
    }
  }
  return first;
}

// The evidence: the GPUs' reports (none when the evidence is an NRAS token
// alone) and the NRAS detached EAT when it carries one.
struct ParsedEvidence {
  std::vector<GpuInput> gpus;
  std::optional<std::string> eat;
};

Result<ParsedEvidence> ParseEvidence(NvidiaVerifier::Impl& impl, ByteView data,
                                     const CollateralSet* set) {
  ParsedEvidence out;
  if (LooksLikeDetachedEat(data)) {
    if (data.size() > nras::kMaxEatBytes)
      return Error(ErrorCode::kInvalidArgument, "EAT too large");
    out.eat.emplace(data.begin(), data.end());
    return out;
  }
  if (LooksLikeJson(data)) {
    TEE_ASSIGN_OR_RETURN(SerializedEvidence e, ParseSerializedEvidence(data));
    for (auto& g : e.gpus) {
      GpuInput in;
      in.report = std::move(g.report);
      in.chain = impl.Bundle(AsView(g.certificate_pem));
      in.arch_claim = std::move(g.arch);
      in.nonce_claim = std::move(g.nonce);
      out.gpus.push_back(std::move(in));
    }
    out.eat = std::move(e.nras_eat);
    return out;
  }
  TEE_ASSIGN_OR_RETURN(Report r, ParseReport(data));
  GpuInput in;
  in.chain = ChainFromCollateral(impl, set, r, in.signed_by_leaf);
  in.report = std::move(r);
  out.gpus.push_back(std::move(in));
  return out;
}

// What Verify learnt of one GPU (claims, re-evaluation).
struct GpuOutcome {
  GpuCheck check;
  std::shared_ptr<const CertList> chain;
  bool hardware_verified = false;
  bool chain_valid = false;
  bool dev = false;
};

}  // namespace

// ---- NvidiaVerifier --------------------------------------------------------------------

NvidiaVerifier::NvidiaVerifier(Policy policy, CommonPolicy common, VerifierOptions options)
    : policy_(std::move(policy)),
      common_(common),
      dev_roots_(std::move(options.dev_roots)),
      dev_rim_roots_(std::move(options.dev_rim_roots)),
      dev_nras_jwks_(std::move(options.dev_nras_jwks)),
      impl_(std::make_unique<Impl>(options.cache_capacity)) {}

NvidiaVerifier::~NvidiaVerifier() = default;

namespace {

// At most this many admitted RIMs per (kind, version) are verified for one
// report, so a flood of documents under one key costs a bounded amount.
constexpr size_t kMaxRimCandidates = 4;

bool HasCode(const std::vector<Failure>& failures, FailureCode code) {
  return std::any_of(failures.begin(), failures.end(),
                     [&](const Failure& f) { return f.code == code; });
}

std::string RimKey(rim::RimKind kind, std::string_view version) {
  return std::string(rim::RimKindName(kind)) + ":" + rim::NormaliseVersion(version);
}

// The RIM's verification under the pinned root, else under a development
// root (dev = true) when one makes its chain trusted.
Result<rim::RimVerification> VerifyRimDoc(NvidiaVerifier::Impl& impl, ByteView xml,
                                          const Hash32& pinned, const std::vector<Hash32>& dev,
                                          uint64_t now, bool& used_dev) {
  used_dev = false;
  TEE_ASSIGN_OR_RETURN(rim::RimVerification rv, rim::VerifyRim(xml, {}, pinned, now, &impl.rims));
  if (rv.chain_trusted) return rv;
  for (const auto& root : dev) {
    TEE_ASSIGN_OR_RETURN(rim::RimVerification d, rim::VerifyRim(xml, {}, root, now, &impl.rims));
    if (d.chain_trusted) {
      used_dev = true;
      return d;
    }
  }
  return rv;
}

struct RimPick {
  rim::RimVerification rv;
  bool dev = false;
};

// The admitted RIM of `kind` for `version` (see the header), or nullopt.
Result<std::optional<RimPick>> PickRim(NvidiaVerifier::Impl& impl, const CollateralSet* set,
                                       rim::RimKind kind, const std::string& version,
                                       const Hash32& pinned, const std::vector<Hash32>& dev,
                                       uint64_t now) {
  std::optional<RimPick> first;
  if (set == nullptr) return first;
  const std::string key_text = RimKey(kind, version);
  const Bytes key(key_text.begin(), key_text.end());
  size_t tries = 0;
  for (const auto& d : set->Group(TeeType::NvidiaGpu, kKindRim, AsView(key))) {
    if (tries++ == kMaxRimCandidates) break;
    RimPick p;
    TEE_ASSIGN_OR_RETURN(p.rv, VerifyRimDoc(impl, AsView(d.data), pinned, dev, now, p.dev));
    if (HasCode(p.rv.failures, FailureCode::kMalformed) ||
        HasCode(p.rv.failures, FailureCode::kUnsupported)) {
      return Error(ErrorCode::kStorage, "an admitted NVIDIA RIM no longer parses");
    }
    if (p.rv.ok()) return std::optional<RimPick>(std::move(p));
    if (!first) first = std::move(p);
  }
  return first;
}

// The report's measurements in the RIMs' index space: NVIDIA's RIMs number
// measurements from 0, SPDM measurement blocks from 1, and NVIDIA's verifier
// compares RIM index i with block i + 1 (nvtrust attestation report
// get_measurements: measurement_list[index - 1]); index 35 (NVDEC0) is a RIM
// index. A block 0 (not a DMTF block index) has no RIM counterpart.
rim::ReportMeasurements RimIndexed(const Report& r) {
  rim::ReportMeasurements out;
  for (auto& [index, value] : r.Measurements()) {
    if (index > 0) out.emplace(index - 1, value);
  }
  return out;
}

Bytes TextBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

void PutRimClaims(ClaimSet& out, const char* prefix, const rim::RimVerification& rv) {
  const std::string p = prefix;
  out[p + "id"] = TextBytes(rv.rim.tag_id);
  out[p + "version"] = TextBytes(rv.rim.colloquial_version);
  out[p + "signer_serial"] = rv.chain.empty() ? Bytes{} : rv.chain.front().serial();
  out[p + "not_before"] = pipeline::U64Le(rv.valid_from);
  out[p + "not_after"] = pipeline::U64Le(rv.valid_until);
}

// NVIDIA's RIM IDs (nvtrust cc_admin_utils get_driver_rim_file_id /
// get_vbios_rim_file_id): NV_GPU_DRIVER_<chip>_<driver version> and
// NV_GPU_VBIOS_<project>_<project SKU>_<chip SKU>_<VBIOS version without
// dots, upper case>. <chip> is the leaf CN's first word ("GH100"; NVIDIA's
// own code writes GH100 for Hopper, and no Blackwell ID was available to
// check against). nullopt when the report lacks a field.
std::optional<std::string> RimId(rim::RimKind kind, const OpaqueFacts& f,
                                 const x509::Certificate* leaf) {
  if (kind == rim::RimKind::kDriver) {
    if (!f.driver_version || leaf == nullptr) return std::nullopt;
    const std::string cn = leaf->SubjectAttr("CN").value_or("");
    const std::string chip = cn.substr(0, cn.find(' '));
    if (chip.empty()) return std::nullopt;
    return "NV_GPU_DRIVER_" + chip + "_" + *f.driver_version;
  }
  if (!f.vbios_version || !f.project || !f.project_sku || !f.chip_sku) return std::nullopt;
  std::string version;
  for (char c : *f.vbios_version) {
    if (c != '.') version += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return "NV_GPU_VBIOS_" + *f.project + "_" + *f.project_sku + "_" + *f.chip_sku + "_" + version;
}

}  // namespace

Status NvidiaVerifier::CheckReferenceCollateral(Verdict& v, GpuCheck& gpu,
                                                const CollateralSet* collateral,
                                                pipeline::Validity& validity, uint64_t now) const {
  if (gpu.chain.size() == kDeviceChainLength) {
    for (size_t j = kFirstIntermediate; j <= kLastIntermediate; ++j) {
      const x509::Certificate& c = *gpu.chain[j];
      TEE_ASSIGN_OR_RETURN(const auto f,
                           FindOcsp(collateral, AsView(c.serial()), AsView(c.issuer_der()), now));
      JudgeOcsp(v, &validity, f, policy_,
                gpu.name + ": " + c.SubjectAttr("CN").value_or(c.subject()), now);
      // Missing or outside its window: the OCSP fetcher may get a current
      // one (a hint never changes the verdict).
      if (!f || now < f->this_update || now > f->next_update) {
        Bytes id = c.der();
        const Bytes& issuer = gpu.chain[j + 1]->der();
        id.insert(id.end(), issuer.begin(), issuer.end());
        v.Hint(FetchHint{kKindOcsp, "", std::move(id)});
      }
    }
  }
  // RIMs.
  // Development RIM roots are always tried, so a dev-signed RIM in the set
  // is named (simulation_disabled) rather than untrusted; trusted only with
  // simulation on (and admitted only then).
  const std::vector<Hash32>& dev = dev_rim_roots_;
  struct Want {
    rim::RimKind kind;
    const std::optional<std::string>* version;
  };
  const Want wants[] = {{rim::RimKind::kDriver, &gpu.report->facts.driver_version},
                        {rim::RimKind::kVbios, &gpu.report->facts.vbios_version}};
  std::optional<RimPick> picks[2];
  bool usable = true;
  for (size_t k = 0; k < 2; ++k) {
    const Want& w = wants[k];
    const std::string what = gpu.name + ": " + std::string(rim::RimKindName(w.kind)) + " RIM";
    if (!*w.version) {
      usable = false;
      if (policy_.require_rims)
        v.Fail(FailureCode::kCollateralMissing, what + ": the report carries no version");
      continue;
    }
    TEE_ASSIGN_OR_RETURN(picks[k], PickRim(*impl_, collateral, w.kind, **w.version,
                                           policy_.rim_root_sha256, dev, now));
    // Missing or outside its signer's window: the RIM fetcher may get it.
    if (!picks[k] || HasCode(picks[k]->rv.failures, FailureCode::kExpired) ||
        HasCode(picks[k]->rv.failures, FailureCode::kNotYetValid)) {
      const auto id = RimId(w.kind, gpu.report->facts, gpu.chain.empty() ? nullptr : gpu.chain[0]);
      if (id) v.Hint(FetchHint{kKindRim, *id, {}});
    }
    if (!picks[k]) {
      usable = false;
      if (policy_.require_rims) {
        v.Fail(FailureCode::kCollateralMissing,
               what + " for version " + **w.version + " is not at hand (require_rims)");
      }
      continue;
    }
    const rim::RimVerification& rv = picks[k]->rv;
    for (const auto& f : rv.failures) v.Fail(f.code, what + " " + rv.rim.tag_id + ": " + f.message);
    validity.Narrow(rv.valid_from, rv.valid_until);
    if (picks[k]->dev && !common_.simulation) {
      v.Fail(FailureCode::kSimulationDisabled, what + " is signed under a development root");
      usable = false;  // untrusted: not compared
    }
    if (!rim::VersionMatches(rv.rim, **w.version)) {
      v.Fail(FailureCode::kMeasurementMismatch, what + " " + rv.rim.tag_id + " is for version " +
                                                    rv.rim.colloquial_version +
                                                    ", the report's is " + **w.version);
      usable = false;
    }
    if (!rv.signature_valid || !rv.chain_trusted) usable = false;
  }
  if (usable) {
    const auto& f = gpu.report->facts;
    const bool nvdec0_enabled = !(f.nvdec0_status && *f.nvdec0_status == kNvdecDisabled);
    const rim::CompareResult cr =
        rim::Compare(RimIndexed(*gpu.report), picks[0]->rv.rim, picks[1]->rv.rim, nvdec0_enabled);
    if (auto failure = rim::CompareFailure(cr)) {
      v.Fail(failure->code, gpu.name + ": " + failure->message);
    }
    gpu.rims_compared = true;
    PutRimClaims(gpu.rim_claims, claim::kRimDriver, picks[0]->rv);
    PutRimClaims(gpu.rim_claims, claim::kRimVbios, picks[1]->rv);
  }
  return Status::Ok();
}

namespace {

void CheckNonces(Verdict& v, const GpuInput& in, const VerifyRequest& req, const std::string& gpu) {
  const ByteView nonce = AsView(in.report.nonce);
  if (req.expected_nonce && !crypto::ConstantTimeEqual(AsView(*req.expected_nonce), nonce)) {
    v.Fail(FailureCode::kNonceMismatch, gpu + ": the request nonce is not the expected nonce");
  }
  if (in.nonce_claim && !crypto::ConstantTimeEqual(AsView(*in.nonce_claim), nonce)) {
    v.Fail(FailureCode::kNonceMismatch, gpu + ": the request nonce is not the document's nonce");
  }
}

void CheckWindows(Verdict& v, pipeline::Validity& validity, const CertList& chain, uint64_t now,
                  bool& in_window) {
  for (const auto& c : chain) {
    const uint64_t nb = pipeline::ClampTime(c->cert.not_before());
    const uint64_t na = pipeline::ClampTime(c->cert.not_after());
    validity.Narrow(nb, na);
    in_window = pipeline::CheckWindow(v, Cn(*c), nb, na, now) && in_window;
  }
}

}  // namespace

namespace {

// The chain stage of one GPU: signature, chain, FWID, architecture.
GpuOutcome CheckSignedChain(Verdict& v, NvidiaVerifier::Impl& impl, const Policy& policy,
                            const std::vector<Hash32>& dev_roots, const GpuInput& in, size_t i) {
  GpuOutcome o;
  o.check.index = i;
  o.check.report = &in.report;
  o.check.name = "GPU " + std::to_string(i);
  o.chain = in.chain;
  const std::string& gpu = o.check.name;
  if (!in.chain) {
    v.Fail(FailureCode::kChainIncomplete, gpu + ": no device certificate chain at hand");
    return o;
  }
  const CertEntry& leaf = *in.chain->front();
  o.check.facts.arch = leaf.arch;
  if (leaf.cert.is_ca()) {  // a chain without its GSP FMC leaf: nothing signs the report
    v.Fail(FailureCode::kChainIncomplete,
           gpu + ": the chain has no GSP FMC leaf (" + Cn(leaf) + " is a CA)");
    return o;
  }
  if (!leaf.p384) v.Fail(FailureCode::kUnsupported, gpu + ": the leaf key is not ECDSA P-384");
  const bool sig_ok = in.signed_by_leaf.value_or(false) || SignsReport(leaf, in.report);
  if (!sig_ok) v.Fail(FailureCode::kBadSignature, gpu + ": the report signature does not verify");
  const ChainOutcome ch = CheckChain(impl, policy, dev_roots, *in.chain);
  if (ch.code != FailureCode::kNone) v.Fail(ch.code, gpu + ": " + ch.message);
  // The product is known only from a whole chain (a short one may not start
  // at a GPU leaf at all).
  if (ch.code == FailureCode::kNone && leaf.arch == Arch::kUnknown) {
    v.Fail(FailureCode::kUnsupported, gpu + ": " + Cn(leaf) + " is not a Hopper or Blackwell GPU");
  }
  if (auto m = FwidMismatch(leaf, in.report)) v.Fail(FailureCode::kChainUntrusted, gpu + ": " + *m);
  if (in.arch_claim && ArchFromName(*in.arch_claim) != leaf.arch) {
    v.Fail(FailureCode::kPolicyViolation, gpu + ": the document says " + *in.arch_claim +
                                              ", the chain " + std::string(ArchName(leaf.arch)));
  }
  o.dev = ch.dev;
  if (ch.code == FailureCode::kNone) {
    for (const auto& c : *in.chain) o.check.chain.push_back(&c->cert);
  }
  o.hardware_verified = sig_ok && ch.code == FailureCode::kNone;
  o.chain_valid = ch.code == FailureCode::kNone;
  o.check.facts.driver_version = in.report.facts.driver_version;
  o.check.facts.vbios_version = in.report.facts.vbios_version;
  return o;
}

// The verdict's typed claims, one entry per GPU (copies: they outlive the
// evidence buffer). JSON only at the edges, through ToJson.
struct GpuClaim {
  std::array<uint8_t, kNonceSize> nonce{};
  std::array<uint8_t, kNonceSize> responder_nonce{};
  decltype(GpuFacts::arch) arch{};
  size_t measurement_blocks = 0;
  OpaqueFacts facts;
};

struct NvidiaClaims final : Claims {
  std::vector<GpuClaim> gpus;
  std::optional<nras::NrasClaims> nras;  // the NRAS token's claims (mode nras/both)
  nlohmann::json ToJson() const override;
};

GpuClaim ClaimOf(const GpuOutcome& o) {
  const Report& r = *o.check.report;
  return GpuClaim{r.nonce, r.responder_nonce, o.check.facts.arch, r.blocks.size(), r.facts};
}

nlohmann::json GpuClaimJson(const GpuClaim& g) {
  const OpaqueFacts& f = g.facts;
  nlohmann::json j = {{"nonce", ToHex(AsView(g.nonce))},
                      {"responder_nonce", ToHex(AsView(g.responder_nonce))},
                      {"arch", std::string(ArchName(g.arch))},
                      {"measurement_blocks", g.measurement_blocks}};
  auto put = [&](const char* k, const std::optional<std::string>& s) {
    if (s) j[k] = *s;
  };
  put("driver_version", f.driver_version);
  put("vbios_version", f.vbios_version);
  put("chip_sku", f.chip_sku);
  put("project", f.project);
  put("project_sku", f.project_sku);
  if (f.fwid) j["fwid"] = ToHex(AsView(*f.fwid));
  if (f.nvdec0_status) j["nvdec0_status"] = *f.nvdec0_status;
  if (f.feature_flag) j["feature_flag"] = *f.feature_flag;
  if (f.opaque_data_version) j["opaque_data_version"] = *f.opaque_data_version;
  return j;
}

// The one conversion of typed claims to JSON: GPU 0 flat (DESIGN §3), every
// GPU under "gpus" when there are several.
// The NRAS token's claims under "nras" (nras::ClaimsToJson).
nlohmann::json NvidiaClaims::ToJson() const {
  nlohmann::json j = gpus.empty() ? nlohmann::json::object() : GpuClaimJson(gpus.front());
  j["gpu_count"] = gpus.size();
  if (gpus.size() > 1) {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& g : gpus) all.push_back(GpuClaimJson(g));
    j["gpus"] = std::move(all);
  }
  if (nras) j["nras"] = nras::ClaimsToJson(*nras);
  return j;
}

Bytes FpBytes(const CertEntry& c) {
  return Bytes(c.cert.fingerprint().begin(), c.cert.fingerprint().end());
}

// What the epoch re-evaluation needs (§6), per GPU.
void PutGpuClaims(ClaimSet& claims, const GpuOutcome& o) {
  const std::string p = claim::GpuPrefix(o.check.index);
  PutFactClaims(o.check.facts, p, claims);
  const CertList& ch = *o.chain;
  claims[p + claim::kRootSha256] = FpBytes(*ch.back());
  claims[p + claim::kLeafSerial] = ch.front()->cert.serial();
  claims[p + claim::kIcaSerial] = ch[2]->cert.serial();
  claims[p + claim::kIcaSha256] = FpBytes(*ch[2]);
  claims[p + claim::kIdentitySerial] = ch[3]->cert.serial();
  pipeline::Validity w;
  for (const auto& c : ch) w.NarrowCert(c->cert.not_before(), c->cert.not_after());
  claims[p + claim::kNotBefore] = pipeline::U64Le(w.from());
  claims[p + claim::kNotAfter] = pipeline::U64Le(w.until());
  claims[p + claim::kDevRoot] = Bytes{static_cast<uint8_t>(o.dev ? 1 : 0)};
  for (const auto& [name, value] : o.check.rim_claims) claims[p + name] = value;
  for (size_t j = kFirstIntermediate; j <= kLastIntermediate; ++j) {
    claims[p + claim::CertSerial(j)] = ch[j]->cert.serial();
    claims[p + claim::CertIssuer(j)] = ch[j]->cert.issuer_der();
  }
}

// Evidence identity (§4): what the device keys signed, GPU by GPU.
Hash32 IdOf(const std::vector<GpuInput>& gpus) {
  if (gpus.size() == 1)
    return pipeline::EvidenceId(TeeType::NvidiaGpu, gpus[0].report.signed_bytes());
  Bytes all;
  for (const auto& g : gpus) PutLenBytes(all, g.report.signed_bytes());
  return pipeline::EvidenceId(TeeType::NvidiaGpu, AsView(all));
}

// ---- NRAS tokens -------------------------------------------------------------------

// What CheckNras established.
struct NrasOutcome {
  bool read = false;              // the token parsed and its claims were read
  bool signatures_valid = false;  // every token under a key of the JWKS, digests bind
  bool in_window = false;         // every token inside nbf/iat .. exp at now
  bool dev = false;               // the JWKS is a development one
  Hash32 jwks_sha256{};
  uint64_t from = 0, until = UINT64_MAX;
  std::optional<nras::NrasClaims> claims;
  std::vector<GpuFacts> devices;  // per device token, in name order
};

// The admitted JWKS the pin names, else a development one (dev = true).
// nullptr when none is at hand.
Result<std::shared_ptr<const nras::Jwks>> FindJwks(NvidiaVerifier::Impl& impl,
                                                   const CollateralSet* set, const Policy& policy,
                                                   const std::vector<Hash32>& dev_jwks,
                                                   NrasOutcome& out) {
  std::vector<std::pair<Hash32, bool>> wanted;
  if (policy.nras_jwks_sha256) wanted.emplace_back(*policy.nras_jwks_sha256, false);
  for (const auto& h : dev_jwks) wanted.emplace_back(h, true);
  if (set == nullptr) return std::shared_ptr<const nras::Jwks>();
  for (const auto& [h, dev] : wanted) {
    for (const auto& d : set->Group(TeeType::NvidiaGpu, kKindNrasJwks, AsView(h))) {
      if (crypto::Sha256(AsView(d.data)) != h) continue;
      auto jwks = impl.jwks.GetOrInsert(h, [&]() -> std::shared_ptr<const nras::Jwks> {
        auto j = nras::ParseJwks(AsView(d.data));
        if (!j.ok()) return nullptr;
        return std::make_shared<const nras::Jwks>(std::move(*j));
      });
      if (!jwks) return Error(ErrorCode::kStorage, "an admitted NRAS JWKS no longer parses");
      out.jwks_sha256 = h;
      out.dev = dev;
      return jwks;
    }
  }
  return std::shared_ptr<const nras::Jwks>();
}

// The NRAS detached EAT of the evidence (mode nras/both): nras::VerifyDetachedEat
// under the pinned JWKS at now, iss = policy.nras_issuer, every eat_nonce =
// binding[0..32) (or the CLI's expected nonce). No token: collateral_missing
// (a third party's statement the policy requires, like a RIM or an OCSP
// response); no admitted JWKS under the pin: collateral_missing.
Status CheckNras(Verdict& v, NrasOutcome& out, NvidiaVerifier::Impl& impl, const Policy& policy,
                 const std::vector<Hash32>& dev_jwks, const std::optional<std::string>& eat,
                 const VerifyRequest& req, pipeline::Validity& validity) {
  if (!eat) {
    v.Fail(FailureCode::kCollateralMissing,
           "NRAS: mode nras/both and the evidence carries no NRAS token (nras_eat)");
    return Status::Ok();
  }
  TEE_ASSIGN_OR_RETURN(const auto jwks, FindJwks(impl, req.collateral, policy, dev_jwks, out));
  if (!jwks) {
    v.Fail(FailureCode::kCollateralMissing,
           policy.nras_jwks_sha256
               ? "NRAS: the pinned JWKS " + ToHex(AsView(*policy.nras_jwks_sha256)) +
                     " is not admitted"
               : std::string("NRAS: no JWKS is pinned ([tee.consensus.nvidia] nras_jwks_sha256)"));
    return Status::Ok();
  }
  nras::Expectations expect;
  expect.issuer = policy.nras_issuer;
  if (req.binding) {
    const auto b = ComputeBinding(*req.binding);
    expect.nonce = Bytes(b.begin(), b.begin() + kNonceSize);
  } else if (req.expected_nonce) {
    expect.nonce = *req.expected_nonce;
  }
  const auto eat_bytes = ByteView(reinterpret_cast<const uint8_t*>(eat->data()), eat->size());
  TEE_ASSIGN_OR_RETURN(nras::NrasVerification nv,
                       nras::VerifyDetachedEat(eat_bytes, *jwks, expect, req.now));
  for (auto& f : nv.failures) v.Fail(f.code, std::move(f.message));
  out.read = !nv.claims.overall.eat_nonce.empty();
  if (req.binding) {  // mode both: the reports' binding (CheckBinding) and the token's
    const bool token_bound = out.read && !HasCode(nv.failures, FailureCode::kNonceMismatch);
    v.binding_valid = v.binding_valid.value_or(true) && token_bound;
  }
  if (!out.read) return Status::Ok();
  validity.Narrow(nv.valid_from, nv.valid_until);
  out.signatures_valid = nv.signatures_valid;
  out.in_window = !HasCode(nv.failures, FailureCode::kExpired) &&
                  !HasCode(nv.failures, FailureCode::kNotYetValid);
  out.from = nv.valid_from;
  out.until = nv.valid_until;
  for (const auto& [name, d] : nv.claims.devices) {
    GpuFacts f;
    f.arch = ArchOfCn(d.hwmodel);
    if (!d.driver_version.empty()) f.driver_version = d.driver_version;
    if (!d.vbios_version.empty()) f.vbios_version = d.vbios_version;
    if (f.arch == Arch::kUnknown) {
      v.Fail(FailureCode::kUnsupported,
             "NRAS " + name + ": hwmodel " + d.hwmodel + " is not a Hopper or Blackwell GPU");
    }
    // EAT dbgstat (RFC 9711's debug status claim): NVIDIA's signed statement
    // of the GPU's debug state; every value but the "disabled..." ones
    // admits debugging.
    if (d.dbgstat.rfind("disabled", 0) != 0) {
      v.debug = true;
      v.Fail(FailureCode::kDebugEnclave, "NRAS " + name + ": dbgstat is \"" + d.dbgstat + "\"");
    }
    out.devices.push_back(std::move(f));
  }
  out.claims = std::move(nv.claims);
  return Status::Ok();
}

void PutNrasClaims(ClaimSet& claims, const NrasOutcome& n) {
  claims[claim::kNrasJwksSha256] = Bytes(n.jwks_sha256.begin(), n.jwks_sha256.end());
  claims[claim::kNrasNotBefore] = pipeline::U64Le(n.from);
  claims[claim::kNrasNotAfter] = pipeline::U64Le(n.until);
  claims[claim::kNrasDev] = Bytes{static_cast<uint8_t>(n.dev ? 1 : 0)};
  claims[claim::kNrasDeviceCount] = pipeline::U64Le(n.devices.size());
  for (size_t d = 0; d < n.devices.size(); ++d) {
    PutFactClaims(n.devices[d], claim::NrasDevicePrefix(d), claims);
  }
}

// mode nras: the token alone decides. Reports the evidence carries next to
// it were parsed (a malformed one fails) but are not judged.
Result<Verdict> VerifyNrasOnly(NvidiaVerifier::Impl& impl, const Policy& policy,
                               const CommonPolicy& common, const std::vector<Hash32>& dev_jwks,
                               const VerifyRequest& req, const ParsedEvidence& parsed) {
  Verdict v;
  v.tee_type = TeeType::NvidiaGpu;
  pipeline::Validity validity;
  NrasOutcome nras;
  TEE_TRY(CheckNras(v, nras, impl, policy, dev_jwks, parsed.eat, req, validity));
  if (nras.read) {
    auto tokens = nlohmann::json::parse(*parsed.eat, nullptr, false);
    const bool shaped = tokens.is_array() && !tokens.empty() && tokens[0].is_array() &&
                        tokens[0].size() == 2 && tokens[0][1].is_string();
    const std::string overall = shaped ? tokens[0][1].get<std::string>() : *parsed.eat;
    v.evidence_id = pipeline::EvidenceId(
        TeeType::NvidiaGpu,
        ByteView(reinterpret_cast<const uint8_t*>(overall.data()), overall.size()));
    for (size_t d = 0; d < nras.devices.size(); ++d) {
      Validate(v, nras.devices[d], policy, "NRAS device " + std::to_string(d));
    }
  }
  pipeline::CheckEvidenceAge(v, validity, req.evidence_time,
                             policy.max_age_secs.value_or(common.max_age_secs), req.now);
  validity.Apply(v);
  const bool trusted = !nras.dev || common.simulation;
  v.hardware_verified = nras.signatures_valid && trusted;
  v.certificate_chain_valid = v.hardware_verified && nras.in_window;
  // NRAS compared the measurements with NVIDIA's RIMs: measres and the overall result.
  v.measurements_valid = nras.read && !v.Has(FailureCode::kMeasurementMismatch) &&
                         !v.Has(FailureCode::kPolicyViolation);
  pipeline::CheckSimulation(v, nras.dev, common.simulation, "the NRAS JWKS");
  auto claims = std::make_shared<NvidiaClaims>();
  const bool known_archs = std::none_of(nras.devices.begin(), nras.devices.end(),
                                        [](const GpuFacts& f) { return f.arch == Arch::kUnknown; });
  if (nras.signatures_valid && nras.in_window && known_archs) {
    v.reeval_claims[claim::kGpuCount] = pipeline::U64Le(0);
    PutNrasClaims(v.reeval_claims, nras);
  }
  claims->nras = std::move(nras.claims);
  v.claims = std::move(claims);
  return v;
}

}  // namespace

Result<Verdict> NvidiaVerifier::Verify(const VerifyRequest& req) const {
  Verdict v;
  v.tee_type = TeeType::NvidiaGpu;
  auto parsed = ParseEvidence(*impl_, req.evidence, req.collateral);
  if (!parsed.ok()) {
    pipeline::FailParse(v, parsed.status());
    return v;
  }
  if (policy_.mode == Mode::kNras) {
    return VerifyNrasOnly(*impl_, policy_, common_, dev_nras_jwks_, req, *parsed);
  }
  const std::vector<GpuInput>& gpus = parsed->gpus;
  if (gpus.empty()) {
    v.Fail(FailureCode::kUnsupported,
           "an NRAS token alone is evidence only under [tee.consensus.nvidia] mode = \"nras\"");
    return v;
  }
  v.evidence_id = IdOf(gpus);
  pipeline::Validity validity;
  std::vector<GpuOutcome> outs;
  bool all_hw = true, all_chain = true, any_dev = false, all_rims = true;
  for (size_t i = 0; i < gpus.size(); ++i) {
    GpuOutcome o = CheckSignedChain(v, *impl_, policy_, dev_roots_, gpus[i], i);
    bool in_window = true;
    if (o.chain) CheckWindows(v, validity, *o.chain, req.now, in_window);
    TEE_TRY(CheckReferenceCollateral(v, o.check, req.collateral, validity, req.now));
    Validate(v, o.check.facts, policy_, o.check.name);
    CheckNonces(v, gpus[i], req, o.check.name);
    pipeline::CheckBinding(v, req.binding, AsView(gpus[i].report.nonce),
                           FailureCode::kNonceMismatch);
    all_rims = all_rims && o.check.rims_compared;
    const bool trusted = !o.dev || common_.simulation;
    all_hw = all_hw && o.hardware_verified && trusted;
    all_chain = all_chain && o.chain_valid && in_window && trusted;
    any_dev = any_dev || o.dev;
    outs.push_back(std::move(o));
  }
  // mode both: the local checks above AND the NRAS token, which must speak
  // for exactly as many GPUs as the evidence holds.
  NrasOutcome nras;
  if (policy_.mode == Mode::kBoth) {
    TEE_TRY(CheckNras(v, nras, *impl_, policy_, dev_nras_jwks_, parsed->eat, req, validity));
    if (nras.read && nras.devices.size() != gpus.size()) {
      v.Fail(FailureCode::kPolicyViolation,
             "NRAS: the token names " + std::to_string(nras.devices.size()) +
                 " devices, the evidence holds " + std::to_string(gpus.size()) + " GPUs");
    }
    all_hw = all_hw && nras.signatures_valid && (!nras.dev || common_.simulation);
    all_chain = all_chain && nras.signatures_valid && nras.in_window;
    pipeline::CheckSimulation(v, nras.dev, common_.simulation, "the NRAS JWKS");
  }
  pipeline::CheckEvidenceAge(v, validity, req.evidence_time,
                             policy_.max_age_secs.value_or(common_.max_age_secs), req.now);
  validity.Apply(v);
  v.hardware_verified = all_hw;
  v.certificate_chain_valid = all_chain && !v.Has(FailureCode::kRevoked);
  // True only when every GPU's report was compared with its RIMs and matched.
  v.measurements_valid = all_rims && !v.Has(FailureCode::kMeasurementMismatch);
  pipeline::CheckSimulation(v, any_dev, common_.simulation, "a GPU's device chain");
  auto claims = std::make_shared<NvidiaClaims>();
  for (const auto& o : outs) claims->gpus.push_back(ClaimOf(o));
  claims->nras = std::move(nras.claims);
  v.claims = std::move(claims);
  if (all_chain) {
    v.reeval_claims[claim::kGpuCount] = pipeline::U64Le(outs.size());
    for (const auto& o : outs) PutGpuClaims(v.reeval_claims, o);
    if (policy_.mode == Mode::kBoth) PutNrasClaims(v.reeval_claims, nras);
  }
  return v;
}

// ---- collateral ----------------------------------------------------------------------

namespace {

// The trusted roots at hand for authenticating a responder: certificates of
// the response and of the known device chains whose fingerprint is pinned
// (or a development root, with simulation on).
std::vector<CertPtr> TrustedRoots(NvidiaVerifier::Impl& impl, const Policy& policy,
                                  const std::vector<Hash32>& dev_roots, bool simulation,
                                  const CertList& mine, const CollateralSet& known) {
  std::vector<CertPtr> out;
  auto consider = [&](const CertPtr& c) {
    const Hash32& fp = c->cert.fingerprint();
    const bool ok = fp == policy.device_root_sha256 || (simulation && IsDevRoot(dev_roots, fp));
    if (ok && impl.Signed(*c, *c)) out.push_back(c);
  };
  for (const auto& c : mine) consider(c);
  for (const auto& d : known.Group(TeeType::NvidiaGpu, kKindDeviceChain)) {
    if (auto chain = impl.Bundle(AsView(d.data))) consider(chain->back());
  }
  return out;
}

// The responder (first certificate of the response) signed it, and its
// certificates chain, each issued by the next, to a trusted root.
bool ResponderTrusted(NvidiaVerifier::Impl& impl, const OcspResponse& r, const CertList& mine,
                      const std::vector<CertPtr>& roots) {
  if (mine.empty() || !x509::EcdsaVerify(mine.front()->cert.public_key(), r.sig_digest,
                                         AsView(r.tbs_der), AsView(r.sig_r), AsView(r.sig_s))) {
    return false;
  }
  for (size_t i = 0; i + 1 < mine.size(); ++i) {
    if (!impl.Signed(*mine[i], *mine[i + 1])) return false;
  }
  for (const auto& root : roots) {
    if (mine.back()->cert.fingerprint() == root->cert.fingerprint() ||
        impl.Signed(*mine.back(), *root)) {
      return true;
    }
  }
  return false;
}

}  // namespace

Result<CollateralDoc> NvidiaVerifier::OcspDoc(ByteView data, const CollateralSet& known) const {
  auto not_ours = [](std::string what) {
    return Error(ErrorCode::kCollateral, "nvidia OCSP collateral: " + std::move(what));
  };
  auto r = ParseOcspResponse(data);
  if (!r.ok()) return not_ours(r.status().message());
  if (r->responses.size() != 1) return not_ours("not exactly one SingleResponse");
  CertList mine;
  for (const auto& der : r->certs) {
    auto c = x509::Certificate::FromDer(AsView(der));
    if (!c.ok()) return not_ours("a certificate of the response does not parse");
    const Hash32 fp = c->fingerprint();
    mine.push_back(impl_->certs.GetOrInsert(fp, [&] { return Classify(std::move(*c)); }));
  }
  const auto roots = TrustedRoots(*impl_, policy_, dev_roots_, common_.simulation, mine, known);
  if (!ResponderTrusted(*impl_, *r, mine, roots)) {
    return not_ours("the responder's signature or certificates do not lead to a trusted root");
  }
  const OcspSingle& s = r->responses.front();
  CollateralDoc doc;
  doc.tee_type = TeeType::NvidiaGpu;
  doc.kind = kKindOcsp;
  doc.key = s.serial;
  doc.this_update = pipeline::ClampTime(s.this_update);
  doc.next_update = pipeline::ClampTime(s.next_update);
  doc.content_hash = crypto::Sha256(data);
  doc.data.assign(data.begin(), data.end());
  return doc;
}

namespace {

// A RIM is an XML document: optional UTF-8 BOM and whitespace, then '<'.
bool LooksLikeXml(ByteView data) {
  size_t i = 0;
  if (data.size() >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF) i = 3;
  while (i < data.size() &&
         (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
    ++i;
  return i < data.size() && data[i] == '<';
}

}  // namespace

Result<CollateralDoc> NvidiaVerifier::RimDoc(ByteView data) const {
  auto not_ours = [](std::string what) {
    return Error(ErrorCode::kCollateral, "nvidia RIM collateral: " + std::move(what));
  };
  const std::vector<Hash32> no_dev;
  bool dev = false;
  // The window is not checked at admission (verified at every use): `now`
  // only feeds VerifyRim's window failures, which are ignored here.
  TEE_ASSIGN_OR_RETURN(const rim::RimVerification rv,
                       VerifyRimDoc(*impl_, data, policy_.rim_root_sha256,
                                    common_.simulation ? dev_rim_roots_ : no_dev, 0, dev));
  for (const auto& f : rv.failures) {
    if (f.code != FailureCode::kNotYetValid && f.code != FailureCode::kExpired)
      return not_ours(f.message);
  }
  CollateralDoc doc;
  doc.tee_type = TeeType::NvidiaGpu;
  doc.kind = kKindRim;
  const std::string key = RimKey(rv.rim.kind, rv.rim.colloquial_version);
  doc.key.assign(key.begin(), key.end());
  doc.this_update = rv.valid_from;
  doc.next_update = rv.valid_until;
  doc.content_hash = crypto::Sha256(data);
  doc.data.assign(data.begin(), data.end());
  return doc;
}

Result<CollateralDoc> NvidiaVerifier::JwksDoc(ByteView data) const {
  auto not_ours = [](std::string what) {
    return Error(ErrorCode::kCollateral, "nvidia NRAS JWKS collateral: " + std::move(what));
  };
  const Hash32 h = crypto::Sha256(data);
  const bool pinned = policy_.nras_jwks_sha256 && *policy_.nras_jwks_sha256 == h;
  const bool dev = common_.simulation && IsDevRoot(dev_nras_jwks_, h);
  if (!pinned && !dev) {
    return not_ours(policy_.nras_jwks_sha256
                        ? "its SHA-256 " + ToHex(AsView(h)) + " is not the pinned nras_jwks_sha256"
                        : "no NRAS JWKS is pinned ([tee.consensus.nvidia] nras_jwks_sha256)");
  }
  auto jwks = nras::ParseJwks(data);
  if (!jwks.ok()) return not_ours(jwks.status().message());
  CollateralDoc doc;
  doc.tee_type = TeeType::NvidiaGpu;
  doc.kind = kKindNrasJwks;
  doc.key.assign(h.begin(), h.end());
  doc.this_update = 0;
  doc.next_update = UINT64_MAX;
  doc.content_hash = h;
  doc.data.assign(data.begin(), data.end());
  return doc;
}

Result<CollateralDoc> NvidiaVerifier::ParseCollateral(ByteView data, const CollateralSet& known,
                                                      uint64_t /*now*/) const {
  auto not_ours = [](std::string what) {
    return Error(ErrorCode::kCollateral, "nvidia collateral: " + std::move(what));
  };
  if (LooksLikeOcsp(data)) return OcspDoc(data, known);
  if (LooksLikeXml(data)) return RimDoc(data);
  if (LooksLikeJson(data)) return JwksDoc(data);
  if (!x509::LooksLikePem(data)) return not_ours("not a PEM certificate chain");
  auto chain = impl_->Bundle(data);
  if (!chain) return not_ours("no certificate");
  for (const auto& c : *chain) {
    if (c->cert.SubjectAttr("O").value_or("").find("NVIDIA") == std::string::npos) {
      return not_ours(Cn(*c) + " is not an NVIDIA device certificate");
    }
  }
  CollateralDoc doc;
  doc.tee_type = TeeType::NvidiaGpu;
  doc.kind = kKindDeviceChain;
  doc.content_hash = crypto::Sha256(data);
  doc.data.assign(data.begin(), data.end());
  if (const auto& fwid = chain->front()->fwid) doc.key.assign(fwid->begin(), fwid->end());
  pipeline::Validity w;
  for (const auto& c : *chain) w.NarrowCert(c->cert.not_before(), c->cert.not_after());
  doc.this_update = w.from();
  doc.next_update = w.until();
  return doc;
}

// ---- epoch re-evaluation -------------------------------------------------------------

namespace {

class NvidiaReevaluator final : public Reevaluator {
 public:
  NvidiaReevaluator(CollateralSet collateral, uint64_t t, Policy policy, bool simulation,
                    std::vector<Hash32> dev_roots, std::vector<Hash32> dev_jwks)
      : collateral_(std::move(collateral)),
        t_(t),
        policy_(std::move(policy)),
        simulation_(simulation),
        dev_roots_(std::move(dev_roots)),
        dev_jwks_(std::move(dev_jwks)) {}

  // Current pins, policy and the admitted OCSP responses over the stored
  // claims; signatures are not re-checked.
  Result<std::optional<Failure>> Check(const ClaimSet& claims) const override {
    auto count_it = claims.find(claim::kGpuCount);
    auto count =
        count_it == claims.end() ? std::nullopt : pipeline::ReadU64Le(AsView(count_it->second));
    const bool has_nras = claims.count(claim::kNrasDeviceCount) != 0;
    if (!count || *count > kMaxGpus || (*count == 0 && !has_nras)) {
      return Error(ErrorCode::kStorage, "stored NVIDIA claims: no GPU count");
    }
    Verdict found;
    // The current mode decides what the record must have been verified with.
    if (*count == 0 && policy_.mode != Mode::kNras) {
      found.Fail(FailureCode::kChainIncomplete,
                 "registered on an NRAS token alone; mode local/both needs the GPU reports");
    }
    if (policy_.mode != Mode::kLocal) {
      if (has_nras) {
        TEE_TRY(CheckNras(found, claims));
      } else {
        found.Fail(FailureCode::kCollateralMissing,
                   "no NRAS token was verified at registration (mode nras/both)");
      }
    }
    // mode nras: the token alone decides (the GPUs' local facts, if any, are not).
    if (policy_.mode != Mode::kNras) {
      for (size_t i = 0; i < *count; ++i) TEE_TRY(CheckGpu(found, claims, i));
    }
    if (found.failures.empty()) return std::optional<Failure>();
    return std::optional<Failure>(found.failures.front());
  }

 private:
  Status CheckGpu(Verdict& found, const ClaimSet& claims, size_t i) const {
    const std::string p = claim::GpuPrefix(i);
    const Bytes* root = pipeline::FindClaim(claims, p + claim::kRootSha256);
    const Bytes* dev = pipeline::FindClaim(claims, p + claim::kDevRoot);
    const auto nb_v = pipeline::ClaimU64(claims, p + claim::kNotBefore);
    const auto na_v = pipeline::ClaimU64(claims, p + claim::kNotAfter);
    if (root == nullptr || root->size() != 32 || !nb_v || !na_v || dev == nullptr ||
        dev->size() != 1) {
      return Error(ErrorCode::kStorage, "stored NVIDIA claims of " + p + " are incomplete");
    }
    TEE_ASSIGN_OR_RETURN(const GpuFacts facts, FactsFromClaims(claims, p));
    Hash32 fp{};
    std::copy(root->begin(), root->end(), fp.begin());
    const bool pinned = fp == policy_.device_root_sha256;
    const bool is_dev = !pinned && IsDevRoot(dev_roots_, fp);
    const std::string gpu = "GPU " + std::to_string(i);
    if (!pinned && !is_dev) {
      found.Fail(FailureCode::kChainUntrusted, gpu + ": the chain's root is no longer pinned");
    }
    if (t_ < *nb_v) found.Fail(FailureCode::kNotYetValid, gpu + ": device chain not yet valid");
    if (t_ > *na_v) found.Fail(FailureCode::kExpired, gpu + ": a device certificate expired");
    TEE_TRY(CheckOcsp(found, claims, p, gpu));
    CheckRims(found, claims, p, gpu);
    Validate(found, facts, policy_, gpu);
    pipeline::CheckSimulation(found, is_dev || (*dev)[0] != 0, simulation_, "a GPU's device chain");
    return Status::Ok();
  }

  // The RIMs compared at admission of the evidence: their signer chains'
  // windows at t (the verdict's valid_until already ends there; this names
  // the cause), and require_rims when none were compared.
  void CheckRims(Verdict& found, const ClaimSet& claims, const std::string& p,
                 const std::string& gpu) const {
    for (const char* kind : {claim::kRimDriver, claim::kRimVbios}) {
      auto nb = claims.find(p + kind + "not_before");
      auto na = claims.find(p + kind + "not_after");
      if (nb == claims.end() || na == claims.end()) {
        if (policy_.require_rims)
          found.Fail(FailureCode::kCollateralMissing, gpu + ": no RIM was compared (require_rims)");
        continue;
      }
      const auto from = pipeline::ReadU64Le(AsView(nb->second));
      const auto until = pipeline::ReadU64Le(AsView(na->second));
      if (from && t_ < *from)
        found.Fail(FailureCode::kNotYetValid, gpu + ": a RIM signer is not yet valid");
      if (until && t_ > *until)
        found.Fail(FailureCode::kExpired, gpu + ": a RIM signer certificate expired");
    }
  }

  // The NRAS token's stored facts: the JWKS it verified under must still be
  // the pinned one (or a development one with simulation on), its window
  // must hold at t, and in mode nras the device facts meet the policy.
  Status CheckNras(Verdict& found, const ClaimSet& claims) const {
    const Bytes* jwks = pipeline::FindClaim(claims, claim::kNrasJwksSha256);
    const Bytes* dev = pipeline::FindClaim(claims, claim::kNrasDev);
    const auto nb_v = pipeline::ClaimU64(claims, claim::kNrasNotBefore);
    const auto na_v = pipeline::ClaimU64(claims, claim::kNrasNotAfter);
    // UINT64_MAX: absent or unreadable (fails the size check below).
    const uint64_t n_v = pipeline::ClaimU64(claims, claim::kNrasDeviceCount).value_or(UINT64_MAX);
    if (jwks == nullptr || jwks->size() != 32 || dev == nullptr || dev->size() != 1 || !nb_v ||
        !na_v || n_v > nras::kMaxDevices) {
      return Error(ErrorCode::kStorage, "stored NVIDIA NRAS claims are incomplete");
    }
    Hash32 h{};
    std::copy(jwks->begin(), jwks->end(), h.begin());
    const bool pinned = policy_.nras_jwks_sha256 && *policy_.nras_jwks_sha256 == h;
    const bool is_dev = !pinned && IsDevRoot(dev_jwks_, h);
    if (!pinned && !is_dev) {
      found.Fail(FailureCode::kChainUntrusted,
                 "NRAS: the JWKS the token verified under is no longer pinned");
    }
    if (t_ < *nb_v) found.Fail(FailureCode::kNotYetValid, "NRAS: the token is not yet valid");
    if (t_ > *na_v) found.Fail(FailureCode::kExpired, "NRAS: the token expired");
    if (policy_.mode == Mode::kNras) {
      for (size_t d = 0; d < n_v; ++d) {
        TEE_ASSIGN_OR_RETURN(const GpuFacts facts,
                             FactsFromClaims(claims, claim::NrasDevicePrefix(d)));
        Validate(found, facts, policy_, "NRAS device " + std::to_string(d));
      }
    }
    pipeline::CheckSimulation(found, is_dev || (*dev)[0] != 0, simulation_, "the NRAS JWKS");
    return Status::Ok();
  }

  Status CheckOcsp(Verdict& found, const ClaimSet& claims, const std::string& p,
                   const std::string& gpu) const {
    for (size_t j = kFirstIntermediate; j <= kLastIntermediate; ++j) {
      auto serial = claims.find(p + claim::CertSerial(j));
      auto issuer = claims.find(p + claim::CertIssuer(j));
      if (serial == claims.end() || issuer == claims.end()) {
        return Error(ErrorCode::kStorage,
                     "stored NVIDIA claims of " + p + " lack certificate serials");
      }
      TEE_ASSIGN_OR_RETURN(
          const auto f, FindOcsp(&collateral_, AsView(serial->second), AsView(issuer->second), t_));
      JudgeOcsp(found, nullptr, f, policy_, gpu + ": certificate " + std::to_string(j), t_);
    }
    return Status::Ok();
  }

  CollateralSet collateral_;
  uint64_t t_;
  Policy policy_;
  bool simulation_;
  std::vector<Hash32> dev_roots_;
  std::vector<Hash32> dev_jwks_;
};

}  // namespace

std::unique_ptr<Reevaluator> NvidiaVerifier::BeginReevaluation(const CollateralSet& collateral,
                                                               uint64_t t) const {
  return std::make_unique<NvidiaReevaluator>(collateral, t, policy_, common_.simulation, dev_roots_,
                                             dev_nras_jwks_);
}

}  // namespace tenzro::tee::nvidia
