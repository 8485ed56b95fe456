// Stage 1 (document.h): the strict COSE_Sign1 / CBOR parser, its documented
// tolerances, and the codes it gives (unsupported vs malformed).
#include <boost/test/unit_test.hpp>

#include "attestation/nitro/cbor.h"
#include "attestation/nitro/document.h"
#include "nitro_test_util.h"
#include "support/vectors.h"

using namespace tenzro::tee;
using namespace tenzro::tee::nitro;
namespace tu = tenzro::tee::nitro::testutil;

namespace {

Bytes Prot(int64_t alg) {
  cbor::Writer w;
  w.Map(1).Uint(1).Int(alg);
  return w.Take();
}

// A COSE_Sign1 around `payload` (the signature is not checked by the parser).
Bytes Cose(const Bytes& payload, const Bytes& prot = Prot(kAlgEs384), size_t sig_len = 96) {
  cbor::Writer w;
  w.Array(4).Bytes(AsView(prot)).Map(0).Bytes(AsView(payload)).Bytes(AsView(Bytes(sig_len, 7)));
  return w.Take();
}

// The payload map of a well-formed document, with `extra` entries appended
// (already encoded key/value pairs) and `skip` left out.
Bytes Payload(const std::string& skip = "", size_t extra_pairs = 0, const Bytes& extra = {}) {
  const Bytes cert = sim::Dev().root.cert.der();
  std::vector<std::pair<std::string, Bytes>> e;
  auto enc = [](auto f) {
    cbor::Writer w;
    f(w);
    return w.Take();
  };
  e.emplace_back("module_id", enc([](cbor::Writer& w) { w.Text("i-1"); }));
  e.emplace_back("digest", enc([](cbor::Writer& w) { w.Text("SHA384"); }));
  e.emplace_back("timestamp", enc([](cbor::Writer& w) { w.Uint(1'700'000'000'000); }));
  e.emplace_back("pcrs",
                 enc([](cbor::Writer& w) { w.Map(1).Uint(0).Bytes(AsView(Bytes(48, 1))); }));
  e.emplace_back("certificate", enc([&](cbor::Writer& w) { w.Bytes(AsView(cert)); }));
  e.emplace_back("cabundle", enc([&](cbor::Writer& w) { w.Array(1).Bytes(AsView(cert)); }));
  size_t n = extra_pairs;
  for (const auto& kv : e) n += kv.first != skip;
  cbor::Writer w;
  w.Map(n);
  for (const auto& [k, v] : e) {
    if (k != skip) w.Text(k).Raw(AsView(v));
  }
  w.Raw(AsView(extra));
  return w.Take();
}

Bytes Pair(const std::string& key, const std::function<void(cbor::Writer&)>& value) {
  cbor::Writer w;
  w.Text(key);
  value(w);
  return w.Take();
}

ErrorCode CodeOf(const Bytes& data) {
  auto d = ParseDocument(AsView(data));
  return d.ok() ? ErrorCode::kOk : d.status().code();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(nitro_document)

BOOST_AUTO_TEST_CASE(a_minimal_document_parses_and_keeps_its_bytes) {
  const Bytes payload = Payload();
  auto d = ParseDocument(AsView(Cose(payload)));
  if (!d.ok()) BOOST_FAIL(d.status().ToString());
  BOOST_TEST(d->payload == payload);
  BOOST_TEST(d->protected_header == Prot(kAlgEs384));
  BOOST_TEST(d->module_id == "i-1");
  BOOST_TEST(d->timestamp_ms == 1'700'000'000'000u);
  BOOST_TEST(d->pcrs.size() == 1u);
  BOOST_TEST(!d->public_key.has_value());
  BOOST_TEST(!d->tagged);
}

BOOST_AUTO_TEST_CASE(tolerances_null_optionals_empty_user_data_unknown_keys) {
  const Bytes extra = [] {
    Bytes b = Pair("public_key", [](cbor::Writer& w) { w.Null(); });
    const Bytes u = Pair("user_data", [](cbor::Writer& w) { w.Bytes({}); });
    const Bytes f = Pair("future_field", [](cbor::Writer& w) { w.Uint(5); });
    b.insert(b.end(), u.begin(), u.end());
    b.insert(b.end(), f.begin(), f.end());
    return b;
  }();
  auto d = ParseDocument(AsView(Cose(Payload("", 3, extra))));
  if (!d.ok()) BOOST_FAIL(d.status().ToString());
  BOOST_TEST(!d->public_key.has_value());
  BOOST_REQUIRE(d->user_data.has_value());
  BOOST_TEST(d->user_data->empty());
}

BOOST_AUTO_TEST_CASE(tag_18_is_accepted_other_tags_are_not) {
  const Bytes cose = Cose(Payload());
  cbor::Writer t18;
  t18.Tag(18).Raw(AsView(cose));
  auto d = ParseDocument(AsView(t18.bytes()));
  if (!d.ok()) BOOST_FAIL(d.status().ToString());
  BOOST_TEST(d->tagged);
  cbor::Writer t98;
  t98.Tag(98).Raw(AsView(cose));
  BOOST_TEST((CodeOf(t98.bytes()) == ErrorCode::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE(unsupported_algorithms) {
  BOOST_TEST((CodeOf(Cose(Payload(), Prot(-7))) == ErrorCode::kUnsupported));  // ES256
  BOOST_TEST((CodeOf(Cose(Payload(), Bytes{})) == ErrorCode::kUnsupported));   // no alg
  cbor::Writer crit;
  crit.Map(2).Uint(1).Int(-35).Uint(2).Array(1).Uint(99);
  BOOST_TEST((CodeOf(Cose(Payload(), crit.Take())) == ErrorCode::kUnsupported));
  const Bytes sha256 = Pair("digest", [](cbor::Writer& w) { w.Text("SHA256"); });
  BOOST_TEST((CodeOf(Cose(Payload("digest", 1, sha256))) == ErrorCode::kUnsupported));
}

BOOST_AUTO_TEST_CASE(malformed_table) {
  const Bytes good = Cose(Payload());
  struct Case {
    const char* name;
    Bytes data;
  };
  Bytes trailing = good;
  trailing.push_back(0);
  Bytes indefinite = good;
  indefinite[0] = 0x9f;  // indefinite array instead of array(4)
  indefinite.push_back(0xff);
  const Bytes many_pcrs = [] {
    cbor::Writer w;
    w.Text("pcrs").Map(33);
    for (uint32_t i = 0; i < 33; ++i) w.Uint(i).Bytes(AsView(Bytes(48, 0)));
    return w.Take();
  }();
  Bytes deep(20, 0x81);  // [[[[...0...]]]]
  deep.push_back(0x00);
  const Case cases[] = {
      {"trailing byte", trailing},
      {"indefinite length", indefinite},
      {"empty input", {}},
      {"huge declared length", {0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
      {"nesting too deep", deep},
      {"float", {0xfa, 0x3f, 0x80, 0x00, 0x00}},
      {"array of 3",
       [] {
         cbor::Writer w;
         w.Array(3).Bytes({}).Map(0).Bytes({});
         return w.Take();
       }()},
      {"signature of 95 bytes", Cose(Payload(), Prot(kAlgEs384), 95)},
      {"no module_id", Cose(Payload("module_id"))},
      {"no timestamp", Cose(Payload("timestamp"))},
      {"no certificate", Cose(Payload("certificate"))},
      {"no cabundle", Cose(Payload("cabundle"))},
      {"33 PCRs", Cose(Payload("pcrs", 1, many_pcrs))},
      {"PCR of 20 bytes",
       Cose(Payload(
           "pcrs", 1,
           Pair("pcrs", [](cbor::Writer& w) { w.Map(1).Uint(0).Bytes(AsView(Bytes(20, 0))); })))},
      {"PCR index 32",
       Cose(Payload(
           "pcrs", 1,
           Pair("pcrs", [](cbor::Writer& w) { w.Map(1).Uint(32).Bytes(AsView(Bytes(48, 0))); })))},
      {"nonce of 1025 bytes",
       Cose(Payload("", 1,
                    Pair("nonce", [](cbor::Writer& w) { w.Bytes(AsView(Bytes(1025, 1))); })))},
      {"nonce as text", Cose(Payload("", 1, Pair("nonce", [](cbor::Writer& w) { w.Text("n"); })))},
      {"duplicate key",
       Cose(Payload("", 1, Pair("digest", [](cbor::Writer& w) { w.Text("SHA384"); })))},
      {"timestamp zero",
       Cose(Payload("timestamp", 1, Pair("timestamp", [](cbor::Writer& w) { w.Uint(0); })))},
  };
  for (const Case& c : cases) {
    BOOST_TEST((CodeOf(c.data) == ErrorCode::kInvalidArgument), c.name);
  }
  // The 1024-byte limit itself is accepted.
  const Bytes nonce1024 =
      Cose(Payload("", 1, Pair("nonce", [](cbor::Writer& w) { w.Bytes(AsView(Bytes(1024, 1))); })));
  BOOST_TEST((CodeOf(nonce1024) == ErrorCode::kOk));
}

BOOST_AUTO_TEST_CASE(every_prefix_of_a_simulated_document_is_refused) {
  const Bytes doc = tu::MakeDoc();
  BOOST_REQUIRE((CodeOf(doc) == ErrorCode::kOk));
  for (size_t n = 0; n < doc.size(); ++n) {
    const Bytes prefix(doc.begin(), doc.begin() + static_cast<std::ptrdiff_t>(n));
    BOOST_TEST((CodeOf(prefix) == ErrorCode::kInvalidArgument), "prefix " << n);
  }
}

BOOST_AUTO_TEST_CASE(real_documents_parse_with_their_pcr_counts) {
  auto dir = tenzro::tee::testing::VectorsDir();
  if (!dir) {
    BOOST_TEST_MESSAGE("SKIPPED: real Nitro vectors absent");
    return;
  }
  const auto marlin = *dir / "nitro" / "marlin-oyster";
  auto d16 = ParseDocument(AsView(tenzro::tee::testing::ReadFileBytes(marlin / "sdk_aws.bin")));
  auto d17 =
      ParseDocument(AsView(tenzro::tee::testing::ReadFileBytes(marlin / "sdk_aws_pcr16.bin")));
  BOOST_REQUIRE(d16.ok());
  BOOST_REQUIRE(d17.ok());
  BOOST_TEST(d16->pcrs.size() == 16u);
  BOOST_TEST(d17->pcrs.size() == 17u);
  BOOST_REQUIRE(d17->user_data.has_value());  // present and empty
  BOOST_TEST(d17->user_data->empty());
  BOOST_TEST(!d16->nonce.has_value());  // CBOR null
  BOOST_TEST(d16->cabundle.size() == 4u);
}

BOOST_AUTO_TEST_SUITE_END()
