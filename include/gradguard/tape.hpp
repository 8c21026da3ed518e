// The dynamic tape: gg::tape, gg::real and their run-time diagnoses.
// Included by <gradguard/gradguard.hpp>.
#pragma once

// tape.hpp first: an error in it shows one include level fewer.
#include <gradguard/tape/custom.hpp>      // IWYU pragma: export
#include <gradguard/tape/cuts.hpp>        // IWYU pragma: export
#include <gradguard/tape/errors.hpp>      // IWYU pragma: export
#include <gradguard/tape/functional.hpp>  // IWYU pragma: export
#include <gradguard/tape/real.hpp>        // IWYU pragma: export
#include <gradguard/tape/tape.hpp>        // IWYU pragma: export
