#include "attestation/mpc/frost.h"

#include <sodium.h>

#include <cstring>
#include <string_view>

#include "crypto/hash.h"

namespace tenzro::tee::mpc::frost {
namespace {

ByteView Ascii(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

Scalar Reduce64(const std::array<uint8_t, 64>& wide) {
  Scalar out{};
  crypto_core_ed25519_scalar_reduce(out.data(), wide.data());
  return out;
}

// H1, H3, H4, H5 of §6.5: SHA-512(contextString || tag || m).
std::array<uint8_t, 64> TaggedHash(std::string_view tag, std::initializer_list<ByteView> parts) {
  Bytes msg;
  PutBytes(msg, Ascii(kContextString));
  PutBytes(msg, Ascii(tag));
  for (ByteView p : parts) PutBytes(msg, p);
  auto h = crypto::Sha512(AsView(msg));
  sodium_memzero(msg.data(), msg.size());  // may hold a secret (H3)
  return h;
}

Scalar Add(const Scalar& a, const Scalar& b) {
  Scalar r{};
  crypto_core_ed25519_scalar_add(r.data(), a.data(), b.data());
  return r;
}
Scalar Mul(const Scalar& a, const Scalar& b) {
  Scalar r{};
  crypto_core_ed25519_scalar_mul(r.data(), a.data(), b.data());
  return r;
}
Scalar Sub(const Scalar& a, const Scalar& b) {
  Scalar r{};
  crypto_core_ed25519_scalar_sub(r.data(), a.data(), b.data());
  return r;
}
bool IsZero(const Scalar& s) { return sodium_is_zero(s.data(), s.size()) == 1; }

// p * s (both from us or validated). nullopt for an identity result.
std::optional<Element> Mult(const Element& p, const Scalar& s) {
  Element r{};
  if (crypto_scalarmult_ed25519_noclamp(r.data(), s.data(), p.data()) != 0) return std::nullopt;
  return r;
}
std::optional<Element> AddPoints(const Element& a, const Element& b) {
  Element r{};
  if (crypto_core_ed25519_add(r.data(), a.data(), b.data()) != 0) return std::nullopt;
  return r;
}

const Commitment* Find(std::span<const Commitment> list, uint16_t id) {
  for (const auto& c : list) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

Status Invalid(std::string msg) { return Error(ErrorCode::kInvalidArgument, std::move(msg)); }

}  // namespace

// PrepareSigning without CheckCommitmentList, for callers that just ran it.
Result<SigningContext> PrepareChecked(const Element& group_public_key,
                                      std::span<const Commitment> list, ByteView message);

namespace {

uint16_t LoadU16Le(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] | (static_cast<unsigned>(p[1]) << 8));
}

// count u8 (1..255) || count fixed-size entries, strictly ascending ids.
template <typename T>
Result<std::vector<T>> DecodeList(ByteView b, size_t entry_bytes, Result<T> (*decode)(ByteView),
                                  const char* what) {
  if (b.empty() || b[0] == 0 || b.size() != 1 + size_t{b[0]} * entry_bytes) {
    return Invalid(std::string(what) + ": count byte and fixed-size entries expected");
  }
  std::vector<T> out;
  for (size_t i = 0; i < b[0]; ++i) {
    TEE_ASSIGN_OR_RETURN(T v, decode(b.subspan(1 + i * entry_bytes, entry_bytes)));
    if (!out.empty() && out.back().id >= v.id) {
      return Invalid(std::string(what) + " not strictly ascending at participant " +
                     std::to_string(v.id));
    }
    out.push_back(v);
  }
  return out;
}

}  // namespace

SecretScalar::~SecretScalar() { sodium_memzero(s_.data(), s_.size()); }

Scalar IdentifierScalar(uint16_t id) {
  Scalar s{};
  s[0] = static_cast<uint8_t>(id & 0xff);
  s[1] = static_cast<uint8_t>(id >> 8);
  return s;
}

bool IsCanonicalScalar(const Scalar& s) {
  std::array<uint8_t, 64> wide{};
  std::memcpy(wide.data(), s.data(), 32);
  const Scalar r = Reduce64(wide);
  return sodium_memcmp(r.data(), s.data(), 32) == 0;
}

bool IsValidElement(const Element& e) { return crypto_core_ed25519_is_valid_point(e.data()) == 1; }

std::optional<Element> BaseMult(const Scalar& s) {
  Element r{};
  if (crypto_scalarmult_ed25519_base_noclamp(r.data(), s.data()) != 0) return std::nullopt;
  return r;
}

// ---- key generation -----------------------------------------------------------

Result<DealerOutput> TrustedDealerKeygen(const Scalar& secret, std::span<const Scalar> coefficients,
                                         uint16_t max_participants) {
  const size_t min_participants = coefficients.size() + 1;
  if (min_participants < 2 || min_participants > max_participants || max_participants > 255) {
    return Invalid("FROST needs 2 <= threshold <= total <= 255");
  }
  if (IsZero(secret) || !IsCanonicalScalar(secret)) return Invalid("bad group secret");
  for (const auto& c : coefficients) {
    if (!IsCanonicalScalar(c)) return Invalid("bad polynomial coefficient");
  }
  DealerOutput out;
  // Coefficients a_0 = secret, a_1.. (secret_share_shard, Appendix C.1).
  std::vector<SecretScalar> a;
  a.emplace_back(secret);
  for (const auto& c : coefficients) a.emplace_back(c);
  for (const auto& coef : a) {
    auto e = BaseMult(coef.get());
    // A zero higher coefficient would lower the degree: refuse it.
    if (!e) return Invalid("zero polynomial coefficient");
    out.vss_commitment.push_back(*e);
  }
  out.group_public_key = out.vss_commitment[0];
  for (uint16_t i = 1; i <= max_participants; ++i) {
    // Horner's rule: f(i) = a_0 + i (a_1 + i (a_2 + ...)).
    const Scalar x = IdentifierScalar(i);
    SecretScalar y(a.back().get());
    for (size_t j = a.size() - 1; j-- > 0;) {
      y = SecretScalar(Add(Mul(y.get(), x), a[j].get()));
    }
    out.shares.push_back(KeyShare{i, y});
  }
  return out;
}

Result<DealerOutput> TrustedDealerKeygen(uint16_t min_participants, uint16_t max_participants) {
  if (min_participants < 2 || min_participants > max_participants || max_participants > 255) {
    return Invalid("FROST needs 2 <= threshold <= total <= 255");
  }
  // crypto_core_ed25519_scalar_random: uniform in [1, L) from randombytes.
  SecretScalar secret;
  crypto_core_ed25519_scalar_random(secret.mutable_get().data());
  std::vector<Scalar> coefficients(min_participants - 1u);
  for (auto& c : coefficients) crypto_core_ed25519_scalar_random(c.data());
  auto out = TrustedDealerKeygen(secret.get(), coefficients, max_participants);
  for (auto& c : coefficients) sodium_memzero(c.data(), c.size());
  return out;
}

std::optional<Element> PublicShareFromVss(uint16_t id, std::span<const Element> vss_commitment) {
  if (id == 0 || vss_commitment.empty()) return std::nullopt;
  const Scalar x = IdentifierScalar(id);
  Scalar power = IdentifierScalar(1);
  std::optional<Element> sum;
  for (const auto& c : vss_commitment) {
    if (!IsValidElement(c)) return std::nullopt;
    auto term = Mult(c, power);
    if (!term) return std::nullopt;
    sum = sum ? AddPoints(*sum, *term) : term;
    if (!sum) return std::nullopt;
    power = Mul(power, x);
  }
  return sum;
}

bool VssVerify(uint16_t id, const Scalar& share, std::span<const Element> vss_commitment) {
  if (!IsCanonicalScalar(share)) return false;
  auto expected = PublicShareFromVss(id, vss_commitment);
  auto actual = BaseMult(share);
  return expected && actual && sodium_memcmp(expected->data(), actual->data(), 32) == 0;
}

// ---- round one ------------------------------------------------------------------

Scalar NonceGenerate(std::span<const uint8_t, 32> random_bytes, const Scalar& secret) {
  auto h = TaggedHash("nonce", {ByteView(random_bytes), AsView(secret)});
  Scalar s = Reduce64(h);
  sodium_memzero(h.data(), h.size());
  return s;
}

Result<std::pair<Nonces, Commitment>> Commit(const KeyShare& share,
                                             std::span<const uint8_t, 32> hiding_randomness,
                                             std::span<const uint8_t, 32> binding_randomness) {
  Nonces n;
  n.hiding = SecretScalar(NonceGenerate(hiding_randomness, share.secret.get()));
  n.binding = SecretScalar(NonceGenerate(binding_randomness, share.secret.get()));
  auto h = BaseMult(n.hiding.get());
  auto b = BaseMult(n.binding.get());
  if (!h || !b) return Error(ErrorCode::kInternal, "zero nonce (probability 2^-252)");
  Commitment c{share.id, *h, *b};
  return std::make_pair(std::move(n), c);
}

Result<std::pair<Nonces, Commitment>> Commit(const KeyShare& share) {
  std::array<uint8_t, 32> hr{}, br{};
  randombytes_buf(hr.data(), hr.size());
  randombytes_buf(br.data(), br.size());
  auto r = Commit(share, hr, br);
  sodium_memzero(hr.data(), hr.size());
  sodium_memzero(br.data(), br.size());
  return r;
}

// ---- binding factors -------------------------------------------------------

Status CheckCommitmentList(std::span<const Commitment> list) {
  if (list.empty() || list.size() > 255) return Invalid("commitment list must have 1..255 entries");
  for (size_t i = 0; i < list.size(); ++i) {
    const auto& c = list[i];
    if (c.id == 0) return Invalid("commitment with identifier 0");
    if (i > 0 && list[i - 1].id >= c.id) {
      return Invalid("commitment list not strictly ascending at participant " +
                     std::to_string(c.id));
    }
    if (!IsValidElement(c.hiding) || !IsValidElement(c.binding)) {
      return Invalid("invalid commitment element from participant " + std::to_string(c.id));
    }
  }
  return Status::Ok();
}

Bytes BindingFactorInput(const Element& group_public_key, std::span<const Commitment> list,
                         ByteView message, uint16_t id) {
  Bytes encoded;
  for (const auto& c : list) {
    PutBytes(encoded, AsView(IdentifierScalar(c.id)));
    PutBytes(encoded, AsView(c.hiding));
    PutBytes(encoded, AsView(c.binding));
  }
  Bytes input;
  PutBytes(input, AsView(group_public_key));
  PutBytes(input, AsView(TaggedHash("msg", {message})));
  PutBytes(input, AsView(TaggedHash("com", {AsView(encoded)})));
  PutBytes(input, AsView(IdentifierScalar(id)));
  return input;
}

std::vector<Scalar> BindingFactors(const Element& group_public_key,
                                   std::span<const Commitment> list, ByteView message) {
  // The prefix is shared; only the identifier differs.
  Bytes input = BindingFactorInput(group_public_key, list, message, 0);
  const size_t id_at = input.size() - 32;
  std::vector<Scalar> out;
  out.reserve(list.size());
  for (const auto& c : list) {
    const Scalar id = IdentifierScalar(c.id);
    std::memcpy(input.data() + id_at, id.data(), 32);
    out.push_back(Reduce64(TaggedHash("rho", {AsView(input)})));
  }
  return out;
}

Result<Element> GroupCommitment(std::span<const Commitment> list,
                                std::span<const Scalar> binding_factors) {
  if (list.size() != binding_factors.size() || list.empty()) {
    return Invalid("binding factors do not match the commitment list");
  }
  std::optional<Element> sum;
  for (size_t i = 0; i < list.size(); ++i) {
    auto bc = Mult(list[i].binding, binding_factors[i]);
    if (!bc) return Error(ErrorCode::kInternal, "binding commitment is the identity");
    auto term = AddPoints(list[i].hiding, *bc);
    if (!term) return Invalid("invalid commitment element");
    sum = sum ? AddPoints(*sum, *term) : term;
    if (!sum) return Invalid("invalid commitment element");
  }
  return *sum;
}

Scalar Challenge(const Element& group_commitment, const Element& group_public_key,
                 ByteView message) {
  // H2 has no context string: the RFC 8032 challenge, so that any Ed25519
  // verifier accepts the aggregate.
  Bytes m;
  PutBytes(m, AsView(group_commitment));
  PutBytes(m, AsView(group_public_key));
  PutBytes(m, message);
  return Reduce64(crypto::Sha512(AsView(m)));
}

Result<Scalar> Lagrange(uint16_t id, std::span<const Commitment> list) {
  if (Find(list, id) == nullptr) return Invalid("participant not in the signing set");
  const Scalar x_i = IdentifierScalar(id);
  Scalar num = IdentifierScalar(1);
  Scalar den = IdentifierScalar(1);
  for (const auto& c : list) {
    if (c.id == id) continue;
    const Scalar x_j = IdentifierScalar(c.id);
    num = Mul(num, x_j);
    den = Mul(den, Sub(x_j, x_i));
  }
  Scalar inv{};
  if (crypto_core_ed25519_scalar_invert(inv.data(), den.data()) != 0) {
    return Invalid("duplicate participant identifiers");
  }
  return Mul(num, inv);
}

// ---- round two ------------------------------------------------------------------

Result<SignatureShare> Sign(const KeyShare& share, const Element& group_public_key,
                            const Nonces& nonces, ByteView message,
                            std::span<const Commitment> list) {
  TEE_TRY(CheckCommitmentList(list));
  const Commitment* own = Find(list, share.id);
  if (own == nullptr) return Invalid("own commitment missing from the list");
  // Our commitment in the list must be the one made from these nonces.
  auto h = BaseMult(nonces.hiding.get());
  auto b = BaseMult(nonces.binding.get());
  if (!h || !b || sodium_memcmp(h->data(), own->hiding.data(), 32) != 0 ||
      sodium_memcmp(b->data(), own->binding.data(), 32) != 0) {
    return Invalid("own commitment in the list does not match the nonces");
  }
  // The list was checked above (each element check is a scalar multiplication).
  TEE_ASSIGN_OR_RETURN(SigningContext ctx, PrepareChecked(group_public_key, list, message));
  TEE_ASSIGN_OR_RETURN(Scalar lambda, Lagrange(share.id, list));
  const Scalar& rho = ctx.binding_factors[static_cast<size_t>(own - list.data())];
  SecretScalar t1(Mul(nonces.binding.get(), rho));
  SecretScalar t2(Mul(Mul(lambda, share.secret.get()), ctx.challenge));
  SignatureShare out{share.id, Add(Add(nonces.hiding.get(), t1.get()), t2.get())};
  return out;
}

Result<SigningContext> PrepareSigning(const Element& group_public_key,
                                      std::span<const Commitment> list, ByteView message) {
  TEE_TRY(CheckCommitmentList(list));
  return PrepareChecked(group_public_key, list, message);
}

Result<SigningContext> PrepareChecked(const Element& group_public_key,
                                      std::span<const Commitment> list, ByteView message) {
  SigningContext ctx;
  ctx.binding_factors = BindingFactors(group_public_key, list, message);
  TEE_ASSIGN_OR_RETURN(ctx.group_commitment, GroupCommitment(list, ctx.binding_factors));
  ctx.challenge = Challenge(ctx.group_commitment, group_public_key, message);
  return ctx;
}

bool VerifySignatureShare(const SignatureShare& share, const Element& public_share,
                          const Element& group_public_key, std::span<const Commitment> list,
                          ByteView message) {
  auto ctx = PrepareSigning(group_public_key, list, message);
  return ctx.ok() && VerifySignatureShare(share, public_share, list, *ctx);
}

bool VerifySignatureShare(const SignatureShare& share, const Element& public_share,
                          std::span<const Commitment> list, const SigningContext& context) {
  if (!IsCanonicalScalar(share.z) || !IsValidElement(public_share) ||
      context.binding_factors.size() != list.size()) {
    return false;
  }
  const Commitment* own = Find(list, share.id);
  if (own == nullptr) return false;
  auto lambda = Lagrange(share.id, list);
  if (!lambda.ok()) return false;
  const Scalar& rho = context.binding_factors[static_cast<size_t>(own - list.data())];
  // z_i * G == hiding + binding * rho + PK_i * (c * lambda)
  auto lhs = BaseMult(share.z);
  auto bc = Mult(own->binding, rho);
  auto pk_term = Mult(public_share, Mul(context.challenge, *lambda));
  if (!lhs || !bc || !pk_term) return false;
  auto comm = AddPoints(own->hiding, *bc);
  if (!comm) return false;
  auto rhs = AddPoints(*comm, *pk_term);
  return rhs && sodium_memcmp(lhs->data(), rhs->data(), 32) == 0;
}

Result<Signature> Aggregate(const Element& group_public_key, std::span<const Commitment> list,
                            ByteView message, std::span<const SignatureShare> shares) {
  TEE_ASSIGN_OR_RETURN(SigningContext ctx, PrepareSigning(group_public_key, list, message));
  return Aggregate(list, ctx, shares);
}

Result<Signature> Aggregate(std::span<const Commitment> list, const SigningContext& context,
                            std::span<const SignatureShare> shares) {
  if (shares.size() != list.size()) return Invalid("one signature share per commitment needed");
  Scalar z{};
  for (size_t i = 0; i < shares.size(); ++i) {
    if (shares[i].id != list[i].id) return Invalid("shares not in commitment-list order");
    if (!IsCanonicalScalar(shares[i].z)) {
      return Invalid("non-canonical signature share from participant " +
                     std::to_string(shares[i].id));
    }
    z = Add(z, shares[i].z);
  }
  Signature sig{};
  std::memcpy(sig.data(), context.group_commitment.data(), 32);
  std::memcpy(sig.data() + 32, z.data(), 32);
  return sig;
}

// ---- wire ---------------------------------------------------------------------------

Bytes EncodeCommitment(const Commitment& c) {
  Bytes b;
  PutU16Le(b, c.id);
  PutBytes(b, AsView(c.hiding));
  PutBytes(b, AsView(c.binding));
  return b;
}

Result<Commitment> DecodeCommitment(ByteView b) {
  if (b.size() != kCommitmentBytes) return Invalid("commitment must be 66 bytes");
  Commitment c;
  c.id = LoadU16Le(b.data());
  std::memcpy(c.hiding.data(), b.data() + 2, 32);
  std::memcpy(c.binding.data(), b.data() + 34, 32);
  if (c.id == 0) return Invalid("commitment with identifier 0");
  if (!IsValidElement(c.hiding) || !IsValidElement(c.binding)) {
    return Invalid("invalid commitment element from participant " + std::to_string(c.id));
  }
  return c;
}

Bytes EncodeCommitmentList(std::span<const Commitment> list) {
  Bytes b;
  PutU8(b, static_cast<uint8_t>(list.size()));
  for (const auto& c : list) PutBytes(b, AsView(EncodeCommitment(c)));
  return b;
}

Result<std::vector<Commitment>> DecodeCommitmentList(ByteView b) {
  TEE_ASSIGN_OR_RETURN(
      auto list, DecodeList<Commitment>(b, kCommitmentBytes, DecodeCommitment, "commitment list"));
  TEE_TRY(CheckCommitmentList(list));
  return list;
}

Bytes EncodeSignatureShare(const SignatureShare& s) {
  Bytes b;
  PutU16Le(b, s.id);
  PutBytes(b, AsView(s.z));
  return b;
}

Result<SignatureShare> DecodeSignatureShare(ByteView b) {
  if (b.size() != kSignatureShareBytes) return Invalid("signature share must be 34 bytes");
  SignatureShare s;
  s.id = LoadU16Le(b.data());
  std::memcpy(s.z.data(), b.data() + 2, 32);
  if (s.id == 0) return Invalid("signature share with identifier 0");
  if (!IsCanonicalScalar(s.z)) {
    return Invalid("non-canonical signature share from participant " + std::to_string(s.id));
  }
  return s;
}

Bytes EncodeSignatureShares(std::span<const SignatureShare> shares) {
  Bytes b;
  PutU8(b, static_cast<uint8_t>(shares.size()));
  for (const auto& s : shares) PutBytes(b, AsView(EncodeSignatureShare(s)));
  return b;
}

Result<std::vector<SignatureShare>> DecodeSignatureShares(ByteView b) {
  return DecodeList<SignatureShare>(b, kSignatureShareBytes, DecodeSignatureShare, "share list");
}

}  // namespace tenzro::tee::mpc::frost
