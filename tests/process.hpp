#pragma once
// Spawning a program under test with pipes on its stdio (header-only, POSIX/Linux).
//
//   auto relay = child_process::spawn({bin, "--insecure-plaintext"});
//   auto line = relay.read_line(std::chrono::seconds(5));   // "listening 127.0.0.1:40123"
//   relay.signal(SIGTERM);
//   int status = relay.wait();                               // exit code, or 128 + signal
//
// stderr is inherited by default so the child's logs show up in ctest's output; pass
// {.capture_stderr = true} to read it through stderr_fd() instead. The destructor kills
// (SIGKILL) and reaps a child that is still running, so a failing test never leaks one.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

extern char** environ;

namespace cotab::testing {

struct spawn_options {
  bool capture_stderr = false;  // false: the child writes to our stderr
};

class child_process {
 public:
  using clock = std::chrono::steady_clock;

  static child_process spawn(std::vector<std::string> argv, spawn_options options = {}) {
    if (argv.empty()) throw std::invalid_argument("spawn: empty argv");
    int in[2], out[2], err[2] = {-1, -1};
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 ||
        (options.capture_stderr && ::pipe2(err, O_CLOEXEC) != 0))
      throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);  // dup2 clears O_CLOEXEC on the target
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    if (options.capture_stderr) posix_spawn_file_actions_adddup2(&actions, err[1], 2);

    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    pid_t pid = -1;
    int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    if (options.capture_stderr) ::close(err[1]);
    if (rc != 0) {
      ::close(in[1]);
      ::close(out[0]);
      if (options.capture_stderr) ::close(err[0]);
      throw std::runtime_error("posix_spawn " + argv[0] + ": " + std::strerror(rc));
    }
    child_process c;
    c.pid_ = pid;
    c.stdin_ = in[1];
    c.stdout_ = out[0];
    c.stderr_ = options.capture_stderr ? err[0] : -1;
    return c;
  }

  child_process() = default;
  child_process(child_process&& o) noexcept { *this = std::move(o); }
  child_process& operator=(child_process&& o) noexcept {
    if (this != &o) {
      reset();
      pid_ = std::exchange(o.pid_, -1);
      stdin_ = std::exchange(o.stdin_, -1);
      stdout_ = std::exchange(o.stdout_, -1);
      stderr_ = std::exchange(o.stderr_, -1);
      status_ = std::exchange(o.status_, std::nullopt);
      line_buffer_ = std::move(o.line_buffer_);
    }
    return *this;
  }
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;
  ~child_process() { reset(); }

  pid_t pid() const noexcept { return pid_; }
  int stdin_fd() const noexcept { return stdin_; }
  int stdout_fd() const noexcept { return stdout_; }
  int stderr_fd() const noexcept { return stderr_; }  // -1 unless capture_stderr
  void close_stdin() {
    if (stdin_ >= 0) ::close(stdin_);
    stdin_ = -1;
  }

  void signal(int signo) {
    if (pid_ > 0 && !status_) ::kill(pid_, signo);
  }

  // One line from stdout without its '\n'; nullopt on timeout or EOF (a partial last line is
  // returned at EOF).
  std::optional<std::string> read_line(std::chrono::milliseconds timeout) {
    auto deadline = clock::now() + timeout;
    for (;;) {
      if (auto nl = line_buffer_.find('\n'); nl != std::string::npos) {
        std::string line = line_buffer_.substr(0, nl);
        line_buffer_.erase(0, nl + 1);
        return line;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
      if (left <= 0 || stdout_ < 0) return std::nullopt;
      pollfd p{stdout_, POLLIN, 0};
      int r = ::poll(&p, 1, static_cast<int>(left));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return std::nullopt;
      char chunk[4096];
      ssize_t n = ::read(stdout_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (line_buffer_.empty()) return std::nullopt;
        return std::exchange(line_buffer_, {});
      }
      line_buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  // Blocks until the child exits: its exit code, or 128 + signal number if it was killed.
  int wait() {
    if (status_) return *status_;
    if (pid_ <= 0) throw std::logic_error("wait: no child");
    int raw = 0;
    while (::waitpid(pid_, &raw, 0) < 0) {
      if (errno != EINTR) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
    }
    status_ = decode(raw);
    return *status_;
  }

  // Like wait() but gives up after `timeout` (nullopt). Waits on a pidfd, no polling sleeps.
  std::optional<int> wait_for(std::chrono::milliseconds timeout) {
    if (status_) return status_;
    int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
    if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      int r;
      do r = ::poll(&p, 1, static_cast<int>(timeout.count()));
      while (r < 0 && errno == EINTR);
      ::close(pidfd);
      if (r <= 0) return std::nullopt;
      return wait();
    }
    // Kernels without pidfd_open (< 5.3): fall back to polling.
    auto deadline = clock::now() + timeout;
    for (;;) {
      int raw = 0;
      pid_t r = ::waitpid(pid_, &raw, WNOHANG);
      if (r == pid_) {
        status_ = decode(raw);
        return status_;
      }
      if (clock::now() >= deadline) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  bool running() { return pid_ > 0 && !wait_for(std::chrono::milliseconds(0)); }

 private:
  static int decode(int raw) {
    if (WIFEXITED(raw)) return WEXITSTATUS(raw);
    if (WIFSIGNALED(raw)) return 128 + WTERMSIG(raw);
    return -1;
  }

  void reset() {
    if (pid_ > 0 && !status_) {
      ::kill(pid_, SIGKILL);
      int raw = 0;
      while (::waitpid(pid_, &raw, 0) < 0 && errno == EINTR) {
      }
    }
    for (int* fd : {&stdin_, &stdout_, &stderr_}) {
      if (*fd >= 0) ::close(*fd);
      *fd = -1;
    }
    pid_ = -1;
    status_.reset();
    line_buffer_.clear();
  }

  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  int stderr_ = -1;
  std::optional<int> status_;
  std::string line_buffer_;
};

}  // namespace cotab::testing
