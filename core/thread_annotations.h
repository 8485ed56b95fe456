// Clang thread-safety annotations (checked with -Wthread-safety) and the
// annotated mutex types they need: libstdc++'s std::mutex carries none.
//
// Pattern (leveldb db_impl.h): guarded members say GUARDED_BY(mu_), functions
// that expect the lock held say REQUIRES(mu_), and scoped locks are
// MutexLock / ReaderLock / WriterLock. gcc ignores the attributes.
#pragma once

#include <mutex>
#include <shared_mutex>

#if defined(__clang__)
#define TEE_TSA(x) __attribute__((x))
#else
#define TEE_TSA(x)
#endif

#define CAPABILITY(x) TEE_TSA(capability(x))
#define SCOPED_CAPABILITY TEE_TSA(scoped_lockable)
#define GUARDED_BY(x) TEE_TSA(guarded_by(x))
#define PT_GUARDED_BY(x) TEE_TSA(pt_guarded_by(x))
#define REQUIRES(...) TEE_TSA(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) TEE_TSA(requires_shared_capability(__VA_ARGS__))
#define ACQUIRE(...) TEE_TSA(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) TEE_TSA(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) TEE_TSA(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) TEE_TSA(release_shared_capability(__VA_ARGS__))
#define RELEASE_GENERIC(...) TEE_TSA(release_generic_capability(__VA_ARGS__))
#define EXCLUDES(...) TEE_TSA(locks_excluded(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS TEE_TSA(no_thread_safety_analysis)

namespace tenzro::tee {

class CAPABILITY("mutex") Mutex {
 public:
  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  // For std::condition_variable_any and friends.
  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

class CAPABILITY("mutex") SharedMutex {
 public:
  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  void LockShared() ACQUIRE_SHARED() { mu_.lock_shared(); }
  void UnlockShared() RELEASE_SHARED() { mu_.unlock_shared(); }

 private:
  std::shared_mutex mu_;
};

class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() RELEASE() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

class SCOPED_CAPABILITY WriterLock {
 public:
  explicit WriterLock(SharedMutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~WriterLock() RELEASE() { mu_->Unlock(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  SharedMutex* const mu_;
};

class SCOPED_CAPABILITY ReaderLock {
 public:
  explicit ReaderLock(SharedMutex* mu) ACQUIRE_SHARED(mu) : mu_(mu) { mu_->LockShared(); }
  ~ReaderLock() RELEASE() { mu_->UnlockShared(); }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

 private:
  SharedMutex* const mu_;
};

}  // namespace tenzro::tee
