// NVIDIA Reference Integrity Manifests (RIMs): the signed golden measurements
// of a GPU driver or VBIOS (issue 11, "Reference measurements").
//
// A RIM is a SWID tag (ISO/IEC 19770-2:2015, TCG RIM Information Model 1.01)
// whose Payload lists one Resource per DMTF measurement index, with an
// enveloped XML-DSig signature (ecdsa-sha384 over c14n 1.1) and the signer's
// certificate chain in KeyInfo. Three stages, as every verifier here:
//   ParseRim   pure: bytes -> Rim (no crypto, no clock);
//   VerifyRim  the XML-DSig under the KeyInfo signer key, that key's chain to
//              the pinned "NVIDIA CoRIM signing Root CA", every certificate
//              window at `now` -> RimVerification (typed facts + failures);
//   Compare    pure: report measurements against the driver and VBIOS RIMs,
//              as NVIDIA's local verifier (nvtrust verifier.py) does.
//
// Parsing is strict: at most kMaxRimBytes, libxml2 with XML_PARSE_NONET and
// without XML_PARSE_NOENT / DTDLOAD, and a document carrying a DOCTYPE (so
// any entity declaration) is malformed. The claims are read from the same
// libxml2 tree whose signature is verified, and the one Reference must be
// URI="" with the enveloped transform, so everything read (all but the
// Signature element) is covered by the signature.
//
// Library state (xmlsec1 1.2.37, OpenSSL backend): libxml2 and xmlsec are
// initialised once per process (std::call_once) and never shut down by us,
// since the host may use libxml2 too. Every call gets its own parser and
// xmlsec signature context: all functions are thread-safe.
// OpenSSL library context: xmlsec 1.2.37 has xmlSecOpenSSLSetLibCtx, and we
// set it to the plugin's context (crypto::LibCtx()) at that one-time
// initialisation, so xmlsec's digests and the ECDSA verify run in our
// context, never in the host's default one. The signer key handed to xmlsec
// is the one our crypto/x509 parsed in that context; the chain is checked by
// crypto/x509 only (xmlsec never sees a certificate: no keys manager, no
// KeyInfo processing). Caveat: xmlsec's library context and its error
// callback are process-wide settings of the shared libxmlsec1-openssl; a host
// that itself used xmlsec's OpenSSL backend would run in our context (and
// with xmlsec's default stderr error output turned off) after the first RIM
// verification; a host using libxml2 alone is unaffected.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "attestation/verdict.h"
#include "core/bytes.h"
#include "core/cache.h"
#include "core/status.h"
#include "crypto/x509.h"

namespace tenzro::tee::nvidia::rim {

// Real RIMs are 20-60 KB; a larger document is refused before parsing.
inline constexpr size_t kMaxRimBytes = 1 << 20;
inline constexpr uint32_t kMaxIndex = 1023;       // DMTF indices are < 255 in SPDM 1.1
inline constexpr uint32_t kMaxAlternatives = 16;  // NVIDIA ships 1 or 2
inline constexpr uint32_t kMaxMeasurementSize = 64;
inline constexpr size_t kMaxKeyInfoCerts = 8;
inline constexpr size_t kMaxChainDepth = 8;
// The DMTF index NVIDIA skips when the report's NVDEC0 status is "disabled".
inline constexpr uint32_t kNvdec0Index = 35;

enum class RimKind { kDriver, kVbios };
std::string_view RimKindName(RimKind kind);  // "driver", "vbios"

struct GoldenMeasurement {
  uint32_t index = 0;
  uint32_t size = 0;  // declared size in bytes; every alternative has it
  bool active = false;
  std::vector<Bytes> alternatives;  // Hash0..Hash{n-1}, in order
  std::string name;
};

struct Rim {
  std::string tag_id;               // SoftwareIdentity/@tagId (the RIM's id)
  RimKind kind = RimKind::kDriver;  // from the colloquialVersion's shape, see ParseRim
  std::string colloquial_version;   // Meta/@colloquialVersion as written
  std::string product;              // Meta/@product, e.g. "GH100"
  std::map<uint32_t, GoldenMeasurement> measurements;  // by DMTF index, unique
  std::vector<Bytes> key_info_certs;  // KeyInfo X509Certificate DER, document order
};

// Pure parse. Errors: kUnsupported (edition other than "GPU", a signature
// or digest algorithm other than ecdsa-sha384 / sha384, a Resource type
// other than "Measurement") or kInvalidArgument (anything else; the verdict
// code malformed). Kind: a VBIOS version is five dot-separated groups of two
// hex digits ("96.00.9F.00.01"); a driver version is dot-separated decimal
// ("550.144.03"). NVIDIA's RIMs carry no other kind marker (its verifier
// knows the kind from which file it fetched); anything else is malformed.
Result<Rim> ParseRim(ByteView xml);

// What VerifyRim established. `failures` are in §3 check order (empty when
// the RIM is good at `now`); each check fails alone with its own code:
//   malformed / unsupported  ParseRim failed, or a KeyInfo certificate did not
//                            parse, or the signer key is not P-384 (then
//                            nothing else ran and `rim` is empty);
//   bad_signature            the XML-DSig does not verify under the first
//                            KeyInfo certificate's key;
//   chain_untrusted          the chain ends at a self-signed certificate that
//                            is not the pinned root, an issuer signature does
//                            not verify, or an issuer is not a CA;
//   chain_incomplete         no issuer certificate for some link (KeyInfo and
//                            the collateral certificates were searched);
//   not_yet_valid / expired  a certificate of the built chain at `now`.
struct RimVerification {
  Rim rim;
  bool signature_valid = false;          // XML-DSig under the signer (first KeyInfo) key
  bool chain_trusted = false;            // signer -> pinned root, signatures only
  bool chain_in_window = false;          // every chain certificate valid at now
  std::vector<x509::Certificate> chain;  // signer first; as far as it was built
  uint64_t valid_from = 0;               // latest notBefore of the chain
  uint64_t valid_until = UINT64_MAX;     // earliest notAfter of the chain
  std::vector<Failure> failures;
  bool ok() const { return failures.empty(); }
};

// Optional caches of VerifyRim: facts that are functions of their keys only
// (DESIGN §2), so a hit and a miss give the same answer and one instance may
// serve every call and thread. Trust (the pinned root, windows) is decided on
// every call.
struct RimCaches {
  // (certificate fingerprint, issuer fingerprint) -> the certificate's
  // signature verifies under the issuer's key.
  Cache<std::pair<Hash32, Hash32>, bool> links{4096};
  // (SHA-256 of the RIM bytes, signer certificate fingerprint) -> the
  // document's XML-DSig verifies under that certificate's key.
  Cache<std::pair<Hash32, Hash32>, bool> signatures{1024};
};

// Verifies one RIM document at `now` (unix seconds).
// - xml: the RIM bytes as fetched (collateral keyed by RIM id).
// - collateral_certs: admitted certificates that may complete the chain
//   (NVIDIA's KeyInfo already holds signer, L3, CA and root); may be empty.
// - rim_root_sha256: SHA-256 of the DER of the pinned "NVIDIA CoRIM signing
//   Root CA" ([tee.consensus.nvidia] rim_root_sha256, or the simulator's dev
//   root under simulation).
// - caches: optional (nullptr: everything is verified).
// A non-ok Result is a failure of the machine (memory, xmlsec context), never
// a verdict on the RIM.
Result<RimVerification> VerifyRim(ByteView xml, std::span<const x509::Certificate> collateral_certs,
                                  const Hash32& rim_root_sha256, uint64_t now,
                                  RimCaches* caches = nullptr);

// Report measurements: DMTF index -> measurement value (the report parser's
// output, exactly this type).
using ReportMeasurements = std::map<uint32_t, Bytes>;

struct CompareResult {
  std::vector<uint32_t> mismatched;   // sorted; active golden index not matched
  std::vector<uint32_t> conflicting;  // sorted; active in both RIMs
  bool ok() const { return mismatched.empty() && conflicting.empty(); }
};

// NVIDIA's comparison: the active measurements of both RIMs form one golden
// set (an index active in both is a conflict, and is not compared further);
// every golden index must be present in the report with exactly the declared
// size and equal to one of its alternatives, else it is mismatched. Index 35
// is skipped when `nvdec0_enabled` is false (report opaque NVDEC0_STATUS
// "disabled"). Inactive golden entries and report indices no RIM lists are
// not compared. Pure.
CompareResult Compare(const ReportMeasurements& report, const Rim& driver, const Rim& vbios,
                      bool nvdec0_enabled);

// The measurement_mismatch failure of a CompareResult listing the indices
// ("mismatched [7, 9]; conflicting [12]"), or nullopt when it is ok.
std::optional<Failure> CompareFailure(const CompareResult& result);

// Version comparison as NVIDIA's verifier does it: both sides ASCII-lower-
// cased (the VBIOS RIM writes "96.00.9F.00.01", the report's opaque data
// gives "96.00.9f.00.01"), trailing NULs and spaces of the report's string
// dropped (opaque-data strings are NUL padded), then exact equality. No
// numeric normalisation: "550.90.7" is not "550.90.07".
std::string NormaliseVersion(std::string_view version);
bool VersionMatches(const Rim& rim, std::string_view report_version);

// True when xmlsec's OpenSSL backend runs in crypto::LibCtx() (after the
// one-time initialisation, which this triggers). For tests and diagnostics.
bool XmlsecUsesPluginLibCtx();

}  // namespace tenzro::tee::nvidia::rim
