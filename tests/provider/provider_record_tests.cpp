// ProviderRecord encoding (issue 15): round trip, and every truncation or
// bad field is a storage error, never a crash.
#include <boost/test/unit_test.hpp>

#include "registry/provider_record.h"
#include "support/test_support.h"

using namespace tenzro::tee;
using namespace tenzro::tee::registry;
using tenzro::tee::testing::HashFromLabel;

namespace {
ProviderRecord Sample() {
  ProviderRecord r;
  r.id = HashFromLabel("id");
  r.model_id = "llama-3-70b";
  r.model_hash = HashFromLabel("weights");
  r.status = ValidatorStatus::kRevoked;
  r.reason = FailureCode::kRevoked;
  r.valid_until = 1767312000;
  r.registered_at = 1767225600;
  r.registered_epoch = 3;
  r.verified_at_epoch = 7;
  ProviderEvidence cpu;
  cpu.tee_type = TeeType::IntelTdx;
  cpu.evidence_hash = HashFromLabel("quote");
  cpu.valid_until = 1767312000;
  cpu.valid_from = 1767225600;
  cpu.claims = {{"fmspc", Bytes{1, 2, 3}}, {"mrtd", Bytes(48, 7)}};
  ProviderEvidence gpu;
  gpu.tee_type = TeeType::NvidiaGpu;
  gpu.evidence_hash = HashFromLabel("gpu");
  gpu.reason = FailureCode::kNonceMismatch;
  r.evidence = {cpu, gpu};
  return r;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(provider_record)

BOOST_AUTO_TEST_CASE(round_trip) {
  const ProviderRecord r = Sample();
  auto d = DecodeProvider(AsView(EncodeProvider(r)));
  BOOST_REQUIRE(d.ok());
  BOOST_TEST((*d == r));
  BOOST_TEST(d->HasType(TeeType::NvidiaGpu));
  BOOST_TEST(!d->HasType(TeeType::AmdSevSnp));
}

BOOST_AUTO_TEST_CASE(every_truncation_and_trailing_byte_is_corrupt) {
  const Bytes enc = EncodeProvider(Sample());
  for (size_t n = 0; n < enc.size(); ++n) {
    auto d = DecodeProvider(ByteView(enc.data(), n));
    BOOST_TEST((d.status().code() == ErrorCode::kStorage), "prefix " << n);
  }
  Bytes longer = enc;
  longer.push_back(0);
  BOOST_TEST((DecodeProvider(AsView(longer)).status().code() == ErrorCode::kStorage));
}

BOOST_AUTO_TEST_CASE(bad_fields_are_corrupt) {
  const Bytes enc = EncodeProvider(Sample());
  const size_t model_len_at = 1 + 32;
  const size_t status_at = model_len_at + 1 + 11 + 32;
  const size_t n_at = status_at + 2 + 8 * 4;
  const size_t first_type_at = n_at + 1;
  struct Case {
    const char* name;
    size_t at;
    uint8_t value;
  };
  for (const Case& c :
       {Case{"version", 0, 9}, Case{"model length 0", model_len_at, 0},
        Case{"model byte", model_len_at + 1, 0x0a}, Case{"status", status_at, 4},
        Case{"reason", status_at + 1, 200}, Case{"no evidence", n_at, 0},
        Case{"type none", first_type_at, 0}, Case{"type unknown", first_type_at, 99}}) {
    Bytes bad = enc;
    bad[c.at] = c.value;
    BOOST_TEST((DecodeProvider(AsView(bad)).status().code() == ErrorCode::kStorage), c.name);
  }
  BOOST_TEST(enc[first_type_at] == static_cast<uint8_t>(TeeType::IntelTdx));
}

BOOST_AUTO_TEST_SUITE_END()
