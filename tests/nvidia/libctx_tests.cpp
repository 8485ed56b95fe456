// The RIM and NRAS verifications run in the plugin's OpenSSL library context
// only (issue 9 item 15): with the host's default context made useless (the
// "null" provider loaded into it, so no algorithm can be fetched there), a
// good RIM and a good EAT still verify and a forged one still fails. Its own
// CTest entry (own process): it changes the process's default context.
#include <boost/test/unit_test.hpp>

#include <filesystem>

#include <openssl/evp.h>
#include <openssl/provider.h>

#include "attestation/nvidia/nras.h"
#include "attestation/nvidia/rim.h"
#include "support/vectors.h"

using namespace tenzro::tee;
using namespace tenzro::tee::nvidia;

namespace {
ByteView View(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
}  // namespace

BOOST_AUTO_TEST_SUITE(nvidia_rim_libctx)

BOOST_AUTO_TEST_CASE(host_default_context_is_never_used) {
  // First thing in this process: once OpenSSL has activated the default
  // provider in the default context, loading "null" would not disable it.
  OSSL_PROVIDER* null_provider = OSSL_PROVIDER_load(nullptr, "null");
  BOOST_REQUIRE(null_provider != nullptr);
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA384", nullptr);
  BOOST_TEST_REQUIRE(md == nullptr);  // the default context can do nothing now

  // The simulators' committed outputs (the fuzz seeds): the simulators
  // themselves load their development keys through the default context.
  const std::filesystem::path corpus = std::filesystem::path(TEE_SOURCE_DIR) / "tests/fuzz/corpus";
  const Bytes rim_xml = testing::ReadFileBytes(corpus / "nvidia_rim" / "driver.xml");
  const Bytes eat = testing::ReadFileBytes(corpus / "nvidia_eat" / "one_gpu.json");
  const Bytes jwks_text = testing::ReadFileBytes(corpus / "nvidia_eat" / "jwks.json");

  BOOST_TEST(rim::XmlsecUsesPluginLibCtx());
  auto parsed = rim::ParseRim(rim_xml);
  BOOST_REQUIRE(parsed.ok());
  auto root = x509::Certificate::FromDer(parsed->key_info_certs.back());
  BOOST_REQUIRE(root.ok());
  auto good = rim::VerifyRim(rim_xml, {}, root->fingerprint(), 1767225600);
  BOOST_REQUIRE(good.ok());
  BOOST_TEST(good->ok());
  BOOST_TEST(good->signature_valid);
  std::string forged(rim_xml.begin(), rim_xml.end());
  forged.replace(forged.find("550.90.07"), 9, "550.90.08");
  auto bad = rim::VerifyRim(View(forged), {}, root->fingerprint(), 1767225600);
  BOOST_REQUIRE(bad.ok());
  BOOST_TEST(!bad->signature_valid);

  auto jwks = nras::ParseJwks(jwks_text);
  BOOST_REQUIRE(jwks.ok());
  nras::Expectations expect;
  expect.nonce = Bytes(32, 0x5a);  // sim::EatSpec's defaults
  auto v = nras::VerifyDetachedEat(eat, *jwks, expect, 1749601858 + 1);
  BOOST_REQUIRE(v.ok());
  BOOST_TEST(v->ok());
  BOOST_TEST(v->signatures_valid);
  OSSL_PROVIDER_unload(null_provider);
}

BOOST_AUTO_TEST_SUITE_END()
