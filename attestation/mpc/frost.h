// FROST(Ed25519, SHA-512), RFC 9591 (issue 14): trusted-dealer key
// generation with VSS commitments (Appendix C), two-round signing (§5) and
// share verification (§5.4), over libsodium's Ed25519 group and scalar
// operations (crypto_core_ed25519_*, crypto_scalarmult_ed25519_*_noclamp);
// SHA-512 from crypto/hash.h. No group or field arithmetic is written here.
//
// Encodings (§6.5): a scalar is 32 bytes little-endian, canonical (< L); an
// element is the 32-byte Ed25519 point encoding. Every element taken from
// outside (commitments, public keys) must pass
// crypto_core_ed25519_is_valid_point: canonical, on the curve, in the
// prime-order subgroup, not of small order (so never the identity).
// Identifiers are 1..65535, encoded as scalars.
//
// Wire messages (for the ABI, the CLI and the fuzz target), fixed-size:
//   commitment      = id u16 LE || hiding(32) || binding(32)         66 bytes
//   commitment list = count u8 (1..255) || count * commitment
//                     (strictly ascending ids)
//   signature share = id u16 LE || z(32)                              34 bytes
//   share list      = count u8 (1..255) || count * signature share
//                     (strictly ascending ids)
// Secret values (shares, nonces) wipe themselves. Thread-safety: pure
// functions; no state.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"

namespace tenzro::tee::mpc::frost {

using Scalar = std::array<uint8_t, 32>;
using Element = std::array<uint8_t, 32>;
using Signature = std::array<uint8_t, 64>;

inline constexpr char kContextString[] = "FROST-ED25519-SHA512-v1";
inline constexpr size_t kCommitmentBytes = 66;
inline constexpr size_t kSignatureShareBytes = 34;

// A scalar that wipes itself.
class SecretScalar {
 public:
  SecretScalar() = default;
  explicit SecretScalar(const Scalar& s) : s_(s) {}
  ~SecretScalar();
  SecretScalar(const SecretScalar&) = default;
  SecretScalar& operator=(const SecretScalar&) = default;
  const Scalar& get() const { return s_; }
  Scalar& mutable_get() { return s_; }

 private:
  Scalar s_{};
};

struct KeyShare {
  uint16_t id = 0;
  SecretScalar secret;  // s_i = f(i)
};

struct DealerOutput {
  Element group_public_key{};
  std::vector<Element> vss_commitment;  // G * a_j, j = 0..t-1 (a_0 = secret)
  std::vector<KeyShare> shares;         // ids 1..n
};

struct Nonces {
  SecretScalar hiding;
  SecretScalar binding;
};

struct Commitment {
  uint16_t id = 0;
  Element hiding{};
  Element binding{};
  bool operator==(const Commitment&) const = default;
};

struct SignatureShare {
  uint16_t id = 0;
  Scalar z{};
  bool operator==(const SignatureShare&) const = default;
};

// ---- helpers (exposed for the RFC vectors) -----------------------------
Scalar IdentifierScalar(uint16_t id);
bool IsCanonicalScalar(const Scalar& s);
bool IsValidElement(const Element& e);
// G * s; nullopt when s is zero (the identity has no place here).
std::optional<Element> BaseMult(const Scalar& s);

// ---- key generation (Appendix C) ----------------------------------------
// REQUIRES-by-check: 2 <= min <= max <= 255; secret non-zero; coefficients
// has min - 1 canonical scalars. Deterministic (the RFC vectors use it).
Result<DealerOutput> TrustedDealerKeygen(const Scalar& secret, std::span<const Scalar> coefficients,
                                         uint16_t max_participants);
// Random secret and coefficients from the OS CSPRNG; both wiped on return.
Result<DealerOutput> TrustedDealerKeygen(uint16_t min_participants, uint16_t max_participants);
// vss_verify (Appendix C.2): G * share == sum_j vss[j] * id^j.
bool VssVerify(uint16_t id, const Scalar& share, std::span<const Element> vss_commitment);
// The participant's public key share from the VSS commitment.
std::optional<Element> PublicShareFromVss(uint16_t id, std::span<const Element> vss_commitment);

// ---- round one (§5.1) -----------------------------------------------------
// nonce_generate(secret) = H3(random_bytes(32) || SerializeScalar(secret)).
Scalar NonceGenerate(std::span<const uint8_t, 32> random_bytes, const Scalar& secret);
// commit() with the given randomness (vectors) or fresh randomness.
Result<std::pair<Nonces, Commitment>> Commit(const KeyShare& share,
                                             std::span<const uint8_t, 32> hiding_randomness,
                                             std::span<const uint8_t, 32> binding_randomness);
Result<std::pair<Nonces, Commitment>> Commit(const KeyShare& share);

// ---- binding factors, group commitment, challenge (§4) --------------------
// Checks a commitment list: 1..255 entries, strictly ascending ids, valid
// elements. kInvalidArgument naming the offending id otherwise.
Status CheckCommitmentList(std::span<const Commitment> list);
// rho_input for `id` (group key || H4(msg) || H5(encoded list) || id).
Bytes BindingFactorInput(const Element& group_public_key, std::span<const Commitment> list,
                         ByteView message, uint16_t id);
// One binding factor per entry of the list, in list order.
std::vector<Scalar> BindingFactors(const Element& group_public_key,
                                   std::span<const Commitment> list, ByteView message);
Result<Element> GroupCommitment(std::span<const Commitment> list,
                                std::span<const Scalar> binding_factors);
Scalar Challenge(const Element& group_commitment, const Element& group_public_key,
                 ByteView message);
// derive_interpolating_value(L, id) over the ids of the list.
Result<Scalar> Lagrange(uint16_t id, std::span<const Commitment> list);

// ---- round two (§5.2) and aggregation (§5.3, §5.4) ------------------------
// The signer's own commitment must be in the list with its id.
Result<SignatureShare> Sign(const KeyShare& share, const Element& group_public_key,
                            const Nonces& nonces, ByteView message,
                            std::span<const Commitment> list);
// What a signing computes once for all participants: the binding factors
// (in list order), the group commitment R and the challenge c.
struct SigningContext {
  std::vector<Scalar> binding_factors;
  Element group_commitment{};
  Scalar challenge{};
};
// Also runs CheckCommitmentList.
Result<SigningContext> PrepareSigning(const Element& group_public_key,
                                      std::span<const Commitment> list, ByteView message);
// verify_signature_share for one participant, given its public key share.
bool VerifySignatureShare(const SignatureShare& share, const Element& public_share,
                          const Element& group_public_key, std::span<const Commitment> list,
                          ByteView message);
// The same against a context PrepareSigning made for this list and message
// (an aggregator verifies n shares with one context).
bool VerifySignatureShare(const SignatureShare& share, const Element& public_share,
                          std::span<const Commitment> list, const SigningContext& context);
// (R, z) with z = sum z_i. Does not verify the shares: callers that need
// attribution call VerifySignatureShare first (MpcService::Aggregate does).
Result<Signature> Aggregate(const Element& group_public_key, std::span<const Commitment> list,
                            ByteView message, std::span<const SignatureShare> shares);
Result<Signature> Aggregate(std::span<const Commitment> list, const SigningContext& context,
                            std::span<const SignatureShare> shares);

// ---- wire encodings ---------------------------------------------------------
Bytes EncodeCommitment(const Commitment& c);
Result<Commitment> DecodeCommitment(ByteView b);
Bytes EncodeCommitmentList(std::span<const Commitment> list);
// Also runs CheckCommitmentList.
Result<std::vector<Commitment>> DecodeCommitmentList(ByteView b);
Bytes EncodeSignatureShare(const SignatureShare& s);
Result<SignatureShare> DecodeSignatureShare(ByteView b);
// count u8 (1..255) || count * signature share, strictly ascending ids.
Bytes EncodeSignatureShares(std::span<const SignatureShare> shares);
Result<std::vector<SignatureShare>> DecodeSignatureShares(ByteView b);

}  // namespace tenzro::tee::mpc::frost
