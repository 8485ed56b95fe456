// The plugin knows the simulators' development roots by fingerprint only
// (plugin/dev_roots.h): they must be those of the committed dev PKIs.
#include <boost/test/unit_test.hpp>

#include "attestation/tdx/sim/dev_pki.h"
#include "plugin/dev_roots.h"

using namespace tenzro::tee;

BOOST_AUTO_TEST_SUITE(dev_roots)

BOOST_AUTO_TEST_CASE(tdx_fingerprint_is_the_simulator_root) {
  BOOST_TEST((plugin::kTdxDevRootSha256 == tdx::sim::DevRootFingerprint()));
  BOOST_TEST((plugin::kTdxDevRootSha256 == tdx::sim::Dev().root.cert.fingerprint()));
}

BOOST_AUTO_TEST_SUITE_END()
