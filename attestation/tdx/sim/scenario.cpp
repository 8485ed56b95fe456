#include "attestation/tdx/sim/scenario.h"

#include <algorithm>
#include <cstdio>
#include <string_view>

#include "crypto/hash.h"

namespace tenzro::tee::tdx::sim {
namespace {

template <size_t N>
std::array<uint8_t, N> Fill(uint8_t v) {
  std::array<uint8_t, N> a{};
  a.fill(v);
  return a;
}

// First N bytes of SHA-256 of a label: fixed, documented development values.
template <size_t N>
std::array<uint8_t, N> Labelled(std::string_view label) {
  static_assert(N <= 32);
  Hash32 h = crypto::Sha256(ByteView(reinterpret_cast<const uint8_t*>(label.data()), label.size()));
  std::array<uint8_t, N> a{};
  std::copy_n(h.begin(), N, a.begin());
  return a;
}

constexpr uint64_t kOldTcbDate = 1672531200;  // 2023-01-01

std::array<uint8_t, 16> Below(std::array<uint8_t, 16> comps) {
  for (auto& c : comps) {
    if (c > 0) {
      --c;
      break;
    }
  }
  return comps;
}

}  // namespace

Platform DefaultTdxPlatform() {
  Platform p;
  p.tdx = true;
  p.pck.ppid = Labelled<16>("tenzro-tee-dev-ppid-tdx");
  p.pck.cpusvn = {3, 3, 2, 2, 4, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0};
  p.pck.pcesvn = 11;
  p.pck.pce_id = {0x00, 0x00};
  p.pck.fmspc = {0xDE, 0x7D, 0x00, 0x00, 0x00, 0x00};
  p.pck.sgx_type = 0;
  p.pck.platform_instance_id = Labelled<16>("tenzro-tee-dev-platform-instance-tdx");
  p.pck.configuration = PckExtension::Configuration{};
  p.tee_tcb_svn = {6, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  p.qe.cpusvn = p.pck.cpusvn;
  p.qe.miscselect = 0;
  p.qe.attributes = {0x15, 0, 0, 0, 0, 0, 0, 0, 0xe7, 0, 0, 0, 0, 0, 0, 0};
  p.qe.mrenclave = Labelled<32>("tenzro-tee-dev-td-qe-mrenclave");
  p.qe.mrsigner = Labelled<32>("tenzro-tee-dev-td-qe-mrsigner");
  p.qe.isvprodid = 2;
  p.qe.isvsvn = 4;
  return p;
}

Platform DefaultSgxPlatform() {
  Platform p;
  p.tdx = false;
  p.pck.ppid = Labelled<16>("tenzro-tee-dev-ppid-sgx");
  p.pck.cpusvn = {11, 11, 2, 2, 255, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  p.pck.pcesvn = 13;
  p.pck.pce_id = {0x00, 0x00};
  p.pck.fmspc = {0xDE, 0x56, 0x00, 0x00, 0x00, 0x00};
  p.pck.sgx_type = 0;
  p.pck.platform_instance_id = Labelled<16>("tenzro-tee-dev-platform-instance-sgx");
  p.pck.configuration = PckExtension::Configuration{};
  p.qe.cpusvn = p.pck.cpusvn;
  p.qe.miscselect = 0;
  p.qe.attributes = {0x15, 0, 0, 0, 0, 0, 0, 0, 0x1f, 0, 0, 0, 0, 0, 0, 0};
  p.qe.mrenclave = Labelled<32>("tenzro-tee-dev-qe-mrenclave");
  p.qe.mrsigner = Labelled<32>("tenzro-tee-dev-qe-mrsigner");
  p.qe.isvprodid = 1;
  p.qe.isvsvn = 8;
  return p;
}

Result<KeyedCert> IssuePlatformPck(const Platform& platform, Bytes serial_be, int64_t not_before,
                                   int64_t not_after, const KeyedCert* issuer) {
  const DevPki& dev = Dev();
  PckCertSpec spec;
  spec.ext = platform.pck;
  spec.serial_be = std::move(serial_be);
  spec.not_before = not_before;
  spec.not_after = not_after;
  const KeyedCert& leaf = platform.tdx ? dev.pck_tdx : dev.pck_sgx;
  TEE_ASSIGN_OR_RETURN(x509::Certificate cert,
                       IssuePck(spec, leaf.key.public_key(), issuer ? *issuer : dev.platform_ca));
  return KeyedCert{std::move(cert), leaf.key};
}

QuoteSpec DefaultQuote(const Platform& p, QuoteFormat format) {
  QuoteSpec q;
  q.format = format;
  q.qe_report = p.qe;
  for (uint8_t i = 0; i < 32; ++i) q.qe_auth_data.push_back(i);  // as Intel's QE does
  if (IsTdx(format)) {
    q.td.tee_tcb_svn = p.tee_tcb_svn;
    q.td.tee_tcb_svn2 = p.tee_tcb_svn;
    q.td.mrseam = Fill<48>(0x5e);
    q.td.mrsignerseam = p.mrsignerseam;
    q.td.seam_attributes = p.seam_attributes;
    q.td.td_attributes = fmt::kTdAttrSeptVeDisable;
    q.td.xfam = 0x00000000000642e7;
    q.td.mrtd = Fill<48>(0x7d);
    q.td.rtmr = {Fill<48>(0xa0), Fill<48>(0xa1), Fill<48>(0xa2), Fill<48>(0xa3)};
  } else {
    if (format == QuoteFormat::kSgxV3) {  // v3 headers carry them; v5's are reserved
      q.qe_svn = p.qe.isvsvn;
      q.pce_svn = p.pck.pcesvn;
    }
    q.enclave.cpusvn = p.pck.cpusvn;
    q.enclave.attributes = {0x05, 0, 0, 0, 0, 0, 0, 0, 0x03, 0, 0, 0, 0, 0, 0, 0};
    q.enclave.mrenclave = Fill<32>(0xec);
    q.enclave.mrsigner = Fill<32>(0x51);
    q.enclave.isvprodid = 1;
    q.enclave.isvsvn = 1;
  }
  return q;
}

TcbInfoSpec DefaultTcbInfo(const Platform& p, uint64_t issue_date, uint64_t next_update) {
  TcbInfoSpec t;
  t.tdx = p.tdx;
  t.issue_date = issue_date;
  t.next_update = next_update;
  t.fmspc = p.pck.fmspc;
  t.pce_id = p.pck.pce_id;
  t.tcb_evaluation_data_number = 17;
  TcbLevel current;
  current.sgx_components = p.pck.cpusvn;
  current.pcesvn = p.pck.pcesvn;
  current.tdx_components = p.tdx ? p.tee_tcb_svn : std::array<uint8_t, 16>{};
  current.tcb_date = issue_date - 30 * kDay;
  current.status = "UpToDate";
  TcbLevel old = current;
  old.sgx_components = Below(current.sgx_components);
  old.pcesvn = static_cast<uint16_t>(current.pcesvn > 0 ? current.pcesvn - 1 : 0);
  old.tcb_date = kOldTcbDate;
  old.status = "OutOfDate";
  old.advisory_ids = {kOldLevelAdvisory};
  t.levels = {current, old};
  if (p.tdx) {
    t.module_mrsigner = p.mrsignerseam;
    t.module_attributes = p.seam_attributes;
    char id[8];
    std::snprintf(id, sizeof id, "TDX_%02X", p.tee_tcb_svn[1]);
    TdxModuleIdentity m;
    m.id = id;
    m.mrsigner = p.mrsignerseam;
    m.attributes = p.seam_attributes;
    m.levels.push_back({p.tee_tcb_svn[0], current.tcb_date, "UpToDate", {}});
    if (p.tee_tcb_svn[0] > 0) {
      m.levels.push_back({static_cast<uint8_t>(p.tee_tcb_svn[0] - 1),
                          kOldTcbDate,
                          "OutOfDate",
                          {kOldLevelAdvisory}});
    }
    t.module_identities.push_back(std::move(m));
  }
  return t;
}

QeIdentitySpec DefaultQeIdentity(const Platform& p, uint64_t issue_date, uint64_t next_update) {
  QeIdentitySpec q;
  q.id = p.tdx ? "TD_QE" : "QE";
  q.issue_date = issue_date;
  q.next_update = next_update;
  q.tcb_evaluation_data_number = 17;
  q.miscselect = p.qe.miscselect;
  q.miscselect_mask = 0xffffffff;
  // Intel's mask ignores MODE64BIT (flags bit 2) and all of XFRM.
  q.attributes_mask = {0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0};
  for (size_t i = 0; i < 16; ++i) {
    q.attributes[i] = static_cast<uint8_t>(p.qe.attributes[i] & q.attributes_mask[i]);
  }
  q.mrsigner = p.qe.mrsigner;
  q.isvprodid = p.qe.isvprodid;
  q.levels.push_back({p.qe.isvsvn, issue_date - 30 * kDay, "UpToDate", {}});
  if (p.qe.isvsvn > 0) {
    q.levels.push_back(
        {static_cast<uint16_t>(p.qe.isvsvn - 1), kOldTcbDate, "OutOfDate", {kOldLevelAdvisory}});
  }
  return q;
}

namespace {
Scenario Build(Platform p, QuoteFormat format, uint64_t now) {
  Scenario s;
  s.platform = std::move(p);
  s.now = now;
  s.quote = DefaultQuote(s.platform, format);
  s.tcb_info = DefaultTcbInfo(s.platform, now - 10 * kDay, now + 20 * kDay);
  s.qe_identity = DefaultQeIdentity(s.platform, now - 10 * kDay, now + 20 * kDay);
  s.pck_crl.this_update = now - kDay;
  s.pck_crl.next_update = now + 29 * kDay;
  s.root_crl.this_update = now - kDay;
  s.root_crl.next_update = now + 29 * kDay;
  return s;
}
}  // namespace

Scenario Scenario::Tdx(QuoteFormat format, uint64_t now) {
  return Build(DefaultTdxPlatform(), format, now);
}

Scenario Scenario::Sgx(uint64_t now, QuoteFormat format) {
  return Build(DefaultSgxPlatform(), format, now);
}

Result<Bytes> Scenario::Quote() const { return MakeQuote(quote); }

Result<std::vector<Bytes>> Scenario::Collateral() const {
  std::vector<Bytes> out;
  if (with_tcb_info) {
    TEE_ASSIGN_OR_RETURN(Bytes b, MakeTcbInfo(tcb_info));
    out.push_back(std::move(b));
  }
  if (with_qe_identity) {
    TEE_ASSIGN_OR_RETURN(Bytes b, MakeQeIdentity(qe_identity));
    out.push_back(std::move(b));
  }
  if (with_pck_crl) {
    TEE_ASSIGN_OR_RETURN(Bytes b, MakePckCrl(pck_crl));
    out.push_back(std::move(b));
  }
  if (with_root_crl) {
    TEE_ASSIGN_OR_RETURN(Bytes b, MakeRootCaCrl(root_crl));
    out.push_back(std::move(b));
  }
  out.insert(out.end(), extra_collateral.begin(), extra_collateral.end());
  return out;
}

Result<Bytes> SimulateQuote(bool tdx, const ReportDataBinding& binding) {
  Scenario s = tdx ? Scenario::Tdx() : Scenario::Sgx();
  s.quote.binding = binding;
  return s.Quote();
}

Result<std::vector<Bytes>> SimulateCollateral(bool tdx, uint64_t now) {
  return (tdx ? Scenario::Tdx(QuoteFormat::kTdxV4, now) : Scenario::Sgx(now)).Collateral();
}

}  // namespace tenzro::tee::tdx::sim
