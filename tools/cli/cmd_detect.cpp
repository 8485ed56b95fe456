// tenzro-tee detect [--json]: what detect_tee() sees on this machine, one
// block per TEE found (the seed's "TEE Type: Intel TDX / Version: 1.5 /
// Ready: true"), then what was not found and why. Exit 0 when a TEE is ready
// to produce evidence, 1 when none is, 2 on usage errors. --root DIR reads
// the device tree under DIR (NVML and CPUID are still this machine's).
#include "attestation/detect/detect.h"
#include "tools/cli/cli.h"

namespace tenzro::tee::cli {
namespace {

void PrintBlocks(const detect::Detection& d) {
  if (d.tees.empty()) std::cout << "No TEE detected\n";
  for (const auto& t : d.tees) {
    std::cout << "TEE Type: " << detect::TeeDisplayName(t.type) << "\n";
    std::cout << "Version: " << (t.version.empty() ? "unknown" : t.version) << "\n";
    std::cout << "Ready: " << (t.ready ? "true" : "false") << "\n";
    if (!t.ready) std::cout << "Reason: " << t.reason << "\n";
    std::cout << "Interfaces:";
    for (const auto& i : t.interfaces) std::cout << " " << i;
    std::cout << "\n";
    if (t.type == TeeType::NvidiaGpu) {
      std::cout << "Driver: " << (t.driver_version.empty() ? "unknown" : t.driver_version)
                << "\nCC Mode: " << t.cc_mode << "\n";
      for (const auto& g : t.gpus) {
        std::cout << "GPU " << g.index << ": " << g.name << " (" << g.arch
                  << (g.cc_capable ? ", CC-capable" : "") << ")\n";
      }
    }
    std::cout << "\n";
  }
  std::cout << "TPM: " << (d.tpm ? d.tpm_device : std::string("none")) << "\n";
  for (const auto& a : d.absent) {
    std::cout << "Not detected: " << detect::TeeDisplayName(a.type) << ": " << a.reason << "\n";
  }
}

}  // namespace

Command AddDetectCommand(CLI::App& app) {
  auto json = std::make_shared<bool>(false);
  auto root = std::make_shared<std::string>("/");
  auto* sub = app.add_subcommand("detect", "detect the TEEs of this machine (node side)");
  sub->add_flag("--json", *json, "print JSON");
  sub->add_option("--root", *root,
                  "resolve /dev, /sys and configfs under DIR (containers, tests); default /")
      ->check(CLI::ExistingDirectory);
  return {sub, [json, root]() {
            auto io = SystemDeviceIo(*root);
            detect::Environment env;
            env.io = io.get();
            const auto d = detect::detect_tee(env);
            if (*json) {
              std::cout << detect::DetectionToJson(d).dump(2) << "\n";
            } else {
              PrintBlocks(d);
            }
            return FinishStdout(d.FirstReady() != nullptr ? kExitOk : kExitNegative);
          }};
}

}  // namespace tenzro::tee::cli
