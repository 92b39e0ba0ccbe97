// TSan builds only (linked into executables by cmake/sanitizers.cmake). librdkafka uses C11
// threads (thrd_*, mtx_*, cnd_*), which glibc implements by calling its pthread internals
// directly, past the pthread functions ThreadSanitizer intercepts. TSan then never sees
// librdkafka's threads start (GCC 12's runtime crashes on their first malloc) nor its locks
// (every buffer it hands over looks like a race). Defining the C11 functions in the executable
// routes librdkafka's calls here, through the intercepted pthread functions. glibc lays out
// mtx_t and cnd_t as pthread_mutex_t and pthread_cond_t, which these casts rely on.
#include <cerrno>
#include <cstdint>
#include <new>

#include <pthread.h>
#include <threads.h>

namespace {

struct start {
  thrd_start_t fn;
  void* arg;
};

void* trampoline(void* p) {
  const start s = *static_cast<start*>(p);
  delete static_cast<start*>(p);
  return reinterpret_cast<void*>(static_cast<std::intptr_t>(s.fn(s.arg)));
}

}  // namespace

extern "C" int thrd_create(thrd_t* thr, thrd_start_t fn, void* arg) {
  auto* s = new (std::nothrow) start{fn, arg};
  if (s == nullptr) return thrd_nomem;
  pthread_t t;
  if (pthread_create(&t, nullptr, trampoline, s) != 0) {
    delete s;
    return thrd_error;
  }
  *thr = t;
  return thrd_success;
}

extern "C" int thrd_join(thrd_t thr, int* res) {
  void* r = nullptr;
  if (pthread_join(thr, &r) != 0) return thrd_error;
  if (res != nullptr) *res = static_cast<int>(reinterpret_cast<std::intptr_t>(r));
  return thrd_success;
}

extern "C" int thrd_detach(thrd_t thr) { return pthread_detach(thr) == 0 ? thrd_success : thrd_error; }

namespace {
pthread_mutex_t* pm(mtx_t* m) { return reinterpret_cast<pthread_mutex_t*>(m); }
pthread_cond_t* pc(cnd_t* c) { return reinterpret_cast<pthread_cond_t*>(c); }
int result(int e) { return e == 0 ? thrd_success : e == ETIMEDOUT ? thrd_timedout : e == EBUSY ? thrd_busy : thrd_error; }
}  // namespace

extern "C" int mtx_init(mtx_t* m, int type) {
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  if (type & mtx_recursive) pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
  const int e = pthread_mutex_init(pm(m), &a);
  pthread_mutexattr_destroy(&a);
  return result(e);
}
extern "C" int mtx_lock(mtx_t* m) { return result(pthread_mutex_lock(pm(m))); }
extern "C" int mtx_trylock(mtx_t* m) { return result(pthread_mutex_trylock(pm(m))); }
extern "C" int mtx_timedlock(mtx_t* m, const struct timespec* t) { return result(pthread_mutex_timedlock(pm(m), t)); }
extern "C" int mtx_unlock(mtx_t* m) { return result(pthread_mutex_unlock(pm(m))); }
extern "C" void mtx_destroy(mtx_t* m) { pthread_mutex_destroy(pm(m)); }

extern "C" int cnd_init(cnd_t* c) { return result(pthread_cond_init(pc(c), nullptr)); }
extern "C" int cnd_signal(cnd_t* c) { return result(pthread_cond_signal(pc(c))); }
extern "C" int cnd_broadcast(cnd_t* c) { return result(pthread_cond_broadcast(pc(c))); }
extern "C" int cnd_wait(cnd_t* c, mtx_t* m) { return result(pthread_cond_wait(pc(c), pm(m))); }
extern "C" int cnd_timedwait(cnd_t* c, mtx_t* m, const struct timespec* t) {
  return result(pthread_cond_timedwait(pc(c), pm(m), t));
}
extern "C" void cnd_destroy(cnd_t* c) { pthread_cond_destroy(pc(c)); }
