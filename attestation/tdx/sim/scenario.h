// A simulated Intel machine and everything a verifier needs about it, all
// consistent by default: the quote it makes and the collateral Intel's PCS
// would publish for it (TCB Info, QE Identity, PCK and Root CA CRLs), signed
// by the development PKI. Tests and benches change one field and build.
//
// Example:
//   auto s = Scenario::Tdx();
//   s.qe_identity.isvprodid = 3;              // one fault
//   auto quote = s.Quote();
//   auto blobs = s.Collateral();              // in the bundle convention
#pragma once

#include <cstdint>
#include <vector>

#include "attestation/tdx/sim/collateral_builder.h"
#include "attestation/tdx/sim/dev_pki.h"
#include "attestation/tdx/sim/quote_builder.h"

namespace tenzro::tee::tdx::sim {

// What the hardware is: its PCK certificate's SGX extension, its TDX module
// and its quoting enclave.
struct Platform {
  bool tdx = true;
  PckExtension pck;
  std::array<uint8_t, 16> tee_tcb_svn{};  // TDX: [0] module SVN, [1] module major version
  Measurement48 mrsignerseam{};           // zero for Intel's module
  std::array<uint8_t, 8> seam_attributes{};
  EnclaveReport qe;  // the QE report's fields (report_data is computed)
};

Platform DefaultTdxPlatform();
Platform DefaultSgxPlatform();

// Issues a PCK leaf for `platform` with the committed leaf key of its kind,
// under the dev PCK Platform CA (or `issuer`).
Result<KeyedCert> IssuePlatformPck(const Platform& platform, Bytes serial_be, int64_t not_before,
                                   int64_t not_after, const KeyedCert* issuer = nullptr);

// 2026-01-01T00:00:00Z: the time scenarios are built around.
inline constexpr uint64_t kSimNow = 1767225600;
inline constexpr uint64_t kDay = 86400;

// An older TCB level that the default platforms exceed (status OutOfDate).
inline constexpr char kOldLevelAdvisory[] = "INTEL-SA-DEV00";

struct Scenario {
  Platform platform;
  QuoteSpec quote;
  TcbInfoSpec tcb_info;
  QeIdentitySpec qe_identity;
  CrlBuildSpec pck_crl;
  CrlBuildSpec root_crl;
  uint64_t now = kSimNow;  // inside every window
  bool with_tcb_info = true;
  bool with_qe_identity = true;
  bool with_pck_crl = true;
  bool with_root_crl = true;
  std::vector<Bytes> extra_collateral;

  // A consistent machine of each kind; collateral issued 10 days before `now`
  // (next update 20 days after), CRLs from a day before (next update 29 days after).
  static Scenario Tdx(QuoteFormat format = QuoteFormat::kTdxV4, uint64_t now = kSimNow);
  // format: kSgxV3 or kSgxV5.
  static Scenario Sgx(uint64_t now = kSimNow, QuoteFormat format = QuoteFormat::kSgxV3);

  Result<Bytes> Quote() const;
  // TCB Info, QE Identity, PCK CRL, Root CA CRL (those enabled), then extras.
  Result<std::vector<Bytes>> Collateral() const;
};

// Devnet convenience (simulation on, DESIGN §8): a quote of the default TDX
// (v4) or SGX (v3) platform bound to `binding`, and the collateral to admit
// for it, valid from 10 days before `now` to 20 days after (CRLs: 1 and 29).
// Quotes carry no time, so one quote serves for as long as its binding does.
Result<Bytes> SimulateQuote(bool tdx, const ReportDataBinding& binding);
Result<std::vector<Bytes>> SimulateCollateral(bool tdx, uint64_t now);

// The default collateral of a platform (used by the Scenario constructors).
TcbInfoSpec DefaultTcbInfo(const Platform& p, uint64_t issue_date, uint64_t next_update);
QeIdentitySpec DefaultQeIdentity(const Platform& p, uint64_t issue_date, uint64_t next_update);
QuoteSpec DefaultQuote(const Platform& p, QuoteFormat format);

}  // namespace tenzro::tee::tdx::sim
