#include "attestation/detect/nvml.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstring>

namespace tenzro::tee::detect {
namespace {

// ---- nvml.h layouts (CUDA 12.2+) -------------------------------------------
using nvmlReturn_t = int;
using nvmlDevice_t = void*;
constexpr nvmlReturn_t kNvmlSuccess = 0;
constexpr size_t kCertChainSize = 0x1000;
constexpr size_t kAttestationCertChainSize = 0x1400;
constexpr size_t kNonceSize = 0x20;
constexpr size_t kReportSize = 0x2000;
constexpr size_t kCecReportSize = 0x1000;
constexpr unsigned kDriverVersionBuffer = 80;  // NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE
constexpr unsigned kDeviceNameBuffer = 96;     // NVML_DEVICE_NAME_V2_BUFFER_SIZE

struct nvmlConfComputeSystemState_t {
  unsigned int environment;
  unsigned int ccFeature;
  unsigned int devToolsMode;
};
struct nvmlConfComputeGpuCertificate_t {
  unsigned int certChainSize;
  unsigned int attestationCertChainSize;
  unsigned char certChain[kCertChainSize];
  unsigned char attestationCertChain[kAttestationCertChainSize];
};
struct nvmlConfComputeGpuAttestationReport_t {
  unsigned int isCecAttestationReportPresent;
  unsigned int attestationReportSize;
  unsigned int cecAttestationReportSize;
  unsigned char nonce[kNonceSize];
  unsigned char attestationReport[kReportSize];
  unsigned char cecAttestationReport[kCecReportSize];
};

template <typename F>
F Sym(void* lib, const char* name) {
  void* p = dlsym(lib, name);
  F f = nullptr;
  static_assert(sizeof f == sizeof p);
  std::memcpy(&f, &p, sizeof p);
  return f;
}

}  // namespace

struct Nvml::Api {
  nvmlReturn_t (*init)() = nullptr;
  nvmlReturn_t (*shutdown)() = nullptr;
  const char* (*error_string)(nvmlReturn_t) = nullptr;
  nvmlReturn_t (*driver_version)(char*, unsigned) = nullptr;
  nvmlReturn_t (*count)(unsigned*) = nullptr;
  nvmlReturn_t (*handle)(unsigned, nvmlDevice_t*) = nullptr;
  nvmlReturn_t (*name)(nvmlDevice_t, char*, unsigned) = nullptr;
  nvmlReturn_t (*arch)(nvmlDevice_t, unsigned*) = nullptr;
  nvmlReturn_t (*cc_state)(nvmlConfComputeSystemState_t*) = nullptr;
  nvmlReturn_t (*report)(nvmlDevice_t, nvmlConfComputeGpuAttestationReport_t*) = nullptr;
  nvmlReturn_t (*cert)(nvmlDevice_t, nvmlConfComputeGpuCertificate_t*) = nullptr;

  Status Fail(const char* call, nvmlReturn_t r) const {
    const char* msg = error_string != nullptr ? error_string(r) : nullptr;
    return Error(ErrorCode::kInternal, std::string("NVML ") + call +
                                           " failed: " + (msg != nullptr ? msg : "error") + " (" +
                                           std::to_string(r) + ")");
  }
  Result<nvmlDevice_t> Handle(unsigned index) const {
    nvmlDevice_t d = nullptr;
    nvmlReturn_t r = handle(index, &d);
    if (r != kNvmlSuccess) return Fail("nvmlDeviceGetHandleByIndex_v2", r);
    return d;
  }
};

std::string NvmlArchName(unsigned arch) {
  switch (arch) {
    case 2:
      return "KEPLER";
    case 3:
      return "MAXWELL";
    case 4:
      return "PASCAL";
    case 5:
      return "VOLTA";
    case 6:
      return "TURING";
    case 7:
      return "AMPERE";
    case 8:
      return "ADA";
    case 9:
      return "HOPPER";
    case 10:
      return "BLACKWELL";
    default:
      return "UNKNOWN";
  }
}

bool NvmlArchCcCapable(unsigned arch) { return arch >= kNvmlArchHopper && arch <= 10; }

Nvml::Nvml(void* lib) : lib_(lib), api_(std::make_unique<Api>()) {}

Nvml::~Nvml() {
  if (api_ && api_->shutdown != nullptr) api_->shutdown();
  if (lib_ != nullptr) dlclose(lib_);
}

Result<std::unique_ptr<Nvml>> Nvml::Load(const std::string& library) {
  void* lib = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    const char* e = dlerror();
    return Error(ErrorCode::kNotFound,
                 "cannot load " + library + ": " + (e != nullptr ? e : "dlopen failed"));
  }
  std::unique_ptr<Nvml> n(new Nvml(lib));
  Api& a = *n->api_;
  a.init = Sym<decltype(a.init)>(lib, "nvmlInit_v2");
  a.shutdown = Sym<decltype(a.shutdown)>(lib, "nvmlShutdown");
  a.error_string = Sym<decltype(a.error_string)>(lib, "nvmlErrorString");
  a.driver_version = Sym<decltype(a.driver_version)>(lib, "nvmlSystemGetDriverVersion");
  a.count = Sym<decltype(a.count)>(lib, "nvmlDeviceGetCount_v2");
  a.handle = Sym<decltype(a.handle)>(lib, "nvmlDeviceGetHandleByIndex_v2");
  a.name = Sym<decltype(a.name)>(lib, "nvmlDeviceGetName");
  a.arch = Sym<decltype(a.arch)>(lib, "nvmlDeviceGetArchitecture");
  a.cc_state = Sym<decltype(a.cc_state)>(lib, "nvmlSystemGetConfComputeState");
  a.report = Sym<decltype(a.report)>(lib, "nvmlDeviceGetConfComputeGpuAttestationReport");
  a.cert = Sym<decltype(a.cert)>(lib, "nvmlDeviceGetConfComputeGpuCertificate");
  if (a.init == nullptr || a.shutdown == nullptr || a.driver_version == nullptr ||
      a.count == nullptr || a.handle == nullptr || a.name == nullptr || a.arch == nullptr) {
    a.shutdown = nullptr;  // never initialised
    return Error(ErrorCode::kUnsupported, library + ": not an NVML library (symbols missing)");
  }
  nvmlReturn_t r = a.init();
  if (r != kNvmlSuccess) {
    Status s = a.Fail("nvmlInit_v2", r);
    a.shutdown = nullptr;
    return s;
  }
  return n;
}

Result<std::string> Nvml::DriverVersion() const {
  char buf[kDriverVersionBuffer] = {};
  nvmlReturn_t r = api_->driver_version(buf, sizeof buf);
  if (r != kNvmlSuccess) return api_->Fail("nvmlSystemGetDriverVersion", r);
  return std::string(buf, strnlen(buf, sizeof buf));
}

Result<unsigned> Nvml::DeviceCount() const {
  unsigned n = 0;
  nvmlReturn_t r = api_->count(&n);
  if (r != kNvmlSuccess) return api_->Fail("nvmlDeviceGetCount_v2", r);
  return n;
}

Result<NvmlGpu> Nvml::Device(unsigned index) const {
  TEE_ASSIGN_OR_RETURN(nvmlDevice_t d, api_->Handle(index));
  NvmlGpu g;
  g.index = index;
  char buf[kDeviceNameBuffer] = {};
  nvmlReturn_t r = api_->name(d, buf, sizeof buf);
  if (r != kNvmlSuccess) return api_->Fail("nvmlDeviceGetName", r);
  g.name.assign(buf, strnlen(buf, sizeof buf));
  r = api_->arch(d, &g.arch);
  if (r != kNvmlSuccess) return api_->Fail("nvmlDeviceGetArchitecture", r);
  return g;
}

Result<NvmlCcState> Nvml::CcState() const {
  if (api_->cc_state == nullptr) {
    return Error(ErrorCode::kUnsupported,
                 "driver has no nvmlSystemGetConfComputeState (confidential computing needs "
                 "driver 535 or later)");
  }
  nvmlConfComputeSystemState_t s{};
  nvmlReturn_t r = api_->cc_state(&s);
  if (r != kNvmlSuccess) return api_->Fail("nvmlSystemGetConfComputeState", r);
  return NvmlCcState{s.environment, s.ccFeature, s.devToolsMode};
}

Result<NvmlAttestation> Nvml::AttestationReport(unsigned index,
                                                const std::array<uint8_t, 32>& nonce) const {
  if (api_->report == nullptr) {
    return Error(ErrorCode::kUnsupported,
                 "driver has no nvmlDeviceGetConfComputeGpuAttestationReport");
  }
  TEE_ASSIGN_OR_RETURN(nvmlDevice_t d, api_->Handle(index));
  // About 12 KiB: on the heap, not the stack.
  auto rep = std::make_unique<nvmlConfComputeGpuAttestationReport_t>();
  std::memset(rep.get(), 0, sizeof *rep);
  std::copy(nonce.begin(), nonce.end(), rep->nonce);
  nvmlReturn_t r = api_->report(d, rep.get());
  if (r != kNvmlSuccess) return api_->Fail("nvmlDeviceGetConfComputeGpuAttestationReport", r);
  if (rep->attestationReportSize == 0 || rep->attestationReportSize > kReportSize) {
    return Error(ErrorCode::kInternal, "NVML returned an attestation report of " +
                                           std::to_string(rep->attestationReportSize) +
                                           " bytes (1.." + std::to_string(kReportSize) +
                                           " expected)");
  }
  NvmlAttestation out;
  std::copy(rep->nonce, rep->nonce + kNonceSize, out.nonce.begin());
  out.report.assign(rep->attestationReport, rep->attestationReport + rep->attestationReportSize);
  return out;
}

Result<std::string> Nvml::AttestationCertChain(unsigned index) const {
  if (api_->cert == nullptr) {
    return Error(ErrorCode::kUnsupported, "driver has no nvmlDeviceGetConfComputeGpuCertificate");
  }
  TEE_ASSIGN_OR_RETURN(nvmlDevice_t d, api_->Handle(index));
  auto cert = std::make_unique<nvmlConfComputeGpuCertificate_t>();
  std::memset(cert.get(), 0, sizeof *cert);
  nvmlReturn_t r = api_->cert(d, cert.get());
  if (r != kNvmlSuccess) return api_->Fail("nvmlDeviceGetConfComputeGpuCertificate", r);
  if (cert->attestationCertChainSize == 0 ||
      cert->attestationCertChainSize > kAttestationCertChainSize) {
    return Error(ErrorCode::kInternal, "NVML returned an attestation certificate chain of " +
                                           std::to_string(cert->attestationCertChainSize) +
                                           " bytes");
  }
  const char* p = reinterpret_cast<const char*>(cert->attestationCertChain);
  return std::string(p, cert->attestationCertChainSize);
}

}  // namespace tenzro::tee::detect
