// Intel's TCB level matching (pure: no crypto, no clock), shared by the
// verifier and the epoch re-evaluation, following Intel's Quote Verification
// Library (TcbLevelCheck, TdxModuleCheck, TDRelaunchCheck, EnclaveReportVerifier):
//
//  * QE identity: masked MISCSELECT and ATTRIBUTES, MRSIGNER, ISVPRODID, then
//    the first level (newest first) whose isvsvn <= the QE's ISVSVN.
//  * SGX level: the first TCB level whose 16 SGX components and PCESVN are all
//    <= the PCK certificate's.
//  * TDX level: the first level that is also an SGX match and whose TDX
//    components are all <= TEE_TCB_SVN (bytes 0 and 1 skipped when byte 1,
//    the TDX module major version, is non-zero: the module identity covers them).
//  * TDX module: MRSIGNERSEAM and SEAM attributes against tdxModule, or the
//    tdxModuleIdentities entry "TDX_<major>" when the major version is non-zero,
//    whose first level with isvsvn <= TEE_TCB_SVN[0] gives the module status.
//  * The statuses converge (module, TD 1.5 relaunch, QE) as Intel's do.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "attestation/tdx/quote.h"
#include "attestation/tdx/tcb_info.h"

namespace tenzro::tee::tdx {

// The platform's TCB from its PCK certificate.
struct PlatformTcb {
  std::array<uint8_t, 16> sgx_components{};
  uint16_t pcesvn = 0;
};

// The TD's TCB inputs from its quote body.
struct TdTcb {
  Svn16 tee_tcb_svn{};
  std::optional<Svn16> tee_tcb_svn2;  // TD 1.5 bodies
  Measurement mr_signer_seam{};
  std::array<uint8_t, 8> seam_attributes{};
};

// The QE's identity fields from its report.
struct QeReportIdentity {
  uint32_t misc_select = 0;
  std::array<uint8_t, 16> attributes{};
  std::array<uint8_t, 32> mr_signer{};
  uint16_t isv_prod_id = 0;
  uint16_t isv_svn = 0;
};

struct QeEvaluation {
  bool matched = false;
  std::string failure;  // why not, when !matched
  TcbStatus status = TcbStatus::kUpToDate;
  std::vector<std::string> advisory_ids;
  // tcbDate of the next newer level when status is not UpToDate (grace period start).
  std::optional<uint64_t> newer_level_date;
};

struct TcbEvaluation {
  bool matched = false;
  std::string failure;  // why no level applies, when !matched
  TcbStatus status = TcbStatus::kUpToDate;
  std::vector<std::string> advisory_ids;  // TCB level, then TDX module level, then QE level
  // For an OutOfDate result: the earliest tcbDate of a newer level that made
  // one of the inputs (TCB level, TDX module, QE) out of date; 0 when unknown.
  uint64_t out_of_date_since = 0;
};

QeEvaluation EvaluateQe(const QeIdentity& identity, const QeReportIdentity& qe);

// `td` is set for TDX quotes (with a TDX TCB Info); `qe` is the QE result.
TcbEvaluation EvaluateTcb(const TcbInfo& info, const PlatformTcb& platform,
                          const std::optional<TdTcb>& td, const QeEvaluation& qe);

bool IsOutOfDate(TcbStatus s);

}  // namespace tenzro::tee::tdx
