// The traces' matrix products with 256-bit AVX2 fused multiply–adds: an optional accelerator
// for the WebAssembly kernels (src/kernels/assembly/product.ts) on Linux x64, built at build
// time into dist/fglab-native-linux-x64.node (src/native/build.mjs) and loaded where it runs
// (src/worker/kernel-wasm.ts). WebAssembly's vectors are 128 bits wide; these are 256.
//
// It computes exactly what `productFused` computes in the relaxed-SIMD build, in the module's
// own memory (the WebAssembly memory's ArrayBuffer, pointers as byte offsets into it):
//
//   dst[b][c] = init[b][c] + Σ_{k<K} x[b][k]·M[k][c]   for b < rows, `panels` panels of 8 columns
//
// with row k of panel p of M at m + p·mPanel + k·mRow. Each element starts from init and adds
// the K terms in order, each with one fused multiply–add: the same operations on every element
// as the WebAssembly kernel's, so the same bits (the tests check it), whatever the blocking.
//
// Node-API only (js_native_api.h, node_api.h from the node-api-headers package): the binary
// runs in every Node and Electron of the same platform, the extension host's included.

#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define HAS_X86 1
#else
#define HAS_X86 0
#endif

#if HAS_X86
#define AVX2 __attribute__((target("avx2,fma")))

// One block: rows b..b+R−1 times panels p..p+P−1, R·P accumulators kept in registers (the
// loops are unrolled completely for each shape: 4×2 and 2×4 have eight, enough to keep both
// FMA units busy; 2×2, 1×4, 1×2, 1×1, 4×1 and 2×1 serve the remainders).
static inline __attribute__((always_inline)) AVX2 void block(int R, int P, const uint8_t *x, size_t xs, int k, const uint8_t *m, size_t mRow, size_t mPanel,
                                                             const uint8_t *init, size_t is, uint8_t *dst, size_t ds) {
  __m256 a[4][4];
#pragma GCC unroll 4
  for (int r = 0; r < R; r++)
#pragma GCC unroll 4
    for (int q = 0; q < P; q++) a[r][q] = _mm256_loadu_ps((const float *)(init + r * is + q * 32));
  for (int kk = 0; kk < k; kk++, m += mRow, x += 4) {
    __m256 v[4];
#pragma GCC unroll 4
    for (int q = 0; q < P; q++) v[q] = _mm256_loadu_ps((const float *)(m + q * mPanel));
#pragma GCC unroll 4
    for (int r = 0; r < R; r++) {
      const __m256 s = _mm256_broadcast_ss((const float *)(x + r * xs));
#pragma GCC unroll 4
      for (int q = 0; q < P; q++) a[r][q] = _mm256_fmadd_ps(s, v[q], a[r][q]);
    }
  }
#pragma GCC unroll 4
  for (int r = 0; r < R; r++)
#pragma GCC unroll 4
    for (int q = 0; q < P; q++) _mm256_storeu_ps((float *)(dst + r * ds + q * 32), a[r][q]);
}

#define BLOCK(R, P)                                                                                                       \
  static AVX2 void block_##R##_##P(const uint8_t *x, size_t xs, int k, const uint8_t *m, size_t mRow, size_t mPanel,      \
                                   const uint8_t *init, size_t is, uint8_t *dst, size_t ds) {                              \
    block(R, P, x, xs, k, m, mRow, mPanel, init, is, dst, ds);                                                            \
  }
BLOCK(4, 2)
BLOCK(2, 4)
BLOCK(2, 2)
BLOCK(1, 4)
BLOCK(1, 2)
BLOCK(1, 1)
BLOCK(4, 1)
BLOCK(2, 1)

static AVX2 void product(uint8_t *base, size_t x, size_t xs, int k, size_t m, size_t mRow, size_t mPanel, int panels,
                         size_t init, size_t is, size_t dst, size_t ds, int rows) {
#define AT(b, pa) base + x + (size_t)(b) * xs, xs, k, base + m + (size_t)(pa) * mPanel, mRow, mPanel, base + init + (size_t)(b) * is + (size_t)(pa) * 32, is, base + dst + (size_t)(b) * ds + (size_t)(pa) * 32, ds
  int b = 0;
  // Blocks of 4 rows: panel pairs outside, rows inside (a pair of panels stays in L1 for all the rows).
  const int rows4 = rows & ~3;
  if (rows4 > 0) {
    int pa = 0;
    for (; pa + 1 < panels; pa += 2)
      for (b = 0; b < rows4; b += 4) block_4_2(AT(b, pa));
    if (pa < panels)
      for (b = 0; b < rows4; b += 4) block_4_1(AT(b, pa));
    b = rows4;
  }
  // Then 2 rows with 4 panels at a time, then 1 row: eight and four accumulators.
  if (rows - b >= 2) {
    int pa = 0;
    for (; pa + 3 < panels; pa += 4) block_2_4(AT(b, pa));
    for (; pa + 1 < panels; pa += 2) block_2_2(AT(b, pa));
    if (pa < panels) block_2_1(AT(b, pa));
    b += 2;
  }
  if (b < rows) {
    int pa = 0;
    for (; pa + 3 < panels; pa += 4) block_1_4(AT(b, pa));
    for (; pa + 1 < panels; pa += 2) block_1_2(AT(b, pa));
    if (pa < panels) block_1_1(AT(b, pa));
  }
#undef AT
}

/** Whether this CPU runs the AVX2 and FMA code (checked once, before any of it runs). */
static int cpuSupported(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#else
static int cpuSupported(void) {
  return 0;
}
#endif

/** Throws a RangeError naming what was out of bounds; returns NULL for the caller to return. */
static napi_value fail(napi_env env, const char *message) {
  napi_throw_range_error(env, NULL, message);
  return NULL;
}

/** Whether [at, at + bytes) lies within a buffer of `length` bytes (no overflow: all operands < 2^33). */
static int inside(uint64_t at, uint64_t bytes, uint64_t length) {
  return at <= length && bytes <= length - at;
}

/**
 * productFused(memory: ArrayBuffer, x, xStride, k, m, mRow, mPanel, panels, init, initStride,
 * dst, dstStride, rows): the arguments of the WebAssembly `productFused`, after the module's
 * memory. Every region the call reads or writes is checked to lie inside that memory first.
 */
static napi_value ProductFused(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value argv[13];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 13) return fail(env, "productFused: expected 13 arguments");
  void *data = NULL;
  size_t length = 0;
  if (napi_get_arraybuffer_info(env, argv[0], &data, &length) != napi_ok) return fail(env, "productFused: expected the module's memory as an ArrayBuffer");
  uint32_t v[12];
  for (int i = 0; i < 12; i++) {
    if (napi_get_value_uint32(env, argv[i + 1], &v[i]) != napi_ok) return fail(env, "productFused: expected 12 integer arguments after the memory");
  }
  uint64_t x = v[0], xs = v[1], k = v[2], m = v[3], mRow = v[4], mPanel = v[5], panels = v[6], init = v[7], is = v[8], dst = v[9], ds = v[10], rows = v[11];
  if (k == 0 || panels == 0 || rows == 0) return NULL;
  if (k > 1u << 20 || panels > 1u << 20 || rows > 1u << 20) return fail(env, "productFused: sizes out of range");
  if (!inside(x, (rows - 1) * xs + 4 * k, length) || !inside(m, (panels - 1) * mPanel + (k - 1) * mRow + 32, length) ||
      !inside(init, (rows - 1) * is + 32 * panels, length) || !inside(dst, (rows - 1) * ds + 32 * panels, length)) {
    return fail(env, "productFused: a region lies outside the module's memory");
  }
#if HAS_X86
  product((uint8_t *)data, x, xs, (int)k, m, mRow, mPanel, (int)panels, init, is, dst, ds, (int)rows);
#endif
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_value available, fn;
  if (napi_get_boolean(env, cpuSupported() != 0, &available) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "available", available) != napi_ok) return NULL;
  if (!cpuSupported()) return exports; // no productFused: nothing here may run on this CPU
  if (napi_create_function(env, "productFused", NAPI_AUTO_LENGTH, ProductFused, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "productFused", fn) != napi_ok) return NULL;
  return exports;
}
