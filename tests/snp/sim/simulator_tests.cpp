// The SNP simulator itself: the committed development PKI is what it claims
// (RSA-PSS chains to the pinned dev ARKs, names, windows), and every report it
// writes is byte-exact at the offsets of report_format.h and signed so that
// an independent check with crypto/x509 accepts it. These tests do not use
// the verifier, so a simulator bug cannot hide behind a verifier bug.
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "attestation/snp/sim/dev_roots.h"
#include "attestation/snp/sim/simulator.h"
#include "crypto/hash.h"

using namespace tenzro::tee;
using namespace tenzro::tee::snp;
using format::Product;

namespace {

uint64_t Le(const Bytes& b, size_t off, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t{b[off + i]} << (8 * i);
  return v;
}

// The report signature checked from first principles: R and S little-endian
// 72-byte fields -> big-endian 48-byte scalars, ECDSA P-384 over [0, 0x2A0).
bool SignatureVerifies(const Bytes& report, const x509::PublicKey& key) {
  Bytes r(48), s(48);
  for (size_t i = 0; i < 48; ++i) {
    r[47 - i] = report[format::kSignatureR.offset + i];
    s[47 - i] = report[format::kSignatureS.offset + i];
  }
  return x509::EcdsaVerify(key, x509::Digest::kSha384, ByteView(report.data(), format::kSignedSize),
                           AsView(r), AsView(s));
}

bool AllZero(const Bytes& b, format::Range r) {
  return std::all_of(b.begin() + static_cast<std::ptrdiff_t>(r.offset),
                     b.begin() + static_cast<std::ptrdiff_t>(r.end()),
                     [](uint8_t x) { return x == 0; });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(snp_simulator)

BOOST_AUTO_TEST_CASE(dev_pki_chains_and_pins) {
  for (Product p : sim::kDevProducts) {
    const auto& pki = sim::DevPki(p);
    const std::string name(format::ProductName(p));
    BOOST_TEST_CONTEXT(name) {
      BOOST_TEST(pki.ark.cert.IssuedBy(pki.ark.cert));
      BOOST_TEST(pki.ask.cert.IssuedBy(pki.ark.cert));
      BOOST_TEST(pki.asvk.cert.IssuedBy(pki.ark.cert));
      BOOST_TEST(!pki.ask.cert.IssuedBy(pki.asvk.cert));
      BOOST_TEST(*pki.ark.cert.SubjectAttr("CN") == "ARK-" + name);
      BOOST_TEST(*pki.ask.cert.SubjectAttr("CN") == "SEV-" + name);
      BOOST_TEST(*pki.asvk.cert.SubjectAttr("CN") == "SEV-VLEK-" + name);
      BOOST_TEST(*pki.ark.cert.SubjectAttr("O") == sim::kDevOrganization);
      BOOST_TEST(pki.ark.cert.is_ca());
      BOOST_TEST(pki.ark.cert.not_before() == sim::kDevCaNotBefore);
      BOOST_TEST(pki.ask.cert.not_after() == sim::kDevCaNotAfter);
      // The private keys are the certificates' keys.
      BOOST_TEST(pki.ark.key.public_key().get() != nullptr);
      // The pin published in dev_roots.h is the committed ARK's fingerprint.
      auto pin = std::find_if(sim::kDevArkPins.begin(), sim::kDevArkPins.end(),
                              [&](const sim::DevArkPin& d) { return d.product == p; });
      BOOST_REQUIRE(pin != sim::kDevArkPins.end());
      BOOST_TEST(pin->sha256_hex == ToHex(pki.ark.cert.fingerprint()));
      // Never one of AMD's pins (issue 4).
      for (const char* amd : {"69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd",
                              "4c6598d19c18719c5dfd4a7d335f674e5bfe1d8f800cea2cf270c10d103db2f1",
                              "1f084161a44bb6d93778a904877d4819cafa5d05ef4193b2ded9dd9c73dd3f6a"}) {
        BOOST_TEST(ToHex(pki.ark.cert.fingerprint()) != amd);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(vcek_extensions_match_the_report) {
  for (Product p : sim::kDevProducts) {
    BOOST_TEST_CONTEXT(format::ProductName(p)) {
      auto spec = sim::DefaultSimSpec(p);
      auto ev = sim::Simulate(spec);
      BOOST_REQUIRE(ev.ok());
      const auto& vek = ev->vek;
      BOOST_TEST(vek.IssuedBy(sim::DevPki(p).ask.cert));
      BOOST_TEST(*vek.SubjectAttr("CN") == "SEV-VCEK");
      const sim::Tcb t = spec.report.reported_tcb;
      BOOST_TEST((*vek.Extension(format::kOidBlSpl) == Bytes{0x02, 0x01, t.boot_loader}));
      BOOST_TEST((*vek.Extension(format::kOidSnpSpl) == Bytes{0x02, 0x01, t.snp}));
      // hwID: raw bytes of the chip id (Turin: its first 8 bytes).
      Bytes hwid = *vek.Extension(format::kOidHwId);
      BOOST_TEST(hwid.size() == (p == Product::kTurin ? 8u : 64u));
      BOOST_TEST(std::equal(hwid.begin(), hwid.end(), spec.report.chip_id.begin()));
      BOOST_TEST(vek.Extension(format::kOidFmcSpl).has_value() == (p == Product::kTurin));
      BOOST_TEST(!vek.Extension(format::kOidCspId).has_value());
      // productName as KDS writes it.
      Bytes name = *vek.Extension(format::kOidProductName);
      BOOST_TEST(name[0] == 0x16);
      std::string s(name.begin() + 2, name.end());
      BOOST_TEST(s == (p == Product::kMilan ? "Milan-B0" : std::string(format::ProductName(p))));
    }
  }
}

BOOST_AUTO_TEST_CASE(report_fields_at_their_offsets) {
  auto spec = sim::DefaultSimSpec(Product::kTurin);
  auto& r = spec.report;
  r.policy |= 1ull << format::kPolicyBitDebug;
  r.vmpl = 2;
  r.guest_svn = 7;
  r.reported_tcb = {3, 4, 5, 6, 77};
  r.committed_fw = {1, 2, 3};
  r.host_data[0] = 0xAB;
  r.id_key_digest[47] = 0xCD;
  r.launch_mit_vector = 0x1122;
  r.author_key_en = true;
  auto ev = sim::Simulate(spec);
  BOOST_REQUIRE(ev.ok());
  const Bytes& b = ev->report;
  BOOST_TEST(b.size() == format::kReportSize);
  BOOST_TEST(Le(b, format::kVersion.offset, 4) == 5u);
  BOOST_TEST(Le(b, format::kGuestSvn.offset, 4) == 7u);
  BOOST_TEST(((Le(b, format::kPolicy.offset, 8) >> 19) & 1) == 1u);
  BOOST_TEST(Le(b, format::kVmpl.offset, 4) == 2u);
  BOOST_TEST(Le(b, format::kSignatureAlgo.offset, 4) == 1u);
  // Turin TCB layout: FMC, BL, TEE, SNP, 3 reserved, MICROCODE.
  const size_t t = format::kReportedTcb.offset;
  BOOST_TEST((Bytes(b.begin() + t, b.begin() + t + 8) == Bytes{3, 4, 5, 6, 0, 0, 0, 77}));
  BOOST_TEST(b[format::kCpuidFamId.offset] == 0x1A);
  BOOST_TEST(b[format::kCommittedMajor.offset] == 1);
  BOOST_TEST(b[format::kCommittedMinor.offset] == 2);
  BOOST_TEST(b[format::kCommittedBuild.offset] == 3);
  BOOST_TEST(b[format::kHostData.offset] == 0xAB);
  BOOST_TEST(b[format::kIdKeyDigest.end() - 1] == 0xCD);
  BOOST_TEST(Le(b, format::kLaunchMitVector.offset, 8) == 0x1122u);
  BOOST_TEST(Le(b, format::kSignerInfo.offset, 4) == format::kSignerAuthorKeyEn);
  // 8-byte chip id, the rest zero.
  BOOST_TEST(AllZero(b, {format::kChipId.offset + 8, 56}));
  BOOST_TEST(!AllZero(b, {format::kChipId.offset, 8}));
  for (auto range : format::ReservedRanges(5)) BOOST_TEST(AllZero(b, range));
  BOOST_TEST(SignatureVerifies(b, ev->vek.public_key()));
}

BOOST_AUTO_TEST_CASE(milan_genoa_tcb_layout_and_v2) {
  auto spec = sim::DefaultSimSpec(Product::kMilan);
  spec.report.version = 2;
  spec.report.reported_tcb = {9, 1, 2, 3, 4};  // fmc ignored outside Turin
  auto ev = sim::Simulate(spec);
  BOOST_REQUIRE(ev.ok());
  const Bytes& b = ev->report;
  const size_t t = format::kReportedTcb.offset;
  BOOST_TEST((Bytes(b.begin() + t, b.begin() + t + 8) == Bytes{1, 2, 0, 0, 0, 0, 3, 4}));
  // v2 has no CPUID fields.
  BOOST_TEST(AllZero(b, format::kReserved188V2));
  for (auto range : format::ReservedRanges(2)) BOOST_TEST(AllZero(b, range));
  BOOST_TEST(SignatureVerifies(b, ev->vek.public_key()));
}

BOOST_AUTO_TEST_CASE(vlek_signer_and_masked_chip_id) {
  auto spec = sim::DefaultSimSpec(Product::kMilan);
  spec.report.signing_key = format::kSigningKeyVlek;
  spec.report.mask_chip_id = true;
  auto ev = sim::Simulate(spec);
  BOOST_REQUIRE(ev.ok());
  BOOST_TEST(ev->vlek);
  BOOST_TEST(ev->vek.IssuedBy(sim::DevPki(Product::kMilan).asvk.cert));
  BOOST_TEST(*ev->vek.SubjectAttr("CN") == "SEV-VLEK");
  BOOST_TEST(!ev->vek.Extension(format::kOidHwId).has_value());
  BOOST_TEST(ev->vek.Extension(format::kOidCspId).has_value());
  BOOST_TEST(AllZero(ev->report, format::kChipId));
  BOOST_TEST(Le(ev->report, format::kSignerInfo.offset, 4) ==
             (format::kSignerMaskChipKey | (format::kSigningKeyVlek << 2)));
  BOOST_TEST(SignatureVerifies(ev->report, ev->vek.public_key()));
  BOOST_TEST(!SignatureVerifies(ev->report, sim::DevPki(Product::kMilan).vcek_key.public_key()));
}

BOOST_AUTO_TEST_CASE(extended_report_and_hcl_forms) {
  auto ev = sim::Simulate(sim::DefaultSimSpec(Product::kGenoa));
  BOOST_REQUIRE(ev.ok());
  Bytes ext = ev->Extended();
  const size_t base = format::kReportSize;
  BOOST_TEST(std::equal(ev->report.begin(), ev->report.end(), ext.begin()));
  // Entries VCEK, ASK, ARK and a zero terminator; offsets from the table start.
  const format::Guid* guids[] = {&format::kGuidVcek, &format::kGuidAsk, &format::kGuidArk};
  const Bytes* ders[] = {&ev->vek.der(), &ev->intermediate.der(), &ev->ark.der()};
  for (size_t i = 0; i < 3; ++i) {
    const size_t e = base + i * 24;
    BOOST_TEST(std::equal(guids[i]->begin(), guids[i]->end(),
                          ext.begin() + static_cast<std::ptrdiff_t>(e)));
    const size_t off = Le(ext, e + 16, 4), len = Le(ext, e + 20, 4);
    BOOST_TEST(len == ders[i]->size());
    BOOST_TEST(std::equal(ders[i]->begin(), ders[i]->end(),
                          ext.begin() + static_cast<std::ptrdiff_t>(base + off)));
  }
  BOOST_TEST(AllZero(ext, {base + 72, 24}));

  std::string json = R"({"keys":[]})";
  Bytes runtime(json.begin(), json.end());
  Bytes hcl = ev->Hcl(AsView(runtime));
  BOOST_TEST(hcl.size() == 2600u);
  BOOST_TEST(std::equal(format::kHclMagic.begin(), format::kHclMagic.end(), hcl.begin()));
  BOOST_TEST(std::equal(ev->report.begin(), ev->report.end(), hcl.begin() + 0x20));
  BOOST_TEST(Le(hcl, format::kHclIgvmVariableSize.offset, 4) == runtime.size());
  BOOST_TEST(Le(hcl, format::kHclReportSize.offset, 4) == 0x4D4 + runtime.size());
  BOOST_TEST(std::equal(runtime.begin(), runtime.end(), hcl.begin() + 0x4D4));
  auto rd = sim::HclReportData(AsView(runtime));
  Hash32 h = crypto::Sha256(AsView(runtime));
  BOOST_TEST(std::equal(h.begin(), h.end(), rd.begin()));
}

BOOST_AUTO_TEST_CASE(dev_crl_revokes_the_ask) {
  const auto& pki = sim::DevPki(Product::kGenoa);
  auto crl =
      sim::IssueArkCrl(Product::kGenoa, 1'767'225'600, 1'769'817'600, {pki.ask.cert.serial()});
  BOOST_REQUIRE(crl.ok());
  BOOST_TEST(crl->IssuedBy(pki.ark.cert));
  BOOST_TEST(!crl->IssuedBy(sim::DevPki(Product::kMilan).ark.cert));
  BOOST_TEST(crl->IsRevoked(AsView(pki.ask.cert.serial())));
  BOOST_TEST(!crl->IsRevoked(AsView(pki.asvk.cert.serial())));
  BOOST_TEST(crl->ValidAt(1'767'225'600));
}

BOOST_AUTO_TEST_CASE(faults_are_single) {
  // A VEK whose snpSPL differs from REPORTED_TCB; everything else matches.
  auto spec = sim::DefaultSimSpec(Product::kGenoa);
  auto vek = sim::VekSpecFor(spec.report);
  vek.tcb.snp = static_cast<uint8_t>(vek.tcb.snp + 1);
  spec.vek = vek;
  auto ev = sim::Simulate(spec);
  BOOST_REQUIRE(ev.ok());
  BOOST_TEST(SignatureVerifies(ev->report, ev->vek.public_key()));
  BOOST_TEST((*ev->vek.Extension(format::kOidSnpSpl) ==
              Bytes{0x02, 0x01, static_cast<uint8_t>(spec.report.reported_tcb.snp + 1)}));
  // hwID wrapped in an OCTET STRING.
  vek = sim::VekSpecFor(spec.report);
  vek.hwid_in_octet_string = true;
  auto c = sim::IssueVek(vek);
  BOOST_REQUIRE(c.ok());
  Bytes wrapped = *c->Extension(format::kOidHwId);
  BOOST_TEST(wrapped.size() == 66u);
  BOOST_TEST(wrapped[0] == 0x04);
  // Another key signs: the signature no longer verifies under the VEK.
  auto other = x509::PrivateKey::Generate(x509::KeyKind::kP384);
  BOOST_REQUIRE(other.ok());
  spec = sim::DefaultSimSpec(Product::kGenoa);
  spec.signing_key = &*other;
  ev = sim::Simulate(spec);
  BOOST_REQUIRE(ev.ok());
  BOOST_TEST(!SignatureVerifies(ev->report, ev->vek.public_key()));
  BOOST_TEST(SignatureVerifies(ev->report, other->public_key()));
}

BOOST_AUTO_TEST_SUITE_END()
