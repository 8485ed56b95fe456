// The NVIDIA simulator's SPDM 1.1 GET_MEASUREMENTS report generator: any
// nonce, measurements and opaque data, signed (ECDSA P-384 / SHA-384, raw
// r || s) by a device leaf key, in the byte layout of report.h.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "attestation/nvidia/report.h"
#include "core/bytes.h"
#include "core/status.h"
#include "crypto/x509.h"

namespace tenzro::tee::nvidia::sim {

struct ReportSpec {
  std::array<uint8_t, kNonceSize> nonce{};
  std::map<uint8_t, Bytes> measurements;  // DMTF index -> value (48 bytes on GPUs)
  std::vector<OpaqueField> opaque;        // in order, written as TLVs
  std::optional<Bytes> raw_opaque;        // when set, the opaque data as is (layout tests)
  std::array<uint8_t, kNonceSize> responder_nonce{};
  uint8_t spdm_version = 0x11;
  uint8_t request_param1 = 0x01;  // signature requested
};

// A typical GPU's opaque data: driver and VBIOS versions, FWID, NVDEC0
// enabled, chip and project SKUs, opaque data version 1, feature flag SPT.
std::vector<OpaqueField> GpuOpaque(const std::string& driver, const std::array<uint8_t, 8>& vbios,
                                   const std::array<uint8_t, 48>& fwid);
// 64 blocks of 48 bytes (index i filled with i), as on Hopper.
std::map<uint8_t, Bytes> HopperMeasurements();

// Standard base64 (the encoding of NVIDIA's serialized evidence JSON).
std::string Base64(ByteView data);

// Request || response without the signature (what the signature covers).
Bytes UnsignedReport(const ReportSpec& spec);
// The full report signed by `leaf_key`.
Result<Bytes> SignedReport(const ReportSpec& spec, const x509::PrivateKey& leaf_key);

}  // namespace tenzro::tee::nvidia::sim
