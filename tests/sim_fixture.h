// Builds a platform from config text in a scratch directory (one per test:
// each test is its own process, SystemC elaborates once).
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "config/config_parser.h"
#include "models/platform.h"

namespace vmmsim::testing {

// Costs that make hand-computed schedules exact.
inline constexpr const char* kZeroCosts =
    "[vmm]\nvm_exit = 0\nvm_entry = 0\nhypercall = 0\ncontext_switch = 0\n"
    "[activation]\nid_register_dispatch = 0\nfunction_table_dispatch = 0\npatch_dispatch = 0\n"
    "[memory]\nrefill_bandwidth = 0\nremote_refill_bandwidth = 0\n";

class SimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = std::filesystem::temp_directory_path() /
            ("vmmsim_sim_" + std::to_string(::getpid()));
    std::filesystem::create_directories(m_dir);
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }

  void file(const std::string& name, const std::string& text) { std::ofstream(m_dir / name) << text; }
  // Loads the config and elaborates the platform.
  models::Platform& build(const std::string& ini) {
    file("test.ini", ini);
    m_config = config::load_config((m_dir / "test.ini").string());
    m_platform = std::make_unique<models::Platform>("platform", m_config);
    return *m_platform;
  }
  Cycles ms(double m) const { return static_cast<Cycles>(m * 1e6); }  // at 1 GHz

  std::filesystem::path m_dir;
  config::Config m_config;
  std::unique_ptr<models::Platform> m_platform;
};

}  // namespace vmmsim::testing
