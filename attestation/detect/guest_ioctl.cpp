#include "attestation/detect/guest_ioctl.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "attestation/snp/report_format.h"

namespace tenzro::tee::detect {
namespace {

// MSG_REPORT_RSP (SEV-SNP firmware ABI, Table "MSG_REPORT_RSP"): STATUS at 0,
// REPORT_SIZE at 4, 24 reserved bytes, then the report at 0x20.
constexpr size_t kRespStatus = 0;
constexpr size_t kRespReportSize = 4;
constexpr size_t kRespReport = 0x20;
constexpr size_t kPage = 4096;
constexpr size_t kInitialCerts = 4 * kPage;  // SEV_FW_BLOB_MAX_SIZE
constexpr size_t kMaxCerts = 64 * kPage;

uint32_t Le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

Result<Bytes> ReportFromResponse(const SnpReportResp& resp, const SnpGuestRequestIoctl& req) {
  const uint32_t status = Le32(resp.data + kRespStatus);
  if (status != 0) {
    return Error(ErrorCode::kInternal, "SEV-SNP firmware refused the report request: status " +
                                           std::to_string(status) + ", fw_error " +
                                           std::to_string(static_cast<uint32_t>(req.exitinfo2)));
  }
  const uint32_t size = Le32(resp.data + kRespReportSize);
  if (size != snp::format::kReportSize) {
    return Error(ErrorCode::kInternal, "SEV-SNP firmware returned a report of " +
                                           std::to_string(size) + " bytes, not 1184");
  }
  return Bytes(resp.data + kRespReport, resp.data + kRespReport + size);
}

// The extent of a GHCB certificate table (entries up to the zero entry and
// the data they point at), so the zero padding of the page buffer is dropped.
size_t CertTableExtent(const Bytes& buf) {
  const size_t entry = snp::format::kCertTableEntrySize;
  size_t end = 0;
  for (size_t off = 0; off + entry <= buf.size(); off += entry) {
    const uint8_t* e = buf.data() + off;
    if (std::all_of(e, e + entry, [](uint8_t b) { return b == 0; })) {
      end = std::max(end, off + entry);
      return std::min(end, buf.size());
    }
    const size_t data_end = static_cast<size_t>(Le32(e + 16)) + Le32(e + 20);
    end = std::max(end, data_end);
  }
  return buf.size();  // no terminator: keep everything, the verifier judges
}

std::string Errno(const Status& s, const SnpGuestRequestIoctl& req) {
  return s.message() + " (fw_error " + std::to_string(static_cast<uint32_t>(req.exitinfo2)) +
         ", vmm_error " + std::to_string(static_cast<uint32_t>(req.exitinfo2 >> 32)) + ")";
}

// One SEV-SNP guest request over the device (message version 1): the
// response buffer, the request as the kernel left it (exitinfo2), and the
// ioctl's status naming the firmware and VMM error codes.
struct SnpCall {
  std::unique_ptr<SnpReportResp> resp = std::make_unique<SnpReportResp>();
  SnpGuestRequestIoctl req{};
  Status status;
};

SnpCall IssueSnpRequest(const DeviceIo& io, unsigned long code, const char* name, void* req_data) {
  SnpCall c;
  std::memset(c.resp.get(), 0, sizeof *c.resp);
  c.req.msg_version = 1;
  c.req.req_data = reinterpret_cast<uintptr_t>(req_data);
  c.req.resp_data = reinterpret_cast<uintptr_t>(c.resp.get());
  auto r = io.Ioctl(kSevGuestDevice, code, &c.req);
  if (!r.ok())
    c.status = Error(r.status().code(), std::string(name) + ": " + Errno(r.status(), c.req));
  return c;
}

}  // namespace

Result<SnpExtReport> SnpGetExtReport(const DeviceIo& io,
                                     const std::array<uint8_t, 64>& report_data) {
  size_t certs_len = kInitialCerts;
  for (int round = 0; round < 2; ++round) {
    SnpExtReportReq ext{};
    std::memcpy(ext.data.user_data, report_data.data(), report_data.size());
    Bytes certs(certs_len, 0);
    ext.certs_address = reinterpret_cast<uintptr_t>(certs.data());
    ext.certs_len = static_cast<uint32_t>(certs.size());
    SnpCall c = IssueSnpRequest(io, kSnpGetExtReport, "SNP_GET_EXT_REPORT", &ext);
    if (!c.status.ok()) {
      const uint32_t vmm = static_cast<uint32_t>(c.req.exitinfo2 >> 32);
      if (vmm == kSnpVmmErrInvalidLen && round == 0 && ext.certs_len > certs_len &&
          ext.certs_len <= kMaxCerts) {
        certs_len = ext.certs_len;  // the host said how much it needs
        continue;
      }
      return c.status;
    }
    TEE_ASSIGN_OR_RETURN(Bytes report, ReportFromResponse(*c.resp, c.req));
    certs.resize(CertTableExtent(certs));
    return SnpExtReport{std::move(report), std::move(certs)};
  }
  return Error(ErrorCode::kInternal, "SNP_GET_EXT_REPORT: certificate buffer still too small");
}

Result<Bytes> SnpGetReport(const DeviceIo& io, const std::array<uint8_t, 64>& report_data) {
  SnpReportReq in{};
  std::memcpy(in.user_data, report_data.data(), report_data.size());
  SnpCall c = IssueSnpRequest(io, kSnpGetReport, "SNP_GET_REPORT", &in);
  if (!c.status.ok()) return c.status;
  return ReportFromResponse(*c.resp, c.req);
}

Result<Bytes> TdxGetTdReport(const DeviceIo& io, const std::array<uint8_t, 64>& report_data) {
  const char* dev = io.Exists(kTdxGuestDevice) ? kTdxGuestDevice : kTdxGuestDeviceOld;
  auto req = std::make_unique<TdxReportReq>();
  std::memset(req.get(), 0, sizeof *req);
  std::memcpy(req->reportdata, report_data.data(), report_data.size());
  auto r = io.Ioctl(dev, kTdxCmdGetReport0, req.get());
  if (!r.ok()) return Error(r.status().code(), "TDX_CMD_GET_REPORT0: " + r.status().message());
  return Bytes(req->tdreport, req->tdreport + sizeof req->tdreport);
}

}  // namespace tenzro::tee::detect
