// One test per check of the SEV-SNP verifier (issue 4, DESIGN §3): each case
// changes one thing in an otherwise genuine simulated scenario, asserts that
// the unchanged scenario is valid, and that the changed one fails with
// exactly one failure of the expected code.
#include <boost/test/unit_test.hpp>

#include <functional>
#include <string>
#include <vector>

#include "crypto/hash.h"
#include "scenario.h"
#include "support/test_support.h"

using namespace tenzro::tee;
using namespace tenzro::tee::snp;
using namespace tenzro::tee::snp::testing;
using format::Product;

namespace {

using Edit = std::function<void(Scenario&)>;

struct Case {
  std::string name;
  Product product;
  Edit fault;
  FailureCode code;
  Edit setup = nullptr;  // applied to both the baseline and the faulted scenario
};

void RunCases(const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      Scenario base(c.product);
      if (c.setup) c.setup(base);
      ExpectValid(base);
      Scenario faulted = base;
      c.fault(faulted);
      ExpectAlone(faulted, c.code);
    }
  }
}

void SetByte(Bytes& b, size_t offset, uint8_t v) { b.at(offset) = v; }

// A VEK spec derived from the scenario's report, changed by `f`.
Edit Vek(std::function<void(sim::VekSpec&)> f) {
  return [f](Scenario& s) {
    sim::VekSpec v = s.sim.vek ? *s.sim.vek : sim::VekSpecFor(s.sim.report);
    f(v);
    s.sim.vek = v;
  };
}

x509::Certificate Intermediate(const sim::IntermediateSpec& spec) {
  auto c = sim::IssueIntermediate(spec);
  if (!c.ok()) BOOST_FAIL(c.status().ToString());
  return *c;
}

// Milan VLEK scenarios (AWS-like: VLEK-signed, chain ARK -> ASVK -> VLEK).
void UseVlek(Scenario& s) { s.sim.report.signing_key = format::kSigningKeyVlek; }

constexpr int64_t k2023 = 1'672'531'200;  // 2023-01-01
constexpr int64_t k2050 = 2'524'608'000;  // 2050-01-01

}  // namespace

BOOST_AUTO_TEST_SUITE(snp_checks)

// ---- malformed / unsupported ---------------------------------------------------

BOOST_AUTO_TEST_CASE(reserved_fields_each_range_each_version) {
  std::vector<Case> cases;
  struct V {
    Product product;
    uint32_t version;
  };
  for (V v : {V{Product::kMilan, 2}, V{Product::kGenoa, 3}, V{Product::kMilan, 4},
              V{Product::kTurin, 5}}) {
    for (format::Range r : format::ReservedRanges(v.version)) {
      const bool in_signature = r.offset >= format::kSignedSize;
      for (size_t at : {r.offset, r.end() - 1}) {
        Case c{"v" + std::to_string(v.version) + " reserved byte " + std::to_string(at), v.product,
               nullptr, FailureCode::kMalformed};
        c.setup = [v](Scenario& s) { s.sim.report.version = v.version; };
        if (in_signature) {
          c.fault = [at](Scenario& s) { s.edit_evidence = [at](Bytes& b) { SetByte(b, at, 1); }; };
        } else {
          c.fault = [at](Scenario& s) { s.edit_report = [at](Bytes& b) { SetByte(b, at, 1); }; };
        }
        cases.push_back(std::move(c));
      }
    }
  }
  RunCases(cases);
}

BOOST_AUTO_TEST_CASE(reserved_bits_and_bytes_inside_fields) {
  const size_t tcb = format::kReportedTcb.offset;
  RunCases({
      {"POLICY bit 17 (must be one) clear", Product::kGenoa,
       [](Scenario& s) { s.sim.report.policy &= ~(1ull << format::kPolicyBitReservedOne); },
       FailureCode::kMalformed},
      {"POLICY reserved bit 40", Product::kGenoa,
       [](Scenario& s) { s.sim.report.policy |= 1ull << 40; }, FailureCode::kMalformed},
      {"SIGNER_INFO reserved bit 5", Product::kGenoa,
       [](Scenario& s) { s.sim.report.signer_info_reserved = 1u << 5; }, FailureCode::kMalformed},
      {"Milan/Genoa REPORTED_TCB reserved byte 2", Product::kGenoa,
       [](Scenario& s) { s.edit_report = [](Bytes& b) { SetByte(b, tcb + 2, 1); }; },
       FailureCode::kMalformed},
      {"Turin REPORTED_TCB reserved byte 5", Product::kTurin,
       [](Scenario& s) { s.edit_report = [](Bytes& b) { SetByte(b, tcb + 5, 1); }; },
       FailureCode::kMalformed},
      {"Turin CURRENT_TCB reserved byte 4", Product::kTurin,
       [](Scenario& s) {
         s.edit_report = [](Bytes& b) { SetByte(b, format::kCurrentTcb.offset + 4, 1); };
       },
       FailureCode::kMalformed},
      {"Turin CHIP_ID byte 8 (only 8 bytes are the id)", Product::kTurin,
       [](Scenario& s) {
         s.edit_report = [](Bytes& b) { SetByte(b, format::kChipId.offset + 8, 1); };
       },
       FailureCode::kMalformed},
      {"signature R above the 48-byte scalar", Product::kGenoa,
       [](Scenario& s) {
         s.edit_evidence = [](Bytes& b) { SetByte(b, format::kSignatureR.offset + 48, 1); };
       },
       FailureCode::kMalformed},
      {"signature S above the 48-byte scalar", Product::kGenoa,
       [](Scenario& s) {
         s.edit_evidence = [](Bytes& b) { SetByte(b, format::kSignatureS.end() - 1, 1); };
       },
       FailureCode::kMalformed},
  });
}

BOOST_AUTO_TEST_CASE(evidence_shape) {
  RunCases({
      {"truncated report", Product::kGenoa,
       [](Scenario& s) { s.edit_evidence = [](Bytes& b) { b.resize(1000); }; },
       FailureCode::kMalformed},
      {"certificate table without its terminator", Product::kGenoa,
       [](Scenario& s) {
         s.edit_evidence = [](Bytes& b) {
           b.resize(format::kReportSize + 3 * format::kCertTableEntrySize);
         };
       },
       FailureCode::kMalformed},
      {"certificate entry past the end", Product::kGenoa,
       [](Scenario& s) { s.edit_evidence = [](Bytes& b) { b.resize(b.size() - 1); }; },
       FailureCode::kMalformed},
      {"HCL with a non-SNP report type", Product::kGenoa,
       [](Scenario& s) {
         s.edit_evidence = [](Bytes& b) {
           sim::PutLe32At(b, format::kHclIgvmReportType.offset, 1);
         };
       },
       FailureCode::kUnsupported, [](Scenario& s) { s.form = Form::kHclWithCollateral; }},
      {"HCL with inconsistent sizes", Product::kGenoa,
       [](Scenario& s) {
         s.edit_evidence = [](Bytes& b) {
           sim::PutLe32At(b, format::kHclIgvmVariableSize.offset, 5);
         };
       },
       FailureCode::kMalformed, [](Scenario& s) { s.form = Form::kHclWithCollateral; }},
  });
}

BOOST_AUTO_TEST_CASE(version_and_signature_algorithm) {
  RunCases({
      {"version 1", Product::kGenoa, [](Scenario& s) { s.sim.report.version = 1; },
       FailureCode::kUnsupported},
      {"version 6", Product::kGenoa, [](Scenario& s) { s.sim.report.version = 6; },
       FailureCode::kUnsupported},
      {"SIGNATURE_ALGO 2", Product::kGenoa, [](Scenario& s) { s.sim.report.signature_algo = 2; },
       FailureCode::kUnsupported},
      {"SIGNATURE_ALGO 0", Product::kTurin, [](Scenario& s) { s.sim.report.signature_algo = 0; },
       FailureCode::kUnsupported},
  });
}

BOOST_AUTO_TEST_CASE(every_version_and_form_passes) {
  struct V {
    Product product;
    uint32_t version;
  };
  for (V v : {V{Product::kMilan, 2}, V{Product::kMilan, 3}, V{Product::kMilan, 4},
              V{Product::kGenoa, 2}, V{Product::kGenoa, 3}, V{Product::kGenoa, 5},
              V{Product::kTurin, 3}, V{Product::kTurin, 5}}) {
    for (Form f : {Form::kExtended, Form::kExtendedArkFromCollateral, Form::kRawWithCollateral,
                   Form::kHclWithCollateral}) {
      BOOST_TEST_CONTEXT(format::ProductName(v.product)
                         << " v" << v.version << " form " << static_cast<int>(f)) {
        Scenario s(v.product);
        s.sim.report.version = v.version;
        s.form = f;
        ExpectValid(s);
      }
    }
  }
}

// ---- product detection -----------------------------------------------------------

BOOST_AUTO_TEST_CASE(product_detection) {
  RunCases({
      {"unknown CPUID family", Product::kGenoa,
       [](Scenario& s) {
         s.sim.report.cpuid = sim::Cpuid{0x17, 0x31, 0};
       },
       FailureCode::kUnsupported},
      {"unknown CPUID model of family 19h", Product::kGenoa,
       [](Scenario& s) {
         s.sim.report.cpuid = sim::Cpuid{0x19, 0x50, 0};
       },
       FailureCode::kUnsupported},
      {"CPUID says Milan, the chain is Genoa's", Product::kGenoa,
       [](Scenario& s) { s.sim.report.cpuid = sim::DefaultCpuid(Product::kMilan); },
       FailureCode::kChainUntrusted},
      {"v2: the VEK names no known product", Product::kGenoa,
       Vek([](sim::VekSpec& v) { v.product_name = "Rome"; }), FailureCode::kUnsupported,
       [](Scenario& s) { s.sim.report.version = 2; }},
      {"v2: the VEK is Milan's, the chain Genoa's", Product::kGenoa,
       Vek([](sim::VekSpec& v) { v.product_name = "Milan-B0"; }), FailureCode::kChainUntrusted,
       [](Scenario& s) { s.sim.report.version = 2; }},
  });
  // Siena (family 19h, model A0h) runs on Genoa's roots.
  Scenario siena(Product::kGenoa);
  siena.sim.report.cpuid = sim::Cpuid{0x19, 0xA0, 2};
  ExpectValid(siena);
  // The product named by the report is the verdict's.
  Scenario turin(Product::kTurin);
  BOOST_TEST(Run(turin).verdict.ClaimsJson().value("product", "") == "Turin");
}

// ---- signer and leaf kind -----------------------------------------------------------

BOOST_AUTO_TEST_CASE(signer_info_against_the_leaf) {
  RunCases({
      {"SIGNING_KEY reserved value 3", Product::kGenoa,
       [](Scenario& s) {
         s.edit_report = [](Bytes& b) {
           sim::PutLe32At(b, format::kSignerInfo.offset, 3u << format::kSignerSigningKeyShift);
         };
       },
       FailureCode::kMalformed},
      {"SIGNING_KEY 7 (no key)", Product::kGenoa,
       [](Scenario& s) { s.sim.report.signing_key = format::kSigningKeyNone; },
       FailureCode::kUnsupported},
      {"SIGNER_INFO says VLEK, a VCEK ships", Product::kGenoa,
       [](Scenario& s) {
         s.sim.vek = sim::VekSpecFor(s.sim.report);
         s.sim.report.signing_key = format::kSigningKeyVlek;
       },
       FailureCode::kChainUntrusted},
      {"SIGNER_INFO says VCEK, a VLEK ships", Product::kMilan,
       [](Scenario& s) {
         s.sim.vek = sim::VekSpecFor(s.sim.report);
         s.sim.report.signing_key = format::kSigningKeyVcek;
       },
       FailureCode::kChainUntrusted, UseVlek},
  });
  Scenario vlek(Product::kMilan);
  UseVlek(vlek);
  BOOST_TEST(Run(vlek).verdict.ClaimsJson().value("signing_key", "") == "vlek");
}

// ---- trust anchors and chain signatures ---------------------------------------------------

BOOST_AUTO_TEST_CASE(ark_pin_and_shipped_ark) {
  RunCases({
      {"dev ARK not pinned", Product::kGenoa,
       [](Scenario& s) { s.dev_arks = std::vector<DevArk>{}; }, FailureCode::kChainUntrusted},
      {"the other products' dev ARKs only", Product::kTurin,
       [](Scenario& s) {
         std::vector<DevArk> others;
         for (const auto& d : BuiltinDevArks()) {
           if (d.product != Product::kTurin) others.push_back(d);
         }
         s.dev_arks = others;
       },
       FailureCode::kChainUntrusted},
      {"shipped ARK is not the pinned one", Product::kGenoa,
       [](Scenario& s) { s.sim.ark = RogueArk(Product::kGenoa); }, FailureCode::kChainUntrusted},
      {"no ARK at hand", Product::kGenoa, [](Scenario& s) { s.form = Form::kExtendedNoArk; },
       FailureCode::kChainIncomplete},
  });
}

// Issue 4: "an ARK shipped with the evidence must equal the pinned one", even
// when the pinned ARK is at hand in collateral.
BOOST_AUTO_TEST_CASE(shipped_ark_must_equal_the_pin_even_with_the_pinned_one_at_hand) {
  Scenario base(Product::kGenoa);
  const std::string chain = ChainPemOf(Product::kGenoa, false);
  base.collateral.push_back(Bytes(chain.begin(), chain.end()));
  ExpectValid(base);
  Scenario faulted = base;
  faulted.sim.ark = RogueArk(Product::kGenoa);
  ExpectAlone(faulted, FailureCode::kChainUntrusted);
}

BOOST_AUTO_TEST_CASE(each_chain_signature) {
  RunCases({
      {"ARK self-signature", Product::kGenoa,
       [](Scenario& s) {
         // The dev ARK with one bit of its signature flipped, and pinned as it
         // is: only the self-signature can fail.
         Bytes der = sim::DevPki(Product::kGenoa).ark.cert.der();
         der.back() ^= 0x01;
         auto bad = x509::Certificate::FromDer(AsView(der));
         BOOST_REQUIRE(bad.ok());
         s.sim.ark = *bad;
         s.dev_arks = std::vector<DevArk>{{Product::kGenoa, bad->fingerprint()}};
       },
       FailureCode::kChainUntrusted},
      {"ASK not signed by the ARK", Product::kGenoa,
       [](Scenario& s) {
         sim::IntermediateSpec i;
         i.product = Product::kGenoa;
         i.issuer = &ForgedArkSigner(Product::kGenoa);
         s.sim.intermediate = Intermediate(i);
       },
       FailureCode::kChainUntrusted},
      {"VCEK not signed by the ASK", Product::kGenoa,
       Vek([](sim::VekSpec& v) { v.issuer = &ForgedAskSigner(Product::kGenoa); }),
       FailureCode::kChainUntrusted},
      {"ASVK not signed by the ARK", Product::kMilan,
       [](Scenario& s) {
         sim::IntermediateSpec i;
         i.product = Product::kMilan;
         i.asvk = true;
         i.issuer = &ForgedArkSigner(Product::kMilan);
         s.sim.intermediate = Intermediate(i);
       },
       FailureCode::kChainUntrusted, UseVlek},
      {"VLEK not signed by the ASVK", Product::kMilan,
       Vek([](sim::VekSpec& v) { v.issuer = &ForgedAsvkSigner(Product::kMilan); }),
       FailureCode::kChainUntrusted, UseVlek},
      {"Turin VCEK not signed by the ASK", Product::kTurin,
       Vek([](sim::VekSpec& v) { v.issuer = &ForgedAskSigner(Product::kTurin); }),
       FailureCode::kChainUntrusted},
  });
}

BOOST_AUTO_TEST_CASE(subject_names) {
  RunCases({
      {"VCEK issued by an ASK named for another product", Product::kGenoa,
       [](Scenario& s) {
         static const sim::DevCa misnamed = [] {
           sim::IntermediateSpec i;
           i.product = Product::kGenoa;
           i.cn = "SEV-Milan";
           return sim::DevCa{*sim::IssueIntermediate(i), sim::DevPki(Product::kGenoa).ask.key};
         }();
         s.sim.intermediate = misnamed.cert;
         auto v = sim::VekSpecFor(s.sim.report);
         v.issuer = &misnamed;
         s.sim.vek = v;
       },
       FailureCode::kChainUntrusted},
      {"VLEK report with the ASK instead of the ASVK", Product::kMilan,
       [](Scenario& s) { s.sim.intermediate = sim::DevPki(Product::kMilan).ask.cert; },
       FailureCode::kChainIncomplete, UseVlek},
      {"VCEK report with the ASVK instead of the ASK", Product::kGenoa,
       [](Scenario& s) { s.sim.intermediate = sim::DevPki(Product::kGenoa).asvk.cert; },
       FailureCode::kChainIncomplete},
  });
}

// ---- windows -------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(each_window) {
  // Chains whose ASK and VEK outlive the ARK on either side, so the ARK's
  // window can fail alone.
  auto wide = [](Scenario& s) {
    sim::IntermediateSpec i;
    i.product = s.sim.report.product;
    i.not_before = k2023;
    i.not_after = k2050;
    s.sim.intermediate = Intermediate(i);
    auto v = sim::VekSpecFor(s.sim.report);
    v.not_before = k2023;
    v.not_after = k2050;
    s.sim.vek = v;
  };
  RunCases({
      {"ARK not yet valid", Product::kGenoa, [](Scenario& s) { s.now = k2023 + 86400; },
       FailureCode::kNotYetValid, wide},
      {"ARK expired", Product::kGenoa,
       [](Scenario& s) { s.now = static_cast<uint64_t>(sim::kDevCaNotAfter) + 1; },
       FailureCode::kExpired, wide},
      {"ASK not yet valid", Product::kGenoa,
       [](Scenario& s) {
         sim::IntermediateSpec i;
         i.product = Product::kGenoa;
         i.not_before = static_cast<int64_t>(kNow) + 1;
         s.sim.intermediate = Intermediate(i);
       },
       FailureCode::kNotYetValid},
      {"ASK expired", Product::kGenoa,
       [](Scenario& s) {
         sim::IntermediateSpec i;
         i.product = Product::kGenoa;
         i.not_after = static_cast<int64_t>(kNow) - 1;
         s.sim.intermediate = Intermediate(i);
       },
       FailureCode::kExpired},
      {"ASVK expired", Product::kMilan,
       [](Scenario& s) {
         sim::IntermediateSpec i;
         i.product = Product::kMilan;
         i.asvk = true;
         i.not_after = static_cast<int64_t>(kNow) - 1;
         s.sim.intermediate = Intermediate(i);
       },
       FailureCode::kExpired, UseVlek},
      {"VCEK not yet valid", Product::kGenoa,
       Vek([](sim::VekSpec& v) { v.not_before = static_cast<int64_t>(kNow) + 1; }),
       FailureCode::kNotYetValid},
      {"VCEK expired", Product::kTurin,
       Vek([](sim::VekSpec& v) { v.not_after = static_cast<int64_t>(kNow) - 1; }),
       FailureCode::kExpired},
      {"VLEK expired", Product::kMilan,
       Vek([](sim::VekSpec& v) { v.not_after = static_cast<int64_t>(kNow) - 1; }),
       FailureCode::kExpired, UseVlek},
      {"evidence older than max_age", Product::kGenoa,
       [](Scenario& s) { s.evidence_time = kNow - 86400 - 1; }, FailureCode::kExpired,
       [](Scenario& s) { s.evidence_time = kNow - 86400; }},
      {"evidence time after now", Product::kGenoa, [](Scenario& s) { s.evidence_time = kNow + 1; },
       FailureCode::kNotYetValid, [](Scenario& s) { s.evidence_time = kNow; }},
  });
  // Windows are inclusive (§5): valid at the VEK's notAfter second.
  Scenario edge(Product::kGenoa);
  edge.now = static_cast<uint64_t>(sim::VekSpec{}.not_after);
  ExpectValid(edge);
  // valid_until = min(notAfter of the chain, evidence_time + max_age).
  Scenario dated(Product::kGenoa);
  dated.evidence_time = kNow - 10;
  BOOST_TEST(*Run(dated).verdict.valid_until == kNow - 10 + 86400);
  BOOST_TEST(*Run(edge).verdict.valid_until == static_cast<uint64_t>(sim::VekSpec{}.not_after));
}

// ---- VEK extensions against the report -------------------------------------------------------

BOOST_AUTO_TEST_CASE(each_vek_extension_against_reported_tcb) {
  auto bump = [](uint8_t sim::Tcb::*field) {
    return Vek([field](sim::VekSpec& v) { v.tcb.*field = static_cast<uint8_t>(v.tcb.*field + 1); });
  };
  RunCases({
      {"Genoa blSPL", Product::kGenoa, bump(&sim::Tcb::boot_loader), FailureCode::kNoMatchingTcb},
      {"Genoa teeSPL", Product::kGenoa, bump(&sim::Tcb::tee), FailureCode::kNoMatchingTcb},
      {"Genoa snpSPL", Product::kGenoa, bump(&sim::Tcb::snp), FailureCode::kNoMatchingTcb},
      {"Genoa ucodeSPL", Product::kGenoa, bump(&sim::Tcb::microcode), FailureCode::kNoMatchingTcb},
      {"Milan blSPL", Product::kMilan, bump(&sim::Tcb::boot_loader), FailureCode::kNoMatchingTcb},
      {"Milan ucodeSPL (VLEK)", Product::kMilan, bump(&sim::Tcb::microcode),
       FailureCode::kNoMatchingTcb, UseVlek},
      {"Turin fmcSPL", Product::kTurin, bump(&sim::Tcb::fmc), FailureCode::kNoMatchingTcb},
      {"Turin blSPL", Product::kTurin, bump(&sim::Tcb::boot_loader), FailureCode::kNoMatchingTcb},
      {"Turin teeSPL", Product::kTurin, bump(&sim::Tcb::tee), FailureCode::kNoMatchingTcb},
      {"Turin snpSPL", Product::kTurin, bump(&sim::Tcb::snp), FailureCode::kNoMatchingTcb},
      {"Turin ucodeSPL", Product::kTurin, bump(&sim::Tcb::microcode), FailureCode::kNoMatchingTcb},
      {"snpSPL extension missing", Product::kGenoa,
       Vek([](sim::VekSpec& v) { v.omit_oids = {std::string(format::kOidSnpSpl)}; }),
       FailureCode::kNoMatchingTcb},
      {"Turin fmcSPL extension missing", Product::kTurin,
       Vek([](sim::VekSpec& v) { v.omit_oids = {std::string(format::kOidFmcSpl)}; }),
       FailureCode::kNoMatchingTcb},
      {"REPORTED_TCB moved, the VEK kept", Product::kGenoa,
       [](Scenario& s) {
         s.sim.vek = sim::VekSpecFor(s.sim.report);
         s.sim.report.reported_tcb.snp = static_cast<uint8_t>(s.sim.report.reported_tcb.snp - 1);
       },
       FailureCode::kNoMatchingTcb},
  });
  // The VEK certifies REPORTED_TCB (0x180), not CURRENT_TCB or COMMITTED_TCB.
  Scenario current(Product::kGenoa);
  current.sim.report.current_tcb.microcode = 200;
  current.sim.report.committed_tcb.snp = 1;
  current.sim.report.launch_tcb.boot_loader = 1;
  ExpectValid(current);
}

BOOST_AUTO_TEST_CASE(hwid_against_chip_id) {
  RunCases({
      {"Genoa hwID of another chip", Product::kGenoa, Vek([](sim::VekSpec& v) {
         v.hwid = sim::HwIdFor(Product::kGenoa, sim::DefaultChipId(Product::kMilan));
       }),
       FailureCode::kChainUntrusted},
      {"Turin 8-byte hwID of another chip", Product::kTurin,
       Vek([](sim::VekSpec& v) { v.hwid[7] ^= 0x01; }), FailureCode::kChainUntrusted},
      {"VCEK without hwID", Product::kGenoa, Vek([](sim::VekSpec& v) { v.hwid.clear(); }),
       FailureCode::kChainUntrusted},
      {"report CHIP_ID changed, the VCEK kept", Product::kMilan,
       [](Scenario& s) {
         s.sim.vek = sim::VekSpecFor(s.sim.report);
         s.sim.report.chip_id[63] ^= 0x80;
       },
       FailureCode::kChainUntrusted},
  });
  // hwID wrapped in an OCTET STRING (newer KDS) is the same hwID.
  for (Product p : sim::kDevProducts) {
    Scenario wrapped(p);
    auto v = sim::VekSpecFor(wrapped.sim.report);
    v.hwid_in_octet_string = true;
    wrapped.sim.vek = v;
    ExpectValid(wrapped);
  }
}

// ---- revocation ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(crl_issuer_window_and_revocation) {
  const int64_t t = static_cast<int64_t>(kNow);
  const auto& genoa = sim::DevPki(Product::kGenoa);
  const auto& milan = sim::DevPki(Product::kMilan);
  auto fresh_crl = [](Product p) {
    return [p](Scenario& s) { s.collateral.push_back(DevCrlBundle(p, t - 86400, t + 86400, {})); };
  };
  RunCases({
      {"ASK revoked by the ARK's CRL", Product::kGenoa,
       [&genoa](Scenario& s) {
         s.collateral = {
             DevCrlBundle(Product::kGenoa, t - 86400, t + 86400, {genoa.ask.cert.serial()})};
       },
       FailureCode::kRevoked, fresh_crl(Product::kGenoa)},
      {"ASVK revoked by the ARK's CRL", Product::kMilan,
       [&milan](Scenario& s) {
         s.collateral = {
             DevCrlBundle(Product::kMilan, t - 86400, t + 86400, {milan.asvk.cert.serial()})};
       },
       FailureCode::kRevoked,
       [fresh = fresh_crl(Product::kMilan)](Scenario& s) {
         UseVlek(s);
         fresh(s);
       }},
      {"stale CRL", Product::kGenoa,
       [](Scenario& s) { s.collateral = {DevCrlBundle(Product::kGenoa, t - 86400, t - 1, {})}; },
       FailureCode::kExpired, fresh_crl(Product::kGenoa)},
      {"CRL not yet valid", Product::kGenoa,
       [](Scenario& s) { s.collateral = {DevCrlBundle(Product::kGenoa, t + 1, t + 86400, {})}; },
       FailureCode::kNotYetValid, fresh_crl(Product::kGenoa)},
      {"require_crls without a CRL", Product::kTurin, [](Scenario& s) { s.collateral.clear(); },
       FailureCode::kCollateralMissing,
       [fresh = fresh_crl(Product::kTurin)](Scenario& s) {
         s.policy.require_crls = true;
         fresh(s);
       }},
      {"require_crls with only another product's CRL", Product::kGenoa,
       [](Scenario& s) {
         s.collateral = {DevCrlBundle(Product::kMilan, t - 86400, t + 86400, {})};
       },
       FailureCode::kCollateralMissing,
       [fresh = fresh_crl(Product::kGenoa)](Scenario& s) {
         s.policy.require_crls = true;
         fresh(s);
       }},
  });
}

BOOST_AUTO_TEST_CASE(crl_issuer_must_be_the_ark) {
  const int64_t t = static_cast<int64_t>(kNow);
  const auto& genoa = sim::DevPki(Product::kGenoa);
  // A CRL that names the dev ARK but is signed by another key.
  x509::CrlSpec spec;
  spec.this_update = t - 86400;
  spec.next_update = t + 86400;
  spec.revoked_serials_be = {genoa.ask.cert.serial()};
  spec.scheme = x509::SigScheme::kRsaPssSha384;
  auto forged = x509::IssueCrl(spec, genoa.ark.cert, RogueRsaKey());
  BOOST_REQUIRE(forged.ok());
  const std::string bundle = x509::CrlToPem(*forged) + x509::ToPem({genoa.ark.cert});

  // Admission refuses it.
  CommonPolicy on{true, 86400};
  SnpVerifier verifier(Policy{}, on);
  auto doc = verifier.ParseCollateral(AsView(Bytes(bundle.begin(), bundle.end())), kNow);
  BOOST_TEST((doc.status().code() == ErrorCode::kCollateral));
  // And if it were in the set anyway, it is not believed: the ASK it
  // "revokes" stays good, and a policy that requires CRLs finds none.
  CollateralDoc raw;
  raw.tee_type = TeeType::AmdSevSnp;
  raw.kind = kKindCrl;
  raw.key = Bytes(genoa.ark.cert.fingerprint().begin(), genoa.ark.cert.fingerprint().end());
  raw.this_update = static_cast<uint64_t>(spec.this_update);
  raw.next_update = static_cast<uint64_t>(spec.next_update);
  raw.data = forged->der();
  raw.content_hash = crypto::Sha256(AsView(raw.data));
  Scenario lenient(Product::kGenoa);
  lenient.forced = {raw};
  ExpectValid(lenient);
  RunCases({{"forged CRL under require_crls", Product::kGenoa,
             [raw](Scenario& s) {
               s.collateral.clear();
               s.forced = {raw};
             },
             FailureCode::kCollateralMissing,
             [](Scenario& s) {
               s.policy.require_crls = true;
               s.collateral = {DevCrlBundle(Product::kGenoa, t - 86400, t + 86400, {})};
             }}});
  // A CRL of the Milan ARK listing the Genoa ASK's serial revokes nothing here.
  Scenario other(Product::kGenoa);
  other.collateral = {
      DevCrlBundle(Product::kMilan, t - 86400, t + 86400, {genoa.ask.cert.serial()})};
  ExpectValid(other);
}

// ---- the report signature -----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(report_signature) {
  RunCases({
      {"signed by another P-384 key", Product::kGenoa,
       [](Scenario& s) { s.sim.signing_key = &RogueP384Key(); }, FailureCode::kBadSignature},
      {"signed by the VLEK key, certified VCEK", Product::kMilan,
       [](Scenario& s) { s.sim.signing_key = &sim::DevPki(Product::kMilan).vlek_key; },
       FailureCode::kBadSignature},
      {"MEASUREMENT changed after signing", Product::kTurin,
       [](Scenario& s) {
         s.edit_evidence = [](Bytes& b) { b[format::kMeasurement.offset] ^= 0x01; };
       },
       FailureCode::kBadSignature},
      {"R changed", Product::kGenoa,
       [](Scenario& s) {
         s.edit_evidence = [](Bytes& b) { b[format::kSignatureR.offset] ^= 0x01; };
       },
       FailureCode::kBadSignature},
  });
  Scenario s(Product::kGenoa);
  s.sim.signing_key = &RogueP384Key();
  const Verdict v = Run(s).verdict;
  BOOST_TEST(!v.hardware_verified);
}

// ---- policy on the report's fields ------------------------------------------------------------

BOOST_AUTO_TEST_CASE(debug_migrate_ma_vmpl) {
  RunCases({
      {"DEBUG (bit 19)", Product::kGenoa,
       [](Scenario& s) { s.sim.report.policy |= 1ull << format::kPolicyBitDebug; },
       FailureCode::kDebugEnclave},
      {"MIGRATE_MA (bit 18)", Product::kTurin,
       [](Scenario& s) { s.sim.report.policy |= 1ull << format::kPolicyBitMigrateMa; },
       FailureCode::kPolicyViolation},
      {"VMPL 4 over the default 3", Product::kGenoa, [](Scenario& s) { s.sim.report.vmpl = 4; },
       FailureCode::kVmpl, [](Scenario& s) { s.sim.report.vmpl = 3; }},
      {"VMPL 1 over max_vmpl 0", Product::kMilan, [](Scenario& s) { s.sim.report.vmpl = 1; },
       FailureCode::kVmpl, [](Scenario& s) { s.policy.max_vmpl = 0; }},
  });
  // A debug guest fails by policy while its chain and signature hold.
  Scenario debug(Product::kGenoa);
  debug.sim.report.policy |= 1ull << format::kPolicyBitDebug;
  Verdict v = Run(debug).verdict;
  BOOST_TEST(v.debug);
  BOOST_TEST(v.hardware_verified);
  BOOST_TEST(v.certificate_chain_valid);
  debug.policy.allow_debug = true;
  ExpectValid(debug);
  Scenario ma(Product::kTurin);
  ma.sim.report.policy |= 1ull << format::kPolicyBitMigrateMa;
  ma.policy.allow_migrate_ma = true;
  ExpectValid(ma);
}

BOOST_AUTO_TEST_CASE(minimum_tcb_per_product_and_component) {
  auto min_at_default = [](Scenario& s) {
    const sim::Tcb d = s.sim.report.reported_tcb;
    const MinTcb m{d.fmc, d.boot_loader, d.tee, d.snp, d.microcode};
    switch (s.sim.report.product) {
      case Product::kMilan:
        s.policy.min_tcb_milan = m;
        break;
      case Product::kGenoa:
        s.policy.min_tcb_genoa = m;
        break;
      default:
        s.policy.min_tcb_turin = m;
        break;
    }
  };
  auto raise = [](uint8_t MinTcb::*field) {
    return [field](Scenario& s) {
      std::optional<MinTcb>& m = s.sim.report.product == Product::kMilan   ? s.policy.min_tcb_milan
                                 : s.sim.report.product == Product::kGenoa ? s.policy.min_tcb_genoa
                                                                           : s.policy.min_tcb_turin;
      (*m).*field = static_cast<uint8_t>((*m).*field + 1);
    };
  };
  RunCases({
      {"Genoa boot loader", Product::kGenoa, raise(&MinTcb::boot_loader),
       FailureCode::kFirmwareTooOld, min_at_default},
      {"Genoa TEE", Product::kGenoa, raise(&MinTcb::tee), FailureCode::kFirmwareTooOld,
       min_at_default},
      {"Genoa SNP", Product::kGenoa, raise(&MinTcb::snp), FailureCode::kFirmwareTooOld,
       min_at_default},
      {"Genoa microcode", Product::kGenoa, raise(&MinTcb::microcode), FailureCode::kFirmwareTooOld,
       min_at_default},
      {"Milan SNP", Product::kMilan, raise(&MinTcb::snp), FailureCode::kFirmwareTooOld,
       min_at_default},
      {"Turin FMC", Product::kTurin, raise(&MinTcb::fmc), FailureCode::kFirmwareTooOld,
       min_at_default},
      {"Turin microcode", Product::kTurin, raise(&MinTcb::microcode), FailureCode::kFirmwareTooOld,
       min_at_default},
  });
  // A minimum for one product does not apply to another.
  Scenario genoa(Product::kGenoa);
  genoa.policy.min_tcb_milan = MinTcb{0, 255, 255, 255, 255};
  genoa.policy.min_tcb_turin = MinTcb{255, 255, 255, 255, 255};
  ExpectValid(genoa);
  // FMC is Turin's alone.
  Scenario milan(Product::kMilan);
  milan.policy.min_tcb_milan = MinTcb{255, 0, 0, 0, 0};
  ExpectValid(milan);
}

BOOST_AUTO_TEST_CASE(minimum_committed_firmware) {
  RunCases({
      {"build below", Product::kGenoa,
       [](Scenario& s) {
         s.policy.min_committed_fw = MinFirmware{1, 55, 41};
       },
       FailureCode::kFirmwareTooOld,
       [](Scenario& s) {
         s.policy.min_committed_fw = MinFirmware{1, 55, 40};
       }},
      {"minor below", Product::kTurin,
       [](Scenario& s) {
         s.policy.min_committed_fw = MinFirmware{1, 56, 0};
       },
       FailureCode::kFirmwareTooOld,
       [](Scenario& s) {
         s.policy.min_committed_fw = MinFirmware{1, 54, 255};
       }},
      {"committed below, current above", Product::kMilan,
       [](Scenario& s) {
         s.sim.report.committed_fw = {1, 55, 20};
       },
       FailureCode::kFirmwareTooOld,
       [](Scenario& s) {
         s.policy.min_committed_fw = MinFirmware{1, 55, 30};
         s.sim.report.current_fw = {1, 56, 0};
       }},
  });
}

BOOST_AUTO_TEST_CASE(each_allow_list) {
  auto other48 = [] {
    std::array<uint8_t, 48> a{};
    a.fill(0xEE);
    return a;
  };
  auto other32 = [] {
    std::array<uint8_t, 32> a{};
    a.fill(0xEE);
    return a;
  };
  RunCases({
      {"MEASUREMENT", Product::kGenoa,
       [other48](Scenario& s) { s.policy.measurements = {other48()}; },
       FailureCode::kMeasurementMismatch,
       [](Scenario& s) { s.policy.measurements = {s.sim.report.measurement}; }},
      {"HOST_DATA", Product::kMilan, [other32](Scenario& s) { s.policy.host_data = {other32()}; },
       FailureCode::kMeasurementMismatch,
       [](Scenario& s) {
         s.sim.report.host_data.fill(0x42);
         s.policy.host_data = {s.sim.report.host_data};
       }},
      {"ID_KEY_DIGEST", Product::kTurin,
       [other48](Scenario& s) { s.policy.id_key_digests = {other48()}; },
       FailureCode::kMeasurementMismatch,
       [](Scenario& s) {
         s.sim.report.id_key_digest.fill(0x11);
         s.policy.id_key_digests = {s.sim.report.id_key_digest};
       }},
      {"AUTHOR_KEY_DIGEST", Product::kGenoa,
       [other48](Scenario& s) { s.policy.author_key_digests = {other48()}; },
       FailureCode::kMeasurementMismatch,
       [](Scenario& s) {
         s.sim.report.author_key_en = true;
         s.sim.report.author_key_digest.fill(0x22);
         s.policy.author_key_digests = {s.sim.report.author_key_digest};
       }},
      {"MEASUREMENT not among several", Product::kGenoa,
       [](Scenario& s) { s.sim.report.measurement[0] ^= 0xFF; }, FailureCode::kMeasurementMismatch,
       [other48](Scenario& s) {
         s.policy.measurements = {s.sim.report.measurement, other48()};
         std::sort(s.policy.measurements.begin(), s.policy.measurements.end());
       }},
  });
  Scenario s(Product::kGenoa);
  s.policy.measurements = {other48()};
  const Verdict v = Run(s).verdict;
  BOOST_TEST(!v.measurements_valid);
  BOOST_TEST(v.hardware_verified);
}

BOOST_AUTO_TEST_CASE(masked_chip_id_policy) {
  RunCases({
      {"masked chip id not allowed", Product::kGenoa,
       [](Scenario& s) { s.sim.report.mask_chip_id = true; }, FailureCode::kPolicyViolation,
       [](Scenario& s) { s.policy.allow_masked_chip_id = false; }},
      {"masked VLEK report not allowed", Product::kMilan,
       [](Scenario& s) { s.sim.report.mask_chip_id = true; }, FailureCode::kPolicyViolation,
       [](Scenario& s) {
         UseVlek(s);
         s.policy.allow_masked_chip_id = false;
       }},
  });
  // Built-in defaults accept a masked chip id (§10); the VCEK's hwID then
  // has nothing to match.
  for (Product p : sim::kDevProducts) {
    Scenario masked(p);
    masked.sim.report.mask_chip_id = true;
    ExpectValid(masked);
  }
}

BOOST_AUTO_TEST_CASE(binding) {
  RunCases({
      {"another validator key", Product::kGenoa,
       [](Scenario& s) {
         s.binding->validator_id = tenzro::tee::testing::IdFromLabel("someone-else");
       },
       FailureCode::kBindingMismatch},
      {"another challenge", Product::kTurin,
       [](Scenario& s) { s.binding->challenge = tenzro::tee::testing::HashFromLabel("epoch-7"); },
       FailureCode::kBindingMismatch},
      {"REPORT_DATA not the binding", Product::kMilan,
       [](Scenario& s) { s.sim.report.report_data[63] ^= 1; }, FailureCode::kBindingMismatch},
  });
  Scenario bound(Product::kGenoa);
  BOOST_TEST(*Run(bound).verdict.binding_valid);
  Scenario unbound(Product::kGenoa);
  unbound.binding = std::nullopt;
  unbound.sim.report.report_data.fill(0x5A);
  const Verdict v = Run(unbound).verdict;
  BOOST_TEST(v.valid());
  BOOST_TEST(!v.binding_valid.has_value());
}

BOOST_AUTO_TEST_CASE(simulation_off) {
  RunCases({
      {"dev ARK while simulation is off", Product::kGenoa,
       [](Scenario& s) { s.common.simulation = false; }, FailureCode::kSimulationDisabled},
      {"dev ARK (VLEK) while simulation is off", Product::kMilan,
       [](Scenario& s) { s.common.simulation = false; }, FailureCode::kSimulationDisabled, UseVlek},
  });
  Scenario off(Product::kTurin);
  off.common.simulation = false;
  const Verdict v = Run(off).verdict;
  BOOST_TEST(!v.hardware_verified);
  BOOST_TEST(!v.certificate_chain_valid);
  // Dev collateral is not admitted either.
  SnpVerifier verifier(Policy{}, off.common);
  const std::string chain = ChainPemOf(Product::kTurin, false);
  BOOST_TEST(
      (verifier.ParseCollateral(AsView(Bytes(chain.begin(), chain.end())), kNow).status().code() ==
       ErrorCode::kCollateral));
}

BOOST_AUTO_TEST_SUITE_END()
