// RUN: kiln-opt %s -split-input-file --kiln-expand-f8 | FileCheck %s

// CHECK-LABEL: func.func @extf_scalar
// CHECK-NOT: arith.extf
// CHECK: %[[B:.*]] = arith.bitcast %{{.*}} : f8E4M3FN to i8
// CHECK: arith.extui %[[B]] : i8 to i32
// CHECK: %[[R:.*]] = arith.bitcast %{{.*}} : i32 to f32
// CHECK: return %[[R]] : f32
func.func @extf_scalar(%x: f8E4M3FN) -> f32 {
  %f = arith.extf %x : f8E4M3FN to f32
  return %f : f32
}

// -----

// Narrower results go through f32 (exact for every e4m3 value), here f16, and bf16 from a
// vector whose length is not a multiple of 4.
// CHECK-LABEL: func.func @extf_to_f16
// CHECK: %[[F:.*]] = arith.bitcast %{{.*}} : vector<8xi32> to vector<8xf32>
// CHECK: arith.truncf %[[F]] : vector<8xf32> to vector<8xf16>
func.func @extf_to_f16(%x: vector<8xf8E4M3FN>) -> vector<8xf16> {
  %f = arith.extf %x : vector<8xf8E4M3FN> to vector<8xf16>
  return %f : vector<8xf16>
}

// -----

// CHECK-LABEL: func.func @extf_to_bf16_odd
// CHECK: %[[F:.*]] = arith.bitcast %{{.*}} : vector<6xi32> to vector<6xf32>
// CHECK: arith.truncf %[[F]] : vector<6xf32> to vector<6xbf16>
func.func @extf_to_bf16_odd(%x: vector<6xf8E4M3FN>) -> vector<6xbf16> {
  %f = arith.extf %x : vector<6xf8E4M3FN> to vector<6xbf16>
  return %f : vector<6xbf16>
}

// -----

// bf16 from 4k codes: word-wide lanes (codes 0, 2 and 1, 3 of each word), one bf16 multiply
// by 2^120 per pair, interleaved back in order; no f32 and no per-code select.
// CHECK-LABEL: func.func @extf_to_bf16
// CHECK-DAG: %[[SCALE:.*]] = arith.constant dense<1.329{{.*}}e+36> : vector<4xbf16>
// CHECK-DAG: %[[B:.*]] = arith.bitcast %{{.*}} : vector<8xf8E4M3FN> to vector<8xi8>
// CHECK: %[[W:.*]] = vector.bitcast %[[B]] : vector<8xi8> to vector<2xi32>
// CHECK-NOT: f32
// CHECK-NOT: arith.select
// CHECK-DAG: %[[E:.*]] = vector.bitcast %{{.*}} : vector<2xi32> to vector<4xbf16>
// CHECK-DAG: %[[ES:.*]] = arith.mulf %[[E]], %[[SCALE]] : vector<4xbf16>
// CHECK-DAG: %[[O:.*]] = vector.bitcast %{{.*}} : vector<2xi32> to vector<4xbf16>
// CHECK-DAG: %[[OS:.*]] = arith.mulf %[[O]], %[[SCALE]] : vector<4xbf16>
// CHECK: %[[R:.*]] = vector.shuffle %[[ES]], %[[OS]] [0, 4, 1, 5, 2, 6, 3, 7] : vector<4xbf16>, vector<4xbf16>
// CHECK: return %[[R]] : vector<8xbf16>
func.func @extf_to_bf16(%x: vector<8xf8E4M3FN>) -> vector<8xbf16> {
  %f = arith.extf %x : vector<8xf8E4M3FN> to vector<8xbf16>
  return %f : vector<8xbf16>
}

// -----

// CHECK-LABEL: func.func @truncf_vector
// CHECK-NOT: arith.truncf
// CHECK: arith.bitcast %{{.*}} : vector<4xf32> to vector<4xi32>
// CHECK: arith.minui
// CHECK: %[[BYTE:.*]] = arith.trunci %{{.*}} : vector<4xi32> to vector<4xi8>
// CHECK: arith.bitcast %[[BYTE]] : vector<4xi8> to vector<4xf8E4M3FN>
func.func @truncf_vector(%x: vector<4xf32>) -> vector<4xf8E4M3FN> {
  %q = arith.truncf %x : vector<4xf32> to vector<4xf8E4M3FN>
  return %q : vector<4xf8E4M3FN>
}

// -----

// bf16 sources are widened to f32 first (exactly), then rounded once.
// CHECK-LABEL: func.func @truncf_from_bf16
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK-NOT: arith.truncf
func.func @truncf_from_bf16(%x: bf16) -> f8E4M3FN {
  %q = arith.truncf %x : bf16 to f8E4M3FN
  return %q : f8E4M3FN
}

// -----

// CHECK-LABEL: func.func @constants
// CHECK-DAG: %[[S:.*]] = arith.constant 126 : i8
// CHECK-DAG: %[[V:.*]] = arith.constant dense<[56, -72]> : vector<2xi8>
// CHECK-DAG: arith.bitcast %[[S]] : i8 to f8E4M3FN
// CHECK-DAG: arith.bitcast %[[V]] : vector<2xi8> to vector<2xf8E4M3FN>
func.func @constants() -> (f8E4M3FN, vector<2xf8E4M3FN>) {
  %a = arith.constant 448.0 : f8E4M3FN
  %b = arith.constant dense<[1.0, -1.0]> : vector<2xf8E4M3FN>
  return %a, %b : f8E4M3FN, vector<2xf8E4M3FN>
}

// -----

// Not e4m3 (the pass is e4m3 only), or a source that would round twice: left alone.
// CHECK-LABEL: func.func @negative
// CHECK: arith.extf %{{.*}} : f8E5M2 to f32
// CHECK: arith.truncf %{{.*}} : f64 to f8E4M3FN
// CHECK: arith.extf %{{.*}} : bf16 to f32
func.func @negative(%a: f8E5M2, %b: f64, %c: bf16) -> (f32, f8E4M3FN, f32) {
  %x = arith.extf %a : f8E5M2 to f32
  %y = arith.truncf %b : f64 to f8E4M3FN
  %z = arith.extf %c : bf16 to f32
  return %x, %y, %z : f32, f8E4M3FN, f32
}
