// The committed PEM of the SNP simulator's development PKI (dev_pki_data.cpp,
// written once by make_dev_pki.cpp). Internal to attestation/snp/sim/: use
// dev_pki.h.
#pragma once

#include "attestation/snp/report_format.h"

namespace tenzro::tee::snp::sim::data {

struct DevPkiPem {
  format::Product product;
  const char* ark_cert;
  const char* ark_key;
  const char* ask_cert;
  const char* ask_key;
  const char* asvk_cert;
  const char* asvk_key;
  const char* vcek_key;
  const char* vlek_key;
};

// Milan, Genoa, Turin.
extern const DevPkiPem kDevPkiPem[3];

}  // namespace tenzro::tee::snp::sim::data
