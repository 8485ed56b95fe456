// Root-key sources of enclave_crypto (issue 14): where the hardware root key
// (the IKM of the per-key HKDF) comes from, one interface per kind, each
// honest about what it is. None of it is on the consensus path.
//
// | source               | vendor           | what the root key is                         |
// |----------------------|------------------|----------------------------------------------|
// | SnpDerivedKeySource  | AmdSevSnp        | SNP_GET_DERIVED_KEY from the AMD secure      |
// |                      |                  | processor via /dev/sev-guest, mixed with the |
// |                      |                  | guest policy and measurement: only the same  |
// |                      |                  | VM image on the same chip re-derives it      |
// | RecipientKeySource   | AwsNitro (KMS    | 32 bytes the host delivers as a CMS          |
// |                      | CiphertextFor-   | EnvelopedData (RSAES-OAEP) addressed to this |
// |                      | Recipient), or   | process's ephemeral RSA key, whose public    |
// |                      | IntelTdx /       | key the attestation evidence carries; the    |
// |                      | NvidiaGpu (host- | plugin does no networking to KMS or a KBS    |
// |                      | delivered after  |                                              |
// |                      | attestation)     |                                              |
// | NoKeySource          | any              | none: every use fails with "no hardware key  |
// |                      |                  | source for <Vendor>", never a fallback       |
// | SimulationKeySource  | any              | the seed's UUID-derived key: HKDF-SHA256 of  |
// |                      |                  | the key id. NOT secret; exists only with     |
// |                      |                  | [tee.consensus] simulation = true            |
//
// A delivered root key is confidential to this process but not authenticated
// by it: whoever delivers the envelope chooses the key. Keys already sealed
// under the genuine root then fail to open (kAuthentication), so a swap is
// noticed, but data sealed after the swap is readable by whoever chose it.
//
// Thread-safety: every source is safe to use from several threads.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "attestation/tee_type.h"
#include "core/bytes.h"
#include "core/device_io.h"
#include "core/status.h"
#include "core/thread_annotations.h"
#include "crypto/aead.h"
#include "crypto/cms.h"

namespace tenzro::tee::enclave_crypto {

enum class KeySourceKind : uint8_t {
  kNone = 0,
  kSevSnpDerived = 1,
  kRecipient = 2,
  kSimulation = 3,
};

// The seed's HKDF info strings: "tenzro-tdx-enclave-key-v1",
// "tenzro-sev-snp-enclave-key-v1", "tenzro-nitro-enclave-key-v1",
// "tenzro-nvidia-gpu-enclave-key-v1". nullopt for any other type.
std::optional<std::string_view> VendorTag(TeeType vendor);

class RootKeySource {
 public:
  virtual ~RootKeySource() = default;
  virtual TeeType vendor() const = 0;
  virtual KeySourceKind kind() const = 0;
  bool simulated() const { return kind() == KeySourceKind::kSimulation; }
  // The root key for key_id. Hardware sources return the same root for
  // every key id (the key id enters as HKDF salt); the simulation source
  // derives it from the key id. Wipe the result (it wipes itself).
  virtual Result<crypto::SecretKey256> RootKey(ByteView key_id) const = 0;
};

// SNP_GET_DERIVED_KEY request fields (struct snp_derived_key_req of
// linux/sev-guest.h; SEV-SNP ABI spec, MSG_KEY_REQ).
struct SnpKeyRequest {
  uint32_t root_key_select = 0;  // 0: VCEK (chip-unique), 1: VMRK
  // Bits of guest_field_select: 0 guest policy, 1 image id, 2 family id,
  // 3 measurement, 4 guest SVN, 5 TCB version. Default: policy and
  // measurement, so a firmware update does not lose the sealed data.
  uint64_t guest_field_select = (1u << 0) | (1u << 3);
  uint32_t vmpl = 0;  // must be >= the guest's own VMPL
  uint32_t guest_svn = 0;
  uint64_t tcb_version = 0;
};

// The AMD secure processor's derived key, through DeviceIo::Ioctl on
// /dev/sev-guest (tests answer the ioctl with a fake).
class SnpDerivedKeySource final : public RootKeySource {
 public:
  // io must outlive the source.
  SnpDerivedKeySource(const DeviceIo& io, SnpKeyRequest request);
  TeeType vendor() const override { return TeeType::AmdSevSnp; }
  KeySourceKind kind() const override { return KeySourceKind::kSevSnpDerived; }
  Result<crypto::SecretKey256> RootKey(ByteView key_id) const override;

 private:
  const DeviceIo& io_;
  SnpKeyRequest request_;
};

// A root key delivered to this process as a CMS EnvelopedData for its
// ephemeral RSA key: AWS Nitro's KMS CiphertextForRecipient, or a TDX /
// NVIDIA key broker's answer after remote attestation.
class RecipientKeySource final : public RootKeySource {
 public:
  // A fresh ephemeral RSA-2048 key (kInternal when OpenSSL cannot make one).
  static Result<std::unique_ptr<RecipientKeySource>> Create(TeeType vendor);

  TeeType vendor() const override { return vendor_; }
  KeySourceKind kind() const override { return KeySourceKind::kRecipient; }
  // DER SubjectPublicKeyInfo for the attestation document's public_key.
  Result<Bytes> PublicKeyDer() const { return recipient_.PublicKeyDer(); }
  // Opens the envelope; its content must be exactly 32 bytes. A second
  // delivery of a different key is refused (kInvalidArgument): the root of
  // a running process never changes under its cached keys.
  Status Deliver(ByteView cms_envelope_der);
  // kUnsupported "no hardware key source for <Vendor>" until Deliver ran.
  Result<crypto::SecretKey256> RootKey(ByteView key_id) const override;

 private:
  RecipientKeySource(TeeType vendor, crypto::RsaRecipientKey recipient)
      : vendor_(vendor), recipient_(std::move(recipient)) {}
  const TeeType vendor_;
  const crypto::RsaRecipientKey recipient_;
  mutable Mutex mu_;
  std::optional<crypto::SecretKey256> root_ GUARDED_BY(mu_);
};

// No key source configured (TDX and NVIDIA give a guest no sealing key).
class NoKeySource final : public RootKeySource {
 public:
  explicit NoKeySource(TeeType vendor) : vendor_(vendor) {}
  TeeType vendor() const override { return vendor_; }
  KeySourceKind kind() const override { return KeySourceKind::kNone; }
  Result<crypto::SecretKey256> RootKey(ByteView key_id) const override;

 private:
  TeeType vendor_;
};

// The seed's "UUID-derived key":
//   root = HKDF-SHA256(ikm = key_id, salt = "tenzro-tee-simulation-root-v1",
//                      info = vendor tag)
// Anyone who knows the key id can compute it: development only.
class SimulationKeySource final : public RootKeySource {
 public:
  // kSimulationDisabled unless simulation_enabled ([tee.consensus]
  // simulation = true); kInvalidArgument for a type without a vendor tag.
  static Result<std::unique_ptr<SimulationKeySource>> Create(TeeType vendor,
                                                             bool simulation_enabled);
  TeeType vendor() const override { return vendor_; }
  KeySourceKind kind() const override { return KeySourceKind::kSimulation; }
  Result<crypto::SecretKey256> RootKey(ByteView key_id) const override;

 private:
  explicit SimulationKeySource(TeeType vendor) : vendor_(vendor) {}
  TeeType vendor_;
};

// "no hardware key source for IntelTdx" (kUnsupported).
Status NoHardwareKeySource(TeeType vendor);

}  // namespace tenzro::tee::enclave_crypto
