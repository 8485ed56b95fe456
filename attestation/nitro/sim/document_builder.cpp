#include "attestation/nitro/sim/document_builder.h"

#include "attestation/nitro/cbor.h"
#include "attestation/nitro/document.h"

namespace tenzro::tee::nitro::sim {
namespace {

Bytes Filled(size_t n, uint8_t v) { return Bytes(n, v); }

void PutOptional(cbor::Writer& w, const char* name, const std::optional<Bytes>& v) {
  w.Text(name);
  if (v)
    w.Bytes(AsView(*v));
  else
    w.Null();
}

Bytes Payload(const DocumentSpec& s, const Bytes& leaf_der, const std::vector<Bytes>& bundle) {
  const size_t optionals = s.null_for_absent ? 3
                                             : static_cast<size_t>(s.public_key.has_value()) +
                                                   s.user_data.has_value() + s.nonce.has_value();
  cbor::Writer w;
  w.Map(6 + optionals);
  w.Text("module_id").Text(s.module_id);
  w.Text("digest").Text(s.digest);
  w.Text("timestamp").Uint(s.timestamp_ms);
  w.Text("pcrs").Map(s.pcrs.size());
  for (const auto& [index, value] : s.pcrs) w.Uint(index).Bytes(AsView(value));
  w.Text("certificate").Bytes(AsView(leaf_der));
  w.Text("cabundle").Array(bundle.size());
  for (const Bytes& c : bundle) w.Bytes(AsView(c));
  if (s.null_for_absent || s.public_key) PutOptional(w, "public_key", s.public_key);
  if (s.null_for_absent || s.user_data) PutOptional(w, "user_data", s.user_data);
  if (s.null_for_absent || s.nonce) PutOptional(w, "nonce", s.nonce);
  return w.Take();
}

}  // namespace

std::map<uint32_t, Bytes> DefaultPcrs() {
  std::map<uint32_t, Bytes> pcrs;
  for (uint32_t i = 0; i < 16; ++i) pcrs[i] = Filled(48, 0);
  pcrs[0] = Filled(48, 0xa0);
  pcrs[1] = Filled(48, 0xa1);
  pcrs[2] = Filled(48, 0xa2);
  return pcrs;
}

std::map<uint32_t, Bytes> DebugPcrs() {
  std::map<uint32_t, Bytes> pcrs = DefaultPcrs();
  for (uint32_t i : {0u, 1u, 2u}) pcrs[i] = Filled(48, 0);
  return pcrs;
}

Result<Bytes> MakeDocument(const DocumentSpec& s) {
  x509::Certificate leaf;
  if (s.leaf) {
    leaf = *s.leaf;
  } else {
    LeafSpec ls;
    ls.not_before = static_cast<int64_t>(s.timestamp_ms / 1000) - 1;
    ls.not_after = ls.not_before + kLeafLifetimeSecs;
    TEE_ASSIGN_OR_RETURN(leaf, IssueLeaf(ls));
  }
  Document d;
  cbor::Writer prot;
  prot.Map(1).Uint(1).Int(s.alg);
  d.protected_header = prot.Take();
  d.payload = Payload(s, leaf.der(), s.cabundle ? *s.cabundle : Dev().Cabundle());
  const x509::PrivateKey& key = s.signing_key ? *s.signing_key : Dev().leaf_key;
  TEE_ASSIGN_OR_RETURN(Bytes sig, key.EcdsaSignRaw(x509::Digest::kSha384, AsView(SigStructure(d))));
  cbor::Writer w;
  if (s.tagged) w.Tag(kCoseSign1Tag);
  w.Array(4).Bytes(AsView(d.protected_header)).Map(0).Bytes(AsView(d.payload)).Bytes(AsView(sig));
  return w.Take();
}

Bytes BindingNonce(const BindingInput& binding) {
  const auto b = ComputeBinding(binding);
  return Bytes(b.begin(), b.end());
}

}  // namespace tenzro::tee::nitro::sim
