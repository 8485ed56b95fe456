// The committed PEM of the Nitro simulator's development PKI (dev_pki_data.cpp,
// written once by make_dev_pki.cpp). Internal to attestation/nitro/sim/: use dev_pki.h.
#pragma once

namespace tenzro::tee::nitro::sim::data {

struct DevPkiPem {
  const char* root_cert;
  const char* root_key;
  const char* regional_cert;
  const char* regional_key;
  const char* zonal_cert;
  const char* zonal_key;
  const char* instance_cert;
  const char* instance_key;
  const char* leaf_key;
};

extern const DevPkiPem kDevPkiPem;

}  // namespace tenzro::tee::nitro::sim::data
