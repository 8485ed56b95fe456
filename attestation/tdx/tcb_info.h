// Intel's signed JSON collateral: TCB Info (v3, id "TDX" or "SGX") and QE
// Identity (v2, id "TD_QE" or "QE"), as served by the PCS v4 API:
//   {"tcbInfo":{...},"signature":"<r||s hex>"}  /  {"enclaveIdentity":{...},"signature":"..."}
// The signature (ECDSA-P256/SHA-256) covers the exact bytes of the tcbInfo /
// enclaveIdentity value in the document. SplitSignedJson locates those bytes
// (json_scan.h); the Parse functions parse only them with nlohmann::json and
// never re-serialize. No crypto here: the verifier checks the signature.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attestation/tdx/quote.h"
#include "core/bytes.h"
#include "core/status.h"

namespace tenzro::tee::tdx {

// Intel's TCB statuses (TCB Info, TDX module and QE identity levels), plus the
// two TD 1.5 relaunch statuses Intel's verifier derives.
enum class TcbStatus : uint8_t {
  kUpToDate,
  kSWHardeningNeeded,
  kConfigurationNeeded,
  kConfigurationAndSWHardeningNeeded,
  kOutOfDate,
  kOutOfDateConfigurationNeeded,
  kRevoked,
  kTDRelaunchAdvised,
  kTDRelaunchAdvisedConfigurationNeeded,
};
std::string_view TcbStatusName(TcbStatus s);
std::optional<TcbStatus> TcbStatusFromName(std::string_view name);
inline constexpr size_t kTcbStatusCount = 9;

struct TcbLevel {
  std::array<uint8_t, 16> sgx_components{};
  uint16_t pcesvn = 0;
  std::optional<std::array<uint8_t, 16>> tdx_components;  // TDX TCB Info only
  uint64_t tcb_date = 0;
  TcbStatus status = TcbStatus::kUpToDate;
  std::vector<std::string> advisory_ids;
};

// A TCB level keyed by one ISVSVN (TDX module identities, QE identity).
struct IsvSvnLevel {
  uint16_t isvsvn = 0;
  uint64_t tcb_date = 0;
  TcbStatus status = TcbStatus::kUpToDate;
  std::vector<std::string> advisory_ids;
};

struct TdxModuleIdentity {
  std::string id;  // "TDX_01", ... (upper case)
  Measurement mrsigner{};
  std::array<uint8_t, 8> attributes{};
  std::array<uint8_t, 8> attributes_mask{};
  std::vector<IsvSvnLevel> tcb_levels;  // empty for the plain tdxModule object
};

struct TcbInfo {
  std::string id;  // "TDX" or "SGX"
  uint32_t version = 0;
  uint64_t issue_date = 0;
  uint64_t next_update = 0;
  std::array<uint8_t, 6> fmspc{};
  std::array<uint8_t, 2> pce_id{};
  uint32_t tcb_type = 0;
  uint64_t tcb_evaluation_data_number = 0;
  std::optional<TdxModuleIdentity> tdx_module;  // TDX only
  std::vector<TdxModuleIdentity> tdx_module_identities;
  std::vector<TcbLevel> tcb_levels;  // in document order (Intel: newest first)
};

struct QeIdentity {
  std::string id;  // "TD_QE" or "QE"
  uint32_t version = 0;
  uint64_t issue_date = 0;
  uint64_t next_update = 0;
  uint64_t tcb_evaluation_data_number = 0;
  uint32_t miscselect = 0;
  uint32_t miscselect_mask = 0;
  std::array<uint8_t, 16> attributes{};
  std::array<uint8_t, 16> attributes_mask{};
  std::array<uint8_t, 32> mrsigner{};
  uint16_t isvprodid = 0;
  std::vector<IsvSvnLevel> tcb_levels;  // newest first
};

// A signed JSON document split into its parts (views into the input).
struct SignedJson {
  ByteView body;                        // exact bytes of the signed member's value
  std::array<uint8_t, 64> signature{};  // r || s
  ByteView trailer;  // after the object and whitespace: an issuer chain PEM, or empty
};

// `member` is "tcbInfo" or "enclaveIdentity". kInvalidArgument when the
// document is not such an object.
Result<SignedJson> SplitSignedJson(ByteView doc, std::string_view member);

// Parse the signed member's bytes. kInvalidArgument names the bad field;
// kUnsupported for other versions.
Result<TcbInfo> ParseTcbInfo(ByteView body);
Result<QeIdentity> ParseQeIdentity(ByteView body);

// "YYYY-MM-DDTHH:MM:SSZ" (optionally with fractional seconds) to unix seconds.
std::optional<uint64_t> ParseIsoTime(std::string_view text);

}  // namespace tenzro::tee::tdx
