// VerifyRim: the XML-DSig through xmlsec1 (OpenSSL backend, in the plugin's
// library context) and the signer chain through crypto/x509.
#include <libxml/parser.h>
#include <openssl/evp.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/openssl/crypto.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>

#include <algorithm>
#include <mutex>

#include "attestation/nvidia/rim.h"
#include "attestation/nvidia/rim_doc.h"
#include "attestation/pipeline.h"
#include "crypto/hash.h"
#include "crypto/ossl.h"

namespace tenzro::tee::nvidia::rim {

namespace detail {

bool InitXmlOnce() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] {
    xmlInitParser();  // idempotent; libxml2 wants it before threads parse
    // Never xmlSecOpenSSLAppInit: it would load the host's OpenSSL config.
    // Never shut down: the host may use libxml2 (and the library stays mapped).
    ok = xmlSecInit() >= 0 && xmlSecCheckVersion() == 1 && xmlSecOpenSSLInit() >= 0 &&
         xmlSecOpenSSLSetLibCtx(crypto::LibCtx()) >= 0;
    xmlSecErrorsDefaultCallbackEnableOutput(0);  // bad RIMs are input, not log spam
  });
  return ok;
}

}  // namespace detail

namespace {

struct KeyFree {
  void operator()(xmlSecKey* k) const { xmlSecKeyDestroy(k); }
};
struct DsigFree {
  void operator()(xmlSecDSigCtx* c) const { xmlSecDSigCtxDestroy(c); }
};

// An xmlsec key holding (a reference to) our EVP_PKEY.
xmlSecKey* KeyFor(const x509::PublicKey& pub) {
  std::unique_ptr<xmlSecKey, KeyFree> key(xmlSecKeyCreate());
  if (key == nullptr || EVP_PKEY_up_ref(pub.get()) != 1) return nullptr;
  xmlSecKeyData* data = xmlSecOpenSSLEvpKeyAdopt(pub.get());  // takes the reference
  if (data == nullptr) {
    EVP_PKEY_free(pub.get());
    return nullptr;
  }
  if (xmlSecKeySetValue(key.get(), data) < 0) {
    xmlSecKeyDataDestroy(data);
    return nullptr;
  }
  return key.release();
}

// Only what a NVIDIA RIM uses: anything else fails the verification.
bool RestrictTransforms(xmlSecDSigCtx* ctx) {
  const xmlSecTransformId c14n[] = {xmlSecTransformInclC14N11Id, xmlSecTransformInclC14NId,
                                    xmlSecTransformExclC14NId};
  for (auto id : c14n) {
    if (xmlSecDSigCtxEnableSignatureTransform(ctx, id) < 0 ||
        xmlSecDSigCtxEnableReferenceTransform(ctx, id) < 0) {
      return false;
    }
  }
  return xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformEcdsaSha384Id) >= 0 &&
         xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformEnvelopedId) >= 0 &&
         xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformSha384Id) >= 0;
}

// True when the signature verifies; kInternal when xmlsec could not even set
// up its context.
Result<bool> XmlDsigVerifies(xmlNode* signature, const x509::PublicKey& signer) {
  const crypto::ErrorMark mark;  // xmlsec queues OpenSSL errors on failure
  std::unique_ptr<xmlSecDSigCtx, DsigFree> ctx(xmlSecDSigCtxCreate(nullptr));
  if (ctx == nullptr) return Error(ErrorCode::kInternal, "xmlSecDSigCtxCreate failed");
  ctx->signKey = KeyFor(signer);  // owned by ctx from here
  if (ctx->signKey == nullptr || !RestrictTransforms(ctx.get())) {
    return Error(ErrorCode::kInternal, "xmlsec key or transform setup failed");
  }
  ctx->enabledReferenceUris = xmlSecTransformUriTypeEmpty;  // URI="" only, nothing fetched
  if (xmlSecDSigCtxVerify(ctx.get(), signature) < 0) return false;
  return ctx->status == xmlSecDSigStatusSucceeded;
}

Result<bool> SignatureVerifies(ByteView xml, const detail::ParsedRim& parsed,
                               const x509::Certificate& signer, RimCaches* caches) {
  if (caches == nullptr) return XmlDsigVerifies(parsed.signature, signer.public_key());
  const std::pair<Hash32, Hash32> key{crypto::Sha256(xml), signer.fingerprint()};
  if (auto hit = caches->signatures.Get(key)) return *hit;
  TEE_ASSIGN_OR_RETURN(const bool ok, XmlDsigVerifies(parsed.signature, signer.public_key()));
  return *caches->signatures.Insert(key, std::make_shared<const bool>(ok));
}

struct Chain {
  std::vector<x509::Certificate> certs;  // signer first
  std::optional<Failure> failure;        // chain_untrusted / chain_incomplete
};

Failure ChainFail(FailureCode code, std::string msg) {
  return Failure{code, "RIM signer chain: " + std::move(msg)};
}

bool InChain(const std::vector<x509::Certificate>& chain, const x509::Certificate& c) {
  return std::any_of(chain.begin(), chain.end(), [&](const x509::Certificate& x) {
    return x.fingerprint() == c.fingerprint();
  });
}

// No usable issuer for `cur`. A named issuer whose key does not verify is
// untrusted. An absent one is incomplete, unless the document's certificates
// lead elsewhere: they carry a self-signed root that is not the pinned one
// and not the pinned root itself (NVIDIA's debug-signed RIMs: signer and
// "CoRIM L1 Root CA Debug Only", the intermediate left out).
Failure MissingIssuer(const x509::Certificate& cur, bool named,
                      const std::vector<x509::Certificate>& pool, const Hash32& root_sha256) {
  if (named) {
    return ChainFail(FailureCode::kChainUntrusted,
                     "no CA issuer whose key verifies " + cur.subject());
  }
  const auto is_pinned = [&](const x509::Certificate& c) { return c.fingerprint() == root_sha256; };
  const auto other_root = std::find_if(pool.begin(), pool.end(), [&](const x509::Certificate& c) {
    return c.subject_der() == c.issuer_der() && !is_pinned(c);
  });
  if (other_root != pool.end() && std::none_of(pool.begin(), pool.end(), is_pinned)) {
    return ChainFail(FailureCode::kChainUntrusted,
                     "no issuer for " + cur.subject() + ", and the certificates lead to " +
                         other_root->subject() + ", not the pinned root");
  }
  return ChainFail(FailureCode::kChainIncomplete, "no issuer certificate for " + cur.subject());
}

// Walks signer -> issuer -> ... through `pool` until the pinned root.
bool LinkVerifies(const x509::Certificate& cert, const x509::Certificate& issuer,
                  RimCaches* caches) {
  if (caches == nullptr) return cert.SignatureVerifiesWith(issuer.public_key());
  auto hit = caches->links.GetOrInsert({cert.fingerprint(), issuer.fingerprint()}, [&] {
    return std::make_shared<const bool>(cert.SignatureVerifiesWith(issuer.public_key()));
  });
  return *hit;
}

Chain BuildChain(const x509::Certificate& signer, const std::vector<x509::Certificate>& pool,
                 const Hash32& root_sha256, RimCaches* caches) {
  Chain out;
  out.certs.push_back(signer);
  while (out.certs.size() <= kMaxChainDepth) {
    const x509::Certificate& cur = out.certs.back();
    if (cur.fingerprint() == root_sha256) return out;
    if (cur.subject_der() == cur.issuer_der()) {
      out.failure = ChainFail(
          FailureCode::kChainUntrusted,
          "ends at a self-signed certificate that is not the pinned root (" + cur.subject() + ")");
      return out;
    }
    const x509::Certificate* next = nullptr;
    bool named = false;
    for (const auto& c : pool) {
      if (c.subject_der() != cur.issuer_der() || InChain(out.certs, c)) continue;
      named = true;
      if (c.is_ca() && LinkVerifies(cur, c, caches)) {
        next = &c;
        break;
      }
    }
    if (next == nullptr) {
      out.failure = MissingIssuer(cur, named, pool, root_sha256);
      return out;
    }
    out.certs.push_back(*next);
  }
  out.failure = ChainFail(FailureCode::kChainUntrusted, "longer than the depth limit");
  return out;
}

void CheckWindows(RimVerification& v, uint64_t now) {
  v.chain_in_window = true;
  for (const auto& c : v.chain) {
    v.valid_from = std::max(v.valid_from, pipeline::ClampTime(c.not_before()));
    v.valid_until = std::min(v.valid_until, pipeline::ClampTime(c.not_after()));
    if (now < pipeline::ClampTime(c.not_before())) {
      v.failures.push_back(
          {FailureCode::kNotYetValid, "RIM certificate " + c.subject() + " is not yet valid"});
      v.chain_in_window = false;
    } else if (now > pipeline::ClampTime(c.not_after())) {
      v.failures.push_back({FailureCode::kExpired, "RIM certificate " + c.subject() + " expired"});
      v.chain_in_window = false;
    }
  }
}

// KeyInfo certificates, then the collateral; the signer is the first KeyInfo one.
Result<std::vector<x509::Certificate>> Pool(const Rim& rim,
                                            std::span<const x509::Certificate> collateral) {
  std::vector<x509::Certificate> pool;
  for (const Bytes& der : rim.key_info_certs) {
    TEE_ASSIGN_OR_RETURN(x509::Certificate c, x509::Certificate::FromDer(der));
    pool.push_back(std::move(c));
  }
  pool.insert(pool.end(), collateral.begin(), collateral.end());
  return pool;
}

}  // namespace

bool XmlsecUsesPluginLibCtx() {
  return detail::InitXmlOnce() && xmlSecOpenSSLGetLibCtx() == crypto::LibCtx();
}

Result<RimVerification> VerifyRim(ByteView xml, std::span<const x509::Certificate> collateral_certs,
                                  const Hash32& rim_root_sha256, uint64_t now, RimCaches* caches) {
  RimVerification v;
  auto parsed = detail::ParseDocument(xml);
  if (!parsed.ok() && parsed.status().code() == ErrorCode::kInternal) return parsed.status();
  auto pool = parsed.ok() ? Pool(parsed->rim, collateral_certs) : parsed.status();
  if (!pool.ok()) {
    const bool unsupported = pool.status().code() == ErrorCode::kUnsupported;
    v.failures.push_back({unsupported ? FailureCode::kUnsupported : FailureCode::kMalformed,
                          pool.status().message()});
    return v;
  }
  const x509::Certificate& signer = pool->front();
  const auto xy = signer.public_key().EcPointXY();
  if (!xy || xy->size() != 96) {
    v.failures.push_back({FailureCode::kUnsupported, "RIM signer key is not EC P-384"});
    return v;
  }
  TEE_ASSIGN_OR_RETURN(v.signature_valid, SignatureVerifies(xml, *parsed, signer, caches));
  if (!v.signature_valid) {
    v.failures.push_back({FailureCode::kBadSignature, "RIM XML-DSig does not verify"});
  }
  Chain chain = BuildChain(signer, *pool, rim_root_sha256, caches);
  v.chain = std::move(chain.certs);
  v.chain_trusted = !chain.failure.has_value();
  if (chain.failure) v.failures.push_back(std::move(*chain.failure));
  CheckWindows(v, now);
  std::stable_sort(v.failures.begin(), v.failures.end(),
                   [](const Failure& a, const Failure& b) { return a.code < b.code; });
  v.rim = std::move(parsed->rim);
  return v;
}

}  // namespace tenzro::tee::nvidia::rim
