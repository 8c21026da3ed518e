#!/usr/bin/env python3
"""Checks what `meson install` ships: stages the install of BUILD in a
temporary directory and builds test/package/consumer.cpp against it, once
through the CMake package (find_package(gradguard) in
test/package/CMakeLists.txt) and once through pkg-config
(`pkg-config --cflags gradguard` with the staged prefix), then runs both programs.

    check_package.py BUILD SOURCE_ROOT

Only the staged tree is on the include path, so a header that is not
installed, a wrong include directory in either file or a missing dependency
fails here. The compiler is the build's (compile_fail.any_gradguard_entry).
"""
import os
import pathlib
import shlex
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import compile_fail  # noqa: E402  (the compile-command handling is shared)


def run(args, **kwargs):
    proc = subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)
    if proc.returncode != 0:
        sys.exit(f"FAIL: {shlex.join(str(a) for a in args)} (exit code {proc.returncode})\n"
                 f"{proc.stdout}{proc.stderr}")
    return proc.stdout


def only(paths, what):
    if len(paths) != 1:
        sys.exit(f"FAIL: expected one {what} in the staged install, found {len(paths)}: {paths}")
    return paths[0]


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    build, source = (pathlib.Path(a).resolve() for a in argv)
    compiler = compile_fail.entry_arguments(compile_fail.any_gradguard_entry(build))[0]
    consumer = source / "test" / "package"
    with tempfile.TemporaryDirectory(prefix="gg-package-") as tmp:
        stage = pathlib.Path(tmp, "stage")
        run(["meson", "install", "-C", str(build), "--no-rebuild", "--quiet",
             "--destdir", str(stage)])
        config = only(sorted(stage.rglob("gradguardConfig.cmake")), "gradguardConfig.cmake")
        prefix = config.parents[3]  # <prefix>/share/cmake/gradguard/gradguardConfig.cmake
        run(["cmake", "-S", str(consumer), "-B", str(pathlib.Path(tmp, "cmake")),
             f"-DCMAKE_CXX_COMPILER={compiler}", f"-DCMAKE_PREFIX_PATH={prefix}",
             "-DCMAKE_BUILD_TYPE=Release"])
        run(["cmake", "--build", str(pathlib.Path(tmp, "cmake"))])
        print("cmake:      " + run([str(pathlib.Path(tmp, "cmake", "consumer"))]).strip())

        pc = only(sorted(stage.rglob("gradguard.pc")), "gradguard.pc")
        env = dict(os.environ, PKG_CONFIG_PATH=str(pc.parent), PKG_CONFIG_LIBDIR=str(pc.parent))
        # The staged prefix in place of the installed one (--define-prefix
        # guesses it from the file's place, which a multiarch libdir defeats).
        cflags = shlex.split(run(["pkg-config", f"--define-variable=prefix={prefix}",
                                  "--cflags", "gradguard"], env=env))
        if not any(f.startswith("-I" + str(stage)) for f in cflags):
            sys.exit(f"FAIL: pkg-config's flags {cflags} do not point into the staged install")
        exe = pathlib.Path(tmp, "pkgconfig_consumer")
        run([compiler, *cflags, "-O1", str(consumer / "consumer.cpp"), "-o", str(exe)])
        print("pkg-config: " + run([str(exe)]).strip())
    print("PASS: the installed package builds a consumer through CMake and pkg-config")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
