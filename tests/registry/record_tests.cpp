#include <boost/test/unit_test.hpp>

#include "registry/record.h"
#include "support/test_support.h"

using namespace tenzro::tee;
using namespace tenzro::tee::registry;

namespace {
ValidatorRecord Sample() {
  ValidatorRecord r;
  r.id = testing::IdFromLabel("r");
  r.stake_be = testing::Stake(123456789);
  r.tee_type = TeeType::Simulated;
  r.status = ValidatorStatus::kAttested;
  r.evidence_hash = testing::HashFromLabel("ev");
  r.valid_until = 1'800'000'000;
  r.valid_from = 1'700'000'000;
  r.registered_at = 1'700'000'001;
  r.verified_at_epoch = 4;
  r.registered_epoch = 5;
  r.claims["measurement"] = Bytes(48, 0xab);
  r.claims["issued_at"] = Bytes{1, 2, 3, 4, 5, 6, 7, 8};
  return r;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(record)

BOOST_AUTO_TEST_CASE(round_trip_is_exact) {
  ValidatorRecord r = Sample();
  Bytes enc = EncodeRecord(r);
  auto dec = DecodeRecord(AsView(enc));
  BOOST_REQUIRE(dec.ok());
  BOOST_TEST((*dec == r));
  BOOST_TEST((EncodeRecord(*dec) == enc));  // byte-exact
}

BOOST_AUTO_TEST_CASE(every_truncation_is_rejected) {
  Bytes enc = EncodeRecord(Sample());
  for (size_t n = 0; n < enc.size(); ++n) {
    Bytes cut(enc.begin(), enc.begin() + static_cast<std::ptrdiff_t>(n));
    auto dec = DecodeRecord(AsView(cut));
    BOOST_TEST(!dec.ok(), "length " << n);
    if (!dec.ok()) BOOST_TEST((dec.status().code() == ErrorCode::kStorage));
  }
  Bytes longer = enc;
  longer.push_back(0);
  BOOST_TEST(!DecodeRecord(AsView(longer)).ok());
}

BOOST_AUTO_TEST_CASE(bad_values_are_rejected) {
  Bytes enc = EncodeRecord(Sample());
  Bytes bad_version = enc;
  bad_version[0] = 9;
  BOOST_TEST(!DecodeRecord(AsView(bad_version)).ok());
  Bytes bad_type = enc;
  bad_type[65] = 42;  // tee_type
  BOOST_TEST(!DecodeRecord(AsView(bad_type)).ok());
  Bytes bad_status = enc;
  bad_status[66] = 9;
  BOOST_TEST(!DecodeRecord(AsView(bad_status)).ok());
}

BOOST_AUTO_TEST_SUITE_END()
