// The committed PEM of the NVIDIA RIM / NRAS simulators' development keys
// (rim_dev_pki_data.cpp, written once by make_rim_dev_pki.cpp). Internal to
// attestation/nvidia/sim/: use rim_signer.h and nras_signer.h.
#pragma once

namespace tenzro::tee::nvidia::sim::data {

extern const char* const kRimRootCert;  // dev "CoRIM signing Root CA"
extern const char* const kRimRootKey;
extern const char* const kRimCaCert;  // dev reference-value CA
extern const char* const kRimCaKey;
extern const char* const kRimSignerCert;  // dev RIM signer (leaf)
extern const char* const kRimSignerKey;
extern const char* const kNrasKey;  // dev NRAS token key (P-384)
extern const char* const kNrasKid;

}  // namespace tenzro::tee::nvidia::sim::data
