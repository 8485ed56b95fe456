// The Nitro Secure Module request/response protocol (aws-nitro-enclaves-nsm-api
// api/src/lib.rs, CBOR with serde's external enum tagging) over the /dev/nsm
// raw ioctl (Linux drivers/misc/nsm.c, include/uapi/linux/nsm.h), through
// DeviceIo::Ioctl.
//
//   request  {"Attestation": {"user_data": bstr|null, "nonce": bstr|null,
//                             "public_key": bstr|null}}
//   response {"Attestation": {"document": bstr}}  (a COSE_Sign1, returned as is)
//          | {"Error": "InvalidArgument" | ...}
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/bytes.h"
#include "core/device_io.h"
#include "core/status.h"

namespace tenzro::tee::detect {

inline constexpr char kNsmDevice[] = "/dev/nsm";

struct NsmIovec {  // struct nsm_iovec
  uint64_t addr;
  uint64_t len;
};
struct NsmRaw {  // struct nsm_raw
  NsmIovec request;
  NsmIovec response;
};
static_assert(sizeof(NsmRaw) == 32);
// _IOWR(0x0A, 0, struct nsm_raw)
inline constexpr unsigned long kNsmIoctlRaw = 0xC0200A00ul;
inline constexpr size_t kNsmRequestMax = 0x1000;
inline constexpr size_t kNsmResponseMax = 0x3000;
// The NSM's field limits (api/src/lib.rs).
inline constexpr size_t kNsmMaxUserData = 512;
inline constexpr size_t kNsmMaxNonce = 512;
inline constexpr size_t kNsmMaxPublicKey = 1024;

struct NsmAttestationRequest {
  std::optional<Bytes> user_data;
  std::optional<Bytes> nonce;
  std::optional<Bytes> public_key;
};

// The CBOR request; kInvalidArgument when a field is over its limit.
Result<Bytes> EncodeNsmAttestationRequest(const NsmAttestationRequest& req);
// The attestation document of a response. An NSM error becomes kInternal
// with the NSM's code explained; anything else malformed is kInternal too.
Result<Bytes> DecodeNsmAttestationResponse(ByteView response);
// Encode, ioctl, decode.
Result<Bytes> NsmGetAttestation(const DeviceIo& io, const NsmAttestationRequest& req);

// DescribeNSM: the request is the CBOR text "DescribeNSM"; the answer
// {"DescribeNSM": {"version_major", "version_minor", "version_patch", ...}}.
// The NSM's version "major.minor.patch" (what detect shows); kInternal when
// the answer is an error or malformed.
Bytes EncodeNsmDescribeRequest();
Result<std::string> DecodeNsmDescribeResponse(ByteView response);
Result<std::string> NsmDescribeVersion(const DeviceIo& io);

}  // namespace tenzro::tee::detect
