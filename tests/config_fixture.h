// Config files in a scratch folder of the test's own, for the config tests.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "base/input_error.h"
#include "config/config_parser.h"

namespace vmmsim::testing {

class ConfigFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = std::filesystem::temp_directory_path() /
            ("vmmsim_config_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(m_dir);
    write("one.trace", "vcpu 0\n  run 1ms\n");
    write("two.trace", "vcpu 0\n  run 1ms\nvcpu 1\n  run 2ms\n");
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }

  // Writes `text` to `name` in the folder (making its folders); its path.
  std::string write(const std::filesystem::path& name, const std::string& text) {
    std::filesystem::create_directories((m_dir / name).parent_path());
    std::ofstream(m_dir / name) << text;
    return (m_dir / name).string();
  }
  // The message of the InputError that loading `text` as c.ini raises ("" if none).
  std::string error_of(const std::string& text, const std::vector<config::Override>& overrides = {}) {
    try {
      config::load_config(write("c.ini", text), overrides);
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  }
  std::string path(const std::string& name) const { return (m_dir / name).string(); }

  std::filesystem::path m_dir;
};

}  // namespace vmmsim::testing
