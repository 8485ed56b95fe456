// The vendor guest devices' report ioctls, through DeviceIo::Ioctl (the seam
// tests override): layouts of linux/sev-guest.h and linux/tdx-guest.h.
//
// /dev/sev-guest SNP_GET_EXT_REPORT: the signed ATTESTATION_REPORT and the
//   GHCB certificate table the host provisioned (VCEK/VLEK, ASK, ARK), i.e.
//   exactly the evidence form "report || certificate table" the SNP
//   verifier takes. SNP_GET_REPORT: the report alone.
// /dev/tdx_guest TDX_CMD_GET_REPORT0: a TDREPORT_STRUCT, MAC'd with a key
//   only this CPU holds. It is NOT evidence: only the quoting enclave on the
//   same platform can check it and turn it into a signed quote. The kernel
//   hands TDREPORTs to a quote generator only through configfs-tsm (or the
//   deprecated GetQuote hypercall path of vendor kernels), so without
//   configfs-tsm a TDX guest cannot produce a verifiable quote by itself.
//   We use the TDREPORT for detection (the TDX module version) only.
#pragma once

#include <array>
#include <cstdint>

#include "core/bytes.h"
#include "core/device_io.h"
#include "core/status.h"

namespace tenzro::tee::detect {

inline constexpr char kSevGuestDevice[] = "/dev/sev-guest";
inline constexpr char kTdxGuestDevice[] = "/dev/tdx_guest";
inline constexpr char kTdxGuestDeviceOld[] = "/dev/tdx-guest";

// ---- linux/sev-guest.h ---------------------------------------------------------
struct SnpReportReq {  // struct snp_report_req
  uint8_t user_data[64];
  uint32_t vmpl;
  uint8_t rsvd[28];
};
struct SnpExtReportReq {  // struct snp_ext_report_req
  SnpReportReq data;
  uint64_t certs_address;
  uint32_t certs_len;
};
struct SnpReportResp {  // struct snp_report_resp
  uint8_t data[4000];
};
struct SnpGuestRequestIoctl {  // struct snp_guest_request_ioctl
  uint8_t msg_version;
  uint64_t req_data;
  uint64_t resp_data;
  uint64_t exitinfo2;  // fw_error (low 32 bits), vmm_error (high 32 bits)
};
static_assert(sizeof(SnpReportReq) == 96);
static_assert(sizeof(SnpGuestRequestIoctl) == 32);

// _IOWR('S', n, struct snp_guest_request_ioctl)
inline constexpr unsigned long kSnpGetReport = 0xC0205300ul;
inline constexpr unsigned long kSnpGetExtReport = 0xC0205302ul;
// exitinfo2 >> 32: the certificate buffer was too small; certs_len says how large.
inline constexpr uint32_t kSnpVmmErrInvalidLen = 1;

// ---- linux/tdx-guest.h ---------------------------------------------------------
struct TdxReportReq {  // struct tdx_report_req
  uint8_t reportdata[64];
  uint8_t tdreport[1024];
};
// _IOWR('T', 1, struct tdx_report_req)
inline constexpr unsigned long kTdxCmdGetReport0 = 0xC4405401ul;
// TDREPORT_STRUCT: REPORTMACSTRUCT (256 bytes: REPORTDATA at 128) then
// TEE_TCB_INFO (TEE_TCB_SVN at +8: [0] module minor/SVN, [1] module major).
inline constexpr size_t kTdReportReportDataOffset = 128;
inline constexpr size_t kTdReportTeeTcbSvnOffset = 256 + 8;

struct SnpExtReport {
  Bytes report;  // 1184 bytes
  Bytes certs;   // the GHCB certificate table, trailing zero pages trimmed
};

// SNP_GET_EXT_REPORT at VMPL 0 with `report_data`; grows the certificate
// buffer once if the host says it is too small.
Result<SnpExtReport> SnpGetExtReport(const DeviceIo& io,
                                     const std::array<uint8_t, 64>& report_data);
// SNP_GET_REPORT (no certificates).
Result<Bytes> SnpGetReport(const DeviceIo& io, const std::array<uint8_t, 64>& report_data);
// TDX_CMD_GET_REPORT0 on whichever device node exists: the 1024-byte TDREPORT.
Result<Bytes> TdxGetTdReport(const DeviceIo& io, const std::array<uint8_t, 64>& report_data);

}  // namespace tenzro::tee::detect
