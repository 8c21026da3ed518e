// Bundle adjustment (ADBench / GradBench "ba"): the Jacobian of the
// reprojection errors, family ba, sizes named by the number of observations
// n = 1024, 4096.
//
// Parameters (ADBench's layout), all differentiated:
//   camera (11 each, 16 cameras): r (3, angle-axis rotation), C (3, centre),
//                                 f (focal length), x0 (2, principal point),
//                                 kappa (2, radial distortion)
//   point (3 each, n / 4 points):  X
//   weight (1 per observation):    w
// One observation (camera, point, weight w, feature m = (u, v), data):
//   pt   = X - C
//   Xcam = R(r) pt, Rodrigues: theta = |r|, k = r / theta,
//          Xcam = cos(theta) pt + sin(theta) k x pt + (1 - cos(theta)) (k . pt) k;
//          when theta^2 <= DBL_EPSILON the first-order form pt + r x pt (a branch on
//          the value of r, as in ADBench and Ceres)
//   p    = Xcam[0:2] / Xcam[2],  rsq = |p|^2,  L = 1 + kappa0 rsq + kappa1 rsq^2
//   proj = f L p + x0
//   reprojection error  e = w (proj - m)   (2 residuals)
//   weight error        1 - w^2            (1 residual)
// The Jacobian's nonzero blocks: per observation the 2 x 15 block of e with
// respect to (camera 11, point 3, w), and d(1 - w^2)/dw = -2 w.
//
// Data (bench::lcg, fixed seeds): each observation picks a camera and a point
// at random. r components uniform in [-0.1, 0.1] rad, C in [-1, 1]^2 x
// [-12, -8], f in [0.8, 1.2], x0 in [-0.05, 0.05]^2, kappa in [1e-3, 1e-2]^2;
// points in [-3, 3]^2 x [-2, 2], so Xcam[2] is about 5 to 15 (in front of
// every camera); w in [0.8, 1.2]; the features are the projections at these
// parameters plus uniform noise in [-0.01, 0.01]. The input table: 4 rows of
// all 176 + 3 n / 4 + n parameters, row 0 as generated, rows 1-3 each number
// times (1 + uniform[-0.02, 0.02]); |r| stays far above the branch, so every
// observation takes the Rodrigues branch at every row.
//
// One timed iteration evaluates every observation at one row of the table.
// Output per observation (what the start-up check compares): e (2), 1 - w^2,
// the 2 x 15 block (row-major, columns r C f x0 kappa X w), -2 w: 34 numbers.
// The residuals are written once (ba_residuals, templated on the scalar) and
// instantiated for every scalar column. Columns (BM_ba_<n>_<column>):
//   double          ba_residuals<double>: the 3 residuals only.
//   hand            the chain rule by hand through Rodrigues, the projection and
//                   the distortion (3 x 3 blocks dXcam/dr, dXcam/dpt); checked
//                   once per size against central differences of
//                   ba_residuals<double> (8 observations and one with r = 0).
//   gradguard       static expressions in two stages, joined by the chain
//                   rule by hand: Xcam_m(r, C, X), m = 0..2, one expression and
//                   one gg::value_and_gradient each over 9 gg::var leaves (the
//                   rotation branch picks which expressions are built); then
//                   e_i(Xcam, f, x0_i, kappa, w) with Xcam as fresh variables,
//                   one gg::value_and_gradient each over 8. Nothing recorded.
//                   (One expression per residual over all 15 variables did
//                   not compile: see static_observation.)
//   tape            gg::tape per observation: clear(), the camera, point and
//                   weight as variables, ba_residuals<gg::real> (RECORDS), one
//                   tape.gradient sweep per residual (3) into caller buffers.
//   dual            gg::dual<double, 15>: one forward pass per observation
//                   (how Ceres differentiates BA); likewise
//   jet             ceres::Jet<double, 15>,
//   autodiffscalar  Eigen::AutoDiffScalar<Eigen::Matrix<double, 15, 1>>,
//   sacadofad       Sacado::Fad::SFad<double, 15>.
//   adolcretape     ADOL-C: per observation trace_on (keep = 1) ... trace_off
//                   (RECORDS), then fov_reverse with the 3 x 3 identity (the
//                   Taylor values kept while recording serve the reverse sweep).
//   adolcreplay     ADOL-C: one tape of observation 0, recorded before the
//                   loop with the feature as ADOL-C parameters (mkparam); per
//                   observation set_param_vec(feature), zos_forward and
//                   fov_reverse (REPLAYS). Valid because every observation
//                   takes the same rotation branch (checked at start-up).
//                   (ADOL-C's jacobian() driver runs the same two sweeps, but
//                   drops the residuals and allocates on every call.)
// Every AD column is checked against the hand-written Jacobian at every row
// of the table before timing (bench::check_outputs); a mismatch aborts.

#include <array>
#include <limits>

#include "harness.hpp"

namespace {

namespace gg = gradguard;

constexpr std::size_t camera_size = 11, block = 15;  // 11 camera + 3 point + 1 weight
constexpr std::size_t outputs = 3 + 2 * block + 1;   // e, 1 - w^2, J, -2 w
constexpr std::size_t cameras = 16;
// Below this |r|^2 the rotation is its first-order form.
constexpr double small_angle = std::numeric_limits<double>::epsilon();

// ---------------------------------------------------------------------------
// The residuals of one observation, on any scalar T: e[0], e[1] = w (proj - m),
// e[2] = 1 - w^2. The feature is data (Feature = double), or ADOL-C
// parameters for the replayed tape.

template <class T, class Feature = double>
void ba_residuals(const T* cam, const T* X, const T& w, const Feature& u, const Feature& v, T* e) {
  using std::cos;
  using std::sin;
  using std::sqrt;
  e[2] = 1.0 - w * w;
  const T* r = cam;
  const T pt[3] = {X[0] - cam[3], X[1] - cam[4], X[2] - cam[5]};
  const T sqtheta = r[0] * r[0] + r[1] * r[1] + r[2] * r[2];
  T xc[3] = {pt[0], pt[1], pt[2]};
  if (bench::passive(sqtheta) > small_angle) {
    const T theta = sqrt(sqtheta);
    const T c = cos(theta);
    const T s = sin(theta);
    const T k[3] = {r[0] / theta, r[1] / theta, r[2] / theta};
    const T tmp = (k[0] * pt[0] + k[1] * pt[1] + k[2] * pt[2]) * (1.0 - c);
    xc[0] = pt[0] * c + (k[1] * pt[2] - k[2] * pt[1]) * s + k[0] * tmp;
    xc[1] = pt[1] * c + (k[2] * pt[0] - k[0] * pt[2]) * s + k[1] * tmp;
    xc[2] = pt[2] * c + (k[0] * pt[1] - k[1] * pt[0]) * s + k[2] * tmp;
  } else {
    xc[0] = pt[0] + (r[1] * pt[2] - r[2] * pt[1]);
    xc[1] = pt[1] + (r[2] * pt[0] - r[0] * pt[2]);
    xc[2] = pt[2] + (r[0] * pt[1] - r[1] * pt[0]);
  }
  const T p0 = xc[0] / xc[2];
  const T p1 = xc[1] / xc[2];
  const T rsq = p0 * p0 + p1 * p1;
  const T L = 1.0 + cam[9] * rsq + cam[10] * rsq * rsq;
  const T fl = cam[6] * L;
  e[0] = w * (fl * p0 + cam[7] - u);
  e[1] = w * (fl * p1 + cam[8] - v);
}

// ---------------------------------------------------------------------------
// By hand: out = e (2), 1 - w^2, J (2 x 15), -2 w.

void hand_observation(const double* cam, const double* X, double w, double u, double v,
                      double* out) {
  const double* r = cam;
  const double pt[3] = {X[0] - cam[3], X[1] - cam[4], X[2] - cam[5]};
  double xc[3], R[3][3], D[3][3];  // Xcam, dXcam/dpt, dXcam/dr
  const double sqtheta = r[0] * r[0] + r[1] * r[1] + r[2] * r[2];
  if (sqtheta > small_angle) {
    const double theta = std::sqrt(sqtheta), c = std::cos(theta), s = std::sin(theta);
    const double k[3] = {r[0] / theta, r[1] / theta, r[2] / theta};
    const double kxp[3] = {k[1] * pt[2] - k[2] * pt[1], k[2] * pt[0] - k[0] * pt[2],
                           k[0] * pt[1] - k[1] * pt[0]};
    const double kp = k[0] * pt[0] + k[1] * pt[1] + k[2] * pt[2];
    const double oc = 1.0 - c, tmp = kp * oc;
    for (int i = 0; i < 3; ++i) xc[i] = pt[i] * c + kxp[i] * s + k[i] * tmp;
    // [k]x and [pt]x: a x b = [a]x b
    const double K[3][3] = {{0, -k[2], k[1]}, {k[2], 0, -k[0]}, {-k[1], k[0], 0}};
    const double P[3][3] = {{0, -pt[2], pt[1]}, {pt[2], 0, -pt[0]}, {-pt[1], pt[0], 0}};
    // dXcam/dpt = R = c I + s [k]x + (1 - c) k k^T
    // dXcam/dtheta = -s pt + c k x pt + s (k.pt) k
    // dXcam/dk = -s [pt]x + (1 - c) (k pt^T + (k.pt) I)
    // dtheta/dr = k^T, dk/dr = (I - k k^T) / theta, so
    // dXcam/dr = dXcam/dtheta k^T + (dXcam/dk - (dXcam/dk k) k^T) / theta
    double Mk[3][3], Mkk[3];
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j) {
        R[i][j] = (i == j ? c : 0.0) + s * K[i][j] + oc * k[i] * k[j];
        Mk[i][j] = -s * P[i][j] + oc * (k[i] * pt[j] + (i == j ? kp : 0.0));
      }
      Mkk[i] = Mk[i][0] * k[0] + Mk[i][1] * k[1] + Mk[i][2] * k[2];
    }
    const double it = 1.0 / theta;
    for (int i = 0; i < 3; ++i) {
      const double gt = -s * pt[i] + c * kxp[i] + s * kp * k[i];
      for (int j = 0; j < 3; ++j) D[i][j] = gt * k[j] + (Mk[i][j] - Mkk[i] * k[j]) * it;
    }
  } else {
    // Xcam = pt + r x pt: dXcam/dpt = I + [r]x, dXcam/dr = -[pt]x
    xc[0] = pt[0] + (r[1] * pt[2] - r[2] * pt[1]);
    xc[1] = pt[1] + (r[2] * pt[0] - r[0] * pt[2]);
    xc[2] = pt[2] + (r[0] * pt[1] - r[1] * pt[0]);
    const double Rr[3][3] = {{1, -r[2], r[1]}, {r[2], 1, -r[0]}, {-r[1], r[0], 1}};
    const double Dr[3][3] = {{0, pt[2], -pt[1]}, {-pt[2], 0, pt[0]}, {pt[1], -pt[0], 0}};
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) R[i][j] = Rr[i][j], D[i][j] = Dr[i][j];
  }
  const double iz = 1.0 / xc[2];
  const double p[2] = {xc[0] * iz, xc[1] * iz};
  const double rsq = p[0] * p[0] + p[1] * p[1];
  const double L = 1.0 + cam[9] * rsq + cam[10] * rsq * rsq;
  const double f = cam[6];
  const double m[2] = {u, v};
  // de/dp = w f (L I + 2 dL/drsq p p^T), dp/dXcam = (1 / z) [I | -p]
  const double dL = cam[9] + 2.0 * cam[10] * rsq;
  const double wf = w * f;
  out[2] = 1.0 - w * w;
  out[3 + 2 * block] = -2.0 * w;
  for (int i = 0; i < 2; ++i) {
    const double res = f * L * p[i] + cam[7 + i] - m[i];
    out[i] = w * res;
    const double G0 = wf * ((i == 0 ? L : 0.0) + 2.0 * dL * p[i] * p[0]);
    const double G1 = wf * ((i == 1 ? L : 0.0) + 2.0 * dL * p[i] * p[1]);
    const double A[3] = {G0 * iz, G1 * iz, -(G0 * p[0] + G1 * p[1]) * iz};  // de_i/dXcam
    double* J = out + 3 + i * block;
    for (int j = 0; j < 3; ++j) {
      const double ar = A[0] * R[0][j] + A[1] * R[1][j] + A[2] * R[2][j];
      J[j] = A[0] * D[0][j] + A[1] * D[1][j] + A[2] * D[2][j];  // r
      J[3 + j] = -ar;                                           // C
      J[11 + j] = ar;                                           // X
    }
    J[6] = w * L * p[i];
    J[7] = i == 0 ? w : 0.0;
    J[8] = i == 1 ? w : 0.0;
    J[9] = wf * rsq * p[i];
    J[10] = wf * rsq * rsq * p[i];
    J[14] = res;
  }
}

// ---------------------------------------------------------------------------
// gradguard's static expressions, in two stages composed by the chain rule:
//   rotation    Xcam_m(r, C, X), m = 0, 1, 2: one expression and one
//               gg::value_and_gradient each, over the 9 variables (the
//               rotation branch chooses which expressions are built);
//   projection  e_i(Xcam, f, x0_i, kappa, w), i = 0, 1, with Xcam as 3 fresh
//               variables: one gg::value_and_gradient each, over 8 variables;
// then de_i/d(r, C, X) = sum_m de_i/dXcam_m dXcam_m/d(r, C, X).
// (One expression per residual over all 15 variables is a type of roughly a
// thousand nodes, as p, rsq and L each copy the rotation's tree into every
// occurrence; g++ 12 was stopped after 7 minutes at 23 GB compiling it.)

// The partials of a gradient result, gg::zero read as 0.
template <class Gradient, std::size_t N>
void store(const Gradient& g, std::array<double, N>& d) {
  std::apply(
      [&](const auto&... v) {
        std::size_t k = 0;
        ((d[k++] = v), ...);
      },
      g.values);
}

void static_observation(const double* cv, const double* Xv, double wv, double u, double v,
                        double* out) {
  const auto r0 = gg::var<"r0">(cv[0]);
  const auto r1 = gg::var<"r1">(cv[1]);
  const auto r2 = gg::var<"r2">(cv[2]);
  const auto C0 = gg::var<"C0">(cv[3]);
  const auto C1 = gg::var<"C1">(cv[4]);
  const auto C2 = gg::var<"C2">(cv[5]);
  const auto X0 = gg::var<"X0">(Xv[0]);
  const auto X1 = gg::var<"X1">(Xv[1]);
  const auto X2 = gg::var<"X2">(Xv[2]);
  const auto pt0 = X0 - C0;
  const auto pt1 = X1 - C1;
  const auto pt2 = X2 - C2;
  // Stage 1: Xcam_m and d Xcam_m / d(r0 r1 r2 C0 C1 C2 X0 X1 X2).
  std::array<double, 3> xc;
  std::array<std::array<double, 9>, 3> dxc;
  const auto rotation = [&](const auto& xc0, const auto& xc1, const auto& xc2, auto... allow) {
    const auto g0 = gg::value_and_gradient(xc0, r0, r1, r2, C0, C1, C2, X0, X1, X2, allow...);
    const auto g1 = gg::value_and_gradient(xc1, r0, r1, r2, C0, C1, C2, X0, X1, X2, allow...);
    const auto g2 = gg::value_and_gradient(xc2, r0, r1, r2, C0, C1, C2, X0, X1, X2, allow...);
    xc = {g0.value, g1.value, g2.value};
    store(g0.gradient, dxc[0]);
    store(g1.gradient, dxc[1]);
    store(g2.gradient, dxc[2]);
  };
  if (cv[0] * cv[0] + cv[1] * cv[1] + cv[2] * cv[2] > small_angle) {
    const auto theta = gg::sqrt(r0 * r0 + r1 * r1 + r2 * r2);
    const auto c = gg::cos(theta);
    const auto s = gg::sin(theta);
    const auto k0 = r0 / theta;
    const auto k1 = r1 / theta;
    const auto k2 = r2 / theta;
    const auto tmp = (k0 * pt0 + k1 * pt1 + k2 * pt2) * (1.0 - c);
    rotation(pt0 * c + (k1 * pt2 - k2 * pt1) * s + k0 * tmp,
             pt1 * c + (k2 * pt0 - k0 * pt2) * s + k1 * tmp,
             pt2 * c + (k0 * pt1 - k1 * pt0) * s + k2 * tmp);
  } else {
    // Xcam_m does not depend on r_m: a structural zero.
    rotation(pt0 + (r1 * pt2 - r2 * pt1), pt1 + (r2 * pt0 - r0 * pt2), pt2 + (r0 * pt1 - r1 * pt0),
             gg::allow_unconnected);
  }
  // Stage 2: e_i and d e_i / d(Xcam0 Xcam1 Xcam2 f x0_i kappa0 kappa1 w).
  const auto z0 = gg::var<"Xcam0">(xc[0]);
  const auto z1 = gg::var<"Xcam1">(xc[1]);
  const auto z2 = gg::var<"Xcam2">(xc[2]);
  const auto f = gg::var<"f">(cv[6]);
  const auto x00 = gg::var<"x0_0">(cv[7]);
  const auto x01 = gg::var<"x0_1">(cv[8]);
  const auto kappa0 = gg::var<"kappa0">(cv[9]);
  const auto kappa1 = gg::var<"kappa1">(cv[10]);
  const auto w = gg::var<"w">(wv);
  const auto p0 = z0 / z2;
  const auto p1 = z1 / z2;
  const auto rsq = p0 * p0 + p1 * p1;
  const auto fl = f * (1.0 + kappa0 * rsq + kappa1 * rsq * rsq);
  const auto g0 =
      gg::value_and_gradient(w * (fl * p0 + x00 - u), z0, z1, z2, f, x00, kappa0, kappa1, w);
  const auto g1 =
      gg::value_and_gradient(w * (fl * p1 + x01 - v), z0, z1, z2, f, x01, kappa0, kappa1, w);
  out[0] = g0.value;
  out[1] = g1.value;
  std::array<std::array<double, 8>, 2> des;
  store(g0.gradient, des[0]);
  store(g1.gradient, des[1]);
  for (int i = 0; i < 2; ++i) {
    const std::array<double, 8>& de = des[i];
    double* J = out + 3 + i * block;
    for (int j = 0; j < 9; ++j) {
      const double d = de[0] * dxc[0][j] + de[1] * dxc[1][j] + de[2] * dxc[2][j];
      J[j < 6 ? j : j + 5] = d;  // r C, then X
    }
    J[6] = de[3];
    J[7] = i == 0 ? de[4] : 0.0;
    J[8] = i == 1 ? de[4] : 0.0;
    J[9] = de[5];
    J[10] = de[6];
    J[14] = de[7];
  }
  const auto [werr, dw] = gg::value_and_gradient(1.0 - w * w, w);
  out[2] = werr;
  out[3 + 2 * block] = dw;
}

// ---------------------------------------------------------------------------
// The problem: the table of parameters and the observations.

struct ba_problem {
  bench::problem table;  // rows of all parameters: cameras, points, weights
  std::size_t points = 0, observations = 0;
  std::vector<std::uint32_t> camera_of, point_of;
  std::vector<double> features;  // (u, v) per observation

  const double* camera(const double* x, std::size_t o) const {
    return x + camera_size * camera_of[o];
  }
  const double* point(const double* x, std::size_t o) const {
    return x + camera_size * cameras + 3 * point_of[o];
  }
  double weight(const double* x, std::size_t o) const {
    return x[camera_size * cameras + 3 * points + o];
  }
  // The 15 parameters of observation o, gathered.
  void gather(const double* x, std::size_t o, double* local) const {
    std::copy_n(camera(x, o), camera_size, local);
    std::copy_n(point(x, o), 3, local + camera_size);
    local[14] = weight(x, o);
  }
};

ba_problem make_ba(std::size_t n) {
  ba_problem p;
  p.observations = n;
  p.points = n / 4;
  bench::lcg u{2024u + static_cast<std::uint32_t>(n)};
  const std::size_t dim = camera_size * cameras + 3 * p.points + n;
  std::vector<double> x(dim);
  for (std::size_t j = 0; j < cameras; ++j) {
    double* c = x.data() + camera_size * j;
    for (int i = 0; i < 3; ++i) c[i] = u.uniform(-0.1, 0.1);
    c[3] = u.uniform(-1, 1);
    c[4] = u.uniform(-1, 1);
    c[5] = u.uniform(-12, -8);
    c[6] = u.uniform(0.8, 1.2);
    c[7] = u.uniform(-0.05, 0.05);
    c[8] = u.uniform(-0.05, 0.05);
    c[9] = u.uniform(1e-3, 1e-2);
    c[10] = u.uniform(1e-3, 1e-2);
  }
  for (std::size_t i = 0; i < p.points; ++i) {
    double* X = x.data() + camera_size * cameras + 3 * i;
    X[0] = u.uniform(-3, 3);
    X[1] = u.uniform(-3, 3);
    X[2] = u.uniform(-2, 2);
  }
  for (std::size_t o = 0; o < n; ++o)
    x[camera_size * cameras + 3 * p.points + o] = u.uniform(0.8, 1.2);
  p.camera_of.resize(n);
  p.point_of.resize(n);
  p.features.resize(2 * n);
  for (std::size_t o = 0; o < n; ++o) {
    p.camera_of[o] = static_cast<std::uint32_t>(u.next() * cameras);
    p.point_of[o] = static_cast<std::uint32_t>(u.next() * static_cast<double>(p.points));
    // The projection: the residual with weight 1 and feature 0.
    double e[3];
    ba_residuals(p.camera(x.data(), o), p.point(x.data(), o), 1.0, 0.0, 0.0, e);
    p.features[2 * o] = e[0] + u.uniform(-0.01, 0.01);
    p.features[2 * o + 1] = e[1] + u.uniform(-0.01, 0.01);
  }
  bench::problem& t = p.table;
  t.n = n;
  t.dim = dim;
  t.rows = 4;
  t.table.resize(t.rows * dim);
  for (std::size_t r = 0; r < t.rows; ++r)
    for (std::size_t i = 0; i < dim; ++i)
      t.table[r * dim + i] = r == 0 ? x[i] : x[i] * (1.0 + u.uniform(-0.02, 0.02));
  return p;
}

// Every observation: fn(camera, point, w, u, v, out + o * width). Returns the
// last number written, for benchmark::DoNotOptimize.
template <class Fn>
double each_observation(const ba_problem& p, const double* x, double* out, std::size_t width,
                        Fn fn) {
  for (std::size_t o = 0; o < p.observations; ++o)
    fn(p.camera(x, o), p.point(x, o), p.weight(x, o), p.features[2 * o], p.features[2 * o + 1],
       out + o * width);
  return out[p.observations * width - 1];
}

double hand_all(const ba_problem& p, const double* x, double* out) {
  return each_observation(p, x, out, outputs, hand_observation);
}

// ---------------------------------------------------------------------------
// The hand-written Jacobian against central differences of
// ba_residuals<double>, at one observation's 15 parameters (the harness's
// tolerance for check_hand).

void check_hand_at(const char* what, const double* local, double u, double v) {
  double out[outputs], e[3];
  hand_observation(local, local + camera_size, local[14], u, v, out);
  ba_residuals(local, local + camera_size, local[14], u, v, e);
  for (int k = 0; k < 3; ++k)
    if (bench::relative_error(out[k], e[k]) > 1e-12) {
      std::fprintf(stderr, "ba: %s: hand-written residual %d = %.17g, function %.17g\n", what, k,
                   out[k], e[k]);
      std::abort();
    }
  std::array<double, block> x;
  std::copy_n(local, block, x.begin());
  for (int k = 0; k < 3; ++k) {
    // Row k of the 3 x 15 Jacobian: e[0], e[1], then 1 - w^2 (only its w entry is stored).
    double row[block] = {};
    if (k < 2) std::copy_n(out + 3 + k * block, block, row);
    else row[14] = out[3 + 2 * block];
    double gmax = 0.0;
    for (double g : row) gmax = std::max(gmax, std::abs(g));
    for (std::size_t i = 0; i < block; ++i) {
      const double xi = x[i], h = 1e-6 * std::max(1.0, std::abs(xi));
      const double fd = gradguard::central_difference(
                            [&](double t) {
                              double r[3];
                              x[i] = t;
                              ba_residuals(x.data(), x.data() + camera_size, x[14], u, v, r);
                              return r[k];
                            },
                            xi, h, false)
                            .derivative;
      x[i] = xi;
      const double allowed = 1e-6 + 1e-9 * std::abs(e[k]) / h / std::max(gmax, 1e-300);
      const double err = bench::relative_error(row[i], fd, gmax);
      if (!(err <= allowed)) {
        std::fprintf(stderr,
                     "ba: %s: hand-written d e[%d] / d x[%zu] = %.17g, central difference %.17g "
                     "(relative error %.3g > %.3g)\n",
                     what, k, i, row[i], fd, err, allowed);
        std::abort();
      }
    }
  }
}

void check_hand(const ba_problem& p) {
  const double* x = p.table.row(0);
  double local[block];
  for (std::size_t o = 0; o < 8; ++o) {
    p.gather(x, o, local);
    check_hand_at("observation", local, p.features[2 * o], p.features[2 * o + 1]);
  }
  // The first-order branch: r = 0 (central differences step into the
  // Rodrigues branch, which agrees to first order).
  p.gather(x, 0, local);
  local[0] = local[1] = local[2] = 0.0;
  check_hand_at("observation with r = 0", local, p.features[0], p.features[1]);
  std::fprintf(stderr,
               "checked ba_%zu: hand-written Jacobian = central differences at 9 observations\n",
               p.observations);
}

const ba_problem& problem_for(std::size_t n) {
  static std::deque<ba_problem> cache;
  for (const ba_problem& p : cache)
    if (p.observations == n) return p;
  ba_problem& p = cache.emplace_back(make_ba(n));
  check_hand(p);
  return p;
}

// ---------------------------------------------------------------------------
// The columns. Each evaluates all observations of one row into `out`.

void finish(benchmark::State& state, const ba_problem& p) {
  state.counters["observations"] = static_cast<double>(p.observations);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(p.observations));
}

// Checks `column` against the hand-written outputs, then times it.
template <class Column>
void run_column(benchmark::State& state, bench::benchmark_case& c, const ba_problem& p,
                Column column) {
  const std::size_t width = outputs * p.observations;
  std::vector<double> out(width);
  bench::check_outputs(
      c, p.table, width, [&](const double* x, double* o) { hand_all(p, x, o); },
      [&](const double* x, double* o) { column(x, o); });
  bench::timed(state, p.table, out, [&](const double* x) { return column(x, out.data()); });
  finish(state, p);
}

void bench_double(benchmark::State& state, bench::benchmark_case&, std::size_t n) {
  const ba_problem& p = problem_for(n);
  std::vector<double> out(3 * p.observations);
  bench::timed(state, p.table, out, [&](const double* x) {
    return each_observation(p, x, out.data(), 3,
                            [](const double* cam, const double* X, double w, double u, double v,
                               double* e) { ba_residuals(cam, X, w, u, v, e); });
  });
  finish(state, p);
}

void bench_hand(benchmark::State& state, bench::benchmark_case&, std::size_t n) {
  const ba_problem& p = problem_for(n);
  std::vector<double> out(outputs * p.observations);
  bench::timed(state, p.table, out, [&](const double* x) { return hand_all(p, x, out.data()); });
  finish(state, p);
}

void bench_gradguard(benchmark::State& state, bench::benchmark_case& c, std::size_t n) {
  const ba_problem& p = problem_for(n);
  run_column(state, c, p, [&](const double* x, double* out) {
    return each_observation(p, x, out, outputs, static_observation);
  });
}

void bench_tape(benchmark::State& state, bench::benchmark_case& c, std::size_t n) {
  const ba_problem& p = problem_for(n);
  gg::tape tape;
  std::array<gg::real, block> a;
  std::array<gg::real, 3> e;
  std::array<gg::real, block - 1> xs0, xs1;  // without x0[1], without x0[0]
  std::array<double, block - 1> g;
  const auto observation = [&](const double* cam, const double* X, double w, double u, double v,
                               double* out) {
    tape.clear();
    tape.variables("camera", std::span<const double>(cam, camera_size),
                   std::span<gg::real>(a).first(camera_size));
    tape.variables("point", std::span<const double>(X, 3),
                   std::span<gg::real>(a).subspan(camera_size, 3));
    a[14] = tape.variable("w", w);
    ba_residuals<gg::real>(a.data(), a.data() + camera_size, a[14], u, v, e.data());
    for (std::size_t j = 0, k0 = 0, k1 = 0; j < block; ++j) {
      if (j != 8) xs0[k0++] = a[j];
      if (j != 7) xs1[k1++] = a[j];
    }
    for (int i = 0; i < 2; ++i) {
      tape.gradient(e[i], i == 0 ? xs0 : xs1, std::span<double>(g));
      double* J = out + 3 + i * block;
      const std::size_t skip = i == 0 ? 8 : 7;
      for (std::size_t j = 0, k = 0; j < block; ++j) J[j] = j == skip ? 0.0 : g[k++];
      out[i] = gg::value(e[i]);
    }
    tape.gradient(e[2], std::span<const gg::real>(&a[14], 1),
                  std::span<double>(out + 3 + 2 * block, 1));
    out[2] = gg::value(e[2]);
  };
  run_column(state, c, p, [&](const double* x, double* out) {
    return each_observation(p, x, out, outputs, observation);
  });
  // The recording of the last observation.
  state.counters["tape_statements"] = static_cast<double>(tape.statistics().statements);
  state.counters["tape_bytes"] = static_cast<double>(tape.statistics().bytes);
}

// Forward mode: 15 tangents, input i seeded with e_i; make(v, i) seeds,
// read(y, i) is the value (i < 0) or tangent i.
template <class S, class Make, class Read>
void bench_forward(benchmark::State& state, bench::benchmark_case& c, std::size_t n, Make make,
                   Read read) {
  const ba_problem& p = problem_for(n);
  const auto observation = [&](const double* cam, const double* X, double w, double u, double v,
                               double* out) {
    S a[block];
    for (std::size_t i = 0; i < camera_size; ++i) a[i] = make(cam[i], i);
    for (std::size_t i = 0; i < 3; ++i) a[camera_size + i] = make(X[i], camera_size + i);
    a[14] = make(w, 14);
    S e[3];
    ba_residuals<S>(a, a + camera_size, a[14], u, v, e);
    for (int k = 0; k < 3; ++k) out[k] = read(e[k], -1);
    for (int k = 0; k < 2; ++k)
      for (int j = 0; j < static_cast<int>(block); ++j) out[3 + k * block + j] = read(e[k], j);
    out[3 + 2 * block] = read(e[2], 14);
  };
  run_column(state, c, p, [&](const double* x, double* out) {
    return each_observation(p, x, out, outputs, observation);
  });
}

void bench_dual(benchmark::State& state, bench::benchmark_case& c, std::size_t n) {
  using D = gg::dual<double, block>;
  bench_forward<D>(
      state, c, n, [](double v, std::size_t i) { return D::variable(v, i); },
      [](const D& y, int i) { return i < 0 ? y.value : y.tangent[static_cast<std::size_t>(i)]; });
}

void bench_autodiffscalar(benchmark::State& state, bench::benchmark_case& c, std::size_t n) {
  using A = Eigen::AutoDiffScalar<Eigen::Matrix<double, block, 1>>;
  bench_forward<A>(
      state, c, n,
      [](double v, std::size_t i) { return A(v, static_cast<int>(block), static_cast<int>(i)); },
      [](const A& y, int i) { return i < 0 ? y.value() : y.derivatives()[i]; });
}

#if GG_CERES
void bench_jet(benchmark::State& state, bench::benchmark_case& c, std::size_t n) {
  using J = ceres::Jet<double, static_cast<int>(block)>;
  bench_forward<J>(
      state, c, n, [](double v, std::size_t i) { return J(v, static_cast<int>(i)); },
      [](const J& y, int i) { return i < 0 ? y.a : y.v[i]; });
}
#endif

#if GG_SACADO
void bench_sacadofad(benchmark::State& state, bench::benchmark_case& c, std::size_t n) {
  using F = Sacado::Fad::SFad<double, static_cast<int>(block)>;
  bench_forward<F>(
      state, c, n,
      [](double v, std::size_t i) { return F(static_cast<int>(block), static_cast<int>(i), v); },
      [](const F& y, int i) { return i < 0 ? y.val() : y.dx(i); });
}
#endif

#if GG_ADOLC
// One observation on tape `tag`: the 15 parameters independent, the 3
// residuals dependent. Every adouble lives only between trace_on and
// trace_off (see bench/harness.hpp). With Param = pdouble the feature is
// recorded as two ADOL-C parameters (set_param_vec changes them).
template <class Param>
void adolc_record_observation(short tag, int keep, const bench::adolc_sizes& s, const double* local,
                              double u, double v, double* y) {
  trace_on(tag, keep, s.ops, s.locs, s.vals, s.taylors);
  {
    adouble a[block];
    for (std::size_t i = 0; i < block; ++i) a[i] <<= local[i];
    adouble e[3];
    if constexpr (std::is_same_v<Param, double>) {
      ba_residuals<adouble>(a, a + camera_size, a[14], u, v, e);
    } else {
      const pdouble pu = mkparam(u);
      const pdouble pv = mkparam(v);
      ba_residuals<adouble, pdouble>(a, a + camera_size, a[14], pu, pv, e);
    }
    for (int k = 0; k < 3; ++k) e[k] >>= y[k];
  }
  trace_off();
}

// Buffer sizes that keep one observation's tape in memory (learnt from the
// first observation, doubled until it fits).
template <class Param>
bench::adolc_sizes adolc_fit(const ba_problem& p, short tag, int keep) {
  double local[block], y[3];
  p.gather(p.table.row(0), 0, local);
  return bench::adolc_fit_sizes("ba_" + std::to_string(p.observations), tag,
                                {4096, 4096, 4096, 4096}, [&](const bench::adolc_sizes& s) {
                                  adolc_record_observation<Param>(tag, keep, s, local,
                                                                  p.features[0], p.features[1], y);
                                });
}

// The 3 x 15 Jacobian from fov_reverse: rows e[0], e[1], 1 - w^2.
struct adolc_jacobian {
  std::array<double, 9> identity{1, 0, 0, 0, 1, 0, 0, 0, 1};
  std::array<double, 3 * block> jacobian{};
  double* u[3] = {identity.data(), identity.data() + 3, identity.data() + 6};
  double* j[3] = {jacobian.data(), jacobian.data() + block, jacobian.data() + 2 * block};

  void store(const double* y, double* out) const {
    std::copy_n(y, 3, out);
    std::copy_n(jacobian.data(), 2 * block, out + 3);
    out[3 + 2 * block] = jacobian[2 * block + 14];
  }
};

void bench_adolcretape(benchmark::State& state, bench::benchmark_case& c, std::size_t n) {
  const ba_problem& p = problem_for(n);
  constexpr short tag = 1;
  const bench::adolc_sizes sizes = adolc_fit<double>(p, tag, 1);
  adolc_jacobian jac;
  const auto observation = [&](const double* cam, const double* X, double w, double u, double v,
                               double* out) {
    double local[block], y[3];
    std::copy_n(cam, camera_size, local);
    std::copy_n(X, 3, local + camera_size);
    local[14] = w;
    adolc_record_observation<double>(tag, 1, sizes, local, u, v, y);
    fov_reverse(tag, 3, static_cast<int>(block), 3, jac.u, jac.j);
    jac.store(y, out);
  };
  run_column(state, c, p, [&](const double* x, double* out) {
    return each_observation(p, x, out, outputs, observation);
  });
  removeTape(tag, ADOLC_REMOVE_COMPLETELY);
}

void bench_adolcreplay(benchmark::State& state, bench::benchmark_case& c, std::size_t n) {
  const ba_problem& p = problem_for(n);
  constexpr short tag = 2;
  adolc_fit<pdouble>(p, tag, 0);  // the only recording: observation 0
  // The tape holds the branch of observation 0; every observation must take it.
  for (std::size_t r = 0; r < p.table.rows; ++r)
    for (std::size_t o = 0; o < p.observations; ++o) {
      const double* cam = p.camera(p.table.row(r), o);
      if (!(cam[0] * cam[0] + cam[1] * cam[1] + cam[2] * cam[2] > small_angle)) {
        std::fprintf(stderr, "%s: observation %zu takes the other rotation branch\n",
                     c.name.c_str(), o);
        std::abort();
      }
    }
  adolc_jacobian jac;
  const auto observation = [&](const double* cam, const double* X, double w, double u, double v,
                               double* out) {
    double local[block], y[3], feature[2] = {u, v};
    std::copy_n(cam, camera_size, local);
    std::copy_n(X, 3, local + camera_size);
    local[14] = w;
    set_param_vec(tag, 2, feature);
    zos_forward(tag, 3, static_cast<int>(block), 1, local, y);
    fov_reverse(tag, 3, static_cast<int>(block), 3, jac.u, jac.j);
    jac.store(y, out);
  };
  run_column(state, c, p, [&](const double* x, double* out) {
    return each_observation(p, x, out, outputs, observation);
  });
  removeTape(tag, ADOLC_REMOVE_COMPLETELY);
}
#endif

void register_ba(std::initializer_list<std::size_t> sizes) {
  using body = void (*)(benchmark::State&, bench::benchmark_case&, std::size_t);
  struct column {
    const char* name;
    body fn;
  };
  const column columns[] = {
    {"double", bench_double},
    {"hand", bench_hand},
    {"gradguard", bench_gradguard},
    {"tape", bench_tape},
#if GG_ADOLC
    {"adolcretape", bench_adolcretape},
    {"adolcreplay", bench_adolcreplay},
#endif
    {"dual", bench_dual},
#if GG_SACADO
    {"sacadofad", bench_sacadofad},
#endif
#if GG_CERES
    {"jet", bench_jet},
#endif
    {"autodiffscalar", bench_autodiffscalar},
  };
  for (const std::size_t n : sizes)
    for (const column& col : columns)
      bench::add("ba", std::to_string(n), col.name,
                 [fn = col.fn, n](benchmark::State& s, bench::benchmark_case& c) { fn(s, c, n); });
}

}  // namespace

int main(int argc, char** argv) {
  register_ba({1024, 4096});
  return bench::run_benchmarks(argc, argv);
}
