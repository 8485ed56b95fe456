// Simulated evidence generation (issue 12, DESIGN §8): on machines without
// the hardware, evidence of every hardware type in its real format, made by
// the project's simulators and bound to DESIGN §4's binding exactly where
// each verifier looks. It verifies only where [tee.consensus] simulation =
// true (the simulators' development roots); the switch that asks for it
// (--simulate, TENZRO_SIMULATE_*) changes what is generated, never what is
// trusted.
//
// A TESTING-grade library (tenzro_detect_sim): it links the simulators and
// their development private keys. The CLI and the tests link it; the plugin
// module never does (abi.no_private_keys).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "attestation/binding.h"
#include "attestation/detect/nsm.h"
#include "attestation/nvidia/sim/dev_pki.h"
#include "attestation/tee_type.h"
#include "core/bytes.h"
#include "core/status.h"

namespace tenzro::tee::detect::sim {

struct SimulatedEvidence {
  Bytes evidence;
  std::vector<Bytes> collateral;  // TDX: the collateral that goes with the quote
};

// At `now` (unix seconds):
//   IntelTdx   a DCAP quote v4 (REPORTDATA = binding) and its collateral,
//              valid around `now`;
//   AmdSevSnp  a Genoa report (REPORT_DATA = binding) || its certificate table;
//   AwsNitro   the COSE_Sign1 document SimulatedNsmDocument answers for
//              nonce = binding;
//   NvidiaGpu  NVIDIA's serialized evidence JSON of one simulated H100
//              (request nonce = binding[0..32), its development chain inside).
// kUnsupported for the other types. The output passes the same checks as
// the hardware providers' (CheckNitroDocument, NvidiaEvidenceJson).
Result<SimulatedEvidence> SimulateEvidence(TeeType type, const ReportDataBinding& binding,
                                           uint64_t now);

// A simulated Nitro Secure Module: the attestation document it returns for
// `req` at `now` (timestamp now, a 3-hour leaf from now - 1 s, production
// PCRs), signed under the Nitro development PKI.
Result<Bytes> SimulatedNsmDocument(const NsmAttestationRequest& req, uint64_t now);

// A simulated Hopper GPU in CC mode: a development device chain (fresh keys)
// and SPDM GET_MEASUREMENTS reports signed by its leaf for any nonce.
class SimulatedGpu {
 public:
  static Result<SimulatedGpu> Make();
  // The SPDM request (carrying `nonce`) || the signed response (a fresh
  // random responder nonce each time).
  Result<Bytes> Report(const std::array<uint8_t, 32>& nonce) const;
  // The chain the response is signed under, PEM, leaf first.
  const std::string& chain_pem() const { return pem_; }

  static constexpr char kDriverVersion[] = "550.90.07";
  // The FWID the chain's leaf certifies and every report carries.
  static std::array<uint8_t, 48> Fwid();

 private:
  explicit SimulatedGpu(nvidia::sim::DevChain chain) : chain_(std::move(chain)) {
    pem_ = chain_.Pem();
  }
  nvidia::sim::DevChain chain_;
  std::string pem_;
};

}  // namespace tenzro::tee::detect::sim
