#include "sim_fixture.h"

#include <boost/test/unit_test.hpp>

namespace tenzro::tee::tdx::simtest {

TeeType TypeOf(const sim::Scenario& s) {
  return sim::IsTdx(s.quote.format) ? TeeType::IntelTdx : TeeType::IntelSgx;
}

std::unique_ptr<TdxVerifier> MakeVerifier(TeeType type, const Options& o) {
  CommonPolicy common;
  common.simulation = o.simulation;
  common.max_age_secs = kMaxAge;
  std::vector<Hash32> dev_roots{sim::DevRootFingerprint()};
  dev_roots.insert(dev_roots.end(), o.extra_dev_roots.begin(), o.extra_dev_roots.end());
  return std::make_unique<TdxVerifier>(type, o.policy, common, std::move(dev_roots));
}

Verdict Run(const sim::Scenario& s, const Options& o) {
  auto quote = s.Quote();
  BOOST_REQUIRE_MESSAGE(quote.ok(), (quote.ok() ? "" : quote.status().ToString()));
  auto blobs = s.Collateral();
  BOOST_REQUIRE_MESSAGE(blobs.ok(), (blobs.ok() ? "" : blobs.status().ToString()));
  AttestationVerifier facade;
  facade.Install(MakeVerifier(TypeOf(s), o));
  StandaloneRequest req;
  req.tee_type = TypeOf(s);
  req.evidence = AsView(*quote);
  for (const auto& b : *blobs) req.collateral_blobs.push_back(AsView(b));
  req.now = o.now ? *o.now : s.now;
  req.evidence_time = o.evidence_time;
  req.binding = o.binding;
  auto v = VerifyStandalone(facade, req);
  BOOST_REQUIRE_MESSAGE(v.ok(), (v.ok() ? "" : v.status().ToString()));
  return *v;
}

namespace {
sim::KeyedCert Issue(const std::string& cn, bool is_ca, Bytes serial, int64_t not_before,
                     int64_t not_after, const x509::PrivateKey& key, const sim::KeyedCert* issuer) {
  x509::CertSpec spec;
  spec.subject = sim::DevName(cn);
  spec.serial_be = std::move(serial);
  spec.not_before = not_before;
  spec.not_after = not_after;
  spec.is_ca = is_ca;
  if (is_ca) spec.path_len = issuer == nullptr ? 1 : 0;
  auto cert = x509::IssueCertificate(spec, key.public_key(), issuer ? &issuer->cert : nullptr,
                                     issuer ? issuer->key : key);
  BOOST_REQUIRE_MESSAGE(cert.ok(), (cert.ok() ? "" : cert.status().ToString()));
  return {*cert, key};
}
}  // namespace

sim::KeyedCert Reissue(const sim::KeyedCert& kc, int64_t not_before, int64_t not_after,
                       const sim::KeyedCert* issuer) {
  auto cn = kc.cert.SubjectAttr("CN");
  BOOST_REQUIRE(cn.has_value());
  return Issue(*cn, kc.cert.is_ca(), kc.cert.serial(), not_before, not_after, kc.key, issuer);
}

sim::KeyedCert Forge(const std::string& common_name, bool is_ca, const sim::KeyedCert* issuer,
                     Bytes serial) {
  auto key = x509::PrivateKey::Generate(x509::KeyKind::kP256);
  BOOST_REQUIRE(key.ok());
  return Issue(common_name, is_ca, std::move(serial), sim::kDevCaNotBefore, sim::kDevCaNotAfter,
               *key, issuer);
}

}  // namespace tenzro::tee::tdx::simtest
