#include "attestation/detect/detect.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include <cstring>

#include "attestation/detect/configfs_tsm.h"
#include "attestation/detect/guest_ioctl.h"
#include "attestation/detect/nsm.h"
#include "attestation/detect/nvml.h"
#include "attestation/snp/report.h"
#include "attestation/vendors.h"

namespace tenzro::tee::detect {
namespace {

constexpr uint32_t kTdxCpuidLeaf = 0x21;
constexpr char kTdxSignature[] = "IntelTDX    ";  // EBX:EDX:ECX of leaf 0x21
constexpr char kNvidiaProcVersion[] = "/proc/driver/nvidia/version";

bool CpuidSaysTdx(const CpuidFn& cpuid) {
  if (!cpuid) return false;
  const auto max = cpuid(0, 0);
  if (max[0] < kTdxCpuidLeaf) return false;
  const auto r = cpuid(kTdxCpuidLeaf, 0);
  char sig[12];
  std::memcpy(sig, &r[1], 4);
  std::memcpy(sig + 4, &r[3], 4);
  std::memcpy(sig + 8, &r[2], 4);
  return std::memcmp(sig, kTdxSignature, 12) == 0;
}

// The provider configfs-tsm serves, or why it cannot be known.
struct TsmProbe {
  std::string provider;  // empty when unknown
  std::string problem;
};
TsmProbe ProbeTsm(const DeviceIo& io) {
  if (!TsmPresent(io)) {
    return {"", std::string(kTsmReportDir) + " absent (Linux 6.7+ with configfs mounted needed)"};
  }
  auto p = TsmProbeProvider(io);
  if (!p.ok()) return {"", "configfs-tsm: cannot create a report entry: " + p.status().message()};
  return {*p, ""};
}

void DetectTdx(const Environment& env, const TsmProbe& tsm, Detection& out) {
  const DeviceIo& io = *env.io;
  TeeInfo t;
  t.type = TeeType::IntelTdx;
  if (io.Exists(kTdxGuestDevice)) t.interfaces.emplace_back(kTdxGuestDevice);
  if (io.Exists(kTdxGuestDeviceOld)) t.interfaces.emplace_back(kTdxGuestDeviceOld);
  const bool has_device = !t.interfaces.empty();
  if (tsm.provider == kTsmProviderTdx) t.interfaces.emplace_back("configfs-tsm:tdx_guest");
  if (CpuidSaysTdx(env.cpuid)) t.interfaces.emplace_back("cpuid:0x21");
  if (t.interfaces.empty()) {
    out.absent.push_back({TeeType::IntelTdx,
                          "no /dev/tdx_guest, no configfs-tsm tdx_guest "
                          "provider, no CPUID leaf 0x21 TDX signature"});
    return;
  }
  if (has_device) {
    // REPORTTYPE.VERSION of the TDREPORT: 0 for TDX 1.0 reports, 1 when the
    // module fills in TDX 1.5 fields.
    auto rep = TdxGetTdReport(io, std::array<uint8_t, 64>{});
    if (rep.ok() && rep->size() > 2) t.version = (*rep)[2] == 0 ? "1.0" : "1.5";
  }
  if (tsm.provider == kTsmProviderTdx) {
    t.ready = true;
  } else {
    t.reason = "no quote path: configfs-tsm with provider tdx_guest is needed (" +
               (tsm.problem.empty() ? "provider is " + tsm.provider : tsm.problem) +
               "); /dev/tdx_guest alone gives a TDREPORT, which is not evidence";
  }
  out.tees.push_back(std::move(t));
}

void DetectSnp(const Environment& env, const TsmProbe& tsm, Detection& out) {
  const DeviceIo& io = *env.io;
  TeeInfo t;
  t.type = TeeType::AmdSevSnp;
  const bool has_device = io.Exists(kSevGuestDevice);
  if (has_device) t.interfaces.emplace_back(kSevGuestDevice);
  if (tsm.provider == kTsmProviderSnp) t.interfaces.emplace_back("configfs-tsm:sev_guest");
  if (t.interfaces.empty()) {
    out.absent.push_back({TeeType::AmdSevSnp,
                          "no /dev/sev-guest, no configfs-tsm sev_guest "
                          "provider"});
    return;
  }
  std::string device_problem;
  if (has_device) {
    auto rep = SnpGetReport(io, std::array<uint8_t, 64>{});
    if (rep.ok()) {
      if constexpr (VendorBuilt(Vendor::kAmdSevSnp)) {
        auto parsed = snp::ParseReport(AsView(*rep));
        if (parsed.ok()) t.version = parsed->current_fw.ToString();
      }
    } else {
      device_problem = rep.status().message();
    }
  }
  if (tsm.provider == kTsmProviderSnp || (has_device && device_problem.empty())) {
    t.ready = true;
  } else {
    t.reason = has_device ? device_problem
                          : "configfs-tsm provider sev_guest cannot create entries: " + tsm.problem;
  }
  out.tees.push_back(std::move(t));
}

void DetectNitro(const Environment& env, Detection& out) {
  if (!env.io->Exists(kNsmDevice)) {
    out.absent.push_back({TeeType::AwsNitro, "no /dev/nsm (not inside a Nitro Enclave)"});
    return;
  }
  TeeInfo t;
  t.type = TeeType::AwsNitro;
  t.interfaces.emplace_back(kNsmDevice);
  t.ready = true;
  // DescribeNSM, when the device answers (else the version stays unknown).
  if (auto v = NsmDescribeVersion(*env.io); v.ok()) t.version = std::move(*v);
  out.tees.push_back(std::move(t));
}

void DetectNvidia(const Environment& env, Detection& out) {
  auto nvml = Nvml::Load(env.nvml_library);
  if (!nvml.ok()) {
    // No NVML: a loaded kernel module still says "there is an NVIDIA GPU".
    auto proc = env.io->ReadFile(kNvidiaProcVersion, 4096);
    if (!proc.ok()) {
      out.absent.push_back(
          {TeeType::NvidiaGpu, "NVML: " + nvml.status().message() + "; no NVIDIA kernel module"});
      return;
    }
    TeeInfo t;
    t.type = TeeType::NvidiaGpu;
    t.interfaces.emplace_back(kNvidiaProcVersion);
    t.cc_mode = "unknown";
    t.reason = "NVIDIA kernel module present but NVML unusable: " + nvml.status().message();
    out.tees.push_back(std::move(t));
    return;
  }
  const Nvml& n = **nvml;
  TeeInfo t;
  t.type = TeeType::NvidiaGpu;
  t.interfaces.push_back("nvml:" + env.nvml_library);
  if (auto v = n.DriverVersion(); v.ok()) t.driver_version = *v;
  auto count = n.DeviceCount();
  if (!count.ok() || *count == 0) {
    out.absent.push_back(
        {TeeType::NvidiaGpu, count.ok() ? "NVML sees no GPU" : count.status().message()});
    return;
  }
  bool any_capable = false;
  for (unsigned i = 0; i < *count; ++i) {
    auto g = n.Device(i);
    if (!g.ok()) continue;
    GpuInfo gi{i, g->name, NvmlArchName(g->arch), NvmlArchCcCapable(g->arch)};
    any_capable = any_capable || gi.cc_capable;
    t.gpus.push_back(std::move(gi));
  }
  t.version = t.driver_version;
  auto cc = n.CcState();
  if (!cc.ok()) {
    t.cc_mode = "unknown";
    t.reason = cc.status().message();
  } else if (cc->cc_feature != 1) {
    t.cc_mode = "off";
    t.reason = "confidential computing is off (nvidia-smi conf-compute -srs / the host sets it)";
  } else if (cc->dev_tools_mode == 1) {
    t.cc_mode = "devtools";
    t.reason = "confidential computing is in devtools mode (not attestable for production)";
  } else {
    t.cc_mode = "on";
  }
  if (t.reason.empty() && !any_capable) t.reason = "no GPU of a CC-capable architecture (Hopper+)";
  t.ready = t.reason.empty();
  out.tees.push_back(std::move(t));
}

void DetectTpm(const DeviceIo& io, Detection& out) {
  for (const char* dev : {"/dev/tpmrm0", "/dev/tpm0"}) {
    if (io.Exists(dev)) {
      out.tpm = true;
      out.tpm_device = dev;
      return;
    }
  }
}

}  // namespace

std::array<uint32_t, 4> HostCpuid(uint32_t leaf, uint32_t subleaf) {
  std::array<uint32_t, 4> r{};
#if defined(__x86_64__) || defined(__i386__)
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid_count(leaf, subleaf, &a, &b, &c, &d) != 0) r = {a, b, c, d};
#else
  (void)leaf;
  (void)subleaf;
#endif
  return r;
}

const TeeInfo* Detection::FirstReady() const {
  for (TeeType t : {TeeType::IntelTdx, TeeType::AmdSevSnp, TeeType::AwsNitro, TeeType::NvidiaGpu}) {
    const TeeInfo* i = Find(t);
    if (i != nullptr && i->ready) return i;
  }
  return nullptr;
}

const TeeInfo* Detection::Find(TeeType t) const {
  for (const auto& i : tees) {
    if (i.type == t) return &i;
  }
  return nullptr;
}

Detection detect_tee(const Environment& env) {
  Detection d;
  const TsmProbe tsm = ProbeTsm(*env.io);
  DetectTdx(env, tsm, d);
  DetectSnp(env, tsm, d);
  DetectNitro(env, d);
  DetectNvidia(env, d);
  DetectTpm(*env.io, d);
  return d;
}

std::string_view TeeDisplayName(TeeType t) {
  switch (t) {
    case TeeType::IntelTdx:
      return "Intel TDX";
    case TeeType::AmdSevSnp:
      return "AMD SEV-SNP";
    case TeeType::AwsNitro:
      return "AWS Nitro";
    case TeeType::NvidiaGpu:
      return "NVIDIA GPU CC";
    case TeeType::IntelSgx:
      return "Intel SGX";
    case TeeType::Simulated:
      return "Simulated";
    case TeeType::None:
      break;
  }
  return "None";
}

namespace {
nlohmann::json OrNull(const std::string& s) {
  return s.empty() ? nlohmann::json() : nlohmann::json(s);
}
}  // namespace

nlohmann::json DetectionToJson(const Detection& d) {
  nlohmann::json tees = nlohmann::json::array();
  for (const auto& t : d.tees) {
    nlohmann::json j = {{"tee_type", TeeTypeName(t.type)}, {"name", TeeDisplayName(t.type)},
                        {"version", OrNull(t.version)},    {"ready", t.ready},
                        {"reason", OrNull(t.reason)},      {"interfaces", t.interfaces}};
    if (t.type == TeeType::NvidiaGpu) {
      j["driver_version"] = OrNull(t.driver_version);
      j["cc_mode"] = t.cc_mode;
      nlohmann::json gpus = nlohmann::json::array();
      for (const auto& g : t.gpus) {
        gpus.push_back(
            {{"index", g.index}, {"name", g.name}, {"arch", g.arch}, {"cc_capable", g.cc_capable}});
      }
      j["gpus"] = std::move(gpus);
    }
    tees.push_back(std::move(j));
  }
  nlohmann::json absent = nlohmann::json::array();
  for (const auto& a : d.absent) {
    absent.push_back({{"tee_type", TeeTypeName(a.type)}, {"reason", a.reason}});
  }
  return {{"tees", std::move(tees)},
          {"not_detected", std::move(absent)},
          {"tpm", {{"present", d.tpm}, {"device", OrNull(d.tpm_device)}}}};
}

}  // namespace tenzro::tee::detect
