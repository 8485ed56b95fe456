// Source: what one collateral service (Intel PCS, AMD KDS) serves: which
// targets, the GETs each needs, and how the responses become one blob in the
// bundle convention of the verifiers (BRIEF "Conventions"). No I/O here: the
// Fetcher runs the GETs and authenticates the blob.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"
#include "fetch/https_client.h"
#include "fetch/target.h"

namespace tenzro::tee::fetch {

class Source {
 public:
  virtual ~Source() = default;
  virtual std::string_view name() const = 0;  // "pcs", "kds"
  // kInvalidArgument when the target is not one this source serves, or its
  // key is malformed.
  virtual Status Check(const FetchTarget& t) const = 0;
  // The GETs (path + query, below the base URL) the target needs, in order.
  // REQUIRES: Check(t).ok()
  virtual std::vector<std::string> Plan(const FetchTarget& t) const = 0;
  // One blob from the 200 responses of Plan(t), in the same order.
  // kCollateral when a response is not what the service documents.
  virtual Result<Bytes> Assemble(const FetchTarget& t,
                                 const std::vector<HttpResponse>& responses) const = 0;

  // Request bodies, made once per fetch: entry i set = step i is a POST of
  // that body (OCSP), unset or absent = a GET. Default: every step a GET.
  virtual std::vector<std::optional<PostBody>> Bodies(const FetchTarget& /*t*/) const { return {}; }
  // Assemble with the bodies that were sent (an OCSP response must answer
  // the nonce of its request). Default: Assemble(t, responses).
  virtual Result<Bytes> AssembleSent(const FetchTarget& t,
                                     const std::vector<std::optional<PostBody>>& /*sent*/,
                                     const std::vector<HttpResponse>& responses) const {
    return Assemble(t, responses);
  }
};

}  // namespace tenzro::tee::fetch
