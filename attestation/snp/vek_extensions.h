// The TCB extensions of AMD's VCEK and VLEK certificates (AMD 57230,
// OIDs under 1.3.6.1.4.1.3704.1; report_format.h lists them).
//
// Each extension's extnValue holds a DER value (INTEGER for an SPL,
// IA5String for productName, OCTET STRING for hwID); KDS has also issued
// certificates where the value bytes sit raw in extnValue (hwID as the 64
// bare bytes) or are wrapped once more in an OCTET STRING. All of these are
// accepted; anything else is an error. Pure parsing over crypto/der.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "attestation/snp/report.h"
#include "core/bytes.h"
#include "core/status.h"

namespace tenzro::tee::x509 {
class Certificate;
}

namespace tenzro::tee::snp {

struct VekExtensions {
  std::optional<std::string> product_name;  // e.g. "Milan-B0", "Genoa", "Turin"
  std::optional<uint8_t> bl_spl, tee_spl, snp_spl, ucode_spl, fmc_spl;
  std::optional<Bytes> hw_id;         // VCEK: 64 bytes (Turin: 8)
  std::optional<std::string> csp_id;  // VLEK: e.g. "CN=cc-us-east-2.amazonaws.com"

  // The product named by productName ("Milan-B0" -> Milan), kUnknown when
  // absent or not one of ours.
  Product product() const;
};

// One extension value (the content of extnValue) of each shape.
Result<uint8_t> ParseSplValue(ByteView ext_value);
Result<Bytes> ParseHwIdValue(ByteView ext_value);
Result<std::string> ParseStringValue(ByteView ext_value);

// Every TCB extension present in the certificate; a present extension that
// does not parse is kInvalidArgument.
Result<VekExtensions> ParseVekExtensions(const x509::Certificate& cert);

// Compares the certificate's SPLs with a REPORTED_TCB decoded for product:
// nullopt when every SPL the product uses is present and equal, else a
// message naming the first difference.
std::optional<std::string> CompareTcb(const VekExtensions& ext, const RawTcb& reported,
                                      Product product);

}  // namespace tenzro::tee::snp
