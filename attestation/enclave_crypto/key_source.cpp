#include "attestation/enclave_crypto/key_source.h"

#include <linux/sev-guest.h>
#include <sys/ioctl.h>

#include <cstring>
#include <string>

#include "crypto/hash.h"

namespace tenzro::tee::enclave_crypto {
namespace {

// linux/sev-guest.h layouts the fake ioctl of the tests checks byte for byte.
static_assert(sizeof(snp_derived_key_req) == 32);
static_assert(sizeof(snp_derived_key_resp) == 64);
static_assert(sizeof(snp_guest_request_ioctl) == 32);

constexpr char kSevGuestPath[] = "/dev/sev-guest";
constexpr char kSimulationSalt[] = "tenzro-tee-simulation-root-v1";

ByteView Ascii(const char* s) { return {reinterpret_cast<const uint8_t*>(s), std::strlen(s)}; }

uint32_t LoadU32Le(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

}  // namespace

std::optional<std::string_view> VendorTag(TeeType vendor) {
  switch (vendor) {
    case TeeType::IntelTdx:
      return "tenzro-tdx-enclave-key-v1";
    case TeeType::AmdSevSnp:
      return "tenzro-sev-snp-enclave-key-v1";
    case TeeType::AwsNitro:
      return "tenzro-nitro-enclave-key-v1";
    case TeeType::NvidiaGpu:
      return "tenzro-nvidia-gpu-enclave-key-v1";
    default:
      return std::nullopt;
  }
}

Status NoHardwareKeySource(TeeType vendor) {
  return Error(ErrorCode::kUnsupported,
               "no hardware key source for " + std::string(TeeTypeName(vendor)));
}

// ---- SEV-SNP ----------------------------------------------------------------

SnpDerivedKeySource::SnpDerivedKeySource(const DeviceIo& io, SnpKeyRequest request)
    : io_(io), request_(request) {}

Result<crypto::SecretKey256> SnpDerivedKeySource::RootKey(ByteView /*key_id*/) const {
  snp_derived_key_req req{};
  req.root_key_select = request_.root_key_select;
  req.guest_field_select = request_.guest_field_select;
  req.vmpl = request_.vmpl;
  req.guest_svn = request_.guest_svn;
  req.tcb_version = request_.tcb_version;
  snp_derived_key_resp resp{};
  snp_guest_request_ioctl guest{};
  guest.msg_version = 1;
  guest.req_data = reinterpret_cast<uintptr_t>(&req);
  guest.resp_data = reinterpret_cast<uintptr_t>(&resp);
  auto r = io_.Ioctl(kSevGuestPath, SNP_GET_DERIVED_KEY, &guest);
  if (!r.ok()) {
    crypto::Wipe({resp.data, sizeof(resp.data)});
    const Status& s = r.status();
    return Error(s.code() == ErrorCode::kNotFound ? ErrorCode::kUnsupported : s.code(),
                 "SNP_GET_DERIVED_KEY: " + s.message() + " (fw_error " +
                     std::to_string(guest.fw_error) + ", vmm_error " +
                     std::to_string(guest.vmm_error) + ")");
  }
  // MSG_KEY_RSP (SEV-SNP ABI spec, Table "MSG_KEY_RSP Message Structure"):
  // 0x00 STATUS u32 (0 = success), 0x04..0x1F reserved, 0x20..0x3F
  // DERIVED_KEY (32 bytes).
  const uint32_t status = LoadU32Le(resp.data);
  if (status != 0) {
    crypto::Wipe({resp.data, sizeof(resp.data)});
    return Error(ErrorCode::kInternal,
                 "SNP_GET_DERIVED_KEY: firmware status " + std::to_string(status));
  }
  crypto::SecretKey256 key(ByteView(resp.data + 32, 32));
  crypto::Wipe({resp.data, sizeof(resp.data)});
  return key;
}

// ---- host-delivered (KMS CiphertextForRecipient and alike) -----------------

Result<std::unique_ptr<RecipientKeySource>> RecipientKeySource::Create(TeeType vendor) {
  if (!VendorTag(vendor)) {
    return Error(ErrorCode::kInvalidArgument, "no enclave key tag for this TEE type");
  }
  TEE_ASSIGN_OR_RETURN(auto rsa, crypto::RsaRecipientKey::Generate());
  return std::unique_ptr<RecipientKeySource>(new RecipientKeySource(vendor, std::move(rsa)));
}

Status RecipientKeySource::Deliver(ByteView cms_envelope_der) {
  TEE_ASSIGN_OR_RETURN(Bytes content, recipient_.OpenEnveloped(cms_envelope_der, 64));
  if (content.size() != crypto::kAes256KeyBytes) {
    crypto::Wipe(content);
    return Error(ErrorCode::kInvalidArgument, "delivered root key is not 32 bytes");
  }
  crypto::SecretKey256 key{AsView(content)};
  crypto::Wipe(content);
  MutexLock lock(&mu_);
  if (root_ && !crypto::ConstantTimeEqual(root_->view(), key.view())) {
    return Error(ErrorCode::kInvalidArgument, "a different root key was already delivered");
  }
  root_ = std::move(key);
  return Status::Ok();
}

Result<crypto::SecretKey256> RecipientKeySource::RootKey(ByteView /*key_id*/) const {
  MutexLock lock(&mu_);
  if (!root_) return NoHardwareKeySource(vendor_);
  return *root_;
}

// ---- none --------------------------------------------------------------------

Result<crypto::SecretKey256> NoKeySource::RootKey(ByteView /*key_id*/) const {
  return NoHardwareKeySource(vendor_);
}

// ---- simulation ----------------------------------------------------------------

Result<std::unique_ptr<SimulationKeySource>> SimulationKeySource::Create(TeeType vendor,
                                                                         bool simulation_enabled) {
  if (!simulation_enabled) {
    return Error(ErrorCode::kSimulationDisabled,
                 "the simulation key source needs [tee.consensus] simulation = true");
  }
  if (!VendorTag(vendor)) {
    return Error(ErrorCode::kInvalidArgument, "no enclave key tag for this TEE type");
  }
  return std::unique_ptr<SimulationKeySource>(new SimulationKeySource(vendor));
}

Result<crypto::SecretKey256> SimulationKeySource::RootKey(ByteView key_id) const {
  const std::string_view tag = *VendorTag(vendor_);
  return crypto::HkdfSha256Key(key_id, Ascii(kSimulationSalt),
                               {reinterpret_cast<const uint8_t*>(tag.data()), tag.size()});
}

}  // namespace tenzro::tee::enclave_crypto
