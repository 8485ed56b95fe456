// The plugin's enclave crypto and MPC services (issue 14), built from
// [tee.enclave]. Not consensus: nothing here is read by registry/ or
// consensus_hooks/, and no weight or status depends on it.
#pragma once

#include <memory>

#include "attestation/enclave_crypto/enclave_crypto.h"
#include "attestation/mpc/mpc_service.h"
#include "core/device_io.h"
#include "plugin/config.h"
#include "storage/kv_store.h"

namespace tenzro::tee::plugin {

// The root-key source [tee.enclave] names. io must outlive it.
Result<std::shared_ptr<enclave_crypto::RootKeySource>> MakeKeySource(const Config& config,
                                                                     const DeviceIo& io);

class EnclaveServices {
 public:
  // store must outlive the services (the plugin's database).
  static Result<std::unique_ptr<EnclaveServices>> Open(const Config& config,
                                                       storage::KvStore& store);

  enclave_crypto::EnclaveCrypto& crypto() { return *crypto_; }
  mpc::MpcService& mpc() { return *mpc_; }
  // Null unless key_source = "recipient".
  enclave_crypto::RecipientKeySource* recipient() { return recipient_; }

 private:
  EnclaveServices() = default;
  std::unique_ptr<DeviceIo> io_;
  std::shared_ptr<enclave_crypto::RootKeySource> source_;
  enclave_crypto::RecipientKeySource* recipient_ = nullptr;
  std::unique_ptr<enclave_crypto::EnclaveCrypto> crypto_;
  std::unique_ptr<mpc::MpcService> mpc_;
};

}  // namespace tenzro::tee::plugin
