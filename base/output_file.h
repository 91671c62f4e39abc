// One output (JSON, VCD, timeline, resolved config, a trace, compare's
// files) written the way a user means its path:
// - "-", or a path naming the file already open as standard output or
//   standard error, is written to that stream, in order;
// - an existing file that is not a regular file (a character device such
//   as /dev/null, a FIFO, a socket) is written directly, in order, and
//   never replaced;
// - anything else (a regular file, or no file yet) is written to a
//   temporary file created exclusively beside the target (".NAME.XXXXXX"),
//   which commit() renames over it: a reader sees the previous file or the
//   new one, whole. A symbolic link is followed: the file it names is
//   replaced in that file's folder, and the link stays a link.
// docs/robustness.md "Interrupted runs and atomic outputs".
#pragma once

#include <cstddef>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>

#include "base/file_identity.h"

namespace vmmsim {

// A write that failed (disk full, I/O error): reported once at the CLI,
// with exit code 74 (EX_IOERR). what() names the file and the cause.
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class OutputFile {
 public:
  enum class Kind { Replaced, Direct, StandardStream };

  // Works out where `path` goes; touches no file. InputError if it cannot
  // be an output (a directory, a loop of links, ...).
  explicit OutputFile(std::string path);
  // An output not committed leaves nothing: its temporary file is removed.
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  const std::string& path() const { return m_path; }  // as the user named it
  Kind kind() const { return m_kind; }
  bool to_standard_output() const { return m_kind == Kind::StandardStream && m_fd == 1; }
  // The file written: a link's target, the device, the stream's file.
  const FileIdentity& identity() const { return m_identity; }

  // Creates the temporary file, or opens the device (a FIFO waits for its
  // reader). InputError: a missing folder, no permission, a read-only file
  // or file system; OutputError: anything else (disk full, I/O error).
  void open();
  // Buffered; a failed write drops the rest and is reported by finish().
  std::ostream& stream() { return m_stream; }
  void write(const char* data, std::size_t size);
  bool failed() const;
  // Writes out what is buffered, makes it durable and closes the file.
  // OutputError naming the file and the cause (the temporary is removed).
  void finish();
  // After finish(): renames the temporary over the target (OutputError if
  // it cannot). Nothing to do for a stream or a device.
  void commit();
  // Removes the temporary file (an output that will not be written).
  void discard();

 private:
  class Buffer;
  [[noreturn]] void fail(const std::string& what, int error);

  enum class State { Unopened, Open, Finished };

  std::string m_path;
  State m_state = State::Unopened;
  Kind m_kind = Kind::Replaced;
  std::string m_target;     // the file to replace or the device to write
  std::string m_temporary;  // while it exists
  FileIdentity m_identity;
  int m_fd = -1;
  bool m_owns_fd = false;
  std::unique_ptr<Buffer> m_buffer;
  std::ostream m_stream{nullptr};
};

}  // namespace vmmsim
