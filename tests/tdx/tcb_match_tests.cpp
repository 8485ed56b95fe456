// Intel's TCB level matching (attestation/tdx/tcb_match.cpp) on small
// hand-made TCB Infos and QE identities: one rule per test.
#include <boost/test/unit_test.hpp>

#include "attestation/tdx/tcb_match.h"
#include "tdx_test_util.h"

using namespace tenzro::tee;
using namespace tenzro::tee::tdx;

namespace tenzro::tee::tdx {
inline std::ostream& operator<<(std::ostream& os, TcbStatus s) { return os << TcbStatusName(s); }
}  // namespace tenzro::tee::tdx

namespace {

constexpr uint64_t kDay = 86400;
constexpr uint64_t kT0 = 1'700'000'000;

std::array<uint8_t, 16> Comps(std::initializer_list<uint8_t> head) {
  std::array<uint8_t, 16> a{};
  size_t i = 0;
  for (uint8_t v : head) a[i++] = v;
  return a;
}

TcbLevel Level(std::array<uint8_t, 16> sgx, uint16_t pcesvn,
               std::optional<std::array<uint8_t, 16>> tdx, uint64_t date, TcbStatus status,
               std::vector<std::string> adv = {}) {
  TcbLevel l;
  l.sgx_components = sgx;
  l.pcesvn = pcesvn;
  l.tdx_components = tdx;
  l.tcb_date = date;
  l.status = status;
  l.advisory_ids = std::move(adv);
  return l;
}

IsvSvnLevel SvnLevel(uint16_t svn, uint64_t date, TcbStatus status,
                     std::vector<std::string> adv = {}) {
  return IsvSvnLevel{svn, date, status, std::move(adv)};
}

// A TDX TCB Info: newest level first, a TDX_01 module identity.
TcbInfo TdxInfo() {
  TcbInfo t;
  t.id = "TDX";
  t.version = 3;
  t.tdx_module = TdxModuleIdentity{};
  t.tdx_module->attributes_mask.fill(0xff);
  TdxModuleIdentity m;
  m.id = "TDX_01";
  m.attributes_mask.fill(0xff);
  m.tcb_levels = {SvnLevel(6, kT0 + 100 * kDay, TcbStatus::kUpToDate),
                  SvnLevel(4, kT0 + 50 * kDay, TcbStatus::kOutOfDate, {"INTEL-SA-MOD"})};
  t.tdx_module_identities = {m};
  t.tcb_levels = {
      Level(Comps({3, 3}), 13, Comps({5, 0, 3}), kT0 + 100 * kDay, TcbStatus::kUpToDate),
      Level(Comps({2, 2}), 13, Comps({5, 0, 2}), kT0 + 50 * kDay, TcbStatus::kOutOfDate,
            {"INTEL-SA-1", "INTEL-SA-2"}),
      Level(Comps({2, 2}), 5, Comps({5, 0, 2}), kT0, TcbStatus::kOutOfDate, {"INTEL-SA-0"}),
  };
  return t;
}

TcbInfo SgxInfo() {
  TcbInfo t;
  t.id = "SGX";
  t.version = 3;
  t.tcb_levels = {
      Level(Comps({21, 21, 2, 4, 1, 128, 14}), 13, std::nullopt, kT0 + 100 * kDay,
            TcbStatus::kSWHardeningNeeded, {"INTEL-SA-00334"}),
      Level(Comps({21, 21, 2, 4, 1, 128, 0}), 13, std::nullopt, kT0 + 100 * kDay,
            TcbStatus::kConfigurationAndSWHardeningNeeded, {"INTEL-SA-00219"}),
      Level(Comps({20, 20, 2, 4, 1, 128, 14}), 13, std::nullopt, kT0 + 50 * kDay,
            TcbStatus::kOutOfDate),
  };
  return t;
}

QeIdentity Qe() {
  QeIdentity q;
  q.id = "TD_QE";
  q.version = 2;
  q.miscselect = 0;
  q.miscselect_mask = 0xffffffff;
  q.attributes[0] = 0x11;
  q.attributes_mask.fill(0);
  q.attributes_mask[0] = 0xfb;
  q.mrsigner.fill(0xdc);
  q.isvprodid = 2;
  q.tcb_levels = {SvnLevel(8, kT0 + 100 * kDay, TcbStatus::kUpToDate),
                  SvnLevel(6, kT0 + 50 * kDay, TcbStatus::kOutOfDate, {"INTEL-SA-00615"}),
                  SvnLevel(2, kT0, TcbStatus::kRevoked)};
  return q;
}

QeReportIdentity GoodQe() {
  QeReportIdentity r;
  r.attributes[0] = 0x15;  // bit 2 is masked out
  r.mr_signer.fill(0xdc);
  r.isv_prod_id = 2;
  r.isv_svn = 8;
  return r;
}

TdTcb Td(std::initializer_list<uint8_t> svn) {
  TdTcb t;
  size_t i = 0;
  for (uint8_t v : svn) t.tee_tcb_svn[i++] = v;
  return t;
}

QeEvaluation QeOk() { return EvaluateQe(Qe(), GoodQe()); }

}  // namespace

BOOST_AUTO_TEST_SUITE(tdx_tcb_match)

BOOST_AUTO_TEST_CASE(qe_identity_fields) {
  BOOST_TEST(QeOk().matched);
  BOOST_TEST(QeOk().status == TcbStatus::kUpToDate);
  auto r = GoodQe();
  r.misc_select = 1;
  BOOST_TEST(!EvaluateQe(Qe(), r).matched);
  r = GoodQe();
  r.attributes[0] = 0x13;  // bit 1 is in the mask
  BOOST_TEST(!EvaluateQe(Qe(), r).matched);
  r = GoodQe();
  r.mr_signer[31] ^= 1;
  BOOST_TEST(!EvaluateQe(Qe(), r).matched);
  r = GoodQe();
  r.isv_prod_id = 1;
  BOOST_TEST(!EvaluateQe(Qe(), r).matched);
}

BOOST_AUTO_TEST_CASE(qe_isvsvn_levels) {
  auto r = GoodQe();
  r.isv_svn = 7;
  auto e = EvaluateQe(Qe(), r);
  BOOST_TEST(e.matched);
  BOOST_TEST(e.status == TcbStatus::kOutOfDate);
  BOOST_TEST((e.newer_level_date == std::optional<uint64_t>(kT0 + 100 * kDay)));
  BOOST_TEST(e.advisory_ids == std::vector<std::string>{"INTEL-SA-00615"},
             boost::test_tools::per_element());
  r.isv_svn = 2;
  BOOST_TEST(EvaluateQe(Qe(), r).status == TcbStatus::kRevoked);
  r.isv_svn = 1;
  BOOST_TEST(!EvaluateQe(Qe(), r).matched);
}

BOOST_AUTO_TEST_CASE(sgx_first_level_whose_components_are_all_lower_or_equal) {
  PlatformTcb p{Comps({21, 21, 2, 4, 1, 128, 14}), 13};
  auto e = EvaluateTcb(SgxInfo(), p, std::nullopt, QeOk());
  BOOST_TEST(e.matched);
  BOOST_TEST(e.status == TcbStatus::kSWHardeningNeeded);
  // One component lower skips a level: the next one applies.
  p.sgx_components[6] = 0;
  e = EvaluateTcb(SgxInfo(), p, std::nullopt, QeOk());
  BOOST_TEST(e.status == TcbStatus::kConfigurationAndSWHardeningNeeded);
  BOOST_TEST(e.advisory_ids == std::vector<std::string>{"INTEL-SA-00219"},
             boost::test_tools::per_element());
  // Higher components than any level still match the newest.
  p = PlatformTcb{Comps({99, 99, 9, 9, 9, 255, 99}), 99};
  BOOST_TEST(EvaluateTcb(SgxInfo(), p, std::nullopt, QeOk()).status ==
             TcbStatus::kSWHardeningNeeded);
}

BOOST_AUTO_TEST_CASE(pcesvn_below_every_level_matches_nothing) {
  PlatformTcb p{Comps({21, 21, 2, 4, 1, 128, 14}), 12};
  auto e = EvaluateTcb(SgxInfo(), p, std::nullopt, QeOk());
  BOOST_TEST(!e.matched);
  p = PlatformTcb{Comps({19, 21, 2, 4, 1, 128, 14}), 13};
  BOOST_TEST(!EvaluateTcb(SgxInfo(), p, std::nullopt, QeOk()).matched);
}

BOOST_AUTO_TEST_CASE(tcb_info_id_must_match_the_quote) {
  PlatformTcb p{Comps({3, 3}), 13};
  BOOST_TEST(!EvaluateTcb(SgxInfo(), p, Td({0, 0, 3}), QeOk()).matched);
  BOOST_TEST(!EvaluateTcb(TdxInfo(), p, std::nullopt, QeOk()).matched);
}

BOOST_AUTO_TEST_CASE(tdx_components_with_module_version_zero_compare_every_byte) {
  PlatformTcb p{Comps({3, 3}), 13};
  auto e = EvaluateTcb(TdxInfo(), p, Td({5, 0, 3}), QeOk());
  BOOST_TEST(e.matched);
  BOOST_TEST(e.status == TcbStatus::kUpToDate);
  // TEE_TCB_SVN[0] = 4 < 5 in every level: nothing matches.
  BOOST_TEST(!EvaluateTcb(TdxInfo(), p, Td({4, 0, 3}), QeOk()).matched);
  // Lower SEAM patch SVN: the older level.
  e = EvaluateTcb(TdxInfo(), p, Td({5, 0, 2}), QeOk());
  BOOST_TEST(e.status == TcbStatus::kOutOfDate);
  BOOST_TEST(e.advisory_ids == std::vector<std::string>({"INTEL-SA-1", "INTEL-SA-2"}),
             boost::test_tools::per_element());
  BOOST_TEST(e.out_of_date_since == kT0 + 100 * kDay);
}

BOOST_AUTO_TEST_CASE(tdx_level_must_also_match_the_sgx_components) {
  // SGX comps only match the older levels; TDX comps would match the newest.
  PlatformTcb p{Comps({2, 2}), 13};
  auto e = EvaluateTcb(TdxInfo(), p, Td({5, 0, 3}), QeOk());
  BOOST_TEST(e.matched);
  BOOST_TEST(e.status == TcbStatus::kOutOfDate);
}

BOOST_AUTO_TEST_CASE(module_major_version_skips_two_bytes_and_uses_the_identity) {
  PlatformTcb p{Comps({3, 3}), 13};
  // Major 1, minor 6 (>= 6): UpToDate; bytes 0 and 1 are not compared with 5 and 0.
  auto e = EvaluateTcb(TdxInfo(), p, Td({6, 1, 3}), QeOk());
  BOOST_TEST(e.matched);
  BOOST_TEST(e.status == TcbStatus::kUpToDate);
  // Minor 4: the module is OutOfDate, which pulls the level down.
  e = EvaluateTcb(TdxInfo(), p, Td({4, 1, 3}), QeOk());
  BOOST_TEST(e.status == TcbStatus::kOutOfDate);
  BOOST_TEST(e.advisory_ids == std::vector<std::string>{"INTEL-SA-MOD"},
             boost::test_tools::per_element());
  BOOST_TEST(e.out_of_date_since == kT0 + 100 * kDay);
  // Minor 3: below every module level.
  BOOST_TEST(!EvaluateTcb(TdxInfo(), p, Td({3, 1, 3}), QeOk()).matched);
  // Major 2: no TDX_02 identity.
  BOOST_TEST(!EvaluateTcb(TdxInfo(), p, Td({6, 2, 3}), QeOk()).matched);
}

BOOST_AUTO_TEST_CASE(module_signer_and_attributes) {
  PlatformTcb p{Comps({3, 3}), 13};
  auto td = Td({5, 0, 3});
  td.mr_signer_seam[0] = 1;
  BOOST_TEST(!EvaluateTcb(TdxInfo(), p, td, QeOk()).matched);
  td = Td({5, 0, 3});
  td.seam_attributes[7] = 0x80;
  BOOST_TEST(!EvaluateTcb(TdxInfo(), p, td, QeOk()).matched);
  // With a module identity, its own signer is the reference.
  auto info = TdxInfo();
  info.tdx_module_identities[0].mrsigner[0] = 7;
  td = Td({6, 1, 3});
  BOOST_TEST(!EvaluateTcb(info, p, td, QeOk()).matched);
  td.mr_signer_seam[0] = 7;
  BOOST_TEST(EvaluateTcb(info, p, td, QeOk()).matched);
}

BOOST_AUTO_TEST_CASE(qe_status_converges) {
  PlatformTcb p{Comps({3, 3}), 13};
  auto qe_report = GoodQe();
  qe_report.isv_svn = 6;
  const auto qe_out = EvaluateQe(Qe(), qe_report);
  auto e = EvaluateTcb(TdxInfo(), p, Td({5, 0, 3}), qe_out);
  BOOST_TEST(e.status == TcbStatus::kOutOfDate);
  BOOST_TEST(e.advisory_ids == std::vector<std::string>{"INTEL-SA-00615"},
             boost::test_tools::per_element());
  BOOST_TEST(e.out_of_date_since == kT0 + 100 * kDay);
  // Configuration-needed levels become OutOfDateConfigurationNeeded.
  PlatformTcb s{Comps({21, 21, 2, 4, 1, 128, 0}), 13};
  auto sgx_qe = Qe();
  sgx_qe.id = "QE";
  e = EvaluateTcb(SgxInfo(), s, std::nullopt, EvaluateQe(sgx_qe, qe_report));
  BOOST_TEST(e.status == TcbStatus::kOutOfDateConfigurationNeeded);
  // A revoked QE revokes everything.
  qe_report.isv_svn = 2;
  e = EvaluateTcb(TdxInfo(), p, Td({5, 0, 3}), EvaluateQe(Qe(), qe_report));
  BOOST_TEST(e.status == TcbStatus::kRevoked);
  // A QE below every level: no match.
  qe_report.isv_svn = 1;
  BOOST_TEST(!EvaluateTcb(TdxInfo(), p, Td({5, 0, 3}), EvaluateQe(Qe(), qe_report)).matched);
}

BOOST_AUTO_TEST_CASE(td15_relaunch_advised) {
  // The running module (svn 4) is out of date, but TEE_TCB_SVN2 shows the
  // updated one (svn 6) is loaded: relaunching the TD picks it up.
  PlatformTcb p{Comps({3, 3}), 13};
  auto td = Td({4, 1, 3});
  td.tee_tcb_svn2 = Svn16{6, 1, 3};
  auto e = EvaluateTcb(TdxInfo(), p, td, QeOk());
  BOOST_TEST(e.status == TcbStatus::kTDRelaunchAdvised);
  td.tee_tcb_svn2 = Svn16{5, 1, 3};
  BOOST_TEST(EvaluateTcb(TdxInfo(), p, td, QeOk()).status == TcbStatus::kOutOfDate);
  // Not with an out-of-date QE.
  auto qe_report = GoodQe();
  qe_report.isv_svn = 6;
  td.tee_tcb_svn2 = Svn16{6, 1, 3};
  BOOST_TEST(EvaluateTcb(TdxInfo(), p, td, EvaluateQe(Qe(), qe_report)).status ==
             TcbStatus::kOutOfDate);
}

BOOST_AUTO_TEST_CASE(names_round_trip) {
  for (size_t i = 0; i < kTcbStatusCount; ++i) {
    const auto s = static_cast<TcbStatus>(i);
    BOOST_TEST((TcbStatusFromName(TcbStatusName(s)) == std::optional<TcbStatus>(s)));
  }
  BOOST_TEST(!TcbStatusFromName("uptodate").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
