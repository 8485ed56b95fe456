#include "attestation/nitro/document.h"

#include <string>

#include "attestation/nitro/cbor.h"

namespace tenzro::tee::nitro {
namespace {

using cbor::Item;
using cbor::Kind;

Status Malformed(const std::string& why) {
  return Error(ErrorCode::kInvalidArgument, "nitro document: " + why);
}
Status Unsupported(const std::string& why) {
  return Error(ErrorCode::kUnsupported, "nitro document: " + why);
}

Bytes Copy(ByteView v) { return Bytes(v.begin(), v.end()); }

// Protected header (RFC 9052 §3.1): alg (label 1) must be ES384; a `crit`
// header (label 2) names extensions we do not implement.
Status CheckProtected(ByteView header) {
  if (header.empty()) return Unsupported("protected header has no alg (ES384 required)");
  TEE_ASSIGN_OR_RETURN(const cbor::Tree t, cbor::Decode(header, cbor::Limits{}));
  if (t.root().kind != Kind::kMap) return Malformed("protected header is not a map");
  if (t.Find(t.root(), int64_t{2}) != nullptr)
    return Unsupported("protected header has critical parameters");
  const Item* alg = t.Find(t.root(), int64_t{1});
  if (alg == nullptr) return Unsupported("protected header has no alg (ES384 required)");
  const bool es384 =
      alg->kind == Kind::kNegint && alg->value == static_cast<uint64_t>(-kAlgEs384 - 1);
  if (!es384) return Unsupported("COSE alg is not ES384 (-35)");
  return Status::Ok();
}

// absent, null (a real-document tolerance), or a byte string up to the cap.
Status ReadOptional(const cbor::Tree& t, const Item& map, const char* name,
                    std::optional<Bytes>& out) {
  const Item* v = t.Find(map, name);
  if (v == nullptr || v->kind == Kind::kNull) return Status::Ok();
  if (v->kind != Kind::kBytes) return Malformed(std::string(name) + " is not a byte string");
  if (v->data.size() > kMaxOptionalBytes)
    return Malformed(std::string(name) + " is longer than 1024 bytes");
  out = Copy(v->data);
  return Status::Ok();
}

Status ReadPcrs(const cbor::Tree& t, const Item& pcrs, Document& d) {
  if (pcrs.kind != Kind::kMap) return Malformed("pcrs is not a map");
  if (pcrs.value == 0 || pcrs.value > kPcrCount) return Malformed("pcrs must hold 1..32 entries");
  for (size_t i = 0; i + 1 < pcrs.children.size(); i += 2) {
    const Item& k = t.child(pcrs, i);
    const Item& v = t.child(pcrs, i + 1);
    if (k.kind != Kind::kUint || k.value >= kPcrCount) return Malformed("PCR index not in [0, 32)");
    if (v.kind != Kind::kBytes ||
        (v.data.size() != 32 && v.data.size() != 48 && v.data.size() != 64)) {
      return Malformed("PCR" + std::to_string(k.value) + " is not 32, 48 or 64 bytes");
    }
    d.pcrs[static_cast<uint32_t>(k.value)] = Copy(v.data);
  }
  return Status::Ok();
}

Result<Bytes> ReadCert(const Item* c, const char* what) {
  if (c == nullptr || c->kind != Kind::kBytes || c->data.empty() || c->data.size() > kMaxCertBytes)
    return Malformed(std::string(what) + " is not a DER certificate of 1..4096 bytes");
  return Copy(c->data);
}

Status ReadCabundle(const cbor::Tree& t, const Item* bundle, Document& d) {
  if (bundle == nullptr || bundle->kind != Kind::kArray)
    return Malformed("cabundle is not an array");
  if (bundle->children.empty() || bundle->children.size() > kMaxCabundle)
    return Malformed("cabundle must hold 1..8 certificates");
  for (size_t i = 0; i < bundle->children.size(); ++i) {
    TEE_ASSIGN_OR_RETURN(Bytes der, ReadCert(&t.child(*bundle, i), "a cabundle entry"));
    d.cabundle.push_back(std::move(der));
  }
  return Status::Ok();
}

// The attestation document map (NSM API §3.2.2), keys by name.
Status ReadPayload(ByteView payload, Document& d) {
  TEE_ASSIGN_OR_RETURN(const cbor::Tree t, cbor::Decode(payload, cbor::Limits{}));
  const Item& m = t.root();
  if (m.kind != Kind::kMap) return Malformed("payload is not a map");
  for (size_t i = 0; i < m.children.size(); i += 2) {
    if (t.child(m, i).kind != Kind::kText) return Malformed("payload key is not text");
  }
  const Item* module_id = t.Find(m, "module_id");
  if (module_id == nullptr || module_id->kind != Kind::kText || module_id->data.empty())
    return Malformed("module_id is not non-empty text");
  d.module_id = std::string(cbor::Text(*module_id));
  const Item* digest = t.Find(m, "digest");
  if (digest == nullptr || digest->kind != Kind::kText) return Malformed("digest is not text");
  if (cbor::Text(*digest) != "SHA384") return Unsupported("digest is not SHA384");
  const Item* ts = t.Find(m, "timestamp");
  if (ts == nullptr || ts->kind != Kind::kUint || ts->value == 0)
    return Malformed("timestamp is not a positive integer");
  d.timestamp_ms = ts->value;
  const Item* pcrs = t.Find(m, "pcrs");
  if (pcrs == nullptr) return Malformed("pcrs is absent");
  TEE_TRY(ReadPcrs(t, *pcrs, d));
  TEE_ASSIGN_OR_RETURN(d.certificate, ReadCert(t.Find(m, "certificate"), "certificate"));
  TEE_TRY(ReadCabundle(t, t.Find(m, "cabundle"), d));
  TEE_TRY(ReadOptional(t, m, "public_key", d.public_key));
  TEE_TRY(ReadOptional(t, m, "user_data", d.user_data));
  TEE_TRY(ReadOptional(t, m, "nonce", d.nonce));
  return Status::Ok();
}

}  // namespace

Result<Document> ParseDocument(ByteView data) {
  if (data.size() > kMaxDocumentBytes) return Malformed("larger than 32 KiB");
  cbor::Limits outer;
  outer.allowed_root_tag = kCoseSign1Tag;
  TEE_ASSIGN_OR_RETURN(const cbor::Tree t, cbor::Decode(data, outer));
  Document d;
  const Item* arr = &t.root();
  if (arr->kind == Kind::kTag) {
    d.tagged = true;
    arr = &t.child(*arr, 0);
  }
  if (arr->kind != Kind::kArray || arr->children.size() != 4)
    return Malformed("not a COSE_Sign1 array of 4");
  const Item& prot = t.child(*arr, 0);
  const Item& unprot = t.child(*arr, 1);
  const Item& payload = t.child(*arr, 2);
  const Item& sig = t.child(*arr, 3);
  if (prot.kind != Kind::kBytes) return Malformed("protected header is not a byte string");
  if (unprot.kind != Kind::kMap) return Malformed("unprotected header is not a map");
  if (payload.kind != Kind::kBytes) return Malformed("payload is not a byte string (detached?)");
  if (sig.kind != Kind::kBytes) return Malformed("signature is not a byte string");
  TEE_TRY(CheckProtected(prot.data));
  if (sig.data.size() != kSignatureBytes) return Malformed("ES384 signature is not 96 bytes");
  TEE_TRY(ReadPayload(payload.data, d));
  d.protected_header = Copy(prot.data);
  d.payload = Copy(payload.data);
  d.signature = Copy(sig.data);
  return d;
}

Bytes SigStructure(const Document& doc) {
  cbor::Writer w;
  w.Array(4)
      .Text("Signature1")
      .Bytes(AsView(doc.protected_header))
      .Bytes({})
      .Bytes(AsView(doc.payload));
  return w.Take();
}

}  // namespace tenzro::tee::nitro
