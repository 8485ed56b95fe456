#include "plugin/enclave.h"

namespace tenzro::tee::plugin {

Result<std::shared_ptr<enclave_crypto::RootKeySource>> MakeKeySource(const Config& config,
                                                                     const DeviceIo& io) {
  using namespace enclave_crypto;
  const std::string& ks = config.enclave_key_source;
  const TeeType vendor = config.enclave_vendor;
  if (ks == "sev-snp")
    return std::shared_ptr<RootKeySource>(
        std::make_shared<SnpDerivedKeySource>(io, SnpKeyRequest{}));
  if (ks == "recipient") {
    TEE_ASSIGN_OR_RETURN(auto src, RecipientKeySource::Create(vendor));
    return std::shared_ptr<RootKeySource>(std::move(src));
  }
  if (ks == "simulation") {
    // config.simulation is [tee.consensus] simulation: the source refuses to
    // exist without it.
    TEE_ASSIGN_OR_RETURN(auto src, SimulationKeySource::Create(vendor, config.simulation));
    return std::shared_ptr<RootKeySource>(std::move(src));
  }
  return std::shared_ptr<RootKeySource>(std::make_shared<NoKeySource>(vendor));
}

Result<std::unique_ptr<EnclaveServices>> EnclaveServices::Open(const Config& config,
                                                               storage::KvStore& store) {
  std::unique_ptr<EnclaveServices> s(new EnclaveServices());
  s->io_ = SystemDeviceIo("/");
  TEE_ASSIGN_OR_RETURN(s->source_, MakeKeySource(config, *s->io_));
  if (config.enclave_key_source == "recipient") {
    s->recipient_ = static_cast<enclave_crypto::RecipientKeySource*>(s->source_.get());
  }
  s->crypto_ = std::make_unique<enclave_crypto::EnclaveCrypto>(s->source_);
  s->mpc_ = std::make_unique<mpc::MpcService>(*s->crypto_, store);
  return s;
}

}  // namespace tenzro::tee::plugin
